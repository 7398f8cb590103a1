//go:build purego || !amd64

package crypto

// decryptAndHash has no single-pass form in this build: the caller
// decrypts, then hashes.
func decryptAndHash(*IGE, []byte, []byte, [32]byte, []byte) (sum [32]byte, ok bool) {
	return sum, false
}

// useSHANI is false: this build has no SHA-NI code, and sealHash uses
// crypto/sha256.
const useSHANI = false

// sha256BlocksAsm is never called in this build (useSHANI is false).
func sha256BlocksAsm(*[8]uint32, *byte, int) { panic("mtproto/crypto: no SHA-NI code in this build") }

// encryptFused does nothing in this build: messages are hashed, then
// encrypted.
func (s *Seal) encryptFused(dst, src []byte, next *Seal) int { return 0 }
