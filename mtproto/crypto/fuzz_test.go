package crypto_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// fuzzAuthKey is the 00..ff auth key of the grammers/gotd vectors.
func fuzzAuthKey(t testing.TB) *crypto.AuthKey {
	raw := make([]byte, 256)
	for i := range raw {
		raw[i] = byte(i)
	}
	k, err := crypto.NewAuthKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzDecryptMessage: DecryptMessage never panics, and whatever it accepts
// is a well-formed inner message. Seeds: testdata/fuzz/FuzzDecryptMessage.
func FuzzDecryptMessage(f *testing.F) {
	key := fuzzAuthKey(f)
	f.Add([]byte{}, false)
	f.Add(make([]byte, 40), true)
	f.Fuzz(func(t *testing.T, msg []byte, server bool) {
		d := crypto.Direction(server)
		inner, err := crypto.DecryptMessage(key, d, msg)
		if err != nil {
			if inner != nil {
				t.Fatal("data returned with an error")
			}
			return
		}
		n := binary.LittleEndian.Uint32(inner[28:32])
		if len(inner) != 32+int(n) || n%4 != 0 {
			t.Fatalf("accepted %d bytes with message_data_length %d", len(inner), n)
		}
		// What decrypts must re-encrypt to a message that decrypts the same.
		again, err := crypto.EncryptMessage(key, d, inner, nil)
		if err != nil {
			t.Fatal(err)
		}
		back, err := crypto.DecryptMessage(key, d, again)
		if err != nil || !bytes.Equal(back, inner) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzRSAPadDecrypt: RSAPadDecrypt never panics and returns either 192
// bytes or a typed error. Seeds: testdata/fuzz/FuzzRSAPadDecrypt.
func FuzzRSAPadDecrypt(f *testing.F) {
	priv := serverKey(f)
	f.Add([]byte{})
	f.Add(make([]byte, 256))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := crypto.RSAPadDecrypt(priv, data)
		if err != nil {
			if !errors.Is(err, crypto.ErrRSACiphertext) && !errors.Is(err, crypto.ErrRSAPadHash) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if len(out) != 192 {
			t.Fatalf("%d bytes", len(out))
		}
	})
}

// FuzzFactorPQ: any uint64 is either split into two distinct primes or
// refused with ErrPQ, quickly.
func FuzzFactorPQ(f *testing.F) {
	for _, pq := range []uint64{0, 1, 6, 1724114033281923457, 18442450077884059639, 1 << 63, 1<<64 - 1} {
		f.Add(pq)
	}
	f.Fuzz(func(t *testing.T, pq uint64) {
		p, q, err := crypto.FactorPQ(pq)
		if err != nil {
			if !errors.Is(err, crypto.ErrPQ) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if p >= q || p*q != pq || !new(big.Int).SetUint64(p).ProbablyPrime(20) || !new(big.Int).SetUint64(q).ProbablyPrime(20) {
			t.Fatalf("FactorPQ(%d) = %d, %d", pq, p, q)
		}
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpora when
// POLYGRAM_WRITE_FUZZ_SEEDS=1; otherwise it is skipped.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("POLYGRAM_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set POLYGRAM_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, values ...any) {
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, v := range values {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			case bool:
				fmt.Fprintf(&b, "bool(%v)\n", v)
			}
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := fuzzAuthKey(t)
	inner := make([]byte, 32+12)
	copy(inner, "saltsaltsessionimsg_id__")
	binary.LittleEndian.PutUint32(inner[28:32], 12)
	copy(inner[32:], "\xec\x77\xbe\x7a\xef\xcd\xab\x89\x67\x45\x23\x01") // ping
	for _, d := range []crypto.Direction{crypto.ClientToServer, crypto.ServerToClient} {
		msg, err := crypto.EncryptMessage(key, d, inner, bytes.NewReader(make([]byte, 64)))
		if err != nil {
			t.Fatal(err)
		}
		write("FuzzDecryptMessage", "valid-ping-"+map[bool]string{false: "client", true: "server"}[bool(d)], msg, bool(d))
		bad := bytes.Clone(msg)
		bad[len(bad)-1] ^= 1
		write("FuzzDecryptMessage", "tampered-"+map[bool]string{false: "client", true: "server"}[bool(d)], bad, bool(d))
	}
	v := vectors(t)
	write("FuzzDecryptMessage", "grammers-encrypt-client-v2", unhex(t, v.Messages[0].EncryptedMessage), false)
	write("FuzzDecryptMessage", "short", []byte("0123456789abcdef0123456789abcdef01234567"), true)

	priv := serverKey(t)
	enc, err := crypto.RSAPadEncrypt(&priv.PublicKey, []byte("p_q_inner_data_dc"), bytes.NewReader(make([]byte, 400)))
	if err != nil {
		t.Fatal(err)
	}
	write("FuzzRSAPadDecrypt", "valid", enc)
	bad := bytes.Clone(enc)
	bad[100] ^= 0x80
	write("FuzzRSAPadDecrypt", "tampered", bad)
	write("FuzzRSAPadDecrypt", "modulus", priv.N.FillBytes(make([]byte, 256)))
	write("FuzzRSAPadDecrypt", "short", enc[:255])
}

// The committed "valid" seeds must really be valid, or the fuzzers would
// start from nothing but rejects.
func TestFuzzSeedsDecrypt(t *testing.T) {
	read := func(path string) []byte {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(raw, []byte("\n"))
		lit := bytes.TrimSuffix(bytes.TrimPrefix(lines[1], []byte("[]byte(")), []byte(")"))
		s, err := strconv.Unquote(string(lit))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return []byte(s)
	}
	key := fuzzAuthKey(t)
	for name, d := range map[string]crypto.Direction{"valid-ping-client": crypto.ClientToServer, "valid-ping-server": crypto.ServerToClient} {
		if _, err := crypto.DecryptMessage(key, d, read(filepath.Join("testdata/fuzz/FuzzDecryptMessage", name))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	out, err := crypto.RSAPadDecrypt(serverKey(t), read("testdata/fuzz/FuzzRSAPadDecrypt/valid"))
	if err != nil || !bytes.HasPrefix(out, []byte("p_q_inner_data_dc")) {
		t.Errorf("RSA seed: %v", err)
	}
}
