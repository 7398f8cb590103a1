package crypto_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// Vectors: pq. 0x17ED48941A08F981 (legacy official sample, gotd/td
// crypto/pq_test.go @d0d567ee), 1468428376148703121 (2024 official sample),
// three from Lonami/grammers grammers-crypto/src/factorize.rs @85dc9374,
// and two from tdlib/td tdutils/test/pq.cpp @022d6020, one of them >= 2^63.
func TestFactorPQVectors(t *testing.T) {
	for _, v := range vectors(t).PQ {
		pq, err := crypto.BytesToUint64(unhex(t, v.PQBytes))
		if err != nil || pq != atou64(t, v.PQ) {
			t.Fatalf("BytesToUint64(%s) = %d, %v", v.PQBytes, pq, err)
		}
		if got := hex.EncodeToString(crypto.Uint64ToBytes(pq)); got != v.PQBytes {
			t.Errorf("Uint64ToBytes(%d) = %s, want %s", pq, got, v.PQBytes)
		}
		p, q, err := crypto.FactorPQ(pq)
		if err != nil {
			t.Fatalf("FactorPQ(%d): %v", pq, err)
		}
		if p != atou64(t, v.P) || q != atou64(t, v.Q) {
			t.Errorf("FactorPQ(%d) = %d × %d, want %s × %s", pq, p, q, v.P, v.Q)
		}
		if !bytes.Equal(crypto.Uint64ToBytes(p), unhex(t, v.PBytes)) || !bytes.Equal(crypto.Uint64ToBytes(q), unhex(t, v.QBytes)) {
			t.Errorf("TL bytes of p, q = %x, %x", crypto.Uint64ToBytes(p), crypto.Uint64ToBytes(q))
		}
	}
}

func TestFactorPQRandomSemiprimes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	prime := func(bits int) uint64 {
		for {
			c := r.Uint64()>>(64-bits) | 1<<(bits-1) | 1
			if new(big.Int).SetUint64(c).ProbablyPrime(20) {
				return c
			}
		}
	}
	for i := range 200 {
		bits := 2 + i%31 + 1 // 3..33-bit factors, including pq >= 2^63 near the top
		a, b := prime(bits), prime(min(32, bits+r.IntN(3)))
		if a == b {
			continue
		}
		hi, lo := a, b
		if hi < lo {
			hi, lo = lo, hi
		}
		if hi > 0 && lo > ^uint64(0)/hi {
			continue
		}
		p, q, err := crypto.FactorPQ(lo * hi)
		if err != nil || p != lo || q != hi {
			t.Fatalf("FactorPQ(%d × %d) = %d, %d, %v", lo, hi, p, q, err)
		}
	}
	// Products of two primes just below 2^32: pq close to 2^64.
	p, q, err := crypto.FactorPQ(4294967291 * 4294967279)
	if err != nil || p != 4294967279 || q != 4294967291 {
		t.Errorf("largest: %d, %d, %v", p, q, err)
	}
	if p, q, err := crypto.FactorPQ(2 * 4294967291); err != nil || p != 2 || q != 4294967291 {
		t.Errorf("even: %d, %d, %v", p, q, err)
	}
	if p, q, err := crypto.FactorPQ(6); err != nil || p != 2 || q != 3 {
		t.Errorf("6: %d, %d, %v", p, q, err)
	}
}

func TestFactorPQRejects(t *testing.T) {
	for _, pq := range []uint64{
		0, 1, 2, 3, 4, 5,
		7, 4294967291, // primes
		18446744073709551557,                                             // the largest 64-bit prime
		9, 4294967291 * 4294967291 / 4294967291 * 4294967291 % (1 << 63), // squares or junk
		25, 49 * 49, // squares
		8, 30, 1001, 3 * 5 * 7 * 11, // more than two factors
		1 << 63,
	} {
		if p, q, err := crypto.FactorPQ(pq); !errors.Is(err, crypto.ErrPQ) {
			t.Errorf("FactorPQ(%d) = %d, %d, %v; want ErrPQ", pq, p, q, err)
		}
	}
}

func TestPQBytes(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		err  bool
	}{
		{"", 0, false},
		{"00", 0, false},
		{"01", 1, false},
		{"ffffffffffffffff", 1<<64 - 1, false},
		{"00ffffffffffffffff", 1<<64 - 1, false},
		{"010000000000000000", 0, true},
	}
	for _, c := range cases {
		got, err := crypto.BytesToUint64(unhex(t, c.in))
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("BytesToUint64(%s) = %d, %v", c.in, got, err)
		}
		if c.err && !errors.Is(err, crypto.ErrPQBytes) {
			t.Errorf("BytesToUint64(%s): %v", c.in, err)
		}
	}
	if b := crypto.Uint64ToBytes(0); len(b) != 0 {
		t.Errorf("Uint64ToBytes(0) = %x", b)
	}
	if b := crypto.Uint64ToBytes(256); !bytes.Equal(b, []byte{1, 0}) {
		t.Errorf("Uint64ToBytes(256) = %x", b)
	}
}

// BenchmarkFactorPQ factors real-sized pq values (two ~31-bit primes), as
// in the official samples and grammers' tests.
func BenchmarkFactorPQ(b *testing.B) {
	pqs := []uint64{1724114033281923457, 1468428376148703121, 1470626929934143021, 2363612107535801713, 2804275833720261793}
	i := 0
	for b.Loop() {
		if _, _, err := crypto.FactorPQ(pqs[i%len(pqs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
