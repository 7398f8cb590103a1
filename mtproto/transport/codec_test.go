package transport_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"

	"github.com/polygram/polygram/mtproto/transport"
)

// serverReading returns a server-role codec reading stream.
func serverReading(t *testing.T, kind transport.Kind, stream []byte, opts transport.CodecOptions) *transport.Codec {
	t.Helper()
	c, err := transport.NewCodec(rw{Reader: bytes.NewReader(stream), Writer: io.Discard}, kind, transport.RoleServer, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clientFrames returns the frames a client writes for the payloads, without
// the connection tag.
func clientFrames(t *testing.T, kind transport.Kind, payloads ...[]byte) []byte {
	t.Helper()
	var wire bytes.Buffer
	c, err := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, kind, transport.RoleClient, transport.CodecOptions{Rand: zeroReader{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range payloads {
		if err := c.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	tag := map[transport.Kind]int{transport.Abridged: 1, transport.Intermediate: 4, transport.PaddedIntermediate: 4}[kind]
	return wire.Bytes()[tag:]
}

func TestFullFrameWithBadCRCIsRejectedAndSticky(t *testing.T) {
	frame := clientFrames(t, transport.Full, payload(64))
	frame[20] ^= 0x01
	c := serverReading(t, transport.Full, frame, transport.CodecOptions{})
	_, err := c.ReadPacket()
	var ce *transport.ChecksumError
	if !errors.As(err, &ce) || ce.Got == ce.Want {
		t.Fatalf("got %v, want *ChecksumError", err)
	}
	if _, err2 := c.ReadPacket(); err2 != err {
		t.Fatalf("second read: %v, want the same sticky error", err2)
	}
}

func TestFullFrameWithWrongSeqNoIsRejected(t *testing.T) {
	frames := clientFrames(t, transport.Full, payload(8), payload(8))
	second := frames[8+12:] // seqno 1, read as the first frame
	c := serverReading(t, transport.Full, second, transport.CodecOptions{})
	_, err := c.ReadPacket()
	var se *transport.SeqNoError
	if !errors.As(err, &se) || se.Got != 1 || se.Want != 0 {
		t.Fatalf("got %v, want *SeqNoError{Got: 1, Want: 0}", err)
	}

	// A frame replayed within the connection fails too.
	replay := append(clientFrames(t, transport.Full, payload(8)), clientFrames(t, transport.Full, payload(8))...)
	c = serverReading(t, transport.Full, replay, transport.CodecOptions{})
	if _, err := c.ReadPacket(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadPacket(); !errors.As(err, &se) || se.Got != 0 || se.Want != 1 {
		t.Fatalf("replayed frame: %v", err)
	}
}

func TestFullFrameShorterThanEnvelopeIsMalformed(t *testing.T) {
	frame := binary.LittleEndian.AppendUint32(nil, 8)
	frame = append(frame, 0, 0, 0, 0, 0, 0, 0, 0)
	c := serverReading(t, transport.Full, frame, transport.CodecOptions{})
	if _, err := c.ReadPacket(); !errors.Is(err, transport.ErrMalformedFrame) {
		t.Fatalf("got %v, want ErrMalformedFrame", err)
	}
}

// oversizeHeader announces a frame of n payload bytes.
func oversizeHeader(kind transport.Kind, n int) []byte {
	switch kind {
	case transport.Abridged:
		return []byte{0x7f, byte(n / 4), byte(n / 4 >> 8), byte(n / 4 >> 16)}
	case transport.Full:
		return binary.LittleEndian.AppendUint32(nil, uint32(n+12))
	}
	return binary.LittleEndian.AppendUint32(nil, uint32(n))
}

func TestOversizeFramesAreRejected(t *testing.T) {
	const limit = 4096
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			announced := limit + 64 // beyond padding slack too
			c := serverReading(t, kind, oversizeHeader(kind, announced), transport.CodecOptions{MaxFrame: limit})
			_, err := c.ReadPacket()
			var fe *transport.FrameSizeError
			if !errors.As(err, &fe) || fe.Size < int64(limit) {
				t.Fatalf("read: %v, want *FrameSizeError", err)
			}
			w, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, kind, transport.RoleClient, transport.CodecOptions{MaxFrame: limit})
			if err := w.WritePacket(make([]byte, limit+4)); !errors.As(err, &fe) {
				t.Fatalf("write: %v, want *FrameSizeError", err)
			}
			if err := w.WritePacket(make([]byte, limit)); err != nil {
				t.Fatalf("write at the limit: %v", err)
			}
		})
	}
}

// A length prefix announcing 16 MiB followed by a few bytes must not make the
// reader allocate 16 MiB.
func TestLyingLengthPrefixDoesNotAllocateTheAnnouncedSize(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			stream := append(oversizeHeader(kind, 16<<20), make([]byte, 100)...)
			c := serverReading(t, kind, stream, transport.CodecOptions{MaxFrame: 32 << 20})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.ReadPacket()
			runtime.ReadMemStats(&after)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
				t.Fatalf("allocated %d bytes for a 100-byte body", grew)
			}
		})
	}
}

func TestTruncatedStreams(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			frame := clientFrames(t, kind, payload(64))
			// Clean end between frames: io.EOF itself.
			c := serverReading(t, kind, nil, transport.CodecOptions{})
			if _, err := c.ReadPacket(); err != io.EOF {
				t.Fatalf("empty stream: %v, want io.EOF", err)
			}
			// Cut in the header and in the body: io.ErrUnexpectedEOF.
			for _, cut := range []int{1, 2, len(frame) / 2, len(frame) - 1} {
				if kind == transport.Abridged && cut == 1 {
					continue // the 1-byte header is complete
				}
				c := serverReading(t, kind, frame[:cut], transport.CodecOptions{})
				if _, err := c.ReadPacket(); !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", cut, err)
				}
			}
		})
	}
}

func TestAbridgedRejectsUnalignedPayloads(t *testing.T) {
	c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, transport.Abridged, transport.RoleClient, transport.CodecOptions{})
	if err := c.WritePacket(make([]byte, 5)); !errors.Is(err, transport.ErrUnalignedPayload) {
		t.Fatalf("got %v", err)
	}
	// The failed write leaves the codec usable.
	if err := c.WritePacket(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
}

func TestQuickAckRequestBits(t *testing.T) {
	cases := []struct {
		kind   transport.Kind
		size   int
		header []byte
	}{
		{transport.Abridged, 8, []byte{0x82}},
		{transport.Abridged, 508, []byte{0xff, 0x7f, 0, 0}},
		{transport.Intermediate, 8, []byte{8, 0, 0, 0x80}},
		{transport.PaddedIntermediate, 8, []byte{8, 0, 0, 0x80}}, // zero padding
	}
	for _, tc := range cases {
		var wire bytes.Buffer
		c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, tc.kind, transport.RoleClient, transport.CodecOptions{Rand: zeroReader{}})
		if err := c.WritePacketQuickAck(payload(tc.size)); err != nil {
			t.Fatal(err)
		}
		frame := wire.Bytes()[len(wire.Bytes())-tc.size-len(tc.header):]
		if !bytes.Equal(frame[:len(tc.header)], tc.header) {
			t.Fatalf("%v/%d: header % x, want % x", tc.kind, tc.size, frame[:len(tc.header)], tc.header)
		}
		s := serverReading(t, tc.kind, frame, transport.CodecOptions{})
		f, err := s.ReadFrame()
		if err != nil || !f.AckRequested || !bytes.Equal(f.Payload, payload(tc.size)) {
			t.Fatalf("%v/%d: server read %+v, %v", tc.kind, tc.size, f.AckRequested, err)
		}
	}
}

func TestQuickAckTokenWireForm(t *testing.T) {
	cases := []struct {
		kind transport.Kind
		wire []byte
	}{
		{transport.Abridged, []byte{0x81, 0x02, 0x03, 0x04}},           // byte-swapped
		{transport.Intermediate, []byte{0x04, 0x03, 0x02, 0x81}},       // little endian
		{transport.PaddedIntermediate, []byte{0x04, 0x03, 0x02, 0x81}}, // no padding
	}
	for _, tc := range cases {
		var wire bytes.Buffer
		s, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, tc.kind, transport.RoleServer, transport.CodecOptions{})
		if err := s.WriteQuickAck(0x01020304); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wire.Bytes(), tc.wire) {
			t.Fatalf("%v: token on the wire % x, want % x", tc.kind, wire.Bytes(), tc.wire)
		}
		c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(tc.wire), Writer: io.Discard}, tc.kind, transport.RoleClient, transport.CodecOptions{})
		f, err := c.ReadFrame()
		if err != nil || !f.QuickAck || f.Token != 0x81020304 || f.Payload != nil {
			t.Fatalf("%v: client read %+v, %v", tc.kind, f, err)
		}
	}
}

func TestQuickAckMisuseIsRefused(t *testing.T) {
	full, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, transport.Full, transport.RoleServer, transport.CodecOptions{})
	if err := full.WriteQuickAck(1); !errors.Is(err, transport.ErrQuickAckUnsupported) {
		t.Fatalf("full server: %v", err)
	}
	srv, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, transport.Intermediate, transport.RoleServer, transport.CodecOptions{})
	if err := srv.WritePacketQuickAck(nil); !errors.Is(err, transport.ErrQuickAckUnsupported) {
		t.Fatalf("server requesting an ack: %v", err)
	}
	cli, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, transport.Intermediate, transport.RoleClient, transport.CodecOptions{})
	if err := cli.WriteQuickAck(1); !errors.Is(err, transport.ErrQuickAckUnsupported) {
		t.Fatalf("client sending a token: %v", err)
	}
}

func TestPaddedTransportErrorWithPadding(t *testing.T) {
	var wire bytes.Buffer
	s, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, transport.PaddedIntermediate, transport.RoleServer,
		transport.CodecOptions{Rand: bytes.NewReader([]byte{15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})})
	if err := s.WriteTransportError(transport.CodeInvalidDC); err != nil {
		t.Fatal(err)
	}
	if wire.Len() != 4+4+15 {
		t.Fatalf("frame of %d bytes", wire.Len())
	}
	c, _ := transport.NewCodec(rw{Reader: &wire, Writer: io.Discard}, transport.PaddedIntermediate, transport.RoleClient, transport.CodecOptions{})
	if _, err := c.ReadPacket(); !errors.Is(err, &transport.TransportError{Code: -444}) {
		t.Fatalf("got %v, want transport error -444", err)
	}
}

func TestPaddingRandomnessFailureWritesNothing(t *testing.T) {
	var wire bytes.Buffer
	c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, transport.PaddedIntermediate, transport.RoleClient,
		transport.CodecOptions{Rand: bytes.NewReader(nil)})
	if err := c.WritePacket(payload(8)); err == nil || wire.Len() != 0 {
		t.Fatalf("err %v, %d bytes written", err, wire.Len())
	}
}

func TestWriteErrorIsSticky(t *testing.T) {
	cc, sc := net.Pipe()
	sc.Close()
	c, _ := transport.NewCodec(cc, transport.Intermediate, transport.RoleClient, transport.CodecOptions{})
	err1 := c.WritePacket(payload(8))
	err2 := c.WritePacket(payload(8))
	if err1 == nil || err2 != err1 {
		t.Fatalf("errors %v, %v", err1, err2)
	}
}

func TestNewCodecValidatesArguments(t *testing.T) {
	if _, err := transport.NewCodec(rw{}, 0, transport.RoleClient, transport.CodecOptions{}); err == nil {
		t.Fatal("kind 0 accepted")
	}
	if _, err := transport.NewCodec(rw{}, transport.Full, 7, transport.CodecOptions{}); err == nil {
		t.Fatal("role 7 accepted")
	}
}

// Several goroutines write while one reads; frames must arrive whole and in
// per-writer order (run with -race).
func TestConcurrentWritersOneReader(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind.String(), func(t *testing.T) {
			cc, sc := net.Pipe()
			defer cc.Close()
			client, _ := transport.NewCodec(cc, kind, transport.RoleClient, transport.CodecOptions{})
			const writers, each = 4, 50
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						p := binary.LittleEndian.AppendUint32(nil, uint32(w<<16|i))
						if err := client.WritePacket(append(p, payload(60)...)); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			s, info, err := transport.Accept(sc, transport.ServerOptions{})
			if err != nil || info.Kind != kind {
				t.Fatalf("accept: %v %+v", err, info)
			}
			next := make([]int, writers)
			for range writers * each {
				p, err := s.ReadPacket()
				if err != nil {
					t.Fatal(err)
				}
				v := binary.LittleEndian.Uint32(p)
				w, i := int(v>>16), int(v&0xffff)
				if next[w] != i {
					t.Fatalf("writer %d: packet %d, want %d", w, i, next[w])
				}
				next[w]++
			}
			wg.Wait()
		})
	}
}

// The CRC of the full framing is IEEE CRC32 over length, seqno and payload.
func TestFullFrameCRCCoversHeader(t *testing.T) {
	frame := clientFrames(t, transport.Full, []byte("abc"))
	want := crc32.ChecksumIEEE(frame[:len(frame)-4])
	if got := binary.LittleEndian.Uint32(frame[len(frame)-4:]); got != want {
		t.Fatalf("crc %#x, want %#x", got, want)
	}
}

func TestErrorMessagesNameTheProblem(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want []string
	}{
		{&transport.TransportError{Code: -404}, []string{"-404", "auth key not found"}},
		{&transport.TransportError{Code: -429}, []string{"-429", "flood"}},
		{&transport.TransportError{Code: -444}, []string{"invalid DC"}},
		{&transport.TransportError{Code: -403}, []string{"forbidden"}},
		{&transport.TransportError{Code: -1}, []string{"-1", "unknown"}},
		{&transport.FrameSizeError{Kind: transport.Full, Size: 99, Max: 10}, []string{"full", "99", "10", "MaxFrame"}},
		{&transport.ChecksumError{Got: 1, Want: 2}, []string{"CRC32", "0x00000001", "0x00000002"}},
		{&transport.SeqNoError{Got: 5, Want: 3}, []string{"5", "expected 3"}},
		{transport.QuickAck(0x80000001), []string{"quick ack", "0x80000001"}},
		{&transport.SOCKS5Error{Code: 2}, []string{"2", "ruleset"}},
		{&transport.SOCKS5Error{Code: 200}, []string{"200", "unassigned"}},
		{&transport.HTTPProxyError{StatusCode: 407, Status: "407 Proxy Authentication Required"}, []string{"407", "Username"}},
	} {
		msg := tc.err.Error()
		for _, w := range tc.want {
			if !bytes.Contains([]byte(msg), []byte(w)) {
				t.Errorf("%q lacks %q", msg, w)
			}
		}
	}
	for _, s := range []interface{ String() string }{
		transport.Kind(0), transport.Kind(9), transport.Role(9), transport.RoleServer,
		transport.PreferIPv6, transport.IPPreference(9), transport.SecretFakeTLS, transport.SecretMode(9),
	} {
		if s.String() == "" {
			t.Errorf("%#v has an empty name", s)
		}
	}
}
