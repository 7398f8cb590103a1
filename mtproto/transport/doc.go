// Package transport is the byte-level layer under MTProto: it turns MTProto
// payloads into frames on a byte stream and back, for the client and for the
// server (the emulator) alike.
//
// A connection is a stack of optional layers, bottom to top:
//
//	TCP (DirectDialer, SOCKS5Dialer, HTTPConnectDialer)
//	 └ fake-TLS records              (MTProxy "ee" secrets)
//	    └ obfuscated2 AES-256-CTR    (Options.Obfuscated, or any MTProxy secret)
//	       └ framing                 (Abridged, Intermediate, PaddedIntermediate, Full)
//
// The client composes the stack with Dial (or NewClient over a stream it
// already holds); the server detects it from the first bytes with
// Server.Accept. Both return a *Codec, which reads and writes whole packets.
// NewCodec builds a bare framing codec over any io.ReadWriter.
//
// References: https://core.telegram.org/mtproto/mtproto-transports (framings,
// quick ack, transport errors, obfuscation) and the MTProxy documentation for
// secrets (https://core.telegram.org/api/links#mtproxy-links).
//
// Randomness and the clock are injectable everywhere (Options.Rand,
// Options.Now, ServerOptions.Rand, ServerOptions.Now), so a connection can be
// replayed byte for byte in tests.
package transport
