//go:build purego || !amd64

package crypto

// decryptAndHash has no single-pass form in this build: the caller
// decrypts, then hashes.
func decryptAndHash(*IGE, []byte, []byte, [32]byte, []byte) (sum [32]byte, ok bool) {
	return sum, false
}
