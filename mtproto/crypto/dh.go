package crypto

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"sync"
)

// telegramDHPrimeHex is the 2048-bit safe prime Telegram servers send as
// dh_prime (and as p in SRP). Source: the official example
// https://core.telegram.org/mtproto/samples-auth_key (server_DH_inner_data,
// both revisions, in testdata/vectors/mtproto-vectors.json group
// auth_key_exchange) and the SRP vectors of gotd/td and Lonami/grammers.
// The tests check that it is a safe prime through the slow path.
const telegramDHPrimeHex = "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f" +
	"48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37" +
	"20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64" +
	"2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4" +
	"a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754" +
	"fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4" +
	"e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f" +
	"0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b"

// DHPrimeBits is the size of dh_prime MTProto requires.
const DHPrimeBits = 2048

var telegramDHPrime = func() *big.Int {
	p, ok := new(big.Int).SetString(telegramDHPrimeHex, 16)
	if !ok {
		panic("mtproto/crypto: bad built-in dh_prime")
	}
	return p
}()

// TelegramDHPrime returns (a copy of) the 2048-bit safe prime Telegram
// servers use for the auth key exchange and for SRP. An emulated server can
// use it with g = 3.
func TelegramDHPrime() *big.Int { return new(big.Int).Set(telegramDHPrime) }

// safePrimeCache remembers the outcome of the slow safe-prime test for the
// few primes a client meets, so each is tested once per process.
var safePrimeCache = struct {
	sync.Mutex
	m map[string]bool
}{m: make(map[string]bool)}

const safePrimeCacheMax = 16

// isSafePrime reports whether p and (p-1)/2 are both prime, using the cache
// and the known Telegram prime as a fast path.
func isSafePrime(p *big.Int) bool {
	if p.Cmp(telegramDHPrime) == 0 {
		return true
	}
	k := string(p.Bytes())
	safePrimeCache.Lock()
	ok, found := safePrimeCache.m[k]
	safePrimeCache.Unlock()
	if found {
		return ok
	}
	ok = checkSafePrime(p)
	safePrimeCache.Lock()
	if len(safePrimeCache.m) >= safePrimeCacheMax {
		clear(safePrimeCache.m)
	}
	safePrimeCache.m[k] = ok
	safePrimeCache.Unlock()
	return ok
}

// checkSafePrime is the slow test: Miller–Rabin rounds plus Baillie–PSW
// (math/big) on (p-1)/2 and p.
func checkSafePrime(p *big.Int) bool {
	if p.Bit(0) == 0 {
		return false
	}
	q := new(big.Int).Rsh(p, 1) // (p-1)/2 for odd p
	return q.ProbablyPrime(20) && p.ProbablyPrime(20)
}

// CheckDHParams checks the DH parameters a server sent (server_DH_inner_data,
// or the p and g of an SRP algorithm) as core.telegram.org/mtproto/auth_key
// requires: p is a safe prime with 2^2047 < p < 2^2048, and g is 2..7 and
// generates the subgroup of prime order (p-1)/2, i.e. g is a quadratic
// residue mod p. By quadratic reciprocity that is a condition on p:
// p mod 8 = 7 for g = 2; p mod 3 = 2 for g = 3; none for g = 4;
// p mod 5 ∈ {1, 4} for g = 5; p mod 24 ∈ {19, 23} for g = 6;
// p mod 7 ∈ {3, 5, 6} for g = 7.
//
// Telegram's own prime is recognised at once; any other prime costs one
// primality test per process (results are cached). Errors: ErrDHPrime,
// ErrDHGenerator.
func CheckDHParams(p *big.Int, g int) error {
	if p == nil || p.Sign() <= 0 || p.BitLen() != DHPrimeBits {
		bits := 0
		if p != nil {
			bits = p.BitLen()
		}
		return fmt.Errorf("%w: got a %d-bit number", ErrDHPrime, bits)
	}
	if g < 2 || g > 7 {
		return fmt.Errorf("%w: g = %d, want 2..7", ErrDHGenerator, g)
	}
	mod := func(m int64) int64 { return new(big.Int).Mod(p, big.NewInt(m)).Int64() }
	var ok bool
	switch g {
	case 2:
		ok = mod(8) == 7
	case 3:
		ok = mod(3) == 2
	case 4:
		ok = true
	case 5:
		r := mod(5)
		ok = r == 1 || r == 4
	case 6:
		r := mod(24)
		ok = r == 19 || r == 23
	case 7:
		r := mod(7)
		ok = r == 3 || r == 5 || r == 6
	}
	if !ok {
		return fmt.Errorf("%w: g = %d is not a quadratic residue modulo this p", ErrDHGenerator, g)
	}
	if !isSafePrime(p) {
		return fmt.Errorf("%w: p or (p-1)/2 is composite", ErrDHPrime)
	}
	return nil
}

// dhSafetyMargin is 2^(2048-64): DH values must stay this far from 0 and p.
var dhSafetyMargin = new(big.Int).Lsh(big.NewInt(1), DHPrimeBits-64)

// CheckDHValue checks a DH value (g_a, g_b, or g^x for SRP) against p:
// 1 < x < p-1 and 2^(2048-64) <= x <= p - 2^(2048-64), as the security
// guidelines require of both sides. Error: ErrDHValue.
func CheckDHValue(x, p *big.Int) error {
	if x == nil || p == nil {
		return fmt.Errorf("%w: missing value or prime", ErrDHValue)
	}
	one := big.NewInt(1)
	pMinus1 := new(big.Int).Sub(p, one)
	if x.Cmp(one) <= 0 || x.Cmp(pMinus1) >= 0 {
		return fmt.Errorf("%w: value is not in (1, p-1)", ErrDHValue)
	}
	if x.Cmp(dhSafetyMargin) < 0 {
		return fmt.Errorf("%w: value is below 2^1984", ErrDHValue)
	}
	if x.Cmp(new(big.Int).Sub(p, dhSafetyMargin)) > 0 {
		return fmt.Errorf("%w: value is above p - 2^1984", ErrDHValue)
	}
	return nil
}

// GenerateDHSecret reads a 2048-bit secret exponent (a or b) from random
// (crypto/rand if nil).
func GenerateDHSecret(random io.Reader) (*big.Int, error) {
	if random == nil {
		random = rand.Reader
	}
	var buf [DHPrimeBits / 8]byte
	if _, err := io.ReadFull(random, buf[:]); err != nil {
		return nil, fmt.Errorf("mtproto/crypto: reading DH secret: %w", err)
	}
	return new(big.Int).SetBytes(buf[:]), nil
}

// DHPublicValue returns g^secret mod p as a 256-byte big-endian number (the
// g_a or g_b sent in the handshake), or ErrDHValue if it falls outside the
// range CheckDHValue demands; draw another secret then.
func DHPublicValue(g int, secret, p *big.Int) ([]byte, error) {
	if p == nil || secret == nil || p.Sign() <= 0 || p.BitLen() > DHPrimeBits {
		return nil, fmt.Errorf("%w: missing secret or bad prime", ErrDHPrime)
	}
	v := new(big.Int).Exp(big.NewInt(int64(g)), secret, p)
	if err := CheckDHValue(v, p); err != nil {
		return nil, err
	}
	return v.FillBytes(make([]byte, DHPrimeBits/8)), nil
}

// DHSharedKey checks the peer's public value and returns peer^secret mod p
// as 256 big-endian bytes: the auth key of the handshake.
func DHSharedKey(peer, secret, p *big.Int) ([]byte, error) {
	if err := CheckDHValue(peer, p); err != nil {
		return nil, err
	}
	if secret == nil || p.BitLen() > DHPrimeBits {
		return nil, fmt.Errorf("%w: missing secret or bad prime", ErrDHPrime)
	}
	k := new(big.Int).Exp(peer, secret, p)
	return k.FillBytes(make([]byte, DHPrimeBits/8)), nil
}
