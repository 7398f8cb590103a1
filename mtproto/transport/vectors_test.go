package transport_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/polygram/polygram/mtproto/transport"
)

var kindByVectorName = map[string]transport.Kind{
	"abridged":            transport.Abridged,
	"intermediate":        transport.Intermediate,
	"padded_intermediate": transport.PaddedIntermediate,
	"full":                transport.Full,
}

// TestFramingVectors replays every transport_framing vector: the client
// codec writes the exact frame (after the connection tag), and the server
// codec reads the payload back.
func TestFramingVectors(t *testing.T) {
	vf := loadVectors(t)
	if len(vf.TransportFraming) != 15 {
		t.Fatalf("transport_framing has %d vectors, want 15", len(vf.TransportFraming))
	}
	for _, v := range vf.TransportFraming {
		if v.Transport == "any" {
			continue // transport errors: TestTransportErrorVector
		}
		t.Run(v.ID, func(t *testing.T) {
			kind, ok := kindByVectorName[v.Transport]
			if !ok {
				t.Fatalf("unknown transport %q", v.Transport)
			}
			p, frame := unhex(t, v.Payload), unhex(t, v.Frame)
			tag := map[transport.Kind]string{
				transport.Abridged: "ef", transport.Intermediate: "eeeeeeee",
				transport.PaddedIntermediate: "dddddddd", transport.Full: "",
			}[kind]
			if v.ConnectionInitBytes != nil && *v.ConnectionInitBytes != tag {
				t.Fatalf("vector's connection_init_bytes %q, codec sends %q", *v.ConnectionInitBytes, tag)
			}

			// Full frames carry a sequence number: send that many packets first.
			var seq uint32
			if kind == transport.Full {
				seq = binary.LittleEndian.Uint32(frame[4:8])
			}
			// Padded frames: feed the vector's padding as the randomness.
			var rnd io.Reader = zeroReader{}
			if kind == transport.PaddedIntermediate {
				pad := frame[4+len(p):]
				rnd = bytes.NewReader(append([]byte{byte(len(pad))}, pad...))
			}

			var wire bytes.Buffer
			c, err := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, kind, transport.RoleClient, transport.CodecOptions{Rand: rnd})
			if err != nil {
				t.Fatal(err)
			}
			for range seq {
				if err := c.WritePacket(nil); err != nil {
					t.Fatal(err)
				}
			}
			before := wire.Len()
			if err := c.WritePacket(p); err != nil {
				t.Fatal(err)
			}
			got := wire.Bytes()[before:]
			if before == 0 {
				if !bytes.HasPrefix(got, unhex(t, tag)) {
					t.Fatalf("stream starts % x, want tag %s", got[:min(len(got), 4)], tag)
				}
				got = got[len(tag)/2:]
			}
			if !bytes.Equal(got, frame) {
				t.Fatalf("frame\n got %x\nwant %x", got, frame)
			}

			// Read it back on the server side, after the same preceding frames.
			stream := wire.Bytes()[len(tag)/2:]
			s, err := transport.NewCodec(rw{Reader: bytes.NewReader(stream), Writer: io.Discard}, kind, transport.RoleServer, transport.CodecOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for range seq {
				if _, err := s.ReadPacket(); err != nil {
					t.Fatal(err)
				}
			}
			back, err := s.ReadPacket()
			if err != nil {
				t.Fatal(err)
			}
			want := p
			if kind == transport.PaddedIntermediate {
				want = frame[4:] // the framing cannot strip padding
			}
			if !bytes.Equal(back, want) {
				t.Fatalf("read back %x, want %x", back, want)
			}
			if _, err := s.ReadPacket(); err != io.EOF {
				t.Fatalf("after the last frame: %v, want io.EOF", err)
			}
		})
	}
}

// TestTransportErrorVector: vector transport-error-404, read by a client and
// written by a server in each framing it lists.
func TestTransportErrorVector(t *testing.T) {
	vf := loadVectors(t)
	var v *framingVector
	for i := range vf.TransportFraming {
		if vf.TransportFraming[i].ID == "transport-error-404" {
			v = &vf.TransportFraming[i]
		}
	}
	if v == nil {
		t.Fatal("vector transport-error-404 missing")
	}
	code := int32(binary.LittleEndian.Uint32(unhex(t, v.Payload)))
	if code != transport.CodeAuthKeyNotFound {
		t.Fatalf("vector code %d", code)
	}
	for name, frameHex := range v.Frames {
		t.Run(name, func(t *testing.T) {
			kind := kindByVectorName[name]
			frame := unhex(t, frameHex)
			c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(frame), Writer: io.Discard}, kind, transport.RoleClient, transport.CodecOptions{})
			_, err := c.ReadPacket()
			var te *transport.TransportError
			if !errors.As(err, &te) || te.Code != -404 {
				t.Fatalf("ReadPacket: %v, want *TransportError -404", err)
			}
			if !errors.Is(err, &transport.TransportError{Code: transport.CodeAuthKeyNotFound}) {
				t.Fatal("errors.Is does not match the code")
			}
			t.Log(err)

			var wire bytes.Buffer
			s, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, kind, transport.RoleServer, transport.CodecOptions{})
			if err := s.WriteTransportError(transport.CodeAuthKeyNotFound); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(wire.Bytes(), frame) {
				t.Fatalf("server wrote %x, want %x", wire.Bytes(), frame)
			}
		})
	}
}

// ctrAt returns an AES-256-CTR stream advanced by skip bytes.
func ctrAt(t *testing.T, key, iv []byte, skip int) cipher.Stream {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	s := cipher.NewCTR(block, iv)
	s.XORKeyStream(make([]byte, skip), make([]byte, skip))
	return s
}

func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// obfsVectorClient replays an obfuscated2 vector through NewClient: rnd is
// the vector's random/init, followed by zeros for padding. It returns the
// client and the wire bytes after writing p.
func obfsVectorClient(t *testing.T, v obfuscated2Vector, kind transport.Kind, fromServer []byte, p []byte) (*transport.Codec, []byte) {
	t.Helper()
	random := v.Random64
	if random == "" {
		random = v.Init
	}
	opts := transport.Options{
		Kind:       kind,
		Obfuscated: true,
		DC:         v.DCID,
		Rand:       io.MultiReader(bytes.NewReader(unhex(t, random)), zeroReader{}),
	}
	if v.MTProxySecret != "" {
		s, err := transport.ParseSecret(v.MTProxySecret)
		if err != nil {
			t.Fatal(err)
		}
		opts.Secret = s
	}
	var wire bytes.Buffer
	c, err := transport.NewClient(context.Background(), rw{Reader: bytes.NewReader(fromServer), Writer: &wire}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WritePacket(p); err != nil {
		t.Fatal(err)
	}
	return c, wire.Bytes()
}

// TestObfuscated2Vectors replays the obfuscated2 vectors byte for byte.
func TestObfuscated2Vectors(t *testing.T) {
	vf := loadVectors(t)
	if len(vf.Obfuscated2.Vectors) != 5 {
		t.Fatalf("obfuscated2 has %d vectors, want 5", len(vf.Obfuscated2.Vectors))
	}
	byID := map[string]obfuscated2Vector{}
	for _, v := range vf.Obfuscated2.Vectors {
		byID[v.ID] = v
	}
	// The server's first packet in every test: an intermediate-style frame.
	serverPayload := payload(32)

	// checkDecrypt: a frame encrypted with the vector's decrypt key/iv from
	// offset 0 must be read back by the client.
	checkDecrypt := func(t *testing.T, v obfuscated2Vector, kind transport.Kind, decKey, decIV []byte) {
		t.Helper()
		var plain []byte
		if kind == transport.Abridged {
			plain = append([]byte{byte(len(serverPayload) / 4)}, serverPayload...)
		} else {
			plain = binary.LittleEndian.AppendUint32(nil, uint32(len(serverPayload)))
			plain = append(plain, serverPayload...)
		}
		enc := make([]byte, len(plain))
		ctrAt(t, decKey, decIV, 0).XORKeyStream(enc, plain)
		c, _ := obfsVectorClient(t, v, kind, enc, nil)
		got, err := c.ReadPacket()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, serverPayload) {
			t.Fatalf("client decrypted %x, want %x", got, serverPayload)
		}
	}

	t.Run("gotd-decrypt-init-reversal", func(t *testing.T) {
		v := byID["gotd-decrypt-init-reversal"]
		init := unhex(t, v.Init)
		want := unhex(t, v.DecryptKeyThenIV)
		rev := make([]byte, 48)
		for i := range rev {
			rev[i] = init[55-i]
		}
		if !bytes.Equal(rev, want) {
			t.Fatalf("vector inconsistent: reverse(init[8:56]) = %x", rev)
		}
		// The tag and DC bytes the client writes (56..62) do not feed the keys.
		checkDecrypt(t, v, transport.Intermediate, want[:32], want[32:])
	})

	for _, id := range []string{"gotd-mtproxy-generate-keys", "gotd-mtproxy-encrypt"} {
		t.Run(id, func(t *testing.T) {
			v := byID[id]
			if v.ProtocolTag != "dddddddd" {
				t.Fatalf("tag %s", v.ProtocolTag)
			}
			p := payload(8)
			_, wire := obfsVectorClient(t, v, transport.PaddedIntermediate, nil, p)
			header := unhex(t, v.HeaderSent)
			if !bytes.Equal(wire[:64], header) {
				t.Fatalf("header\n got %x\nwant %x", wire[:64], header)
			}
			// The encryption key/iv of the vector: they turn the tagged init
			// into the header, and the rest of the wire into our frame.
			ks := ctrAt(t, unhex(t, v.EncryptKey), unhex(t, v.EncryptIV), 0)
			init := unhex(t, v.InitAfterTagAndDC)
			encInit := make([]byte, 64)
			ks.XORKeyStream(encInit, init)
			if !bytes.Equal(encInit[56:], header[56:]) {
				t.Fatal("vector encrypt key does not produce header_sent")
			}
			frame := make([]byte, len(wire)-64)
			ks.XORKeyStream(frame, wire[64:])
			wantFrame := append(binary.LittleEndian.AppendUint32(nil, uint32(len(p))), p...)
			if !bytes.Equal(frame, wantFrame) {
				t.Fatalf("decrypted frame %x, want %x", frame, wantFrame)
			}
			// The MTProxy key derivation, stated independently.
			sec := unhex(t, v.MTProxySecret)
			k := sha256.Sum256(append(append([]byte{}, init[8:40]...), sec...))
			if !bytes.Equal(k[:], unhex(t, v.EncryptKey)) {
				t.Fatal("encrypt_key != SHA256(init[8:40] || secret)")
			}
			checkDecrypt(t, v, transport.PaddedIntermediate, unhex(t, v.DecryptKey), unhex(t, v.DecryptIV))

			if v.FirstPayloadPlain != "" {
				// "abcd" encrypted at keystream offset 64, recovered from our
				// wire: the keystream is wire XOR the known frame header.
				keystream := xorBytes(wire[64:68], wantFrame[:4])
				got := xorBytes(keystream, unhex(t, v.FirstPayloadPlain))
				if !bytes.Equal(got, unhex(t, v.FirstPayloadEncrypted)) {
					t.Fatalf("abcd at offset 64 encrypts to %x, want %s", got, v.FirstPayloadEncrypted)
				}
				// "abcd" arriving from the server decrypts to 8f711982: as a
				// padded-intermediate length that has the top bit set, so the
				// client reads it as a quick-ack token.
				c, _ := obfsVectorClient(t, v, transport.PaddedIntermediate, []byte("abcd"), nil)
				_, err := c.ReadPacket()
				want := transport.QuickAck(binary.LittleEndian.Uint32(unhex(t, v.DecryptXorAbcd)))
				if err != want {
					t.Fatalf("reading abcd: %v, want %v", err, want)
				}
			}
		})
	}

	for _, tc := range []struct {
		id   string
		kind transport.Kind
	}{
		{"self-obfuscated2-abridged-no-secret", transport.Abridged},
		{"self-obfuscated2-intermediate-no-secret", transport.Intermediate},
	} {
		t.Run(tc.id, func(t *testing.T) {
			v := byID[tc.id]
			plain := unhex(t, v.FirstFramePlain)
			p := plain[1:]
			if tc.kind == transport.Intermediate {
				p = plain[4:]
			}
			v.DCID = 0 // the vector leaves bytes 60..62 random
			_, wire := obfsVectorClient(t, v, tc.kind, nil, p)
			want := append(unhex(t, v.HeaderSent), unhex(t, v.FirstFrameEncrypted)...)
			if !bytes.Equal(wire, want) {
				t.Fatalf("wire\n got %x\nwant %x", wire, want)
			}
			checkDecrypt(t, v, tc.kind, unhex(t, v.DecryptKey), unhex(t, v.DecryptIV))
		})
	}
}
