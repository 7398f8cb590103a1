package transport

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"sync"
)

// DefaultMaxFrame is the default bound on a frame's payload: 16 MiB plus room
// for MTProto's own envelope. Telegram never sends more than a few MiB.
const DefaultMaxFrame = 16<<20 + 4096

// maxFrameLimit caps MaxFrame so every length fits the framings' fields.
const maxFrameLimit = 1 << 30

const (
	readBufferSize = 16 << 10 // bufio size under the framing
	minGrowStep    = 64 << 10 // first allocation for a frame larger than the read buffer
	retainLimit    = 4 << 20  // buffers larger than this are released after use
	maxPadding     = 15       // padded intermediate: 0–15 bytes
)

// CodecOptions tune a Codec. The zero value is ready to use.
type CodecOptions struct {
	// MaxFrame bounds a frame's payload in bytes (padding and envelopes come
	// on top). Larger frames fail with *FrameSizeError, on read before any
	// allocation. 0 means DefaultMaxFrame.
	MaxFrame int
	// Rand supplies padding for PaddedIntermediate (one byte whose low 4 bits
	// give the padding length, then the padding). nil means crypto/rand.
	Rand io.Reader
}

func (o CodecOptions) maxFrame() int {
	switch {
	case o.MaxFrame <= 0:
		return DefaultMaxFrame
	case o.MaxFrame > maxFrameLimit:
		return maxFrameLimit
	}
	return o.MaxFrame
}

// Frame is one unit read by ReadFrame.
type Frame struct {
	// Payload is the packet; it aliases the Codec's buffer and is valid until
	// the next read. For PaddedIntermediate it still carries the sender's
	// 0–15 padding bytes: the framing cannot tell them apart from the payload,
	// and MTProto ignores trailing bytes (see the Codec documentation).
	Payload []byte
	// QuickAck is set (client role) when the frame is a quick-ack token
	// rather than a packet; Token holds it and Payload is nil.
	QuickAck bool
	// Token is the quick-ack token, most significant bit set.
	Token uint32
	// AckRequested is set (server role) when the client asked for a quick
	// ack of this packet.
	AckRequested bool
}

// Codec reads and writes whole packets on one connection, through whatever
// framing, obfuscation and fake-TLS layers the connection uses.
//
// One goroutine may read (ReadPacket, ReadFrame) while others write; writes
// are serialized internally, and each packet goes out in a single Write call
// on the underlying stream. A read or write failure that leaves the stream out
// of sync (truncation, bad CRC, I/O error) is sticky: every later call on that
// side returns it again. *TransportError is not sticky.
//
// PaddedIntermediate payloads are returned with their padding: callers that
// need the exact MTProto message length take it from the message itself
// (unencrypted messages carry message_data_length; encrypted ones are 24 bytes
// plus a multiple of 16, and the padding is shorter than 16).
type Codec struct {
	kind Kind
	role Role
	max  int
	info Info

	// Read side.
	r    io.Reader // plaintext byte stream: bufio → [fake-TLS] → [obfuscated2]
	rbuf []byte
	rhdr [8]byte
	rseq uint32
	rerr error

	// Write side, guarded by wmu.
	wmu    sync.Mutex
	w      io.Writer     // wire writer: the connection or the fake-TLS record writer
	enc    cipher.Stream // obfuscated2 encryption; nil when unobfuscated
	prefix []byte        // wire bytes that precede the first frame (tag or obfuscated2 header)
	wbuf   []byte
	wseq   uint32
	werr   error
	rnd    *bufio.Reader // padding randomness
	rndSrc io.Reader

	closer io.Closer
}

// NewCodec returns a bare framing codec over rw, without obfuscation. For
// RoleClient it sends the kind's connection tag in front of the first packet;
// for RoleServer the tag must already have been consumed (Server.Accept does
// that and also handles every other layer).
func NewCodec(rw io.ReadWriter, kind Kind, role Role, opts CodecOptions) (*Codec, error) {
	if !kind.valid() {
		return nil, fmt.Errorf("transport: NewCodec: invalid framing %v", kind)
	}
	if role != RoleClient && role != RoleServer {
		return nil, fmt.Errorf("transport: NewCodec: invalid role %v", role)
	}
	c := newCodec(kind, role, opts, bufio.NewReaderSize(rw, readBufferSize), rw, rw)
	if role == RoleClient {
		c.prefix = kind.plainTag()
	}
	c.info = Info{Kind: kind}
	return c, nil
}

func newCodec(kind Kind, role Role, opts CodecOptions, r io.Reader, w io.Writer, underlying any) *Codec {
	c := &Codec{kind: kind, role: role, max: opts.maxFrame(), r: r, w: w, rndSrc: opts.Rand}
	if c.rndSrc == nil {
		c.rndSrc = rand.Reader
	}
	if cl, ok := underlying.(io.Closer); ok {
		c.closer = cl
	}
	return c
}

// Kind returns the framing in use.
func (c *Codec) Kind() Kind { return c.kind }

// Role returns the end of the connection this codec serves.
func (c *Codec) Role() Role { return c.role }

// Info describes the connection's layers (framing, obfuscation, MTProxy
// secret, fake-TLS, DC).
func (c *Codec) Info() Info { return c.info }

// Close closes the underlying connection if it is an io.Closer.
func (c *Codec) Close() error {
	if c.closer == nil {
		return nil
	}
	return c.closer.Close()
}

// WritePacket sends one packet. The payload is copied; p may be reused as
// soon as WritePacket returns.
func (c *Codec) WritePacket(p []byte) error { return c.writePacket(p, false) }

// WritePacketQuickAck sends one packet and asks the server for a quick ack
// (client role; not available with the full framing). The token later arrives
// as a QuickAck from ReadPacket.
func (c *Codec) WritePacketQuickAck(p []byte) error {
	if c.role != RoleClient {
		return fmt.Errorf("%w: only a client requests quick acks", ErrQuickAckUnsupported)
	}
	if c.kind == Full {
		return fmt.Errorf("%w: the full framing has no quick-ack bit", ErrQuickAckUnsupported)
	}
	return c.writePacket(p, true)
}

// WriteQuickAck sends a quick-ack token (server role; not available with the
// full framing). The most significant bit is set on the wire whatever token's
// value, as the protocol requires.
func (c *Codec) WriteQuickAck(token uint32) error {
	if c.role != RoleServer {
		return fmt.Errorf("%w: only a server sends quick-ack tokens", ErrQuickAckUnsupported)
	}
	var b [4]byte
	switch c.kind {
	case Abridged:
		binary.BigEndian.PutUint32(b[:], token|1<<31)
	case Intermediate, PaddedIntermediate:
		binary.LittleEndian.PutUint32(b[:], token|1<<31)
	default:
		return fmt.Errorf("%w: the full framing has no quick acks", ErrQuickAckUnsupported)
	}
	return c.writeRaw(func(buf []byte) ([]byte, error) { return append(buf, b[:]...), nil })
}

// WriteTransportError sends a transport error code (server role), such as
// CodeAuthKeyNotFound. code must be negative.
func (c *Codec) WriteTransportError(code int32) error {
	if code >= 0 {
		return fmt.Errorf("transport: WriteTransportError: code %d is not negative", code)
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(code))
	return c.WritePacket(b[:])
}

func (c *Codec) writePacket(p []byte, ack bool) error {
	if len(p) > c.max {
		return &FrameSizeError{Kind: c.kind, Size: int64(len(p)), Max: c.max}
	}
	if c.kind == Abridged {
		if len(p)%4 != 0 {
			return fmt.Errorf("%w (%d bytes)", ErrUnalignedPayload, len(p))
		}
		if len(p)/4 >= 1<<24 {
			return &FrameSizeError{Kind: c.kind, Size: int64(len(p)), Max: (1<<24 - 1) * 4}
		}
	}
	return c.writeRaw(func(buf []byte) ([]byte, error) { return c.appendFrame(buf, p, ack) })
}

// directWriteMin is the packet size from which WritePacketOwned writes the
// packet where it lies (a gathered write) rather than copying it.
const directWriteMin = 64 << 10

// WritePacketOwned sends one packet like WritePacket, for a caller that gives
// the packet up: a large packet on a plain socket is not copied but written
// together with its frame header in one gathered write (writev), and an
// obfuscated one is encrypted where it lies. p must not be used afterwards.
// Small packets, fake-TLS records and the connection's first frame take
// WritePacket's path.
func (c *Codec) WritePacketOwned(p []byte) error {
	nc, ok := c.w.(net.Conn)
	if !ok || len(p) < directWriteMin {
		return c.WritePacket(p)
	}
	if len(p) > c.max {
		return &FrameSizeError{Kind: c.kind, Size: int64(len(p)), Max: c.max}
	}
	if c.kind == Abridged {
		if len(p)%4 != 0 {
			return fmt.Errorf("%w (%d bytes)", ErrUnalignedPayload, len(p))
		}
		if len(p)/4 >= 1<<24 {
			return &FrameSizeError{Kind: c.kind, Size: int64(len(p)), Max: (1<<24 - 1) * 4}
		}
	}
	c.wmu.Lock()
	if c.prefix != nil {
		c.wmu.Unlock()
		return c.WritePacket(p)
	}
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	var headArr [8]byte
	var tailArr [maxPadding]byte
	head, tail := headArr[:0], tailArr[:0]
	switch c.kind {
	case Abridged:
		n := len(p) / 4
		head = append(head, 0x7f, byte(n), byte(n>>8), byte(n>>16))
	case Intermediate:
		head = binary.LittleEndian.AppendUint32(head, uint32(len(p)))
	case PaddedIntermediate:
		if c.rnd == nil {
			c.rnd = bufio.NewReaderSize(c.rndSrc, 64)
		}
		b, err := c.rnd.ReadByte()
		if err != nil {
			return fmt.Errorf("transport: reading padding randomness: %w", err)
		}
		tail = tailArr[:b&maxPadding]
		if _, err := io.ReadFull(c.rnd, tail); err != nil {
			return fmt.Errorf("transport: reading padding randomness: %w", err)
		}
		head = binary.LittleEndian.AppendUint32(head, uint32(len(p)+len(tail)))
	case Full:
		head = binary.LittleEndian.AppendUint32(head, uint32(len(p)+12))
		head = binary.LittleEndian.AppendUint32(head, c.wseq)
		crc := crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, p)
		tail = binary.LittleEndian.AppendUint32(tail, crc)
		c.wseq++
	default:
		return fmt.Errorf("transport: invalid framing %v", c.kind)
	}
	if c.enc != nil {
		c.enc.XORKeyStream(head, head)
		c.enc.XORKeyStream(p, p)
		c.enc.XORKeyStream(tail, tail)
	}
	bufs := net.Buffers{head, p}
	if len(tail) > 0 {
		bufs = append(bufs, tail)
	}
	if _, err := bufs.WriteTo(nc); err != nil {
		c.werr = fmt.Errorf("transport: write: %w", err)
		return c.werr
	}
	return nil
}

// appendFrame appends the framed packet to buf. Called with wmu held.
func (c *Codec) appendFrame(buf, p []byte, ack bool) ([]byte, error) {
	switch c.kind {
	case Abridged:
		n := len(p) / 4
		var flag byte
		if ack {
			flag = 0x80
		}
		if n < 0x7f {
			buf = append(buf, byte(n)|flag)
		} else {
			buf = append(buf, 0x7f|flag, byte(n), byte(n>>8), byte(n>>16))
		}
		return append(buf, p...), nil
	case Intermediate:
		l := uint32(len(p))
		if ack {
			l |= 1 << 31
		}
		buf = binary.LittleEndian.AppendUint32(buf, l)
		return append(buf, p...), nil
	case PaddedIntermediate:
		if c.rnd == nil {
			c.rnd = bufio.NewReaderSize(c.rndSrc, 64)
		}
		b, err := c.rnd.ReadByte()
		if err != nil {
			return buf, fmt.Errorf("transport: reading padding randomness: %w", err)
		}
		pad := int(b & maxPadding)
		l := uint32(len(p) + pad)
		if ack {
			l |= 1 << 31
		}
		buf = binary.LittleEndian.AppendUint32(buf, l)
		buf = append(buf, p...)
		var zero [maxPadding]byte
		start := len(buf)
		buf = append(buf, zero[:pad]...)
		if _, err := io.ReadFull(c.rnd, buf[start:]); err != nil {
			return buf, fmt.Errorf("transport: reading padding randomness: %w", err)
		}
		return buf, nil
	case Full:
		start := len(buf)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(p)+12))
		buf = binary.LittleEndian.AppendUint32(buf, c.wseq)
		buf = append(buf, p...)
		buf = binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf[start:]))
		c.wseq++
		return buf, nil
	}
	return buf, fmt.Errorf("transport: invalid framing %v", c.kind)
}

// writeRaw assembles prefix + frame (built by fill) in the write buffer,
// encrypts the frame when obfuscated, and issues one Write.
func (c *Codec) writeRaw(fill func([]byte) ([]byte, error)) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	buf := append(c.wbuf[:0], c.prefix...)
	start := len(buf)
	buf, err := fill(buf)
	if err != nil {
		return err // nothing written: the stream is still in sync
	}
	if c.enc != nil {
		c.enc.XORKeyStream(buf[start:], buf[start:])
	}
	_, err = c.w.Write(buf)
	if cap(buf) > retainLimit {
		buf = nil
	}
	c.wbuf = buf
	if err != nil {
		c.werr = fmt.Errorf("transport: write: %w", err)
		return c.werr
	}
	c.prefix = nil
	return nil
}

// ReadPacket returns the next packet's payload. The slice aliases an internal
// buffer and is valid until the next read.
//
// Besides I/O and framing errors it returns:
//   - QuickAck (a value, not a pointer) when a client receives a quick-ack
//     token instead of a packet; keep reading after handling it;
//   - *TransportError when a client receives a transport error code;
//   - io.EOF when the peer closed the stream cleanly between frames, and an
//     error wrapping io.ErrUnexpectedEOF when it closed mid-frame.
func (c *Codec) ReadPacket() ([]byte, error) {
	f, err := c.ReadFrame()
	if err != nil {
		return nil, err
	}
	if f.QuickAck {
		return nil, QuickAck(f.Token)
	}
	return f.Payload, nil
}

// ReadFrame returns the next frame: a packet (with AckRequested on the
// server side) or, on the client side, a quick-ack token. Errors are those of
// ReadPacket, except that quick acks are reported in the Frame.
func (c *Codec) ReadFrame() (Frame, error) {
	if c.rerr != nil {
		return Frame{}, c.rerr
	}
	f, err := c.readFrame()
	if err != nil {
		var te *TransportError
		if !errors.As(err, &te) {
			c.rerr = err
		}
		return Frame{}, err
	}
	if c.role == RoleClient && !f.QuickAck {
		if code, ok := c.transportError(f.Payload); ok {
			return Frame{}, &TransportError{Code: code}
		}
	}
	return f, nil
}

// transportError recognises a bare negative int32 payload. With padding the
// frame may carry up to 15 more bytes; no MTProto message is that short.
func (c *Codec) transportError(p []byte) (int32, bool) {
	if len(p) != 4 && (c.kind != PaddedIntermediate || len(p) < 4 || len(p) > 4+maxPadding) {
		return 0, false
	}
	code := int32(binary.LittleEndian.Uint32(p))
	return code, code < 0
}

func (c *Codec) readFrame() (Frame, error) {
	var f Frame
	switch c.kind {
	case Abridged:
		if err := c.readHeader(c.rhdr[:1], true); err != nil {
			return f, err
		}
		b := c.rhdr[0]
		if b&0x80 != 0 {
			if c.role == RoleClient {
				if err := c.readHeader(c.rhdr[1:4], false); err != nil {
					return f, err
				}
				return Frame{QuickAck: true, Token: binary.BigEndian.Uint32(c.rhdr[:4])}, nil
			}
			f.AckRequested = true
			b &^= 0x80
		}
		n := int(b)
		if b == 0x7f {
			if err := c.readHeader(c.rhdr[1:4], false); err != nil {
				return f, err
			}
			n = int(c.rhdr[1]) | int(c.rhdr[2])<<8 | int(c.rhdr[3])<<16
		}
		var err error
		f.Payload, err = c.readBody(int64(n)*4, c.max)
		return f, err

	case Intermediate, PaddedIntermediate:
		if err := c.readHeader(c.rhdr[:4], true); err != nil {
			return f, err
		}
		v := binary.LittleEndian.Uint32(c.rhdr[:4])
		if v&(1<<31) != 0 {
			if c.role == RoleClient {
				return Frame{QuickAck: true, Token: v}, nil
			}
			f.AckRequested = true
			v &^= 1 << 31
		}
		limit := c.max
		if c.kind == PaddedIntermediate {
			limit += maxPadding
		}
		var err error
		f.Payload, err = c.readBody(int64(v), limit)
		return f, err

	case Full:
		if err := c.readHeader(c.rhdr[:4], true); err != nil {
			return f, err
		}
		l := int64(binary.LittleEndian.Uint32(c.rhdr[:4]))
		if l < 12 {
			return f, fmt.Errorf("%w: full frame length %d is below the 12-byte envelope", ErrMalformedFrame, l)
		}
		if l-12 > int64(c.max) {
			return f, &FrameSizeError{Kind: c.kind, Size: l - 12, Max: c.max}
		}
		body, err := c.readBody(l-4, c.max+8)
		if err != nil {
			return f, err
		}
		n := len(body)
		want := crc32.Update(crc32.ChecksumIEEE(c.rhdr[:4]), crc32.IEEETable, body[:n-4])
		if got := binary.LittleEndian.Uint32(body[n-4:]); got != want {
			return f, &ChecksumError{Got: got, Want: want}
		}
		if seq := binary.LittleEndian.Uint32(body[:4]); seq != c.rseq {
			return f, &SeqNoError{Got: seq, Want: c.rseq}
		}
		c.rseq++
		f.Payload = body[4 : n-4]
		return f, nil
	}
	return f, fmt.Errorf("transport: invalid framing %v", c.kind)
}

// readHeader fills b. At a frame boundary (first) a clean end of stream is
// io.EOF; anywhere else it is io.ErrUnexpectedEOF.
func (c *Codec) readHeader(b []byte, first bool) error {
	n, err := io.ReadFull(c.r, b)
	switch {
	case err == nil:
		return nil
	case first && n == 0 && errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("transport: %s frame header truncated: %w", c.kind, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("transport: read %s frame header: %w", c.kind, err)
}

// readBody reads n bytes into the read buffer. Buffers grow with the bytes
// actually received, so a lying length prefix costs at most about twice what
// the peer really sent, never the announced size.
func (c *Codec) readBody(n int64, limit int) ([]byte, error) {
	if n > int64(limit) {
		return nil, &FrameSizeError{Kind: c.kind, Size: n, Max: limit}
	}
	size := int(n)
	if cap(c.rbuf) > retainLimit && size <= minGrowStep {
		c.rbuf = nil // release the memory of an earlier huge frame
	}
	buf := c.rbuf[:cap(c.rbuf)]
	got := 0
	for got < size {
		if got == len(buf) {
			grow := max(2*len(buf), minGrowStep)
			nb := make([]byte, min(size, grow))
			copy(nb, buf[:got])
			buf = nb
		}
		end := min(size, len(buf))
		m, err := io.ReadFull(c.r, buf[got:end])
		got += m
		if err != nil {
			c.rbuf = buf
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("transport: %s frame truncated after %d of %d bytes: %w", c.kind, got, size, io.ErrUnexpectedEOF)
			}
			return nil, fmt.Errorf("transport: read %s frame: %w", c.kind, err)
		}
	}
	c.rbuf = buf
	return buf[:size], nil
}

// cipherReader decrypts an obfuscated2 stream in place as it is read.
type cipherReader struct {
	r io.Reader
	s cipher.Stream
}

func (c *cipherReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.s.XORKeyStream(p[:n], p[:n])
	return n, err
}

// TrimPadding removes the 0–15 padding bytes a padded-intermediate frame may
// carry after an MTProto packet, using the packet's own shape: an unencrypted
// message (auth_key_id 0) states its length, an encrypted one is 24 bytes of
// auth_key_id and msg_key followed by whole 16-byte blocks, and a transport
// error is 4 bytes. Packets of other framings are returned unchanged.
func TrimPadding(p []byte) []byte {
	switch {
	case len(p) < 24:
		if len(p) >= 4 && int32(binary.LittleEndian.Uint32(p)) < 0 {
			return p[:4]
		}
		return p
	case binary.LittleEndian.Uint64(p) == 0:
		n := int(binary.LittleEndian.Uint32(p[16:]))
		if 20+n <= len(p) {
			return p[:20+n]
		}
		return p
	}
	return p[:24+(len(p)-24)/16*16]
}
