package crypto

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
)

// Seal is one outgoing message being encrypted in two stages: the hash of
// its plaintext (which gives msg_key, and from it the AES key), then the
// IGE encryption. MTProto 2.0 allows nothing else: the key of a message
// depends on all of its plaintext. A sender with several large messages in
// a row can still use the CPU better by hashing the next message in the
// gaps of this one's encryption (EncryptStep with a next Seal): both are
// chains of dependent instructions on different units (AES-NI, SHA-NI), and
// together they cost little more than the encryption alone
// (msgkey_amd64.s).
//
// A Seal is used by one goroutine at a time. It reads the body it was made
// from until it is encrypted, so the body must not change until then.
type Seal struct {
	key *AuthKey
	d   Direction
	out []byte // auth_key_id ‖ msg_key ‖ encrypted data, being built
	// plain is out[24:]. Its bytes [front, front+len(mid)) come from mid,
	// read where it lies; the others are staged in plain.
	plain []byte
	front int
	mid   []byte

	h      sealHash
	hashed bool
	c      IGE
	iv     [32]byte
	pos    int // plaintext bytes encrypted
}

// SealInPlace starts sealing buf as EncryptMessageInPlace does: buf holds
// 24 bytes of room for auth_key_id and msg_key followed by the inner
// message, which is padded (within cap(buf) when there is room) and will be
// encrypted where it lies.
func SealInPlace(key *AuthKey, d Direction, buf []byte, random io.Reader) (*Seal, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: nil *AuthKey", ErrAuthKeySize)
	}
	if len(buf) < 24 {
		return nil, fmt.Errorf("%w: %d bytes leave no room for auth_key_id and msg_key", ErrMessageTooShort, len(buf))
	}
	n := len(buf) - 24
	out := slices.Grow(buf, PaddingLen(n))[:len(buf)+PaddingLen(n)]
	s := &Seal{key: key, d: d, out: out, plain: out[24:]}
	s.front = len(s.plain)
	return s, s.pad(n, random)
}

// SealParts starts sealing head ‖ body as EncryptMessageParts does, without
// copying body: the hash and the encryption read it where it lies. head is
// the inner message's start (the 32-byte header, and any bytes that precede
// body in it); only the bytes that complete head's last 16-byte block and
// body's tail with the padding are staged.
func SealParts(key *AuthKey, d Direction, head, body []byte, random io.Reader) (*Seal, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: nil *AuthKey", ErrAuthKeySize)
	}
	n := len(head) + len(body)
	out := make([]byte, 24+n+PaddingLen(n))
	s := &Seal{key: key, d: d, out: out, plain: out[24:]}
	k := (16 - len(head)%16) % 16 // body bytes that complete head's last block
	copy(s.plain, head)
	if len(body) < k+16 {
		copy(s.plain[len(head):], body)
		s.front = len(s.plain)
		return s, s.pad(n, random)
	}
	// Staged: head ‖ body[:k] at the front, body's last partial block and
	// the padding at the back; the middle stays in body.
	mid := (len(body) - k) / 16 * 16
	copy(s.plain[len(head):], body[:k])
	copy(s.plain[len(head)+k+mid:], body[k+mid:])
	s.front, s.mid = len(head)+k, body[k:k+mid]
	return s, s.pad(n, random)
}

// pad reads the padding after the n plaintext bytes and sets up the hash
// of what msg_key covers: 32 bytes of the key, then the padded plaintext.
func (s *Seal) pad(n int, random io.Reader) error {
	if random == nil {
		random = rand.Reader
	}
	if _, err := io.ReadFull(random, s.plain[n:]); err != nil {
		return fmt.Errorf("mtproto/crypto: reading message padding: %w", err)
	}
	x := s.d.x()
	back := s.front + len(s.mid)
	s.h.init(s.key.key[88+x:120+x], s.plain[:s.front], s.mid, s.plain[back:])
	return nil
}

// Hashed reports whether msg_key is known (Hash has run, or an earlier
// message's EncryptStep hashed all of this one).
func (s *Seal) Hashed() bool { return s.hashed }

// HashPending reports whether at least a block of the plaintext is still
// to be hashed, so that an EncryptStep of another message can take it.
func (s *Seal) HashPending() bool { return !s.hashed && s.h.left() >= 64 }

// Hash finishes the hash of the plaintext, derives the message's key and
// writes auth_key_id and msg_key. Calling it again does nothing.
func (s *Seal) Hash() error {
	if s.hashed {
		return nil
	}
	sum := s.h.finish()
	var msgKey [16]byte
	copy(msgKey[:], sum[8:24])
	iv, err := startMessage(&s.c, s.key, s.d, msgKey, s.out)
	if err != nil {
		return err
	}
	s.iv, s.hashed = iv, true
	return nil
}

// EncryptStep encrypts up to about max more bytes of the message (Hash
// first, if it has not run) and reports whether the message is done. When
// next is not nil and not hashed yet, as much of next's hash as fits runs
// in the same loop as this encryption; Hash on next then finishes it.
func (s *Seal) EncryptStep(next *Seal, limit int) (done bool, err error) {
	if err := s.Hash(); err != nil {
		return false, err
	}
	if next == s || (next != nil && next.hashed) {
		next = nil
	}
	limit = (limit + 15) &^ 15
	for limit > 0 && s.pos < len(s.plain) {
		dst, src := s.region()
		n := min(len(src), limit)
		if next != nil {
			if done := s.encryptFused(dst[:n], src[:n], next); done > 0 {
				s.pos += done
				limit -= done
				continue
			}
		}
		var last [16]byte
		copy(last[:], src[n-16:n]) // before an in-place encryption overwrites it
		if err := s.c.Encrypt(dst[:n], src[:n], s.iv[:]); err != nil {
			return false, err
		}
		copy(s.iv[0:16], dst[n-16:n])
		copy(s.iv[16:32], last[:])
		s.pos += n
		limit -= n
	}
	return s.pos == len(s.plain), nil
}

// region returns where the next plaintext bytes go and where they are read
// from, up to the end of the staged front, the body's middle, or the back.
func (s *Seal) region() (dst, src []byte) {
	back := s.front + len(s.mid)
	switch {
	case s.pos < s.front:
		return s.plain[s.pos:s.front], s.plain[s.pos:s.front]
	case s.pos < back:
		return s.plain[s.pos:back], s.mid[s.pos-s.front:]
	default:
		return s.plain[s.pos:], s.plain[s.pos:]
	}
}

// Finish encrypts the rest of the message alone and returns it:
// auth_key_id ‖ msg_key ‖ encrypted_data.
func (s *Seal) Finish() ([]byte, error) {
	if _, err := s.EncryptStep(nil, math.MaxInt-15); err != nil {
		return nil, err
	}
	return s.out, nil
}

// Len returns the length of the finished message.
func (s *Seal) Len() int { return len(s.out) }

// sealHash is SHA-256 over a few byte slices, resumable, able to hand
// whole 64-byte blocks straight from its input to the fused loop. Without
// the SHA extensions it is crypto/sha256 over the same slices.
type sealHash struct {
	st    [8]uint32
	buf   [64]byte
	nbuf  int
	total int
	segs  [4][]byte
	seg   int
}

func (h *sealHash) init(segs ...[]byte) {
	h.st = sha256IV
	h.nbuf, h.total, h.seg = 0, 0, 0
	for i, p := range segs {
		h.segs[i] = p
		h.total += len(p)
	}
}

// sha256IV is SHA-256's initial hash value (FIPS 180-4 §5.3.3).
var sha256IV = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// feed hashes up to about limit more bytes on its own: whole blocks straight
// from the input, the others through buf.
func (h *sealHash) feed(limit int) {
	for limit > 0 && h.seg < len(h.segs) {
		p := h.segs[h.seg]
		if len(p) == 0 {
			h.seg++
			continue
		}
		if h.nbuf == 0 && len(p) >= 64 {
			n := max(64, min(len(p), limit)/64*64)
			sha256BlocksAsm(&h.st, &p[0], n/64)
			h.segs[h.seg] = p[n:]
			limit -= n
			continue
		}
		c := copy(h.buf[h.nbuf:], p[:min(len(p), limit)])
		h.nbuf += c
		h.segs[h.seg] = p[c:]
		limit -= c
		if h.nbuf == 64 {
			sha256BlocksAsm(&h.st, &h.buf[0], 1)
			h.nbuf = 0
		}
	}
}

// blocks returns the whole 64-byte blocks the hash takes next straight
// from its input, after it has taken the bytes before them through buf;
// nil when only a last partial block is left.
func (h *sealHash) blocks() []byte {
	if !useSHANI {
		return nil
	}
	for h.seg < len(h.segs) {
		p := h.segs[h.seg]
		switch {
		case h.nbuf > 0:
			h.feed(64 - h.nbuf)
		case len(p) == 0:
			h.seg++
		case len(p) < 64:
			h.feed(len(p))
		default:
			return p[:len(p)/64*64]
		}
	}
	return nil
}

// left returns how many input bytes are not hashed yet (buffered or not).
func (h *sealHash) left() int {
	n := h.nbuf
	for _, p := range h.segs[h.seg:] {
		n += len(p)
	}
	return n
}

// consumed records that the fused loop hashed the first n bytes blocks
// returned.
func (h *sealHash) consumed(n int) { h.segs[h.seg] = h.segs[h.seg][n:] }

// finish hashes the rest and the padding (FIPS 180-4 §5.1.1).
func (h *sealHash) finish() (sum [32]byte) {
	if !useSHANI {
		d := sha256.New()
		for _, p := range h.segs[h.seg:] {
			d.Write(p)
		}
		d.Sum(sum[:0])
		return sum
	}
	h.feed(math.MaxInt)
	var block [128]byte
	copy(block[:], h.buf[:h.nbuf])
	block[h.nbuf] = 0x80
	blocks := 1
	if h.nbuf+1 > 56 {
		blocks = 2
	}
	binary.BigEndian.PutUint64(block[64*blocks-8:], uint64(h.total)*8)
	sha256BlocksAsm(&h.st, &block[0], blocks)
	for i, v := range h.st {
		binary.BigEndian.PutUint32(sum[4*i:], v)
	}
	return sum
}
