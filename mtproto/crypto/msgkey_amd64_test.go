//go:build !purego

package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// sha256Pad returns msg's final blocks: its last partial block, 0x80,
// zeros and the length in bits (FIPS 180-4 §5.1.1).
func sha256Pad(tail []byte, total int) []byte {
	out := append(append([]byte{}, tail...), 0x80)
	for len(out)%64 != 56 {
		out = append(out, 0)
	}
	return binary.BigEndian.AppendUint64(out, uint64(total)*8)
}

func TestSHA256BlocksAsmMatchesCryptoSHA256(t *testing.T) {
	if !useSHANI {
		t.Skip("no SHA extensions on this CPU")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 4096, 100003} {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		st := sha256IV
		full := n / 64 * 64
		if full > 0 {
			sha256BlocksAsm(&st, &msg[0], full/64)
		}
		pad := sha256Pad(msg[full:], n)
		sha256BlocksAsm(&st, &pad[0], len(pad)/64)
		var got [32]byte
		for i, v := range st {
			binary.BigEndian.PutUint32(got[4*i:], v)
		}
		if want := sha256.Sum256(msg); !bytes.Equal(got[:], want[:]) {
			t.Fatalf("%d bytes: %x, want %x", n, got, want)
		}
	}
}

func BenchmarkSHA256BlocksAsm1MiB(b *testing.B) {
	if !useSHANI {
		b.Skip("no SHA extensions")
	}
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		st := sha256IV
		sha256BlocksAsm(&st, &buf[0], len(buf)/64)
	}
}

func BenchmarkSHA256Std1MiB(b *testing.B) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
}

// The single pass must give what decrypting, then hashing gives, for every
// length, in place or not.
func TestDecryptAndHashMatchesTwoPasses(t *testing.T) {
	if !useSHANI || !supportsAES {
		t.Skip("no SHA extensions or AES-NI on this CPU")
	}
	r := rand.New(rand.NewPCG(3, 4))
	key, prefix := make([]byte, 32), make([]byte, 32)
	var iv [32]byte
	for i := range key {
		key[i], prefix[i], iv[i] = byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())
	}
	x, err := NewIGE(key)
	if err != nil {
		t.Fatal(err)
	}
	src := make([]byte, 3000)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	for n := 0; n <= 2960; n += 16 {
		want := make([]byte, n)
		if err := x.Decrypt(want, src[:n], iv[:]); err != nil {
			t.Fatal(err)
		}
		wantSum := sha256.Sum256(append(append([]byte{}, prefix...), want...))
		for _, inPlace := range []bool{false, true} {
			in := append([]byte{}, src[:n]...)
			out := make([]byte, n)
			if inPlace {
				out = in
			}
			sum, ok := decryptAndHash(x, out, in, iv, prefix)
			if n < 32 {
				if ok {
					t.Fatalf("%d bytes: took the single pass", n)
				}
				continue
			}
			if !ok {
				t.Fatalf("%d bytes: no single pass", n)
			}
			if !bytes.Equal(out, want) || sum != wantSum {
				t.Fatalf("%d bytes, in place %v: differs", n, inPlace)
			}
		}
	}
}

func BenchmarkDecryptAndHash1MiB(b *testing.B) {
	key, prefix := make([]byte, 32), make([]byte, 32)
	x, _ := NewIGE(key)
	buf := make([]byte, 1<<20)
	var iv [32]byte
	b.Run("two-passes", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			x.Decrypt(buf, buf, iv[:])
			h := sha256.New()
			h.Write(prefix)
			h.Write(buf)
			h.Sum(nil)
		}
	})
	b.Run("single-pass", func(b *testing.B) {
		if !useSHANI {
			b.Skip("no SHA extensions")
		}
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			decryptAndHash(x, buf, buf, iv, prefix)
		}
	})
}

// A changed byte anywhere in a large message (the single pass) fails the
// msg_key check, and the untouched message decrypts.
func TestSinglePassRejectsTamperingAnywhere(t *testing.T) {
	key, err := NewAuthKey(bytes.Repeat([]byte{5}, 256))
	if err != nil {
		t.Fatal(err)
	}
	inner := make([]byte, 4096)
	binary.LittleEndian.PutUint32(inner[28:32], 4096-32)
	msg, err := EncryptMessage(key, ServerToClient, inner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptMessage(key, ServerToClient, msg); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{24, 40, 56, 57, 100, 2000, len(msg) - 17, len(msg) - 1} {
		bad := append([]byte{}, msg...)
		bad[at] ^= 0x40
		if _, err := DecryptMessage(key, ServerToClient, bad); !errors.Is(err, ErrMsgKeyMismatch) {
			t.Fatalf("byte %d changed: %v", at, err)
		}
	}
}
