package transport

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

// Obfuscated2 (https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation):
// the client sends a 64-byte init whose bytes 8..56 seed two AES-256-CTR
// streams, one per direction, and whose encrypted bytes 56..64 carry the
// protocol tag and the DC id.

const (
	obfsInitLen  = 64
	obfsTagAt    = 56
	obfsDCAt     = 60
	obfsAttempts = 64 // forbidden inits are rare (about 1 in 2^7); give up on a broken random source
)

// forbiddenInit reports whether the first 8 bytes of a candidate init could
// be mistaken for another transport by the server: abridged's 0xef, an HTTP
// method, a TLS record (16 03 01 02), the intermediate tags, or the full
// transport's seqno 0 in bytes 4..8.
func forbiddenInit(b []byte) bool {
	if b[0] == 0xef {
		return true
	}
	switch binary.LittleEndian.Uint32(b[0:4]) {
	case 0x44414548, // "HEAD"
		0x54534f50, // "POST"
		0x20544547, // "GET "
		0x4954504f, // "OPTI"
		0x02010316, // 16 03 01 02: a TLS ClientHello record
		0xdddddddd,
		0xeeeeeeee:
		return true
	}
	return binary.LittleEndian.Uint32(b[4:8]) == 0
}

// obfsStreams derives the two AES-256-CTR streams from an init: forward keys
// come from init[8:40] and init[40:56], backward keys from the same bytes of
// the reversed init. With an MTProxy secret each key is SHA256(key ‖ secret).
func obfsStreams(init *[obfsInitLen]byte, secret []byte) (forward, backward cipher.Stream) {
	var rev [obfsInitLen]byte
	for i := range rev {
		rev[i] = init[obfsInitLen-1-i]
	}
	return ctrStream(init[8:40], init[40:56], secret), ctrStream(rev[8:40], rev[40:56], secret)
}

func ctrStream(key, iv, secret []byte) cipher.Stream {
	var k [32]byte
	copy(k[:], key)
	if secret != nil {
		h := sha256.New()
		h.Write(key)
		h.Write(secret)
		h.Sum(k[:0])
	}
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // unreachable: the key is always 32 bytes
	}
	return cipher.NewCTR(block, iv)
}

// clientObfuscation generates an init for kind and returns the 64 bytes to
// send first, the encryption stream (already past those 64 bytes) and the
// decryption stream. dc is written at offset 60 unless it is 0, in which case
// those bytes stay random (as for direct connections, where servers ignore
// them). secret is the 16-byte MTProxy key, or nil.
func clientObfuscation(rnd io.Reader, kind Kind, dc int, secret []byte) (header []byte, enc, dec cipher.Stream, err error) {
	tag, ok := kind.obfuscatedTag()
	if !ok {
		return nil, nil, nil, ErrFullNotObfuscated
	}
	var init [obfsInitLen]byte
	for attempt := 0; ; attempt++ {
		if attempt == obfsAttempts {
			return nil, nil, nil, fmt.Errorf("transport: random source produced %d forbidden obfuscated2 inits in a row", obfsAttempts)
		}
		if _, err := io.ReadFull(rnd, init[:]); err != nil {
			return nil, nil, nil, fmt.Errorf("transport: reading obfuscated2 init randomness: %w", err)
		}
		if !forbiddenInit(init[:]) {
			break
		}
	}
	copy(init[obfsTagAt:], tag[:])
	if dc != 0 {
		binary.LittleEndian.PutUint16(init[obfsDCAt:], uint16(int16(dc)))
	}
	enc, dec = obfsStreams(&init, secret)
	var encrypted [obfsInitLen]byte
	enc.XORKeyStream(encrypted[:], init[:])
	header = make([]byte, obfsInitLen)
	copy(header, init[:obfsTagAt])
	copy(header[obfsTagAt:], encrypted[obfsTagAt:])
	return header, enc, dec, nil
}

// obfsCandidate is a secret the server tries on an incoming init.
type obfsCandidate struct {
	secret *Secret // nil: no secret (direct obfuscated connection)
}

// serverObfuscation decrypts a received init with each candidate until one
// yields a known protocol tag allowed for that candidate. It returns the
// framing, the DC id, the decryption stream (past the 64 init bytes) and the
// encryption stream.
func serverObfuscation(init *[obfsInitLen]byte, candidates []obfsCandidate) (kind Kind, dc int, matched *Secret, dec, enc cipher.Stream, err error) {
	for _, cand := range candidates {
		var key []byte
		if cand.secret != nil {
			key = cand.secret.Key[:]
		}
		fwd, bwd := obfsStreams(init, key)
		var plain [obfsInitLen]byte
		fwd.XORKeyStream(plain[:], init[:])
		k := kindFromTag(plain[obfsTagAt : obfsTagAt+4])
		if k == 0 {
			continue
		}
		if cand.secret != nil && cand.secret.Mode == SecretPadded && k != PaddedIntermediate {
			continue
		}
		dc := int(int16(binary.LittleEndian.Uint16(plain[obfsDCAt:])))
		return k, dc, cand.secret, fwd, bwd, nil
	}
	if len(candidates) == 1 && candidates[0].secret == nil {
		return 0, 0, nil, nil, nil, fmt.Errorf("%w: obfuscated2 init does not decrypt to a known protocol tag", ErrUnknownProtocol)
	}
	return 0, 0, nil, nil, nil, fmt.Errorf("%w: obfuscated2 init does not decrypt to a known protocol tag with any configured secret", ErrSecretMismatch)
}
