package crypto_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// Vectors: srp. gotd-srp-a-equals-1 (gotd/td crypto/srp/srp_test.go
// @d0d567ee), grammers-srp-toy-prime-47 and grammers-srp-realistic
// (Lonami/grammers grammers-crypto/src/two_factor_auth.rs @85dc9374),
// gotd-srp-new-password-hash (gotd crypto/srp/new_hash_test.go).
func TestSRPVectors(t *testing.T) {
	for _, v := range vectors(t).SRP {
		t.Run(v.ID, func(t *testing.T) {
			params := crypto.SRPParams{Salt1: unhex(t, v.Salt1), Salt2: unhex(t, v.Salt2), G: v.G, P: unhex(t, v.P)}
			if v.NewPasswordHash != "" {
				newSalt1, err := crypto.NewSalt1(unhex(t, v.Salt1FromServer), bytes.NewReader(unhex(t, v.Random32)))
				if err != nil || hex.EncodeToString(newSalt1) != v.NewSalt1 {
					t.Fatalf("NewSalt1 = %x, %v", newSalt1, err)
				}
				params.Salt1 = newSalt1
				got, err := crypto.PasswordHash([]byte(v.PasswordUTF8), params)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(got) != v.NewPasswordHash {
					t.Errorf("new_password_hash = %x", got)
				}
				return
			}
			password := unhex(t, v.Password)
			var proof *crypto.SRPProof
			var err error
			if v.ID == "grammers-srp-toy-prime-47" {
				// p = 47 is no 2048-bit safe prime: the checked API refuses it,
				// and the unchecked internal path reproduces the vector.
				if _, err := crypto.ComputeSRPProof(password, params, unhex(t, v.SRPB), nil); !errors.Is(err, crypto.ErrSRPParams) {
					t.Errorf("ComputeSRPProof with p = 47: %v, want ErrSRPParams", err)
				}
				proof, err = crypto.SRPProofWithSecret(password, params, unhex(t, v.SRPB), unhex(t, v.A), false)
			} else {
				proof, err = crypto.ComputeSRPProof(password, params, unhex(t, v.SRPB), bytes.NewReader(unhex(t, v.A)))
			}
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(proof.A) != v.Expected.A {
				t.Errorf("A = %x", proof.A)
			}
			if hex.EncodeToString(proof.M1) != v.Expected.M1 {
				t.Errorf("M1 = %x, want %s", proof.M1, v.Expected.M1)
			}
			// v = g^x mod p, the verifier a server stores.
			var vHash []byte
			if v.ID == "grammers-srp-toy-prime-47" {
				vHash, err = crypto.PasswordHashUnchecked(password, params)
			} else {
				vHash, err = crypto.PasswordHash(password, params)
			}
			if err != nil || hex.EncodeToString(vHash) != v.Intermediate.V {
				t.Errorf("verifier = %x, %v (intermediate value computed by the vector file)", vHash, err)
			}
		})
	}
}

func testSRPParams(t *testing.T) crypto.SRPParams {
	t.Helper()
	return crypto.SRPParams{
		Salt1: []byte("salt one, server part + client part"),
		Salt2: []byte("salt two"),
		G:     3,
		P:     crypto.TelegramDHPrime().Bytes(),
	}
}

// The emulator's half: a server that stores the verifier checks the
// client's proof, accepts the right password and refuses a wrong one.
func TestSRPServerAndClient(t *testing.T) {
	params := testSRPParams(t)
	verifier, err := crypto.PasswordHash([]byte("correct horse"), params)
	if err != nil {
		t.Fatal(err)
	}
	server, err := crypto.NewSRPServer(params, verifier, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(server.B()) != 256 {
		t.Fatalf("srp_B is %d bytes", len(server.B()))
	}
	good, err := crypto.ComputeSRPProof([]byte("correct horse"), params, server.B(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Verify(good.A, good.M1); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	bad, err := crypto.ComputeSRPProof([]byte("battery staple"), params, server.B(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.Verify(bad.A, bad.M1); !errors.Is(err, crypto.ErrSRPPassword) {
		t.Errorf("wrong password: %v", err)
	}
	m1 := bytes.Clone(good.M1)
	m1[0] ^= 1
	if err := server.Verify(good.A, m1); !errors.Is(err, crypto.ErrSRPPassword) {
		t.Errorf("tampered M1: %v", err)
	}
	if err := server.Verify(good.A, good.M1[:31]); !errors.Is(err, crypto.ErrSRPPassword) {
		t.Errorf("short M1: %v", err)
	}
	p := crypto.TelegramDHPrime()
	for name, a := range map[string][]byte{
		"A = 0":      {0},
		"A = 1":      {1},
		"A = p":      p.Bytes(),
		"A = p - 1":  new(big.Int).Sub(p, big.NewInt(1)).Bytes(),
		"257 bytes":  make([]byte, 257),
		"empty":      nil,
		"A = 2^1983": new(big.Int).Lsh(big.NewInt(1), 1983).Bytes(),
	} {
		if err := server.Verify(a, good.M1); !errors.Is(err, crypto.ErrSRPBadA) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSRPClientRejectsBadParameters(t *testing.T) {
	params := testSRPParams(t)
	p := crypto.TelegramDHPrime()
	goodB := new(big.Int).Lsh(big.NewInt(1), 2000).Bytes()
	pw := []byte("pw")
	for name, b := range map[string][]byte{
		"B = 0":      {0},
		"B = p":      p.Bytes(),
		"B > p":      bytes.Repeat([]byte{0xff}, 256),
		"B = 5":      {5},
		"B too long": make([]byte, 300),
		"B = p - 1":  new(big.Int).Sub(p, big.NewInt(1)).Bytes(),
	} {
		if _, err := crypto.ComputeSRPProof(pw, params, b, nil); !errors.Is(err, crypto.ErrSRPBadB) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := params
	bad.G = 2 // 2 is not a quadratic residue modulo Telegram's prime
	if _, err := crypto.ComputeSRPProof(pw, bad, goodB, nil); !errors.Is(err, crypto.ErrSRPParams) || !errors.Is(err, crypto.ErrDHGenerator) {
		t.Errorf("g = 2: %v", err)
	}
	bad = params
	bad.P = big.NewInt(47).Bytes()
	if _, err := crypto.ComputeSRPProof(pw, bad, []byte{5}, nil); !errors.Is(err, crypto.ErrSRPParams) {
		t.Errorf("p = 47: %v", err)
	}
	bad.P = nil
	if _, err := crypto.PasswordHash(pw, bad); !errors.Is(err, crypto.ErrSRPParams) {
		t.Errorf("no p: %v", err)
	}
	bad = params
	bad.G = 0
	if _, err := crypto.PasswordHash(pw, bad); !errors.Is(err, crypto.ErrSRPParams) {
		t.Errorf("g = 0: %v", err)
	}
	if _, err := crypto.ComputeSRPProof(pw, params, goodB, bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("short random source accepted")
	}
	if _, err := crypto.NewSRPServer(params, nil, nil); !errors.Is(err, crypto.ErrSRPParams) {
		t.Errorf("empty verifier: %v", err)
	}
	if _, err := crypto.NewSRPServer(params, p.Bytes(), nil); !errors.Is(err, crypto.ErrSRPParams) {
		t.Errorf("verifier = p: %v", err)
	}
	if _, err := crypto.NewSalt1([]byte{1}, bytes.NewReader(nil)); err == nil {
		t.Error("NewSalt1 with no randomness succeeded")
	}
}
