package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// Vectors: aes_ige group of mtproto-vectors.json. Sources per id:
// openssl-igetest-* (openssl/openssl test/igetest.c @01af32e8),
// grammers-ige-* (Lonami/grammers grammers-crypto/src/lib.rs @85dc9374),
// tdlib-aesige-lcg-* (tdlib/td tdutils/test/crypto.cpp @022d6020),
// official-sample-* (core.telegram.org/mtproto/samples-auth_key via
// MarshalX/telegram-crawler @00171f4e and @0740c2c1).
func TestIGEVectors(t *testing.T) {
	t.Logf("AES-256-IGE in assembly: %v", crypto.HardwareIGE())
	for _, v := range vectors(t).AESIGE {
		if v.Plaintext == "" {
			continue // the 64 KiB vector is TestIGELargeTDLibVector
		}
		t.Run(v.ID, func(t *testing.T) {
			key, iv := unhex(t, v.Key), unhex(t, v.IV)
			pt, ct := unhex(t, v.Plaintext), unhex(t, v.Ciphertext)
			if len(key)*8 != v.KeyBits {
				t.Fatalf("key is %d bits, vector says %d", len(key)*8, v.KeyBits)
			}
			got, err := crypto.IGEEncrypt(key, iv, pt)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, ct) {
				t.Errorf("encrypt:\n got %x\nwant %x", got, ct)
			}
			got, err = crypto.IGEDecrypt(key, iv, ct)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pt) {
				t.Errorf("decrypt:\n got %x\nwant %x", got, pt)
			}
			if g := crypto.IGEEncryptGeneric(key, iv, pt); !bytes.Equal(g, ct) {
				t.Errorf("generic encrypt differs")
			}
			if g := crypto.IGEDecryptGeneric(key, iv, ct); !bytes.Equal(g, pt) {
				t.Errorf("generic decrypt differs")
			}
		})
	}
}

// tdlibLCG reproduces the generator of TDLib's TEST(Crypto, AesIgeState):
// seed = len; seed = seed*123457567 + 987651241 (mod 2^32); byte = (seed>>23)&255.
func tdlibLCG(seed uint32, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		seed = seed*123457567 + 987651241
		out[i] = byte(seed >> 23)
	}
	return out
}

// Vector tdlib-aesige-lcg-65536 (tdlib/td tdutils/test/crypto.cpp @022d6020):
// TDLib states crc32 of the ciphertext; the file adds SHA-256 of both sides.
func TestIGELargeTDLibVector(t *testing.T) {
	for _, v := range vectors(t).AESIGE {
		if v.ID != "tdlib-aesige-lcg-65536" {
			continue
		}
		pt := tdlibLCG(uint32(v.Length), v.Length)
		if h := sha256.Sum256(pt); hex.EncodeToString(h[:]) != v.PlaintextSHA256 {
			t.Fatalf("LCG plaintext hash %x, want %s", h, v.PlaintextSHA256)
		}
		key, iv := unhex(t, v.Key), unhex(t, v.IV)
		ct, err := crypto.IGEEncrypt(key, iv, pt)
		if err != nil {
			t.Fatal(err)
		}
		if c := crc32.ChecksumIEEE(ct); c != v.CiphertextCRC32 {
			t.Errorf("crc32 = %d, want %d", c, v.CiphertextCRC32)
		}
		if h := sha256.Sum256(ct); hex.EncodeToString(h[:]) != v.CiphertextSHA {
			t.Errorf("ciphertext sha256 = %x", h)
		}
		back, err := crypto.IGEDecrypt(key, iv, ct)
		if err != nil || !bytes.Equal(back, pt) {
			t.Errorf("decrypt does not round-trip (err %v)", err)
		}
		return
	}
	t.Fatal("vector tdlib-aesige-lcg-65536 missing")
}

// The assembly and the generic code must agree on every length, key and IV.
func TestIGEAssemblyMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	}
	for trial := range 300 {
		n := 16 * (1 + r.IntN(70))
		if trial%50 == 0 {
			n = 16 * (1 + r.IntN(4096))
		}
		key, iv, data := make([]byte, 32), make([]byte, 32), make([]byte, n)
		fill(key)
		fill(iv)
		fill(data)
		x, err := crypto.NewIGE(key)
		if err != nil {
			t.Fatal(err)
		}
		ct := make([]byte, n)
		if err := x.Encrypt(ct, data, iv); err != nil {
			t.Fatal(err)
		}
		if want := crypto.IGEEncryptGeneric(key, iv, data); !bytes.Equal(ct, want) {
			t.Fatalf("trial %d (%d bytes): encryption differs from the generic code", trial, n)
		}
		pt := make([]byte, n)
		if err := x.Decrypt(pt, ct, iv); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pt, data) {
			t.Fatalf("trial %d (%d bytes): decryption does not round-trip", trial, n)
		}
		if want := crypto.IGEDecryptGeneric(key, iv, data); !bytes.Equal(mustDecrypt(t, x, data, iv), want) {
			t.Fatalf("trial %d (%d bytes): decryption differs from the generic code", trial, n)
		}
	}
}

func mustDecrypt(t *testing.T, x *crypto.IGE, data, iv []byte) []byte {
	t.Helper()
	out := make([]byte, len(data))
	if err := x.Decrypt(out, data, iv); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIGEInPlaceAndIVUntouched(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	iv := bytes.Repeat([]byte{9}, 32)
	ivCopy := bytes.Clone(iv)
	data := make([]byte, 160)
	for i := range data {
		data[i] = byte(i)
	}
	want, err := crypto.IGEEncrypt(key, iv, data)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := crypto.NewIGE(key)
	buf := bytes.Clone(data)
	if err := x.Encrypt(buf, buf, iv); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, want) {
		t.Fatal("in-place encryption differs")
	}
	if err := x.Decrypt(buf, buf, iv); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, data) {
		t.Fatal("in-place decryption differs")
	}
	if !bytes.Equal(iv, ivCopy) {
		t.Fatal("iv was modified")
	}
	// A longer dst is fine; only the first len(src) bytes are written.
	long := bytes.Repeat([]byte{0xaa}, 200)
	if err := x.Encrypt(long, data, iv); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(long[:160], want) || !bytes.Equal(long[160:], bytes.Repeat([]byte{0xaa}, 40)) {
		t.Fatal("encrypting into a longer dst")
	}
	// Unaligned buffers (the assembly uses unaligned loads and stores).
	raw := make([]byte, 3+160+5+32)
	src, dst, uiv := raw[3:163], make([]byte, 165)[5:], raw[168:200]
	copy(src, data)
	copy(uiv, iv)
	if err := x.Encrypt(dst, src, uiv); err != nil || !bytes.Equal(dst, want) {
		t.Fatalf("unaligned encryption: %v", err)
	}
	if err := x.Decrypt(dst, dst, uiv); err != nil || !bytes.Equal(dst, data) {
		t.Fatalf("unaligned decryption: %v", err)
	}
	// Empty input is a no-op.
	if err := x.Encrypt(nil, nil, iv); err != nil {
		t.Fatal(err)
	}
}

func TestIGEBadArguments(t *testing.T) {
	if _, err := crypto.NewIGE(make([]byte, 31)); !errors.Is(err, crypto.ErrKeySize) {
		t.Errorf("31-byte key: %v", err)
	}
	if _, err := crypto.NewIGE(nil); !errors.Is(err, crypto.ErrKeySize) {
		t.Errorf("nil key: %v", err)
	}
	x, err := crypto.NewIGE(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	iv := make([]byte, 32)
	buf := make([]byte, 64)
	cases := []struct {
		name         string
		dst, src, iv []byte
		want         error
	}{
		{"length 15", make([]byte, 15), make([]byte, 15), iv, crypto.ErrBlockSize},
		{"length 17", make([]byte, 32), make([]byte, 17), iv, crypto.ErrBlockSize},
		{"iv 16", make([]byte, 16), make([]byte, 16), iv[:16], crypto.ErrIVSize},
		{"iv nil", make([]byte, 16), make([]byte, 16), nil, crypto.ErrIVSize},
		{"short dst", make([]byte, 16), make([]byte, 32), iv, crypto.ErrShortBuffer},
		{"overlap", buf[16:48], buf[0:32], iv, crypto.ErrOverlap},
	}
	for _, c := range cases {
		if err := x.Encrypt(c.dst, c.src, c.iv); !errors.Is(err, c.want) {
			t.Errorf("Encrypt %s: got %v, want %v", c.name, err, c.want)
		}
		if err := x.Decrypt(c.dst, c.src, c.iv); !errors.Is(err, c.want) {
			t.Errorf("Decrypt %s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := crypto.IGEEncrypt(make([]byte, 32), iv, make([]byte, 10)); !errors.Is(err, crypto.ErrBlockSize) {
		t.Errorf("IGEEncrypt 10 bytes: %v", err)
	}
	if _, err := crypto.IGEDecrypt(make([]byte, 5), iv, make([]byte, 16)); !errors.Is(err, crypto.ErrKeySize) {
		t.Errorf("IGEDecrypt 5-byte key: %v", err)
	}
}

// An IGE is read-only after NewIGE: concurrent use is safe (run with -race).
func TestIGEConcurrentUse(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	iv := bytes.Repeat([]byte{2}, 32)
	data := bytes.Repeat([]byte{3}, 4096)
	x, _ := crypto.NewIGE(key)
	want, _ := crypto.IGEEncrypt(key, iv, data)
	done := make(chan error, 4)
	for range 4 {
		go func() {
			out := make([]byte, len(data))
			for range 50 {
				if err := x.Encrypt(out, data, iv); err != nil {
					done <- err
					return
				}
				if !bytes.Equal(out, want) {
					done <- errors.New("concurrent encryption differs")
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

const benchSize = 1 << 20

func benchIGE(b *testing.B, decrypt bool) {
	key := bytes.Repeat([]byte{0x42}, 32)
	iv := bytes.Repeat([]byte{0x24}, 32)
	buf := make([]byte, benchSize)
	x, err := crypto.NewIGE(key)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	for b.Loop() {
		if decrypt {
			err = x.Decrypt(buf, buf, iv)
		} else {
			err = x.Encrypt(buf, buf, iv)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIGEEncrypt1MiB(b *testing.B) { benchIGE(b, false) }

func BenchmarkIGEDecrypt1MiB(b *testing.B) { benchIGE(b, true) }

// BenchmarkIGEEncryptGeneric1MiB is the pure-Go path over crypto/aes.
func BenchmarkIGEEncryptGeneric1MiB(b *testing.B) {
	key := bytes.Repeat([]byte{0x42}, 32)
	iv := bytes.Repeat([]byte{0x24}, 32)
	buf := make([]byte, benchSize)
	x, err := crypto.NewGenericIGE(key)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	for b.Loop() {
		if err := x.Encrypt(buf, buf, iv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineCBCEncrypt1MiB is Go's own AES-256-CBC encryption, the
// closest standard-library equivalent of one serial IGE chain.
func BenchmarkBaselineCBCEncrypt1MiB(b *testing.B) {
	key := bytes.Repeat([]byte{0x42}, 32)
	iv := bytes.Repeat([]byte{0x24}, 16)
	block, err := aes.NewCipher(key)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchSize)
	b.SetBytes(benchSize)
	for b.Loop() {
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	}
}

// BenchmarkIGEEncrypt1KiB measures a typical MTProto message: key setup
// cost matters because each message has its own AES key.
func BenchmarkIGEEncrypt1KiB(b *testing.B) {
	key := bytes.Repeat([]byte{0x42}, 32)
	iv := bytes.Repeat([]byte{0x24}, 32)
	buf := make([]byte, 1024)
	b.SetBytes(1024)
	for b.Loop() {
		x, err := crypto.NewIGE(key)
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Encrypt(buf, buf, iv); err != nil {
			b.Fatal(err)
		}
	}
}
