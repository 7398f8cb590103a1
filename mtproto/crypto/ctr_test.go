package crypto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// Vectors: obfuscated2. gotd-mtproxy-generate-keys and gotd-mtproxy-encrypt
// (gotd/td mtproxy/obfuscated2/obfuscated2_test.go @d0d567ee): the header
// sent is init[0:56] ‖ AES-256-CTR(init)[56:64], the first payload is
// encrypted at keystream offset 64, and the decrypt stream starts at 0.
// The self-obfuscated2-* vectors (self-consistent, direct connections with
// no secret) do the same with their first frame.
// (The key derivation itself belongs to mtproto/transport.)
func TestAESCTRObfuscated2Vectors(t *testing.T) {
	n := 0
	for _, v := range vectors(t).Obfuscated2.Vectors {
		if v.HeaderSent == "" {
			continue
		}
		n++
		t.Run(v.ID, func(t *testing.T) {
			enc, err := crypto.NewAESCTR(unhex(t, v.EncryptKey), unhex(t, v.EncryptIV))
			if err != nil {
				t.Fatal(err)
			}
			init := unhex(t, v.InitAfterTagAndDC)
			if v.Init != "" {
				init = unhex(t, v.Init)
			}
			out := make([]byte, 64)
			enc.XORKeyStream(out, init)
			header := append(bytes.Clone(init[:56]), out[56:64]...)
			if !bytes.Equal(header, unhex(t, v.HeaderSent)) {
				t.Errorf("header %x", header)
			}
			if v.FirstFramePlain != "" {
				frame := unhex(t, v.FirstFramePlain)
				enc.XORKeyStream(frame, frame)
				if !bytes.Equal(frame, unhex(t, v.FirstFrameEncrypted)) {
					t.Errorf("first frame %x, want %s", frame, v.FirstFrameEncrypted)
				}
			}
			if v.FirstPayloadPlain == "" {
				return
			}
			payload := unhex(t, v.FirstPayloadPlain)
			enc.XORKeyStream(payload, payload)
			if !bytes.Equal(payload, unhex(t, v.FirstPayloadEncrypted)) {
				t.Errorf("first payload %x, want %s", payload, v.FirstPayloadEncrypted)
			}
			dec, err := crypto.NewAESCTR(unhex(t, v.DecryptKey), unhex(t, v.DecryptIV))
			if err != nil {
				t.Fatal(err)
			}
			abcd := []byte("abcd")
			dec.XORKeyStream(abcd, abcd)
			if !bytes.Equal(abcd, unhex(t, v.DecryptXorAbcd)) {
				t.Errorf("decrypt stream %x, want %s", abcd, v.DecryptXorAbcd)
			}
		})
	}
	if n < 4 {
		t.Fatalf("%d obfuscated2 vectors with a header", n)
	}
}

func TestAESCTRBadArguments(t *testing.T) {
	if _, err := crypto.NewAESCTR(make([]byte, 16), make([]byte, 16)); !errors.Is(err, crypto.ErrKeySize) {
		t.Errorf("16-byte key: %v", err)
	}
	if _, err := crypto.NewAESCTR(make([]byte, 32), make([]byte, 32)); !errors.Is(err, crypto.ErrIVSize) {
		t.Errorf("32-byte iv: %v", err)
	}
}
