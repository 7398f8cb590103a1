package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// NewAESCTR returns an AES-256-CTR stream (128-bit big-endian counter
// starting at iv), as the obfuscated2 transport uses one per direction for
// the whole connection. key is 32 bytes, iv 16. Errors: ErrKeySize, ErrIVSize.
func NewAESCTR(key, iv []byte) (cipher.Stream, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: AES-256-CTR needs 32 bytes, got %d", ErrKeySize, len(key))
	}
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: AES-CTR needs 16 bytes, got %d", ErrIVSize, len(iv))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySize, err)
	}
	return cipher.NewCTR(b, iv), nil
}
