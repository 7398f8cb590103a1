package transport

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Fake-TLS, the transport of MTProxy "ee" secrets (behaviour as implemented
// by Telegram's MTProxy and TDLib; no official specification exists):
//
//   - the client sends a TLS 1.3-looking ClientHello for the secret's domain
//     whose 32-byte random is HMAC-SHA256(key, hello with a zero random), its
//     last 4 bytes XORed with the little-endian unix time;
//   - the server answers ServerHello + ChangeCipherSpec + one application-data
//     record of random bytes, all in one flight, whose ServerHello random is
//     HMAC-SHA256(key, client random ‖ that flight with a zero random);
//   - the client sends a ChangeCipherSpec record, then both sides carry the
//     obfuscated2 stream in application-data records.

const (
	tlsHeaderLen    = 5
	tlsRandomAt     = 11  // record header (5) + handshake header (4) + legacy version (2)
	tlsHelloPayload = 512 // record payload size of the hellos real clients send; some proxies insist on it
	maxTLSRecordOut = 1 << 14
	maxTLSRecordIn  = 1<<14 + 2048 // TLSCiphertext bound (RFC 8446 §5.2)

	recordChangeCipherSpec = 0x14
	recordAlert            = 0x15
	recordHandshake        = 0x16
	recordApplicationData  = 0x17

	replayCacheSize = 1 << 16 // fake-TLS hellos remembered by a Server
)

// DefaultTimestampWindow is how far a fake-TLS ClientHello's time may be from
// the server's clock (either way) before the server refuses it.
const DefaultTimestampWindow = 10 * time.Minute

var changeCipherSpec = []byte{recordChangeCipherSpec, 0x03, 0x03, 0x00, 0x01, 0x01}

// tlsCursor is a bounds-checked reader over handshake bytes.
type tlsCursor []byte

func (c *tlsCursor) take(n int) ([]byte, bool) {
	if n < 0 || len(*c) < n {
		return nil, false
	}
	b := (*c)[:n]
	*c = (*c)[n:]
	return b, true
}

func (c *tlsCursor) u8() (int, bool) {
	b, ok := c.take(1)
	if !ok {
		return 0, false
	}
	return int(b[0]), true
}

func (c *tlsCursor) u16() (int, bool) {
	b, ok := c.take(2)
	if !ok {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b)), true
}

// vec16 takes a vector with a 2-byte length prefix.
func (c *tlsCursor) vec16() (tlsCursor, bool) {
	n, ok := c.u16()
	if !ok {
		return nil, false
	}
	b, ok := c.take(n)
	return tlsCursor(b), ok
}

func appendU16(b []byte, v int) []byte { return append(b, byte(v>>8), byte(v)) }

func appendExtension(b []byte, typ uint16, data ...byte) []byte {
	b = appendU16(b, int(typ))
	b = appendU16(b, len(data))
	return append(b, data...)
}

// grease returns a GREASE value (RFC 8701) chosen by x.
func grease(x byte) uint16 {
	v := uint16(x&0xf0 | 0x0a)
	return v<<8 | v
}

func hi(v uint16) byte { return byte(v >> 8) }
func lo(v uint16) byte { return byte(v) }

// buildClientHello returns a ClientHello record shaped like a current
// browser's, with a zero random (to be signed) and the domain as SNI. It
// consumes 66 bytes of rnd: session id, X25519 key, two GREASE values.
func buildClientHello(rnd io.Reader, domain string) ([]byte, error) {
	var r [66]byte
	if _, err := io.ReadFull(rnd, r[:]); err != nil {
		return nil, fmt.Errorf("transport: reading fake-TLS randomness: %w", err)
	}
	priv, err := ecdh.X25519().NewPrivateKey(r[32:64])
	if err != nil {
		return nil, fmt.Errorf("transport: fake-TLS key share: %w", err)
	}
	pub := priv.PublicKey().Bytes()
	g1, g2 := grease(r[64]), grease(r[65])
	if g1 == g2 {
		g2 ^= 0x1010
	}

	b := make([]byte, 0, tlsHeaderLen+tlsHelloPayload+64)
	b = append(b, recordHandshake, 0x03, 0x01, 0, 0) // length patched below
	b = append(b, 0x01, 0, 0, 0)                     // ClientHello, length patched below
	b = append(b, 0x03, 0x03)                        // legacy_version TLS 1.2
	b = append(b, make([]byte, 32)...)               // random, signed later
	b = append(b, 32)
	b = append(b, r[:32]...) // legacy_session_id
	suites := []uint16{g1, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
		0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	b = appendU16(b, 2*len(suites))
	for _, s := range suites {
		b = appendU16(b, int(s))
	}
	b = append(b, 0x01, 0x00) // compression: null only

	extAt := len(b)
	b = append(b, 0, 0)
	b = appendExtension(b, g1)
	sni := appendU16(nil, len(domain)+3)
	sni = append(sni, 0) // host_name
	sni = appendU16(sni, len(domain))
	b = appendExtension(b, 0x0000, append(sni, domain...)...)                       // server_name
	b = appendExtension(b, 0x0017)                                                  // extended_master_secret
	b = appendExtension(b, 0xff01, 0x00)                                            // renegotiation_info
	b = appendExtension(b, 0x000a, 0, 8, hi(g2), lo(g2), 0, 0x1d, 0, 0x17, 0, 0x18) // groups: GREASE, x25519, P-256, P-384
	b = appendExtension(b, 0x000b, 0x01, 0x00)                                      // ec_point_formats: uncompressed
	b = appendExtension(b, 0x0023)                                                  // session_ticket
	b = appendExtension(b, 0x0010, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1')
	b = appendExtension(b, 0x0005, 0x01, 0, 0, 0, 0) // status_request: OCSP
	b = appendExtension(b, 0x000d, 0, 16, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03,
		0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01) // signature_algorithms
	b = appendExtension(b, 0x0012) // signed_certificate_timestamp
	ks := []byte{0, 41, hi(g2), lo(g2), 0, 1, 0, 0, 0x1d, 0, 32}
	b = appendExtension(b, 0x0033, append(ks, pub...)...)         // key_share: GREASE, x25519
	b = appendExtension(b, 0x002d, 0x01, 0x01)                    // psk_key_exchange_modes: psk_dhe_ke
	b = appendExtension(b, 0x002b, 6, hi(g1), lo(g1), 3, 4, 3, 3) // supported_versions: GREASE, 1.3, 1.2
	b = appendExtension(b, 0x001b, 2, 0, 2)                       // compress_certificate: brotli
	b = appendExtension(b, g2, 0)
	if pad := tlsHeaderLen + tlsHelloPayload - len(b) - 4; pad >= 0 {
		b = appendExtension(b, 0x0015, make([]byte, pad)...) // padding to the usual 512 bytes
	}
	binary.BigEndian.PutUint16(b[extAt:], uint16(len(b)-extAt-2))
	hsLen := len(b) - tlsHeaderLen - 4
	b[6], b[7], b[8] = byte(hsLen>>16), byte(hsLen>>8), byte(hsLen)
	binary.BigEndian.PutUint16(b[3:], uint16(len(b)-tlsHeaderLen))
	return b, nil
}

func helloMAC(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// fakeTLSClientHandshake sends the signed ClientHello and verifies the
// server's answer. It returns after the server's first flight; the caller
// then wraps the stream in TLS records.
func fakeTLSClientHandshake(w io.Writer, r io.Reader, s *Secret, rnd io.Reader, now time.Time) error {
	hello, err := buildClientHello(rnd, s.Domain)
	if err != nil {
		return err
	}
	digest := helloMAC(s.Key[:], hello)
	ts := uint32(now.Unix())
	binary.LittleEndian.PutUint32(digest[28:], binary.LittleEndian.Uint32(digest[28:])^ts)
	copy(hello[tlsRandomAt:], digest)
	if _, err := w.Write(hello); err != nil {
		return fmt.Errorf("transport: sending fake-TLS ClientHello: %w", err)
	}
	return readServerHello(r, s.Key[:], digest)
}

func readFullTLS(r io.Reader, b []byte, what string) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("transport: reading fake-TLS %s: %w", what, err)
	}
	return nil
}

// readServerHello reads ServerHello + ChangeCipherSpec + application data and
// checks the ServerHello random against the secret.
func readServerHello(r io.Reader, key, clientRandom []byte) error {
	var hdr [tlsHeaderLen]byte
	if err := readFullTLS(r, hdr[:], "ServerHello"); err != nil {
		return err
	}
	n1 := int(binary.BigEndian.Uint16(hdr[3:]))
	if hdr[0] != recordHandshake || hdr[1] != 3 || hdr[2] != 3 || n1 < tlsRandomAt+32-tlsHeaderLen || n1 > maxTLSRecordIn {
		return fmt.Errorf("%w: expected a TLS 1.2 handshake record with a ServerHello, got header % x", ErrBadTLS, hdr)
	}
	resp := make([]byte, tlsHeaderLen+n1, tlsHeaderLen+n1+len(changeCipherSpec)+tlsHeaderLen+4096)
	copy(resp, hdr[:])
	if err := readFullTLS(r, resp[tlsHeaderLen:], "ServerHello"); err != nil {
		return err
	}
	if resp[tlsHeaderLen] != 0x02 {
		return fmt.Errorf("%w: handshake message type %d is not ServerHello", ErrBadTLS, resp[tlsHeaderLen])
	}
	var ccs [6]byte
	if err := readFullTLS(r, ccs[:], "ChangeCipherSpec"); err != nil {
		return err
	}
	if string(ccs[:]) != string(changeCipherSpec) {
		return fmt.Errorf("%w: expected ChangeCipherSpec after ServerHello, got % x", ErrBadTLS, ccs)
	}
	resp = append(resp, ccs[:]...)
	if err := readFullTLS(r, hdr[:], "application data"); err != nil {
		return err
	}
	n2 := int(binary.BigEndian.Uint16(hdr[3:]))
	if hdr[0] != recordApplicationData || hdr[1] != 3 || hdr[2] != 3 || n2 > maxTLSRecordIn {
		return fmt.Errorf("%w: expected an application-data record after ChangeCipherSpec, got header % x", ErrBadTLS, hdr)
	}
	resp = append(resp, hdr[:]...)
	start := len(resp)
	resp = append(resp, make([]byte, n2)...)
	if err := readFullTLS(r, resp[start:], "application data"); err != nil {
		return err
	}
	var serverRandom [32]byte
	copy(serverRandom[:], resp[tlsRandomAt:])
	clear(resp[tlsRandomAt : tlsRandomAt+32])
	if !hmac.Equal(helloMAC(key, clientRandom, resp), serverRandom[:]) {
		return fmt.Errorf("%w: the ServerHello is not signed with this secret (wrong secret, or not an MTProxy)", ErrSecretMismatch)
	}
	return nil
}

// clientHelloInfo is what the server needs from a ClientHello.
type clientHelloInfo struct {
	sessionID  []byte
	serverName string
}

// parseClientHello walks a ClientHello record (random already checked) for
// the session id and the SNI host name.
func parseClientHello(rec []byte) (clientHelloInfo, error) {
	var info clientHelloInfo
	bad := func(what string) (clientHelloInfo, error) {
		return info, fmt.Errorf("%w: ClientHello %s", ErrBadTLS, what)
	}
	c := tlsCursor(rec[tlsHeaderLen:])
	typ, _ := c.u8()
	l, ok := c.take(3)
	if typ != 0x01 || !ok {
		return bad("is not a ClientHello")
	}
	if int(l[0])<<16|int(l[1])<<8|int(l[2]) != len(c) {
		return bad("length does not match its record")
	}
	if _, ok := c.take(2 + 32); !ok {
		return bad("is too short")
	}
	n, ok := c.u8()
	if !ok || n > 32 {
		return bad("session id is malformed")
	}
	if info.sessionID, ok = c.take(n); !ok {
		return bad("session id is truncated")
	}
	if _, ok := c.vec16(); !ok {
		return bad("cipher suites are truncated")
	}
	if n, ok = c.u8(); !ok {
		return bad("compression methods are truncated")
	}
	if _, ok := c.take(n); !ok {
		return bad("compression methods are truncated")
	}
	if len(c) == 0 {
		return info, nil // no extensions
	}
	exts, ok := c.vec16()
	if !ok {
		return bad("extensions are truncated")
	}
	for len(exts) > 0 {
		typ, ok1 := exts.u16()
		data, ok2 := exts.vec16()
		if !ok1 || !ok2 {
			return bad("extension is truncated")
		}
		if typ != 0x0000 || info.serverName != "" {
			continue
		}
		list, ok := data.vec16()
		for ok && len(list) > 0 {
			nameType, ok1 := list.u8()
			name, ok2 := list.vec16()
			if !ok1 || !ok2 {
				return bad("server_name is truncated")
			}
			if nameType == 0 {
				info.serverName = string(name)
				break
			}
		}
		if !ok {
			return bad("server_name is truncated")
		}
	}
	return info, nil
}

// buildServerHello returns the server's first flight with a zero
// ServerHello random: ServerHello (TLS 1.3, x25519 key share) echoing the
// client's session id, ChangeCipherSpec, and an application-data record of
// 1–4 KiB of random bytes.
func buildServerHello(rnd io.Reader, sessionID []byte) ([]byte, error) {
	var r [34]byte
	if _, err := io.ReadFull(rnd, r[:]); err != nil {
		return nil, fmt.Errorf("transport: reading fake-TLS randomness: %w", err)
	}
	priv, err := ecdh.X25519().NewPrivateKey(r[:32])
	if err != nil {
		return nil, fmt.Errorf("transport: fake-TLS key share: %w", err)
	}
	noise := 1024 + int(binary.BigEndian.Uint16(r[32:]))%3072

	b := make([]byte, 0, 160+len(sessionID)+noise)
	b = append(b, recordHandshake, 0x03, 0x03, 0, 0)
	b = append(b, 0x02, 0, 0, 0) // ServerHello
	b = append(b, 0x03, 0x03)
	b = append(b, make([]byte, 32)...) // random, signed later
	b = append(b, byte(len(sessionID)))
	b = append(b, sessionID...)
	b = append(b, 0x13, 0x01, 0x00) // TLS_AES_128_GCM_SHA256, no compression
	extAt := len(b)
	b = append(b, 0, 0)
	b = appendExtension(b, 0x0033, append([]byte{0, 0x1d, 0, 32}, priv.PublicKey().Bytes()...)...)
	b = appendExtension(b, 0x002b, 3, 4)
	binary.BigEndian.PutUint16(b[extAt:], uint16(len(b)-extAt-2))
	hsLen := len(b) - tlsHeaderLen - 4
	b[6], b[7], b[8] = byte(hsLen>>16), byte(hsLen>>8), byte(hsLen)
	binary.BigEndian.PutUint16(b[3:], uint16(len(b)-tlsHeaderLen))

	b = append(b, changeCipherSpec...)
	b = append(b, recordApplicationData, 0x03, 0x03, byte(noise>>8), byte(noise))
	start := len(b)
	b = append(b, make([]byte, noise)...)
	if _, err := io.ReadFull(rnd, b[start:]); err != nil {
		return nil, fmt.Errorf("transport: reading fake-TLS randomness: %w", err)
	}
	return b, nil
}

// fakeTLSServerHandshake reads and verifies a ClientHello against the
// server's ee secrets and answers it. It returns the matched secret and the
// SNI host name.
func (s *Server) fakeTLSServerHandshake(r io.Reader, w io.Writer) (*Secret, string, error) {
	var hdr [tlsHeaderLen]byte
	if err := readFullTLS(r, hdr[:], "ClientHello"); err != nil {
		return nil, "", err
	}
	n := int(binary.BigEndian.Uint16(hdr[3:]))
	if hdr[0] != recordHandshake || hdr[1] != 3 || hdr[2] != 1 || n < tlsRandomAt+32+1-tlsHeaderLen || n > maxTLSRecordOut {
		return nil, "", fmt.Errorf("%w: ClientHello record header % x", ErrBadTLS, hdr)
	}
	hello := make([]byte, tlsHeaderLen+n)
	copy(hello, hdr[:])
	if err := readFullTLS(r, hello[tlsHeaderLen:], "ClientHello"); err != nil {
		return nil, "", err
	}
	var clientRandom [32]byte
	copy(clientRandom[:], hello[tlsRandomAt:])
	clear(hello[tlsRandomAt : tlsRandomAt+32])

	var secret *Secret
	var digest []byte
	for i := range s.opts.Secrets {
		sec := &s.opts.Secrets[i]
		if sec.Mode != SecretFakeTLS {
			continue
		}
		d := helloMAC(sec.Key[:], hello)
		if hmac.Equal(d[:28], clientRandom[:28]) {
			secret, digest = sec, d
			break
		}
	}
	if secret == nil {
		return nil, "", fmt.Errorf("%w: the ClientHello is not signed with any configured ee secret", ErrSecretMismatch)
	}
	info, err := parseClientHello(hello)
	if err != nil {
		return nil, "", err
	}
	if !strings.EqualFold(info.serverName, secret.Domain) {
		return nil, "", fmt.Errorf("%w: ClientHello names %q, the secret is for %q", ErrSecretMismatch, abbreviate(info.serverName), secret.Domain)
	}
	now := s.now()
	ts := binary.LittleEndian.Uint32(digest[28:]) ^ binary.LittleEndian.Uint32(clientRandom[28:])
	client := time.Unix(int64(ts), 0)
	if d := now.Sub(client); d > s.window() || d < -s.window() {
		return nil, "", &TimestampError{Client: client, Server: now, Window: s.window()}
	}
	if s.replay.seenBefore(clientRandom) {
		return nil, "", ErrReplayedHello
	}
	resp, err := buildServerHello(s.rand(), info.sessionID)
	if err != nil {
		return nil, "", err
	}
	copy(resp[tlsRandomAt:], helloMAC(secret.Key[:], clientRandom[:], resp))
	if _, err := w.Write(resp); err != nil {
		return nil, "", fmt.Errorf("transport: sending fake-TLS ServerHello: %w", err)
	}
	return secret, info.serverName, nil
}

// replayCache remembers recent ClientHello randoms (FIFO, bounded).
type replayCache struct {
	mu   sync.Mutex
	set  map[[32]byte]struct{}
	ring [][32]byte
	next int
}

// seenBefore records r and reports whether it was already recorded.
func (c *replayCache) seenBefore(r [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.set[r]; ok {
		return true
	}
	if c.set == nil {
		c.set = make(map[[32]byte]struct{})
	}
	if len(c.ring) < replayCacheSize {
		c.ring = append(c.ring, r)
	} else {
		delete(c.set, c.ring[c.next])
		c.ring[c.next] = r
		c.next = (c.next + 1) % replayCacheSize
	}
	c.set[r] = struct{}{}
	return false
}

// tlsReader yields the payload of incoming application-data records,
// skipping ChangeCipherSpec records.
type tlsReader struct {
	r    io.Reader
	left int
	hdr  [tlsHeaderLen]byte
}

func (t *tlsReader) Read(p []byte) (int, error) {
	for t.left == 0 {
		n, err := io.ReadFull(t.r, t.hdr[:])
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		l := int(binary.BigEndian.Uint16(t.hdr[3:]))
		if t.hdr[1] != 3 || t.hdr[2] != 3 || l > maxTLSRecordIn {
			return 0, fmt.Errorf("%w: record header % x", ErrBadTLS, t.hdr)
		}
		switch t.hdr[0] {
		case recordApplicationData:
			t.left = l
		case recordChangeCipherSpec:
			var b [1]byte
			if l != 1 {
				return 0, fmt.Errorf("%w: ChangeCipherSpec of %d bytes", ErrBadTLS, l)
			}
			if _, err := io.ReadFull(t.r, b[:]); err != nil {
				return 0, io.ErrUnexpectedEOF
			}
		case recordAlert:
			return 0, fmt.Errorf("%w: peer sent a TLS alert", ErrBadTLS)
		default:
			return 0, fmt.Errorf("%w: unexpected record type %#x", ErrBadTLS, t.hdr[0])
		}
	}
	if len(p) > t.left {
		p = p[:t.left]
	}
	n, err := t.r.Read(p)
	t.left -= n
	if errors.Is(err, io.EOF) && t.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// tlsWriter wraps writes in application-data records, each Write going out
// in one call. prefix (the client's ChangeCipherSpec) precedes the first one.
type tlsWriter struct {
	w      io.Writer
	prefix []byte
	buf    []byte
}

func (t *tlsWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	buf := append(t.buf[:0], t.prefix...)
	for rest := p; len(rest) > 0; {
		n := min(len(rest), maxTLSRecordOut)
		buf = append(buf, recordApplicationData, 0x03, 0x03, byte(n>>8), byte(n))
		buf = append(buf, rest[:n]...)
		rest = rest[n:]
	}
	_, err := t.w.Write(buf)
	if cap(buf) > retainLimit {
		buf = nil
	}
	t.buf = buf
	if err != nil {
		return 0, err
	}
	t.prefix = nil
	return len(p), nil
}
