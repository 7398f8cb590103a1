package crypto

import (
	"crypto/aes"
	"crypto/rsa"
	"math/big"
)

// Hooks into unexported code for the external tests (package crypto_test).

// HardwareIGE reports whether AES-256-IGE runs in assembly here.
func HardwareIGE() bool { return hardwareIGE() }

// NewGenericIGE returns an IGE that always takes the pure-Go path.
func NewGenericIGE(key []byte) (*IGE, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &IGE{block: b}, nil
}

// IGEEncryptGeneric encrypts with the pure-Go path regardless of the CPU.
func IGEEncryptGeneric(key, iv, data []byte) []byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(data))
	igeEncryptGeneric(b, out, data, iv)
	return out
}

// IGEDecryptGeneric decrypts with the pure-Go path regardless of the CPU.
func IGEDecryptGeneric(key, iv, data []byte) []byte {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(data))
	igeDecryptGeneric(b, out, data, iv)
	return out
}

// RSAEncryptRaw is textbook RSA, m^e mod n.
func RSAEncryptRaw(pub *rsa.PublicKey, m []byte) ([]byte, error) { return rsaEncryptRaw(pub, m) }

// SRPProofWithSecret runs the SRP client with a given secret a; check=false
// skips the parameter checks for toy-prime vectors.
func SRPProofWithSecret(password []byte, params SRPParams, srpB, a []byte, check bool) (*SRPProof, error) {
	return srpProof(password, params, srpB, a, check)
}

// PasswordHashUnchecked is PasswordHash without parameter checks.
func PasswordHashUnchecked(password []byte, params SRPParams) ([]byte, error) {
	return passwordHash(password, params, false)
}

// CheckSafePrimeSlow runs the full primality test, bypassing the fast path
// and the cache.
func CheckSafePrimeSlow(p *big.Int) bool { return checkSafePrime(p) }

// SafePrimeCacheLen returns the number of cached safe-prime verdicts.
func SafePrimeCacheLen() int {
	safePrimeCache.Lock()
	defer safePrimeCache.Unlock()
	return len(safePrimeCache.m)
}

// FusedSealing reports whether Seal hashes the next message in the loop
// that encrypts this one on this CPU and build.
func FusedSealing() bool {
	var k [32]byte
	var x IGE
	x.init(k[:])
	return useSHANI && x.hw.setKey(k[:])
}

// SealHashLeft returns how many bytes of s's hash input are left.
func SealHashLeft(s *Seal) int { return s.h.left() }
