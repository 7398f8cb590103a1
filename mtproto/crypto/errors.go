package crypto

import "errors"

// Errors returned by this package. They are wrapped with details (lengths,
// values, what to do) and are matched with errors.Is.
var (
	// ErrKeySize reports an AES key that is not 16, 24 or 32 bytes long
	// (32 for AES-256-CTR).
	ErrKeySize = errors.New("mtproto/crypto: bad AES key length")
	// ErrIVSize reports an IV of the wrong length (32 bytes for IGE, 16 for CTR).
	ErrIVSize = errors.New("mtproto/crypto: bad IV length")
	// ErrBlockSize reports data whose length is not a multiple of 16 bytes.
	ErrBlockSize = errors.New("mtproto/crypto: data length is not a multiple of the AES block size")
	// ErrShortBuffer reports a destination smaller than the source.
	ErrShortBuffer = errors.New("mtproto/crypto: destination buffer too small")
	// ErrOverlap reports destination and source buffers that overlap without
	// being the same buffer.
	ErrOverlap = errors.New("mtproto/crypto: destination and source overlap inexactly")

	// ErrAuthKeySize reports an auth key that is not 256 bytes long, or a nil *AuthKey.
	ErrAuthKeySize = errors.New("mtproto/crypto: auth key must be 256 bytes")
	// ErrMessageTooShort reports an encrypted message shorter than
	// auth_key_id + msg_key + one 16-byte block.
	ErrMessageTooShort = errors.New("mtproto/crypto: encrypted message too short")
	// ErrMessageLength reports encrypted data whose length is not a multiple of 16.
	ErrMessageLength = errors.New("mtproto/crypto: encrypted data length is not a multiple of 16")
	// ErrAuthKeyIDMismatch reports a message encrypted under another auth key.
	ErrAuthKeyIDMismatch = errors.New("mtproto/crypto: auth_key_id does not match the auth key")
	// ErrMsgKeyMismatch reports a message whose msg_key does not match its
	// decrypted contents: it was tampered with, or decrypted with the wrong
	// key or direction.
	ErrMsgKeyMismatch = errors.New("mtproto/crypto: msg_key mismatch")
	// ErrPayloadLength reports a decrypted message whose message_data_length
	// field is inconsistent with its size or leaves padding outside 12..1024 bytes.
	ErrPayloadLength = errors.New("mtproto/crypto: bad message_data_length or padding")

	// ErrPEM reports input without a usable PEM block.
	ErrPEM = errors.New("mtproto/crypto: no usable PEM block")
	// ErrNotRSAKey reports a PEM key that is not an RSA key.
	ErrNotRSAKey = errors.New("mtproto/crypto: not an RSA key")
	// ErrRSAKeySize reports an RSA key whose modulus is not 2048 bits, as
	// MTProto requires.
	ErrRSAKeySize = errors.New("mtproto/crypto: RSA modulus must be 2048 bits")
	// ErrRSADataTooLong reports data too long for RSA_PAD (144 bytes) or
	// legacy RSA (235 bytes).
	ErrRSADataTooLong = errors.New("mtproto/crypto: data too long for RSA encryption")
	// ErrRSACiphertext reports an RSA ciphertext of the wrong length, not
	// below the modulus, or that decrypts to an impossible value.
	ErrRSACiphertext = errors.New("mtproto/crypto: invalid RSA ciphertext")
	// ErrRSAPadHash reports an RSA_PAD or legacy RSA payload whose embedded
	// hash does not match.
	ErrRSAPadHash = errors.New("mtproto/crypto: RSA payload hash mismatch")

	// ErrDHGenerator reports a g outside 2..7 or one that does not generate
	// the subgroup of order (p-1)/2.
	ErrDHGenerator = errors.New("mtproto/crypto: bad DH generator g")
	// ErrDHPrime reports a dh_prime that is not a 2048-bit safe prime.
	ErrDHPrime = errors.New("mtproto/crypto: dh_prime is not a 2048-bit safe prime")
	// ErrDHValue reports g_a, g_b or another DH value outside
	// [2^1984, p - 2^1984].
	ErrDHValue = errors.New("mtproto/crypto: DH value out of the safe range")

	// ErrPQ reports a pq that is not the product of two distinct primes.
	ErrPQ = errors.New("mtproto/crypto: pq is not a product of two distinct primes")
	// ErrPQBytes reports a big-endian number that does not fit in 64 bits.
	ErrPQBytes = errors.New("mtproto/crypto: number does not fit in 64 bits")

	// ErrSRPParams reports SRP parameters that fail the checks (p, g, salts).
	ErrSRPParams = errors.New("mtproto/crypto: bad SRP parameters")
	// ErrSRPBadB reports a server srp_B out of range.
	ErrSRPBadB = errors.New("mtproto/crypto: bad SRP srp_B")
	// ErrSRPBadA reports a client A out of range.
	ErrSRPBadA = errors.New("mtproto/crypto: bad SRP A")
	// ErrSRPPassword reports an M1 that does not prove knowledge of the password.
	ErrSRPPassword = errors.New("mtproto/crypto: SRP password check failed")
)
