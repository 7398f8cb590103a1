package crypto

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
)

// RSA sizes fixed by MTProto: 2048-bit keys and 256-byte ciphertexts.
const (
	// RSAKeyBits is the modulus size of every MTProto server key.
	RSAKeyBits    = 2048
	rsaBlockBytes = RSAKeyBits / 8

	// RSAPadMaxData is the most data RSA_PAD can carry (auth_key step 4.1).
	RSAPadMaxData = 144
	// RSALegacyMaxData is the most data legacy RSA (SHA1 ‖ data ‖ padding in
	// 255 bytes) can carry.
	RSALegacyMaxData = 255 - sha1.Size

	rsaPadDataWithPadding = 192
)

// Telegram's server public keys, PKCS#1 PEM.
//
// Source: testdata/vectors/mtproto-vectors.json (group rsa_public_keys) and
// schema/telegram-facts.md, which cite the original files; fingerprints are
// tested against the values stated there.
const (
	// ProductionRSAKeyPEM is the production key, fingerprint
	// 0xd09d1d85de64fd85 (-3414540481677951611). Source:
	// telegramdesktop/tdesktop Telegram/SourceFiles/mtproto/mtproto_dc_options.cpp
	// kPublicRSAKeys at 929032d598f7c521adc1869152463cf9e1160533 (also tdlib
	// PublicRsaKeySharedMain.cpp and gotd mtproto/_data/public_keys.pem); the
	// official samples-auth_key page states its fingerprint.
	ProductionRSAKeyPEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----
`

	// ProductionRSAKey2PEM is the second production key, fingerprint
	// 0x9dbe5a4c45febeff (-7080122280541503745). Source: DrKLO/Telegram
	// TMessagesProj/jni/tgnet/Handshake.cpp at
	// 161f2632548e05d0413cf3a63ad849d6f984c281, which states the fingerprint.
	ProductionRSAKey2PEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAxF//0M0+/5PzgdNagTX+J+dJgr75ZCTuiG8i4x7YwmJF+jiOGCjm
7X7BLCaMc1+hOZYDL3+Gvle/AKykW1qouaCJMVx/H+2l8LFXLelZ2PLawTb8A7Bl
TqWzL3db5BugMNWziL9TuhR8In1bwKY07QVpR9in5zjAsAGLBk+mGt0DnVyMf1Xo
p2lLCFNmm0F4ykcAeaLCCIPbGWddliLY8xEEhI4GO2l1U3kZMwIOdOnAGJFtgUAo
Te+FHR6F1s9adCVZB1teL/hf9R+WmekJwygVz0MYEH7y6U49T45+/W7OF6X6g0W0
j1uSSrsY4qN7twxbTad9zdGZ7ys+9v+PuQIDAQAB
-----END RSA PUBLIC KEY-----
`

	// TestRSAKeyPEM is the key of Telegram's test DCs, fingerprint
	// 0xb25898df208d2603 (-5595554452916591101). Source: tdesktop
	// mtproto_dc_options.cpp kTestPublicRSAKeys at
	// 929032d598f7c521adc1869152463cf9e1160533; fingerprint stated by
	// Lonami/grammers and DrKLO/Telegram.
	TestRSAKeyPEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB
-----END RSA PUBLIC KEY-----
`
)

// PublicKey is a server RSA public key with its MTProto fingerprint.
type PublicKey struct {
	Key         *rsa.PublicKey
	Fingerprint int64
}

// NewPublicKey wraps key with its fingerprint.
func NewPublicKey(key *rsa.PublicKey) PublicKey {
	return PublicKey{Key: key, Fingerprint: RSAFingerprint(key)}
}

// RSAFingerprint returns the MTProto fingerprint of key: the last 8 bytes of
// SHA1(TL bytes(n) ‖ TL bytes(e)), with n and e as minimal big-endian byte
// strings, read as a little-endian int64.
func RSAFingerprint(key *rsa.PublicKey) int64 {
	var buf []byte
	buf = appendTLBytes(buf, key.N.Bytes())
	buf = appendTLBytes(buf, big.NewInt(int64(key.E)).Bytes())
	sum := sha1.Sum(buf)
	return int64(binary.LittleEndian.Uint64(sum[12:20]))
}

// appendTLBytes appends b in the TL bytes/string form: a 1-byte length (or
// 0xfe and a 3-byte little-endian length from 254 bytes on), the bytes, and
// zero padding to a multiple of 4.
func appendTLBytes(dst, b []byte) []byte {
	n := len(b)
	var head int
	if n < 254 {
		dst = append(dst, byte(n))
		head = 1
	} else {
		dst = append(dst, 0xfe, byte(n), byte(n>>8), byte(n>>16))
		head = 4
	}
	dst = append(dst, b...)
	for i := (head + n) % 4; i != 0 && i < 4; i++ {
		dst = append(dst, 0)
	}
	return dst
}

// ParsePublicKeyPEM parses the first RSA public key in data, PKCS#1
// ("RSA PUBLIC KEY") or SubjectPublicKeyInfo ("PUBLIC KEY").
func ParsePublicKeyPEM(data []byte) (PublicKey, error) {
	keys, err := parsePublicKeys(data, true)
	if err != nil {
		return PublicKey{}, err
	}
	return keys[0], nil
}

// ParsePublicKeysPEM parses every RSA public key in data, in order, and
// fails on any PEM block that is not one.
func ParsePublicKeysPEM(data []byte) ([]PublicKey, error) {
	return parsePublicKeys(data, false)
}

func parsePublicKeys(data []byte, firstOnly bool) ([]PublicKey, error) {
	var keys []PublicKey
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		key, err := parsePublicBlock(block)
		if err != nil {
			return nil, err
		}
		keys = append(keys, NewPublicKey(key))
		if firstOnly {
			break
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: expected an \"RSA PUBLIC KEY\" or \"PUBLIC KEY\" block", ErrPEM)
	}
	return keys, nil
}

func parsePublicBlock(block *pem.Block) (*rsa.PublicKey, error) {
	switch block.Type {
	case "RSA PUBLIC KEY":
		key, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#1 public key: %v", ErrPEM, err)
		}
		return key, nil
	case "PUBLIC KEY":
		key, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: SubjectPublicKeyInfo: %v", ErrPEM, err)
		}
		rsaKey, ok := key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: SubjectPublicKeyInfo holds a %T", ErrNotRSAKey, key)
		}
		return rsaKey, nil
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrPEM, block.Type)
	}
}

var builtinKeys = sync.OnceValues(func() (prod, test []PublicKey) {
	prod = mustParseKeys(ProductionRSAKeyPEM + ProductionRSAKey2PEM)
	test = mustParseKeys(TestRSAKeyPEM)
	return prod, test
})

// mustParseKeys parses the compiled-in PEM constants; the tests pin them.
func mustParseKeys(s string) []PublicKey {
	keys, err := ParsePublicKeysPEM([]byte(s))
	if err != nil {
		panic("mtproto/crypto: built-in RSA key does not parse: " + err.Error())
	}
	return keys
}

func cloneKeys(keys []PublicKey) []PublicKey {
	out := make([]PublicKey, len(keys))
	for i, k := range keys {
		out[i] = PublicKey{
			Key:         &rsa.PublicKey{N: new(big.Int).Set(k.Key.N), E: k.Key.E},
			Fingerprint: k.Fingerprint,
		}
	}
	return out
}

// ProductionKeys returns Telegram's production server keys (a fresh copy
// each call): ProductionRSAKeyPEM and ProductionRSAKey2PEM.
func ProductionKeys() []PublicKey {
	prod, _ := builtinKeys()
	return cloneKeys(prod)
}

// TestKeys returns the key of Telegram's test DCs (a fresh copy each call).
func TestKeys() []PublicKey {
	_, test := builtinKeys()
	return cloneKeys(test)
}

// FindPublicKey returns the first key in keys whose fingerprint the server
// offered (resPQ.server_public_key_fingerprints), in the order of keys.
func FindPublicKey(keys []PublicKey, fingerprints []int64) (PublicKey, bool) {
	for _, k := range keys {
		if slices.Contains(fingerprints, k.Fingerprint) {
			return k, true
		}
	}
	return PublicKey{}, false
}

func checkKeySize(n *big.Int) error {
	if n == nil || n.BitLen() != RSAKeyBits {
		bits := 0
		if n != nil {
			bits = n.BitLen()
		}
		return fmt.Errorf("%w: got %d bits", ErrRSAKeySize, bits)
	}
	return nil
}

// rsaEncryptRaw returns m^e mod n as a 256-byte big-endian number. m must be
// 256 bytes or fewer and, as a number, below n.
func rsaEncryptRaw(pub *rsa.PublicKey, m []byte) ([]byte, error) {
	if err := checkKeySize(pub.N); err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(m)
	if x.Cmp(pub.N) >= 0 {
		return nil, fmt.Errorf("%w: plaintext is not below the modulus", ErrRSACiphertext)
	}
	x.Exp(x, big.NewInt(int64(pub.E)), pub.N)
	return x.FillBytes(make([]byte, rsaBlockBytes)), nil
}

// rsaDecryptRaw returns c^d mod n as 256 bytes. The exponentiation is
// blinded with a random r (c·r^e), so its timing does not depend on c.
func rsaDecryptRaw(priv *rsa.PrivateKey, c []byte) ([]byte, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil private key", ErrRSAKeySize)
	}
	n := priv.N
	if err := checkKeySize(n); err != nil {
		return nil, err
	}
	if len(c) != rsaBlockBytes {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrRSACiphertext, len(c), rsaBlockBytes)
	}
	x := new(big.Int).SetBytes(c)
	if x.Cmp(n) >= 0 {
		return nil, fmt.Errorf("%w: ciphertext is not below the modulus", ErrRSACiphertext)
	}
	var r, rInv *big.Int
	for {
		var err error
		r, err = rand.Int(rand.Reader, n)
		if err != nil {
			return nil, fmt.Errorf("mtproto/crypto: RSA blinding: %w", err)
		}
		if r.Sign() == 0 {
			continue
		}
		rInv = new(big.Int).ModInverse(r, n)
		if rInv != nil {
			break
		}
	}
	e := big.NewInt(int64(priv.E))
	x.Mul(x, new(big.Int).Exp(r, e, n)).Mod(x, n)
	x.Exp(x, priv.D, n)
	x.Mul(x, rInv).Mod(x, n)
	return x.FillBytes(make([]byte, rsaBlockBytes)), nil
}

// RSAPadEncrypt encrypts data (at most 144 bytes, e.g. a p_q_inner_data_dc)
// with RSA_PAD, as a client does in req_DH_params (core.telegram.org/mtproto/auth_key,
// step 4.1):
//
//	data_with_padding = data ‖ random bytes, 192 bytes in all
//	data_with_hash    = reverse(data_with_padding) ‖ SHA256(temp_key ‖ data_with_padding)
//	aes_encrypted     = AES256-IGE(data_with_hash, key temp_key, iv 0)
//	key_aes_encrypted = (temp_key XOR SHA256(aes_encrypted)) ‖ aes_encrypted
//	encrypted_data    = key_aes_encrypted ^ e mod n
//
// random (crypto/rand if nil) supplies the padding, then the 32-byte
// temp_key; while key_aes_encrypted is not below n, a new temp_key is read.
// The key must have a 2048-bit modulus. The result is 256 bytes.
func RSAPadEncrypt(pub *rsa.PublicKey, data []byte, random io.Reader) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: nil public key", ErrRSAKeySize)
	}
	if err := checkKeySize(pub.N); err != nil {
		return nil, err
	}
	if len(data) > RSAPadMaxData {
		return nil, fmt.Errorf("%w: %d bytes, RSA_PAD carries at most %d", ErrRSADataTooLong, len(data), RSAPadMaxData)
	}
	if random == nil {
		random = rand.Reader
	}
	var withPadding [rsaPadDataWithPadding]byte
	copy(withPadding[:], data)
	if _, err := io.ReadFull(random, withPadding[len(data):]); err != nil {
		return nil, fmt.Errorf("mtproto/crypto: reading RSA_PAD padding: %w", err)
	}
	var keyAESEncrypted [rsaBlockBytes]byte
	var zeroIV [32]byte
	for {
		var tempKey [32]byte
		if _, err := io.ReadFull(random, tempKey[:]); err != nil {
			return nil, fmt.Errorf("mtproto/crypto: reading RSA_PAD temp_key: %w", err)
		}
		withHash := keyAESEncrypted[32:]
		for i, b := range withPadding {
			withHash[len(withPadding)-1-i] = b
		}
		h := sha256.New()
		h.Write(tempKey[:])
		h.Write(withPadding[:])
		h.Sum(withHash[:rsaPadDataWithPadding]) // appends in place: withHash[192:224]
		var c IGE
		if err := c.init(tempKey[:]); err != nil {
			return nil, err
		}
		if err := c.Encrypt(withHash, withHash, zeroIV[:]); err != nil {
			return nil, err
		}
		mask := sha256.Sum256(withHash)
		subtle.XORBytes(keyAESEncrypted[:32], tempKey[:], mask[:])
		if new(big.Int).SetBytes(keyAESEncrypted[:]).Cmp(pub.N) < 0 {
			break
		}
	}
	return rsaEncryptRaw(pub, keyAESEncrypted[:])
}

// RSAPadDecrypt reverses RSAPadEncrypt on the server: it decrypts the
// 256-byte encrypted_data with priv, recovers temp_key, decrypts and checks
// SHA256(temp_key ‖ data_with_padding), and returns data_with_padding (192
// bytes: the TL data followed by random padding; the caller parses the TL
// to find where the data ends).
//
// Errors: ErrRSAKeySize, ErrRSACiphertext (wrong length, not below n),
// ErrRSAPadHash (the hash does not match: wrong key or corrupted data).
func RSAPadDecrypt(priv *rsa.PrivateKey, encrypted []byte) ([]byte, error) {
	m, err := rsaDecryptRaw(priv, encrypted)
	if err != nil {
		return nil, err
	}
	aesEncrypted := m[32:]
	mask := sha256.Sum256(aesEncrypted)
	var tempKey [32]byte
	subtle.XORBytes(tempKey[:], m[:32], mask[:])
	var zeroIV [32]byte
	var c IGE
	if err := c.init(tempKey[:]); err != nil {
		return nil, err
	}
	withHash := make([]byte, len(aesEncrypted))
	if err := c.Decrypt(withHash, aesEncrypted, zeroIV[:]); err != nil {
		return nil, err
	}
	withPadding := make([]byte, rsaPadDataWithPadding)
	for i := range withPadding {
		withPadding[i] = withHash[rsaPadDataWithPadding-1-i]
	}
	h := sha256.New()
	h.Write(tempKey[:])
	h.Write(withPadding)
	var sum [32]byte
	h.Sum(sum[:0])
	if subtle.ConstantTimeCompare(sum[:], withHash[rsaPadDataWithPadding:]) != 1 {
		return nil, fmt.Errorf("%w: RSA_PAD SHA256(temp_key ‖ data_with_padding) does not match; "+
			"was it encrypted for another key?", ErrRSAPadHash)
	}
	return withPadding, nil
}

// RSALegacyEncrypt encrypts data (at most 235 bytes) the way req_DH_params
// did before RSA_PAD: SHA1(data) ‖ data ‖ random padding to 255 bytes,
// raised to e mod n, as 256 bytes. random is crypto/rand if nil.
func RSALegacyEncrypt(pub *rsa.PublicKey, data []byte, random io.Reader) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: nil public key", ErrRSAKeySize)
	}
	if len(data) > RSALegacyMaxData {
		return nil, fmt.Errorf("%w: %d bytes, legacy RSA carries at most %d", ErrRSADataTooLong, len(data), RSALegacyMaxData)
	}
	if random == nil {
		random = rand.Reader
	}
	var m [rsaBlockBytes]byte // m[0] stays 0: a 255-byte number
	sum := sha1.Sum(data)
	copy(m[1:], sum[:])
	copy(m[1+sha1.Size:], data)
	if _, err := io.ReadFull(random, m[1+sha1.Size+len(data):]); err != nil {
		return nil, fmt.Errorf("mtproto/crypto: reading RSA padding: %w", err)
	}
	return rsaEncryptRaw(pub, m[:])
}

// LegacyPayload is a decrypted legacy RSA message: a SHA1 hash followed by
// the data and its padding. The length of the data is only known once the
// TL inside is parsed; Data then checks the hash.
type LegacyPayload struct {
	Hash            [sha1.Size]byte
	DataWithPadding []byte // 235 bytes
}

// Data returns the first n bytes of DataWithPadding if their SHA1 is Hash
// (compared in constant time), or ErrRSAPadHash.
func (p *LegacyPayload) Data(n int) ([]byte, error) {
	if n < 0 || n > len(p.DataWithPadding) {
		return nil, fmt.Errorf("%w: data length %d outside 0..%d", ErrRSAPadHash, n, len(p.DataWithPadding))
	}
	sum := sha1.Sum(p.DataWithPadding[:n])
	if subtle.ConstantTimeCompare(sum[:], p.Hash[:]) != 1 {
		return nil, fmt.Errorf("%w: SHA1 of the first %d bytes does not match", ErrRSAPadHash, n)
	}
	return p.DataWithPadding[:n], nil
}

// RSALegacyDecrypt decrypts a legacy RSA ciphertext on the server side.
func RSALegacyDecrypt(priv *rsa.PrivateKey, encrypted []byte) (*LegacyPayload, error) {
	m, err := rsaDecryptRaw(priv, encrypted)
	if err != nil {
		return nil, err
	}
	if m[0] != 0 {
		return nil, fmt.Errorf("%w: legacy RSA plaintext is longer than 255 bytes", ErrRSACiphertext)
	}
	p := &LegacyPayload{DataWithPadding: m[1+sha1.Size:]}
	copy(p.Hash[:], m[1:1+sha1.Size])
	return p, nil
}

// GenerateServerKey generates an RSA key for a server (the emulator). bits
// must be 2048, the only size MTProto clients accept.
//
// With random nil or crypto/rand.Reader the key comes from rsa.GenerateKey.
// With any other reader the key is derived from that reader alone, so a
// seeded reader always gives the same key (for reproducible tests; since
// Go 1.26 rsa.GenerateKey ignores its reader). The public exponent is 65537.
func GenerateServerKey(bits int, random io.Reader) (*rsa.PrivateKey, error) {
	if bits != RSAKeyBits {
		return nil, fmt.Errorf("%w: asked for %d bits", ErrRSAKeySize, bits)
	}
	if random == nil || random == rand.Reader {
		return rsa.GenerateKey(rand.Reader, bits)
	}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, err := deterministicPrime(random, bits/2, e)
		if err != nil {
			return nil, err
		}
		q, err := deterministicPrime(random, bits/2, e)
		if err != nil {
			return nil, err
		}
		if p.Cmp(q) == 0 {
			continue
		}
		if p.Cmp(q) < 0 {
			p, q = q, p
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		key := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		key.Precompute()
		if err := key.Validate(); err != nil {
			return nil, fmt.Errorf("mtproto/crypto: generated RSA key is invalid: %w", err)
		}
		return key, nil
	}
}

// deterministicPrime reads candidates of exactly bits bits (top two bits set,
// so two of them multiply to 2·bits bits) until one is prime and p-1 is
// coprime with e.
func deterministicPrime(random io.Reader, bits int, e *big.Int) (*big.Int, error) {
	buf := make([]byte, bits/8)
	p := new(big.Int)
	rem := new(big.Int)
	for {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, fmt.Errorf("mtproto/crypto: reading RSA prime candidate: %w", err)
		}
		buf[0] |= 0xc0
		buf[len(buf)-1] |= 1
		p.SetBytes(buf)
		if rem.Mod(p, e).Cmp(big.NewInt(1)) == 0 {
			continue
		}
		if p.ProbablyPrime(20) {
			return p, nil
		}
	}
}

// MarshalPublicKeyPEM encodes key as a PKCS#1 "RSA PUBLIC KEY" PEM block,
// the form Telegram clients embed.
func MarshalPublicKeyPEM(key *rsa.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(key)})
}

// MarshalPrivateKeyPEM encodes key as a PKCS#1 "RSA PRIVATE KEY" PEM block.
func MarshalPrivateKeyPEM(key *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// ParsePrivateKeyPEM parses an RSA private key from a PKCS#1
// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") PEM block.
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: expected an \"RSA PRIVATE KEY\" or \"PRIVATE KEY\" block", ErrPEM)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#1 private key: %v", ErrPEM, err)
		}
		return key, nil
	case "PRIVATE KEY":
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#8 private key: %v", ErrPEM, err)
		}
		rsaKey, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PKCS#8 holds a %T", ErrNotRSAKey, key)
		}
		return rsaKey, nil
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrPEM, block.Type)
	}
}
