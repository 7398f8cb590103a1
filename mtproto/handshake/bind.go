package handshake

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// ErrBindMessage reports an auth.bindTempAuthKey encrypted_message that does
// not decrypt or verify with the permanent key (ENCRYPTED_MESSAGE_INVALID).
var ErrBindMessage = errors.New("handshake: invalid bindTempAuthKey encrypted_message")

// Binding a temporary key to a permanent one (perfect forward secrecy,
// core.telegram.org/api/pfs and core.telegram.org/method/auth.bindTempAuthKey):
// the client sends auth.bindTempAuthKey over the temporary key; its
// encrypted_message is a bind_auth_key_inner encrypted with the permanent
// key in the MTProto 1.0 format (msg_key = SHA1(plaintext)[4:20], SHA-1 key
// derivation), with random salt and session id and seq_no 0.

// kdfV1 derives the MTProto 1.0 AES key and IV (client to server, x = 0).
func kdfV1(authKey []byte, msgKey []byte) (key, iv [32]byte) {
	sum := func(parts ...[]byte) [20]byte {
		h := sha1.New()
		for _, p := range parts {
			h.Write(p)
		}
		var out [20]byte
		h.Sum(out[:0])
		return out
	}
	a := sum(msgKey, authKey[0:32])
	b := sum(authKey[32:48], msgKey, authKey[48:64])
	c := sum(authKey[64:96], msgKey)
	d := sum(msgKey, authKey[96:128])
	copy(key[0:8], a[0:8])
	copy(key[8:20], b[8:20])
	copy(key[20:32], c[4:16])
	copy(iv[0:12], a[8:20])
	copy(iv[12:20], b[0:8])
	copy(iv[20:24], c[16:20])
	copy(iv[24:32], d[0:8])
	return key, iv
}

// BindMessage builds the encrypted_message of auth.bindTempAuthKey. msgID
// must be the msg_id of the message that will carry the call (over the
// temporary key); random supplies salt, session id and padding.
func BindMessage(perm *crypto.AuthKey, inner *mt.BindAuthKeyInner, msgID int64, random io.Reader) ([]byte, error) {
	body, err := tl.Encode(inner)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, 32, 32+len(body)+16)
	if _, err := io.ReadFull(random, plain[0:16]); err != nil { // salt, session_id
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	binary.LittleEndian.PutUint64(plain[16:], uint64(msgID))
	binary.LittleEndian.PutUint32(plain[24:], 0)
	binary.LittleEndian.PutUint32(plain[28:], uint32(len(body)))
	plain = append(plain, body...)
	sum := sha1.Sum(plain)
	msgKey := sum[4:20]
	pad := make([]byte, (16-len(plain)%16)%16)
	if _, err := io.ReadFull(random, pad); err != nil {
		return nil, fmt.Errorf("handshake: random source: %w", err)
	}
	plain = append(plain, pad...)
	key, iv := kdfV1(perm.Bytes(), msgKey)
	enc, err := crypto.IGEEncrypt(key[:], iv[:], plain)
	if err != nil {
		return nil, err
	}
	id := perm.ID()
	out := append(id[:], msgKey...)
	return append(out, enc...), nil
}

// OpenBindMessage decrypts and verifies an encrypted_message with the
// permanent key (server side) and returns the binding and the msg_id it
// names, which must equal the msg_id of the carrying message.
func OpenBindMessage(perm *crypto.AuthKey, msg []byte) (*mt.BindAuthKeyInner, int64, error) {
	if len(msg) < 24+48 || (len(msg)-24)%16 != 0 {
		return nil, 0, fmt.Errorf("%w: %d bytes", ErrBindMessage, len(msg))
	}
	id := perm.ID()
	if subtle.ConstantTimeCompare(msg[:8], id[:]) != 1 {
		return nil, 0, fmt.Errorf("%w: not encrypted with this permanent key", ErrBindMessage)
	}
	msgKey := msg[8:24]
	key, iv := kdfV1(perm.Bytes(), msgKey)
	plain, err := crypto.IGEDecrypt(key[:], iv[:], msg[24:])
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrBindMessage, err)
	}
	n := int(binary.LittleEndian.Uint32(plain[28:]))
	if n < 4 || n > len(plain)-32 || len(plain)-32-n > 15 {
		return nil, 0, fmt.Errorf("%w: length %d", ErrBindMessage, n)
	}
	sum := sha1.Sum(plain[:32+n])
	if subtle.ConstantTimeCompare(sum[4:20], msgKey) != 1 {
		return nil, 0, fmt.Errorf("%w: msg_key mismatch", ErrBindMessage)
	}
	d := tl.NewDecoder(plain[32 : 32+n])
	if d.Uint32() != (&mt.BindAuthKeyInner{}).TypeID() {
		return nil, 0, fmt.Errorf("%w: not a bind_auth_key_inner", ErrBindMessage)
	}
	var inner mt.BindAuthKeyInner
	inner.DecodeBare(d)
	if d.Err() != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrBindMessage, d.Err())
	}
	return &inner, int64(binary.LittleEndian.Uint64(plain[16:])), nil
}
