package crypto

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
)

// AuthKeySize is the size of an MTProto authorization key in bytes.
const AuthKeySize = 256

// Padding bounds of MTProto 2.0: 12 to 1024 random bytes, and the padded
// plaintext a multiple of 16 bytes.
const (
	// MinPadding is the least padding an encrypted message may carry.
	MinPadding = 12
	// MaxPadding is the most padding an encrypted message may carry.
	MaxPadding = 1024
)

// messageHeaderSize is salt(8) + session_id(8) + msg_id(8) + seq_no(4) +
// message_data_length(4): the inner header in front of every encrypted message.
const messageHeaderSize = 32

// Direction says who sent a message. It selects x in the MTProto 2.0 key
// derivation: x = 0 for messages from client to server, x = 8 for messages
// from server to client. Only two values exist; the zero value is ClientToServer.
type Direction bool

const (
	// ClientToServer is the direction of messages sent by a client (x = 0).
	ClientToServer Direction = false
	// ServerToClient is the direction of messages sent by a server (x = 8).
	ServerToClient Direction = true
)

func (d Direction) x() int {
	if d == ServerToClient {
		return 8
	}
	return 0
}

// String returns "client->server" or "server->client".
func (d Direction) String() string {
	if d == ServerToClient {
		return "server->client"
	}
	return "client->server"
}

// AuthKey is a 2048-bit MTProto authorization key together with the values
// derived from it. Its String and GoString methods print only the key id, so
// logging an AuthKey never leaks the key. The zero value is the all-zero key
// (consistent, but useless); real keys come from NewAuthKey.
type AuthKey struct {
	key [AuthKeySize]byte
	id  [8]byte
	aux [8]byte
	set bool
}

// NewAuthKey copies a 256-byte auth key (the big-endian g^ab mod p of the
// handshake) and derives its id and aux hash.
func NewAuthKey(key []byte) (*AuthKey, error) {
	if len(key) != AuthKeySize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrAuthKeySize, len(key))
	}
	k := &AuthKey{set: true}
	copy(k.key[:], key)
	k.id, k.aux = deriveKeyIDs(k.key[:])
	return k, nil
}

func deriveKeyIDs(key []byte) (id, aux [8]byte) {
	sum := sha1.Sum(key)
	copy(aux[:], sum[0:8])
	copy(id[:], sum[12:20])
	return id, aux
}

func (k *AuthKey) ids() (id, aux [8]byte) {
	if k.set {
		return k.id, k.aux
	}
	return deriveKeyIDs(k.key[:])
}

// ID returns auth_key_id, the 64 lower-order bits of SHA1(auth_key)
// (bytes 12..20), as it appears on the wire.
func (k *AuthKey) ID() [8]byte {
	id, _ := k.ids()
	return id
}

// IDInt64 returns auth_key_id read as a little-endian int64 (the TL long).
func (k *AuthKey) IDInt64() int64 {
	id := k.ID()
	return int64(binary.LittleEndian.Uint64(id[:]))
}

// AuxHash returns auth_key_aux_hash, the 64 higher-order bits of SHA1(auth_key).
func (k *AuthKey) AuxHash() [8]byte {
	_, aux := k.ids()
	return aux
}

// Bytes returns a copy of the 256 key bytes.
func (k *AuthKey) Bytes() []byte {
	b := make([]byte, AuthKeySize)
	copy(b, k.key[:])
	return b
}

// Equal reports whether k and other hold the same key, in constant time.
func (k *AuthKey) Equal(other *AuthKey) bool {
	if k == nil || other == nil {
		return k == other
	}
	return subtle.ConstantTimeCompare(k.key[:], other.key[:]) == 1
}

// String returns "AuthKey(<hex id>)": the key material itself is never printed.
func (k *AuthKey) String() string {
	if k == nil {
		return "AuthKey(nil)"
	}
	id := k.ID()
	return "AuthKey(" + hex.EncodeToString(id[:]) + ")"
}

// GoString is String, so %#v does not print the key either.
func (k *AuthKey) GoString() string { return k.String() }

// AuthKeyID returns auth_key_id for a 256-byte auth key: SHA1(auth_key)[12:20].
func AuthKeyID(authKey []byte) ([8]byte, error) {
	if len(authKey) != AuthKeySize {
		return [8]byte{}, fmt.Errorf("%w: got %d bytes", ErrAuthKeySize, len(authKey))
	}
	id, _ := deriveKeyIDs(authKey)
	return id, nil
}

// AuxHash returns auth_key_aux_hash for a 256-byte auth key: SHA1(auth_key)[0:8].
func AuxHash(authKey []byte) ([8]byte, error) {
	if len(authKey) != AuthKeySize {
		return [8]byte{}, fmt.Errorf("%w: got %d bytes", ErrAuthKeySize, len(authKey))
	}
	_, aux := deriveKeyIDs(authKey)
	return aux, nil
}

// NewNonceHash returns new_nonce_hash1, 2 or 3 (n = 1 for dh_gen_ok, 2 for
// dh_gen_retry, 3 for dh_gen_fail): the 128 lower-order bits of
// SHA1(new_nonce ‖ byte(n) ‖ auth_key_aux_hash).
func NewNonceHash(newNonce [32]byte, n byte, authKey []byte) ([16]byte, error) {
	aux, err := AuxHash(authKey)
	if err != nil {
		return [16]byte{}, err
	}
	var buf [32 + 1 + 8]byte
	copy(buf[:32], newNonce[:])
	buf[32] = n
	copy(buf[33:], aux[:])
	sum := sha1.Sum(buf[:])
	var out [16]byte
	copy(out[:], sum[4:20])
	return out, nil
}

// TmpAESKeyIV derives the handshake's tmp_aes_key and tmp_aes_iv, which
// encrypt server_DH_inner_data and client_DH_inner_data:
//
//	tmp_aes_key = SHA1(new_nonce ‖ server_nonce) ‖ SHA1(server_nonce ‖ new_nonce)[0:12]
//	tmp_aes_iv  = SHA1(server_nonce ‖ new_nonce)[12:20] ‖ SHA1(new_nonce ‖ new_nonce) ‖ new_nonce[0:4]
func TmpAESKeyIV(serverNonce [16]byte, newNonce [32]byte) (key, iv [32]byte) {
	var ns, sn [48]byte
	copy(ns[:32], newNonce[:])
	copy(ns[32:], serverNonce[:])
	copy(sn[:16], serverNonce[:])
	copy(sn[16:], newNonce[:])
	var nn [64]byte
	copy(nn[:32], newNonce[:])
	copy(nn[32:], newNonce[:])
	hNS := sha1.Sum(ns[:])
	hSN := sha1.Sum(sn[:])
	hNN := sha1.Sum(nn[:])
	copy(key[0:20], hNS[:])
	copy(key[20:32], hSN[0:12])
	copy(iv[0:8], hSN[12:20])
	copy(iv[8:28], hNN[:])
	copy(iv[28:32], newNonce[0:4])
	return key, iv
}

// InitialServerSalt returns the first server salt of a new auth key,
// new_nonce[0:8] XOR server_nonce[0:8], read as a little-endian int64.
func InitialServerSalt(newNonce [32]byte, serverNonce [16]byte) int64 {
	return int64(binary.LittleEndian.Uint64(newNonce[0:8]) ^ binary.LittleEndian.Uint64(serverNonce[0:8]))
}

// MessageKey returns msg_key for a plaintext including its padding:
// the middle 128 bits of SHA256(auth_key[88+x : 120+x] ‖ plaintext).
func MessageKey(key *AuthKey, d Direction, plaintextWithPadding []byte) [16]byte {
	x := d.x()
	h := sha256.New()
	h.Write(key.key[88+x : 120+x])
	h.Write(plaintextWithPadding)
	var sum [32]byte
	h.Sum(sum[:0])
	var msgKey [16]byte
	copy(msgKey[:], sum[8:24])
	return msgKey
}

// MessageAESKeyIV derives the AES-256-IGE key and IV of one message:
//
//	a = SHA256(msg_key ‖ auth_key[x : x+36])
//	b = SHA256(auth_key[40+x : 76+x] ‖ msg_key)
//	aes_key = a[0:8] ‖ b[8:24] ‖ a[24:32]
//	aes_iv  = b[0:8] ‖ a[8:24] ‖ b[24:32]
func MessageAESKeyIV(key *AuthKey, d Direction, msgKey [16]byte) (aesKey, aesIV [32]byte) {
	x := d.x()
	var in [52]byte
	copy(in[:16], msgKey[:])
	copy(in[16:], key.key[x:x+36])
	a := sha256.Sum256(in[:])
	copy(in[:36], key.key[40+x:76+x])
	copy(in[36:], msgKey[:])
	b := sha256.Sum256(in[:])
	copy(aesKey[0:8], a[0:8])
	copy(aesKey[8:24], b[8:24])
	copy(aesKey[24:32], a[24:32])
	copy(aesIV[0:8], b[0:8])
	copy(aesIV[8:24], a[8:24])
	copy(aesIV[24:32], b[24:32])
	return aesKey, aesIV
}

// PaddingLen returns the smallest valid padding for a plaintext of n bytes:
// between 12 and 27 bytes, making n + padding a multiple of 16.
func PaddingLen(n int) int {
	return MinPadding + (16-(n+MinPadding)%16)%16
}

// CheckPadding reports whether padding bytes after n plaintext bytes obey
// MTProto 2.0: 12..1024 bytes, and n + padding a multiple of 16.
func CheckPadding(n, padding int) error {
	if padding < MinPadding || padding > MaxPadding || (n+padding)%16 != 0 || n < 0 {
		return fmt.Errorf("%w: %d bytes of padding after %d bytes; need 12..1024 and a multiple of 16 in total",
			ErrPayloadLength, padding, n)
	}
	return nil
}

// EncryptMessage encrypts an inner message (server salt, session id,
// msg_id, seq_no, length and body) under key for direction d. It appends
// PaddingLen(len(plaintext)) random bytes read from random (crypto/rand if
// nil) and returns auth_key_id ‖ msg_key ‖ encrypted_data.
func EncryptMessage(key *AuthKey, d Direction, plaintext []byte, random io.Reader) ([]byte, error) {
	out := make([]byte, 24+len(plaintext), 24+len(plaintext)+PaddingLen(len(plaintext)))
	copy(out[24:], plaintext)
	return EncryptMessageInPlace(key, d, out, random)
}

// EncryptMessageInPlace is EncryptMessage without a copy of the plaintext:
// buf holds 24 bytes of room for auth_key_id and msg_key followed by the
// inner message, which is padded (within cap(buf) when there is room, so
// give it PaddingLen more) and encrypted where it lies. It returns the
// message, which shares buf's memory when it fitted.
func EncryptMessageInPlace(key *AuthKey, d Direction, buf []byte, random io.Reader) ([]byte, error) {
	s, err := SealInPlace(key, d, buf, random)
	if err != nil {
		return nil, err
	}
	return s.Finish()
}

// EncryptMessageParts is EncryptMessage of head ‖ body without copying body:
// the hash reads it where it lies and the IGE encryption reads it from there
// into the new message, so a large body (a file part) is not first copied
// into a plaintext buffer. head is the inner message's start (the 32-byte
// header, and any bytes that precede body in it); only the bytes that
// complete head's last 16-byte block and body's tail with the padding are
// staged. The result is the same as EncryptMessage's for the same padding.
func EncryptMessageParts(key *AuthKey, d Direction, head, body []byte, random io.Reader) ([]byte, error) {
	s, err := SealParts(key, d, head, body, random)
	if err != nil {
		return nil, err
	}
	return s.Finish()
}

// startMessage writes auth_key_id and msgKey into out[0:24], sets c to the
// message's AES key and returns its IV.
func startMessage(c *IGE, key *AuthKey, d Direction, msgKey [16]byte, out []byte) ([32]byte, error) {
	aesKey, aesIV := MessageAESKeyIV(key, d, msgKey)
	id := key.ID()
	copy(out[0:8], id[:])
	copy(out[8:24], msgKey[:])
	return aesIV, c.init(aesKey[:])
}

// DecryptMessage decrypts auth_key_id ‖ msg_key ‖ encrypted_data sent in
// direction d (a client decrypts ServerToClient messages, a server
// ClientToServer ones). It checks the auth key id, the msg_key (in constant
// time, over the whole decrypted plaintext and padding), and that the inner
// message_data_length is a multiple of 4 that leaves 12..1024 bytes of
// padding. It returns the inner message without padding: the 32-byte header
// (salt, session_id, msg_id, seq_no, length) and the body.
//
// Errors: ErrAuthKeySize, ErrMessageTooShort, ErrMessageLength,
// ErrAuthKeyIDMismatch, ErrMsgKeyMismatch, ErrPayloadLength. A message that
// fails any check must be dropped (and, per the security guidelines, the
// connection closed); the error says which check failed.
func DecryptMessage(key *AuthKey, d Direction, message []byte) ([]byte, error) {
	return checkInner(decryptMessageData(key, d, nil, message))
}

// DecryptMessageInPlace is DecryptMessage decrypting where the message lies:
// the inner message it returns shares message's memory (which the caller
// must own), so a large message costs no copy and no allocation.
func DecryptMessageInPlace(key *AuthKey, d Direction, message []byte) ([]byte, error) {
	if len(message) < 24 {
		return checkInner(decryptMessageData(key, d, nil, message))
	}
	return checkInner(decryptMessageData(key, d, message[24:], message))
}

// checkInner checks the inner message's length and padding bounds.
func checkInner(plain []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if len(plain) < messageHeaderSize+MinPadding {
		return nil, fmt.Errorf("%w: %d decrypted bytes cannot hold the 32-byte header and padding",
			ErrPayloadLength, len(plain))
	}
	length := binary.LittleEndian.Uint32(plain[28:32])
	room := uint32(len(plain) - messageHeaderSize)
	if length%4 != 0 || length > room {
		return nil, fmt.Errorf("%w: message_data_length %d with %d bytes after the header",
			ErrPayloadLength, length, room)
	}
	if err := CheckPadding(int(length)+messageHeaderSize, int(room-length)); err != nil {
		return nil, err
	}
	return plain[:messageHeaderSize+int(length)], nil
}

// DecryptMessageData decrypts a message like DecryptMessage and checks the
// auth key id and msg_key, but returns the whole plaintext with its padding
// and does not look inside it. Use it for payloads that are not inner
// messages; DecryptMessage is the right call for MTProto traffic.
func DecryptMessageData(key *AuthKey, d Direction, message []byte) ([]byte, error) {
	return decryptMessageData(key, d, nil, message)
}

// decryptMessageData decrypts into dst when it has room (dst may be the
// encrypted data itself: IGE decrypts in place), else into a new buffer.
func decryptMessageData(key *AuthKey, d Direction, dst, message []byte) ([]byte, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: nil *AuthKey", ErrAuthKeySize)
	}
	if len(message) < 24+16 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMessageTooShort, len(message))
	}
	data := message[24:]
	if len(data)%16 != 0 {
		return nil, fmt.Errorf("%w: %d bytes of encrypted data", ErrMessageLength, len(data))
	}
	id := key.ID()
	if subtle.ConstantTimeCompare(message[0:8], id[:]) != 1 {
		return nil, fmt.Errorf("%w: message is for key %x, this is %s", ErrAuthKeyIDMismatch, message[0:8], key)
	}
	var msgKey [16]byte
	copy(msgKey[:], message[8:24])
	aesKey, aesIV := MessageAESKeyIV(key, d, msgKey)
	var c IGE
	if err := c.init(aesKey[:]); err != nil {
		return nil, err
	}
	plain := dst
	if cap(plain) < len(data) {
		plain = make([]byte, len(data))
	}
	plain = plain[:len(data)]
	// msg_key = SHA256(auth_key[88+x : 120+x] ‖ plaintext)[8:24]; in one pass
	// with the decryption where the CPU allows (msgkey_amd64.s).
	x := d.x()
	if sum, ok := decryptAndHash(&c, plain, data, aesIV, key.key[88+x:120+x]); ok {
		if subtle.ConstantTimeCompare(sum[8:24], msgKey[:]) != 1 {
			return nil, fmt.Errorf("%w (direction %s)", ErrMsgKeyMismatch, d)
		}
		return plain, nil
	}
	if err := c.Decrypt(plain, data, aesIV[:]); err != nil {
		return nil, err
	}
	want := MessageKey(key, d, plain)
	if subtle.ConstantTimeCompare(want[:], msgKey[:]) != 1 {
		return nil, fmt.Errorf("%w (direction %s)", ErrMsgKeyMismatch, d)
	}
	return plain, nil
}
