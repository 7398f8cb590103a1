package transport

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Match them with errors.Is; most are returned wrapped with
// the details of the failing input.
var (
	// ErrUnalignedPayload: the abridged framing can only carry payloads whose
	// length is a multiple of 4 (every MTProto message is).
	ErrUnalignedPayload = errors.New("transport: abridged payload length is not a multiple of 4")

	// ErrQuickAckUnsupported: the full framing has no quick-ack bit, or the
	// call does not fit the codec's role (only a client requests quick acks,
	// only a server sends tokens).
	ErrQuickAckUnsupported = errors.New("transport: quick ack not available here")

	// ErrMalformedFrame: a frame header that no valid peer sends (for example
	// a full-transport length below its 12-byte envelope).
	ErrMalformedFrame = errors.New("transport: malformed frame")

	// ErrFullNotObfuscated: obfuscated2 has no protocol tag for the full
	// framing; use intermediate or padded intermediate instead.
	ErrFullNotObfuscated = errors.New("transport: the full framing cannot be obfuscated; use Intermediate or PaddedIntermediate")

	// ErrUnknownProtocol: the server could not recognise the first bytes of a
	// connection as any supported transport.
	ErrUnknownProtocol = errors.New("transport: unrecognised transport header")

	// ErrSecretRequired: the server only accepts MTProxy clients (it has
	// secrets and AllowDirect is false) and the client used none.
	ErrSecretRequired = errors.New("transport: this server requires an MTProxy secret")

	// ErrSecretMismatch: the peer did not prove knowledge of the MTProxy
	// secret (wrong secret, or the peer is not an MTProxy endpoint).
	ErrSecretMismatch = errors.New("transport: MTProxy secret mismatch")

	// ErrReplayedHello: a fake-TLS ClientHello whose random was already seen
	// within the timestamp window.
	ErrReplayedHello = errors.New("transport: replayed fake-TLS ClientHello")

	// ErrBadTLS: a fake-TLS record stream that does not have the expected
	// shape (record type, version or length).
	ErrBadTLS = errors.New("transport: malformed fake-TLS record")
)

// Transport error codes a Telegram server may send as a bare negative
// 4-byte payload (https://core.telegram.org/mtproto/mtproto-transports#transport-errors).
const (
	CodeForbidden       int32 = -403
	CodeAuthKeyNotFound int32 = -404
	CodeTransportFlood  int32 = -429
	CodeInvalidDC       int32 = -444
)

// TransportError is a transport-level error sent by the server in place of a
// packet: a 4-byte little-endian negative integer. ReadPacket and ReadFrame
// return it (client role only); the connection stays usable but servers
// usually close it right after.
type TransportError struct {
	Code int32 // negative, e.g. CodeAuthKeyNotFound (-404)
}

// Error describes the code and what the client should do about it.
func (e *TransportError) Error() string {
	var what string
	switch e.Code {
	case CodeForbidden:
		what = "forbidden: the request was refused as an HTTP 403 would be"
	case CodeAuthKeyNotFound:
		what = "auth key not found: the DC does not know this auth key id; drop the key and create a new one"
	case CodeTransportFlood:
		what = "transport flood: too many connections from this IP or too many messages in a container; back off before reconnecting"
	case CodeInvalidDC:
		what = "invalid DC: the DC id is wrong (in the auth key exchange, or in the obfuscated2 header sent to an MTProxy)"
	default:
		what = "unknown transport error"
	}
	return fmt.Sprintf("transport error %d: %s", e.Code, what)
}

// Is reports whether target is a *TransportError with the same code, so
// errors.Is(err, &TransportError{Code: CodeAuthKeyNotFound}) works.
func (e *TransportError) Is(target error) bool {
	t, ok := target.(*TransportError)
	return ok && t.Code == e.Code
}

// QuickAck is a quick-acknowledgement token received by a client: the server
// confirms it got an encrypted packet sent with WritePacketQuickAck. The value
// has its most significant bit set, as on the wire (for abridged the bytes are
// byte-swapped back, so every framing yields the same number).
//
// ReadPacket returns it as its error value so a plain read loop cannot mistake
// it for a packet; ReadFrame reports it in Frame.QuickAck instead.
type QuickAck uint32

// Error implements error.
func (q QuickAck) Error() string { return fmt.Sprintf("transport: quick ack %#08x", uint32(q)) }

// FrameSizeError reports a frame larger than the codec's bound (MaxFrame), on
// read (a hostile or corrupt length prefix; nothing was allocated for it) or
// on write.
type FrameSizeError struct {
	Kind Kind
	Size int64 // the length announced or requested
	Max  int   // the bound in force
}

// Error implements error.
func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("transport: %s frame of %d bytes exceeds the %d-byte limit (raise MaxFrame if this peer is trusted)", e.Kind, e.Size, e.Max)
}

// ChecksumError reports a full-transport frame whose CRC32 does not match its
// contents.
type ChecksumError struct {
	Got, Want uint32
}

// Error implements error.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("transport: full frame CRC32 is %#08x, contents hash to %#08x (corrupted stream)", e.Got, e.Want)
}

// SeqNoError reports a full-transport frame whose sequence number is not the
// next one expected (a lost, duplicated or reordered frame).
type SeqNoError struct {
	Got, Want uint32
}

// Error implements error.
func (e *SeqNoError) Error() string {
	return fmt.Sprintf("transport: full frame sequence number %d, expected %d (frame lost or duplicated)", e.Got, e.Want)
}

// TimestampError reports a fake-TLS ClientHello whose embedded timestamp is
// outside the server's window.
type TimestampError struct {
	Client time.Time     // the time the client claimed
	Server time.Time     // the server's clock
	Window time.Duration // the accepted distance
}

// Error implements error.
func (e *TimestampError) Error() string {
	return fmt.Sprintf("transport: fake-TLS ClientHello time %s is %s from server time %s (window ±%s): the client clock is off or the hello is a replay",
		e.Client.UTC().Format(time.RFC3339), e.Server.Sub(e.Client).Round(time.Second), e.Server.UTC().Format(time.RFC3339), e.Window)
}

// SOCKS5Error is a non-success reply code from a SOCKS5 proxy (RFC 1928 §6).
// SOCKS5Dialer returns it wrapped with the proxy and target addresses.
type SOCKS5Error struct {
	Code byte
}

// Error names the reply code.
func (e *SOCKS5Error) Error() string {
	var what string
	switch e.Code {
	case 1:
		what = "general SOCKS server failure"
	case 2:
		what = "connection not allowed by ruleset"
	case 3:
		what = "network unreachable"
	case 4:
		what = "host unreachable"
	case 5:
		what = "connection refused"
	case 6:
		what = "TTL expired"
	case 7:
		what = "command not supported"
	case 8:
		what = "address type not supported"
	default:
		what = "unassigned reply code"
	}
	return fmt.Sprintf("SOCKS5 reply %d: %s", e.Code, what)
}

// SOCKS5 negotiation failures.
var (
	// ErrSOCKS5NoAcceptableMethod: the proxy accepts none of the offered
	// authentication methods (it may want credentials we do not have).
	ErrSOCKS5NoAcceptableMethod = errors.New("SOCKS5 proxy accepts none of the offered authentication methods")
	// ErrSOCKS5AuthFailed: the proxy rejected the username and password.
	ErrSOCKS5AuthFailed = errors.New("SOCKS5 proxy rejected the username/password")
)

// HTTPProxyError is a non-2xx answer to an HTTP CONNECT request.
// HTTPConnectDialer returns it wrapped with the proxy and target addresses.
type HTTPProxyError struct {
	StatusCode int
	Status     string
}

// Error implements error.
func (e *HTTPProxyError) Error() string {
	hint := ""
	if e.StatusCode == 407 {
		hint = " (set Username and Password)"
	}
	return fmt.Sprintf("proxy answered %s%s", e.Status, hint)
}
