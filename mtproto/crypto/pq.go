package crypto

import (
	"fmt"
	"math/bits"
)

// FactorPQ splits the pq of resPQ into its two prime factors, p < q, with
// Pollard's rho in Brent's variant over Montgomery arithmetic. Any uint64
// works, including pq >= 2^63. It returns ErrPQ when pq is not the product
// of two distinct primes (a prime, a square, three factors, < 6).
func FactorPQ(pq uint64) (p, q uint64, err error) {
	if pq < 6 {
		return 0, 0, fmt.Errorf("%w: pq = %d", ErrPQ, pq)
	}
	var d uint64
	switch {
	case pq%2 == 0:
		d = 2
	case isPrime64(pq):
		return 0, 0, fmt.Errorf("%w: pq = %d is prime", ErrPQ, pq)
	default:
		d = rhoBrent(pq)
		if d == 0 {
			return 0, 0, fmt.Errorf("%w: no factor of %d found", ErrPQ, pq)
		}
	}
	p, q = d, pq/d
	if p > q {
		p, q = q, p
	}
	if p == q || !isPrime64(p) || !isPrime64(q) {
		return 0, 0, fmt.Errorf("%w: pq = %d = %d × %d", ErrPQ, pq, p, q)
	}
	return p, q, nil
}

// mulMod returns a·b mod m with a 128-bit product; a, b < m.
func mulMod(a, b, m uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, r := bits.Div64(hi, lo, m)
	return r
}

func powMod(a, e, m uint64) uint64 {
	r := uint64(1)
	a %= m
	for e > 0 {
		if e&1 == 1 {
			r = mulMod(r, a, m)
		}
		a = mulMod(a, a, m)
		e >>= 1
	}
	return r
}

// isPrime64 is Miller–Rabin with the first twelve primes as bases, which
// is deterministic for every n < 2^64.
func isPrime64(n uint64) bool {
	bases := [...]uint64{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}
	if n < 2 {
		return false
	}
	for _, b := range bases {
		if n%b == 0 {
			return n == b
		}
	}
	d := n - 1
	s := bits.TrailingZeros64(d)
	d >>= uint(s)
	for _, a := range bases {
		x := powMod(a, d, n)
		if x == 1 || x == n-1 {
			continue
		}
		composite := true
		for r := 1; r < s; r++ {
			x = mulMod(x, x, n)
			if x == n-1 {
				composite = false
				break
			}
		}
		if composite {
			return false
		}
	}
	return true
}

// montgomery holds an odd modulus n and -n^-1 mod 2^64.
type montgomery struct {
	n, nInv uint64
}

func newMontgomery(n uint64) montgomery {
	// Newton's iteration doubles the correct low bits each step: n·n ≡ 1 mod 8.
	inv := n
	for range 5 {
		inv *= 2 - n*inv
	}
	return montgomery{n: n, nInv: -inv}
}

// mul returns a·b·2^-64 mod n for a, b < n (REDC). The intermediate sum
// can exceed 2^128 when n >= 2^63; the carry is handled.
func (m montgomery) mul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	t := lo * m.nInv
	tHi, tLo := bits.Mul64(t, m.n)
	_, c := bits.Add64(lo, tLo, 0)
	r, c2 := bits.Add64(hi, tHi, c)
	if c2 != 0 || r >= m.n {
		r -= m.n
	}
	return r
}

func gcd(a, b uint64) uint64 {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	shift := bits.TrailingZeros64(a | b)
	a >>= uint(bits.TrailingZeros64(a))
	for b != 0 {
		b >>= uint(bits.TrailingZeros64(b))
		if a > b {
			a, b = b, a
		}
		b -= a
	}
	return a << uint(shift)
}

// rhoBrent returns a non-trivial factor of the odd composite n, or 0 after
// trying many polynomials x² + c (it does not happen for composites in
// practice). Values stay in Montgomery form: the factor R = 2^64 is coprime
// with n, so gcds are unaffected.
func rhoBrent(n uint64) uint64 {
	const batch = 128
	m := newMontgomery(n)
	sub := func(a, b uint64) uint64 {
		if a >= b {
			return a - b
		}
		return b - a
	}
	for c := uint64(1); c < 64; c++ {
		f := func(x uint64) uint64 {
			y := m.mul(x, x) + c
			if y >= n || y < c {
				y -= n
			}
			return y
		}
		y, x, ys := uint64(2)%n, uint64(0), uint64(0)
		acc := uint64(1)
		g := uint64(1)
		for r := uint64(1); g == 1; r <<= 1 {
			x = y
			for range r {
				y = f(y)
			}
			for k := uint64(0); k < r && g == 1; k += batch {
				ys = y
				for i := uint64(0); i < min(batch, r-k); i++ {
					y = f(y)
					acc = m.mul(acc, sub(x, y))
				}
				g = gcd(acc, n)
			}
			if r > 1<<40 {
				break // cannot happen for a 64-bit composite; bounds the loop
			}
		}
		if g == n {
			// The batch overshot: step again one by one from its start.
			for {
				ys = f(ys)
				g = gcd(sub(x, ys), n)
				if g != 1 {
					break
				}
			}
		}
		if g != 1 && g != n {
			return g
		}
	}
	return 0
}

// Uint64ToBytes returns v as a minimal big-endian byte string (no leading
// zero bytes; empty for 0): the form of pq, p and q in TL.
func Uint64ToBytes(v uint64) []byte {
	n := (bits.Len64(v) + 7) / 8
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// BytesToUint64 reads a big-endian number of up to 8 significant bytes
// (leading zero bytes are allowed), as in resPQ.pq. Error: ErrPQBytes.
func BytesToUint64(b []byte) (uint64, error) {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 8 {
		return 0, fmt.Errorf("%w: %d significant bytes", ErrPQBytes, len(b))
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}
