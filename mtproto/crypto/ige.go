package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"unsafe"
)

// IGE is AES in Infinite Garble Extension mode with MTProto's IV layout:
// iv[0:16] plays the previous ciphertext block (XORed into the plaintext
// before AES) and iv[16:32] the previous plaintext block (XORed after AES).
// OpenSSL, TDLib and the official samples use the same layout.
//
// With a 32-byte key on amd64 (AES-NI) and arm64 (ARMv8 AES) IGE runs in
// assembly; otherwise, and always under the purego build tag, it runs over
// crypto/aes. Both give the same bytes. An IGE is safe for concurrent use:
// Encrypt and Decrypt never modify it.
type IGE struct {
	hw    hwIGE        // round keys for the assembly path, when usable
	block cipher.Block // the crypto/aes cipher, when hw is not used
}

// NewIGE returns AES-IGE keyed with key: 32 bytes for AES-256 (the only size
// MTProto uses), or 16 or 24 bytes for AES-128 and AES-192.
func NewIGE(key []byte) (*IGE, error) {
	x := new(IGE)
	if err := x.init(key); err != nil {
		return nil, err
	}
	return x, nil
}

// init keys x in place, so that callers can keep an IGE on the stack.
func (x *IGE) init(key []byte) error {
	switch len(key) {
	case 16, 24, 32:
	default:
		return fmt.Errorf("%w: got %d bytes, want 32 (AES-256), 16 or 24", ErrKeySize, len(key))
	}
	if x.hw.setKey(key) {
		x.block = nil
		return nil
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrKeySize, err)
	}
	x.block = b
	return nil
}

// Encrypt encrypts src into dst with the 32-byte iv. len(src) must be a
// multiple of 16 and dst at least as long; dst and src may be the same
// buffer but must not overlap otherwise. iv is not modified. Bad arguments
// return ErrBlockSize, ErrIVSize, ErrShortBuffer or ErrOverlap and leave dst
// untouched.
func (x *IGE) Encrypt(dst, src, iv []byte) error {
	if err := checkIGEArgs(dst, src, iv); err != nil {
		return err
	}
	if len(src) > 0 {
		x.encryptBlocks(dst[:len(src)], src, iv)
	}
	return nil
}

// Decrypt decrypts src into dst with the 32-byte iv, under the same rules as
// Encrypt.
func (x *IGE) Decrypt(dst, src, iv []byte) error {
	if err := checkIGEArgs(dst, src, iv); err != nil {
		return err
	}
	if len(src) > 0 {
		x.decryptBlocks(dst[:len(src)], src, iv)
	}
	return nil
}

// IGEEncrypt encrypts data with AES-IGE under key and the 32-byte iv and
// returns the ciphertext in a new slice.
func IGEEncrypt(key, iv, data []byte) ([]byte, error) {
	var x IGE
	if err := x.init(key); err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	if err := x.Encrypt(out, data, iv); err != nil {
		return nil, err
	}
	return out, nil
}

// IGEDecrypt decrypts data with AES-IGE under key and the 32-byte iv and
// returns the plaintext in a new slice.
func IGEDecrypt(key, iv, data []byte) ([]byte, error) {
	var x IGE
	if err := x.init(key); err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	if err := x.Decrypt(out, data, iv); err != nil {
		return nil, err
	}
	return out, nil
}

func checkIGEArgs(dst, src, iv []byte) error {
	if len(iv) != 2*aes.BlockSize {
		return fmt.Errorf("%w: IGE needs a 32-byte IV, got %d bytes", ErrIVSize, len(iv))
	}
	if len(src)%aes.BlockSize != 0 {
		return fmt.Errorf("%w: %d bytes; pad the data to a multiple of 16 first", ErrBlockSize, len(src))
	}
	if len(dst) < len(src) {
		return fmt.Errorf("%w: dst has %d bytes, src %d", ErrShortBuffer, len(dst), len(src))
	}
	if inexactOverlap(dst[:len(src)], src) {
		return ErrOverlap
	}
	return nil
}

// inexactOverlap reports whether x and y share memory without starting at
// the same address (in-place operation is fine, a shifted window is not).
func inexactOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	xs := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
	ys := uintptr(unsafe.Pointer(unsafe.SliceData(y)))
	if xs == ys {
		return false
	}
	return xs < ys+uintptr(len(y)) && ys < xs+uintptr(len(x))
}

// igeEncryptGeneric is IGE encryption over any cipher.Block. It is the
// fallback path and the reference the assembly is tested against.
// len(src) is a multiple of 16, len(dst) >= len(src), len(iv) == 32.
func igeEncryptGeneric(b cipher.Block, dst, src, iv []byte) {
	var prevC, prevP, p, t [aes.BlockSize]byte
	copy(prevC[:], iv[:16])
	copy(prevP[:], iv[16:32])
	for i := 0; i < len(src); i += aes.BlockSize {
		copy(p[:], src[i:i+aes.BlockSize]) // src may be dst: keep p
		subtle.XORBytes(t[:], p[:], prevC[:])
		b.Encrypt(t[:], t[:])
		subtle.XORBytes(prevC[:], t[:], prevP[:])
		copy(dst[i:i+aes.BlockSize], prevC[:])
		prevP = p
	}
}

// igeDecryptGeneric is IGE decryption over any cipher.Block.
func igeDecryptGeneric(b cipher.Block, dst, src, iv []byte) {
	var prevC, prevP, c, t [aes.BlockSize]byte
	copy(prevC[:], iv[:16])
	copy(prevP[:], iv[16:32])
	for i := 0; i < len(src); i += aes.BlockSize {
		copy(c[:], src[i:i+aes.BlockSize])
		subtle.XORBytes(t[:], c[:], prevP[:])
		b.Decrypt(t[:], t[:])
		subtle.XORBytes(prevP[:], t[:], prevC[:])
		copy(dst[i:i+aes.BlockSize], prevP[:])
		prevC = c
	}
}
