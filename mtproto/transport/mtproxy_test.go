package transport_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/transport"
)

// acceptResult is what a server goroutine reports.
type acceptResult struct {
	codec *transport.Codec
	info  transport.Info
	err   error
}

// handshake connects a client with opts to srv over a pipe and sends one
// packet; it returns the client's error and the server's result.
func handshake(t *testing.T, srv *transport.Server, opts transport.Options) (clientErr error, res acceptResult) {
	t.Helper()
	cc, sc := net.Pipe()
	defer cc.Close()
	done := make(chan acceptResult, 1)
	go func() {
		defer sc.Close()
		sc.SetDeadline(time.Now().Add(10 * time.Second))
		c, info, err := srv.Accept(sc)
		if err == nil {
			_, err = c.ReadPacket()
		}
		done <- acceptResult{c, info, err}
	}()
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	c, err := transport.NewClient(context.Background(), cc, opts)
	if err == nil {
		err = c.WritePacket(payload(16))
	}
	if err != nil {
		cc.Close() // unblock the server
	}
	return err, <-done
}

func TestWrongSimpleSecretIsRejected(t *testing.T) {
	srv := transport.NewServer(transport.ServerOptions{Secrets: []transport.Secret{*simpleSecret}})
	wrong := *simpleSecret
	wrong.Key[0] ^= 1
	_, res := handshake(t, srv, transport.Options{Secret: &wrong})
	if !errors.Is(res.err, transport.ErrSecretMismatch) {
		t.Fatalf("server: %v, want ErrSecretMismatch", res.err)
	}
}

func TestDirectClientRefusedWhenSecretRequired(t *testing.T) {
	srv := transport.NewServer(transport.ServerOptions{Secrets: []transport.Secret{*simpleSecret}})
	for _, opts := range []transport.Options{
		{Kind: transport.Abridged},
		{Kind: transport.Full},
		{Kind: transport.PaddedIntermediate},
	} {
		_, res := handshake(t, srv, opts)
		if !errors.Is(res.err, transport.ErrSecretRequired) {
			t.Fatalf("%v: server %v, want ErrSecretRequired", opts.Kind, res.err)
		}
	}
	// Obfuscated without a secret: the init decrypts to nothing known.
	_, res := handshake(t, srv, transport.Options{Obfuscated: true})
	if !errors.Is(res.err, transport.ErrSecretMismatch) {
		t.Fatalf("obfuscated: server %v, want ErrSecretMismatch", res.err)
	}
}

func TestPaddedSecretRequiresPaddedFraming(t *testing.T) {
	srv := transport.NewServer(transport.ServerOptions{Secrets: []transport.Secret{*paddedSecret}})
	// The same key used as a simple secret with the intermediate framing.
	simple := transport.Secret{Key: paddedSecret.Key}
	_, res := handshake(t, srv, transport.Options{Secret: &simple, Kind: transport.Intermediate})
	if !errors.Is(res.err, transport.ErrSecretMismatch) {
		t.Fatalf("server: %v, want ErrSecretMismatch", res.err)
	}
	// With padding it is accepted.
	_, res = handshake(t, srv, transport.Options{Secret: &simple, Kind: transport.PaddedIntermediate, DC: 10002})
	if res.err != nil || res.info.DC != 10002 || res.info.Kind != transport.PaddedIntermediate {
		t.Fatalf("server: %v %+v", res.err, res.info)
	}
}

func TestObfuscatedInitSkipsForbiddenPrefixes(t *testing.T) {
	good := bytes.Repeat([]byte{0x42}, 64)
	var rnd []byte
	for _, bad := range [][]byte{
		{0xef, 1, 1, 1, 1, 1, 1, 1},
		[]byte("HEAD1111"), []byte("POST1111"), []byte("GET 1111"), []byte("OPTI1111"),
		{0x16, 0x03, 0x01, 0x02, 1, 1, 1, 1},
		{0xdd, 0xdd, 0xdd, 0xdd, 1, 1, 1, 1},
		{0xee, 0xee, 0xee, 0xee, 1, 1, 1, 1},
		{1, 2, 3, 4, 0, 0, 0, 0},
	} {
		rnd = append(rnd, append(bad, bytes.Repeat([]byte{9}, 56)...)...)
	}
	rnd = append(rnd, good...)
	var wire bytes.Buffer
	c, err := transport.NewClient(context.Background(), rw{Reader: bytes.NewReader(nil), Writer: &wire},
		transport.Options{Obfuscated: true, Rand: bytes.NewReader(rnd)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WritePacket(nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wire.Bytes()[:56], good[:56]) {
		t.Fatalf("header starts % x, want the first allowed init", wire.Bytes()[:8])
	}
}

func TestObfuscatedInitGivesUpOnBrokenRandomness(t *testing.T) {
	_, err := transport.NewClient(context.Background(), rw{Reader: bytes.NewReader(nil), Writer: io.Discard},
		transport.Options{Obfuscated: true, Rand: zeroReader{}}) // bytes 4..8 always zero
	if err == nil {
		t.Fatal("an all-zero random source was accepted")
	}
}

func TestOptionsValidation(t *testing.T) {
	discard := rw{Reader: bytes.NewReader(nil), Writer: io.Discard}
	for name, opts := range map[string]transport.Options{
		"dc too large":  {Obfuscated: true, DC: 40000},
		"bad kind":      {Kind: 9},
		"full obfs":     {Kind: transport.Full, Obfuscated: true},
		"ee no domain":  {Secret: &transport.Secret{Mode: transport.SecretFakeTLS}},
		"bad mode":      {Secret: &transport.Secret{Mode: 7}},
		"full + simple": {Kind: transport.Full, Secret: simpleSecret},
	} {
		if _, err := transport.NewClient(context.Background(), discard, opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// dd overrides an explicit full framing.
	c, err := transport.NewClient(context.Background(), discard, transport.Options{Kind: transport.Full, Secret: paddedSecret})
	if err != nil || c.Kind() != transport.PaddedIntermediate || !c.Info().Obfuscated {
		t.Fatalf("dd + full: %v %v", err, c)
	}
}

func TestServerRejectsHTTPAndUnconfiguredTLS(t *testing.T) {
	for name, start := range map[string][]byte{
		"http": []byte("POST /api HTTP/1.1\r\n\r\n"),
		"tls":  {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01},
	} {
		_, _, err := transport.Accept(rw{Reader: bytes.NewReader(start), Writer: io.Discard}, transport.ServerOptions{})
		if !errors.Is(err, transport.ErrUnknownProtocol) {
			t.Errorf("%s: %v, want ErrUnknownProtocol", name, err)
		}
	}
	_, _, err := transport.Accept(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, transport.ServerOptions{})
	if !errors.Is(err, io.EOF) {
		t.Errorf("empty: %v, want io.EOF", err)
	}
	_, _, err = transport.Accept(rw{Reader: bytes.NewReader([]byte{1, 2}), Writer: io.Discard}, transport.ServerOptions{})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("2 bytes: %v, want io.ErrUnexpectedEOF", err)
	}
}

// --- fake TLS ---

var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func fakeTLSServer(now time.Time, secrets ...transport.Secret) *transport.Server {
	return transport.NewServer(transport.ServerOptions{Secrets: secrets, Now: func() time.Time { return now }})
}

// The ClientHello looks like what real clients send, and its random is the
// HMAC of the hello with the timestamp folded in — checked here with an
// independent computation.
func TestFakeTLSClientHelloShapeAndDigest(t *testing.T) {
	cc, sc := net.Pipe()
	rec := &recordingConn{Conn: cc}
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	done := make(chan error, 1)
	var srvRec *recordingConn
	go func() {
		srvRec = &recordingConn{Conn: sc}
		c, _, err := srv.Accept(srvRec)
		if err == nil {
			_, err = c.ReadPacket()
		}
		done <- err
	}()
	c, err := transport.NewClient(context.Background(), rec, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WritePacket(payload(32)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := rec.written()
	hello := out[:517]
	// 16 03 01 02 00 | 01 00 01 fc | 03 03: the prefix strict MTProxies check.
	if want := []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}; !bytes.Equal(hello[:11], want) {
		t.Fatalf("hello starts % x, want % x", hello[:11], want)
	}
	if !bytes.Contains(hello, []byte("www.example.com")) {
		t.Fatal("SNI missing")
	}
	zeroed := bytes.Clone(hello)
	clear(zeroed[11:43])
	m := hmac.New(sha256.New, fakeTLSSecret.Key[:])
	m.Write(zeroed)
	d := m.Sum(nil)
	if !bytes.Equal(d[:28], hello[11:39]) {
		t.Fatal("random[0:28] is not the HMAC of the hello")
	}
	ts := binary.LittleEndian.Uint32(d[28:]) ^ binary.LittleEndian.Uint32(hello[39:43])
	if int64(ts) != fixedNow.Unix() {
		t.Fatalf("timestamp %d, want %d", ts, fixedNow.Unix())
	}
	// Then the client's ChangeCipherSpec and an application-data record.
	if rest := out[517:]; !bytes.HasPrefix(rest, []byte{0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03}) {
		t.Fatalf("after the hello: % x", rest[:9])
	}
	// The server's flight: ServerHello, ChangeCipherSpec, application data,
	// with random = HMAC(key, client random || flight with zero random).
	flight := srvRec.written()
	n1 := int(binary.BigEndian.Uint16(flight[3:5]))
	if flight[0] != 0x16 || flight[5] != 0x02 {
		t.Fatalf("server flight starts % x", flight[:6])
	}
	ccs := flight[5+n1 : 5+n1+6]
	if !bytes.Equal(ccs, []byte{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}) {
		t.Fatalf("no ChangeCipherSpec: % x", ccs)
	}
	app := flight[5+n1+6:]
	n2 := int(binary.BigEndian.Uint16(app[3:5]))
	flight = flight[:5+n1+6+5+n2]
	zeroed = bytes.Clone(flight)
	clear(zeroed[11:43])
	m = hmac.New(sha256.New, fakeTLSSecret.Key[:])
	m.Write(hello[11:43])
	m.Write(zeroed)
	if !bytes.Equal(m.Sum(nil), flight[11:43]) {
		t.Fatal("server random is not the HMAC of client random || flight")
	}
}

func TestFakeTLSWrongSecretIsRejected(t *testing.T) {
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	wrong := *fakeTLSSecret
	wrong.Key[15] ^= 0x80
	clientErr, res := handshake(t, srv, transport.Options{Secret: &wrong, Now: func() time.Time { return fixedNow }})
	if !errors.Is(res.err, transport.ErrSecretMismatch) {
		t.Fatalf("server: %v, want ErrSecretMismatch", res.err)
	}
	if clientErr == nil {
		t.Fatal("client handshake succeeded against a server that refused it")
	}
}

func TestFakeTLSWrongDomainIsRejected(t *testing.T) {
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	other := *fakeTLSSecret
	other.Domain = "other.example.org"
	_, res := handshake(t, srv, transport.Options{Secret: &other, Now: func() time.Time { return fixedNow }})
	if !errors.Is(res.err, transport.ErrSecretMismatch) {
		t.Fatalf("server: %v, want ErrSecretMismatch", res.err)
	}
}

func TestFakeTLSStaleOrFutureTimestampIsRejected(t *testing.T) {
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	for _, skew := range []time.Duration{-time.Hour, 11 * time.Minute} {
		clientNow := fixedNow.Add(skew)
		_, res := handshake(t, srv, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return clientNow }})
		var te *transport.TimestampError
		if !errors.As(res.err, &te) || !te.Client.Equal(clientNow) || te.Window != transport.DefaultTimestampWindow {
			t.Fatalf("skew %v: %v, want *TimestampError", skew, res.err)
		}
		t.Log(te)
	}
	// Inside a custom window it passes.
	srv = transport.NewServer(transport.ServerOptions{Secrets: []transport.Secret{*fakeTLSSecret},
		Now: func() time.Time { return fixedNow }, TimestampWindow: 2 * time.Hour})
	_, res := handshake(t, srv, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return fixedNow.Add(-time.Hour) }})
	if res.err != nil {
		t.Fatal(res.err)
	}
}

func TestFakeTLSReplayedHelloIsRejected(t *testing.T) {
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	cc, sc := net.Pipe()
	rec := &recordingConn{Conn: cc}
	go func() {
		c, _, err := srv.Accept(sc)
		if err == nil {
			c.ReadPacket()
		}
		sc.Close()
	}()
	c, err := transport.NewClient(context.Background(), rec, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	c.WritePacket(payload(8))
	cc.Close()
	hello := rec.written()[:517]

	_, _, err = srv.Accept(rw{Reader: bytes.NewReader(hello), Writer: io.Discard})
	if !errors.Is(err, transport.ErrReplayedHello) {
		t.Fatalf("replay: %v, want ErrReplayedHello", err)
	}
}

// A server that answers with a well-formed flight not signed with the secret
// (an ordinary TLS server, say) fails the client handshake.
func TestFakeTLSClientRejectsUnsignedServerHello(t *testing.T) {
	flight := []byte{0x16, 0x03, 0x03, 0x00, 0x30, 0x02}
	flight = append(flight, make([]byte, 0x30-1)...)
	flight = append(flight, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x04, 1, 2, 3, 4)
	_, err := transport.NewClient(context.Background(), newScriptConn(flight), transport.Options{Secret: fakeTLSSecret})
	if !errors.Is(err, transport.ErrSecretMismatch) {
		t.Fatalf("got %v, want ErrSecretMismatch", err)
	}
	_, err = transport.NewClient(context.Background(), newScriptConn([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")), transport.Options{Secret: fakeTLSSecret})
	if !errors.Is(err, transport.ErrBadTLS) {
		t.Fatalf("got %v, want ErrBadTLS", err)
	}
	_, err = transport.NewClient(context.Background(), newScriptConn(flight[:20]), transport.Options{Secret: fakeTLSSecret})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestFakeTLSHandshakeHonoursContext(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go io.Copy(io.Discard, sc) // swallow the hello, never answer
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := transport.NewClient(ctx, cc, transport.Options{Secret: fakeTLSSecret})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

// Large packets cross TLS record boundaries (16 KiB records) intact.
func TestFakeTLSLargePacketsSpanRecords(t *testing.T) {
	srv := fakeTLSServer(fixedNow, *fakeTLSSecret)
	cc, sc := net.Pipe()
	defer cc.Close()
	errc := make(chan error, 1)
	go func() {
		defer sc.Close()
		c, _, err := srv.Accept(sc)
		if err != nil {
			errc <- err
			return
		}
		for range 3 {
			p, err := c.ReadPacket()
			if err != nil {
				errc <- err
				return
			}
			if err := c.WritePacket(p[:len(p)/16*16]); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	c, err := transport.NewClient(context.Background(), cc, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{16384, 16384*3 + 16, 200 << 10} {
		if err := c.WritePacket(payload(size)); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReadPacket()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:size], payload(size)) {
			t.Fatalf("%d bytes: echo differs", size)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// The server reassembles the obfuscated stream whatever the record sizes
// (here 7-byte records with extra ChangeCipherSpec records in between).
func TestFakeTLSServerReadsArbitraryRecordSplits(t *testing.T) {
	cc, sc := net.Pipe()
	rec := &recordingConn{Conn: cc}
	go func() {
		c, _, err := fakeTLSServer(fixedNow, *fakeTLSSecret).Accept(sc)
		if err == nil {
			c.ReadPacket()
		}
		sc.Close()
	}()
	c, err := transport.NewClient(context.Background(), rec, transport.Options{Secret: fakeTLSSecret, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WritePacket(payload(1000)); err != nil {
		t.Fatal(err)
	}
	out := rec.written()
	cc.Close()

	// Unwrap the client's records after hello + ChangeCipherSpec.
	var stream []byte
	for rest := out[517+6:]; len(rest) > 0; {
		n := int(binary.BigEndian.Uint16(rest[3:5]))
		stream = append(stream, rest[5:5+n]...)
		rest = rest[5+n:]
	}
	resplit := bytes.Clone(out[:517+6])
	for i := 0; i < len(stream); i += 7 {
		chunk := stream[i:min(i+7, len(stream))]
		resplit = append(resplit, 0x17, 0x03, 0x03, 0, byte(len(chunk)))
		resplit = append(resplit, chunk...)
		if i%70 == 0 {
			resplit = append(resplit, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01)
		}
	}
	s, info, err := fakeTLSServer(fixedNow, *fakeTLSSecret).Accept(rw{Reader: bytes.NewReader(resplit), Writer: io.Discard})
	if err != nil || !info.FakeTLS {
		t.Fatalf("accept: %v %+v", err, info)
	}
	p, err := s.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p[:1000], payload(1000)) {
		t.Fatal("payload differs")
	}
	// The records end at a boundary: a clean io.EOF.
	if _, err := s.ReadPacket(); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
}
