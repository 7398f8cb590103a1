package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/transport"
)

// Fuzz targets for every reader: the four framings (both roles), server-side
// transport detection (including obfuscated2 and fake-TLS), the fake-TLS
// client reading a server flight, the SOCKS5 and HTTP CONNECT replies, and
// secret parsing. None may panic, and MaxFrame bounds every allocation that
// depends on the input. The seed corpus in testdata/fuzz is replayed by
// plain `go test`; regenerate it with
//
//	POLYGRAM_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds ./mtproto/transport/

const fuzzMaxFrame = 1 << 16

func fuzzReadAll(t *testing.T, c *transport.Codec) {
	limit := fuzzMaxFrame + 15
	for range 256 {
		f, err := c.ReadFrame()
		if err != nil {
			return
		}
		if len(f.Payload) > limit {
			t.Fatalf("payload of %d bytes exceeds MaxFrame", len(f.Payload))
		}
		if f.QuickAck && c.Role() != transport.RoleClient {
			t.Fatal("a server read a quick-ack token")
		}
	}
}

func fuzzFraming(f *testing.F, kind transport.Kind) {
	f.Add([]byte{}, false)
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff}, true)
	f.Fuzz(func(t *testing.T, data []byte, server bool) {
		role := transport.RoleClient
		if server {
			role = transport.RoleServer
		}
		c, err := transport.NewCodec(rw{Reader: bytes.NewReader(data), Writer: io.Discard}, kind, role, transport.CodecOptions{MaxFrame: fuzzMaxFrame})
		if err != nil {
			t.Fatal(err)
		}
		fuzzReadAll(t, c)
	})
}

func FuzzAbridgedReader(f *testing.F)     { fuzzFraming(f, transport.Abridged) }
func FuzzIntermediateReader(f *testing.F) { fuzzFraming(f, transport.Intermediate) }
func FuzzPaddedReader(f *testing.F)       { fuzzFraming(f, transport.PaddedIntermediate) }
func FuzzFullReader(f *testing.F)         { fuzzFraming(f, transport.Full) }

func fuzzServerOptions() transport.ServerOptions {
	opts := serverOptions()
	opts.Now = func() time.Time { return fixedNow }
	opts.Rand = zeroReader{}
	opts.MaxFrame = fuzzMaxFrame
	return opts
}

func FuzzAccept(f *testing.F) {
	f.Add([]byte{0xef, 0x01, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _, err := transport.Accept(rw{Reader: bytes.NewReader(data), Writer: io.Discard}, fuzzServerOptions())
		if err != nil {
			return
		}
		fuzzReadAll(t, c)
	})
}

func fuzzClientOptions() transport.Options {
	return transport.Options{Secret: fakeTLSSecret, Rand: zeroReader{}, Now: func() time.Time { return fixedNow }, MaxFrame: fuzzMaxFrame}
}

// FuzzFakeTLSClient feeds the fake-TLS client arbitrary server bytes.
func FuzzFakeTLSClient(f *testing.F) {
	f.Add([]byte{0x16, 0x03, 0x03, 0x00, 0x30})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := transport.NewClient(context.Background(), newScriptConn(data), fuzzClientOptions())
		if err != nil {
			return
		}
		fuzzReadAll(t, c)
	})
}

func FuzzSOCKS5Reply(f *testing.F) {
	f.Add([]byte{5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 80}, false)
	f.Fuzz(func(t *testing.T, data []byte, auth bool) {
		d := &transport.SOCKS5Dialer{Addr: "127.0.0.1:1080", Forward: fixedDialer{newScriptConn(data)}}
		if auth {
			d.Username, d.Password = "user", "pass"
		}
		if c, err := d.DialContext(context.Background(), "tcp", "dc.mtproto.test:443"); err == nil {
			c.Close()
		}
	})
}

func FuzzHTTPConnectReply(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\nextra"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &transport.HTTPConnectDialer{Addr: "127.0.0.1:3128", Forward: fixedDialer{newScriptConn(data)}}
		c, err := d.DialContext(context.Background(), "tcp", "149.154.167.50:443")
		if err != nil {
			return
		}
		// Whatever the proxy over-sent must come out first, then EOF.
		io.Copy(io.Discard, io.LimitReader(c, int64(len(data))+1))
		c.Close()
	})
}

func FuzzParseSecret(f *testing.F) {
	f.Add("0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, s string) {
		sec, err := transport.ParseSecret(s)
		if err != nil {
			return
		}
		again, err := transport.ParseSecret(sec.String())
		if err != nil || *again != *sec {
			t.Fatalf("%q parsed to %+v, whose String %q parses to %+v, %v", s, sec, sec.String(), again, err)
		}
	})
}

// --- seed corpus generation ---

// clientStream returns what a client with opts writes for the packets,
// talking to a real server over a pipe (so fake-TLS hellos are answered).
// With fake-TLS, server is set to the server's writes.
func clientStream(t *testing.T, opts transport.Options, packets ...[]byte) (client, server []byte) {
	t.Helper()
	cc, sc := net.Pipe()
	rc, rs := &recordingConn{Conn: cc}, &recordingConn{Conn: sc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		c, _, err := transport.Accept(rs, fuzzServerOptions())
		if err != nil {
			return
		}
		for range packets {
			if _, err := c.ReadPacket(); err != nil {
				return
			}
		}
	}()
	c, err := transport.NewClient(context.Background(), rc, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packets {
		if err := c.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	cc.Close()
	<-done
	return rc.written(), rs.written()
}

func fuzzSeeds(t *testing.T) map[string][][]any {
	seeds := map[string][][]any{}
	add := func(target string, args ...any) { seeds[target] = append(seeds[target], args) }
	det := func(o transport.Options) transport.Options {
		o.Rand, o.Now = zeroReader{}, func() time.Time { return fixedNow }
		if o.Obfuscated || o.Secret != nil {
			// zeroReader makes forbidden inits; a fixed non-zero source does not.
			o.Rand = io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{0x5a}, 66+64)), zeroReader{})
		}
		return o
	}
	packets := [][]byte{payload(4), payload(40), payload(508)}

	for _, kind := range allKinds {
		name := map[transport.Kind]string{transport.Abridged: "FuzzAbridgedReader", transport.Intermediate: "FuzzIntermediateReader",
			transport.PaddedIntermediate: "FuzzPaddedReader", transport.Full: "FuzzFullReader"}[kind]
		stream, _ := clientStream(t, det(transport.Options{Kind: kind}), packets...)
		tag := map[transport.Kind]int{transport.Abridged: 1, transport.Intermediate: 4, transport.PaddedIntermediate: 4}[kind]
		add(name, stream[tag:], true)
		add(name, stream[tag:], false)
		add("FuzzAccept", stream)
		// Server-side writes: quick ack, packet, transport error.
		var wire bytes.Buffer
		s, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: &wire}, kind, transport.RoleServer, transport.CodecOptions{Rand: zeroReader{}})
		s.WriteQuickAck(7)
		s.WritePacket(payload(64))
		s.WriteTransportError(transport.CodeAuthKeyNotFound)
		add(name, wire.Bytes(), false)
	}
	for _, m := range allModes[1:] {
		stream, flight := clientStream(t, det(transport.Options{Obfuscated: m.obfuscated, Secret: m.secret, DC: 2}), packets...)
		add("FuzzAccept", stream)
		if m.secret == fakeTLSSecret {
			// The deterministic fake-TLS client's view: the server's flight
			// and a quick ack plus a packet inside records would follow.
			add("FuzzFakeTLSClient", flight)
		}
	}
	add("FuzzAccept", []byte("GET / HTTP/1.1\r\n\r\n"))
	add("FuzzFakeTLSClient", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"))

	add("FuzzSOCKS5Reply", []byte{5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90}, false)
	add("FuzzSOCKS5Reply", []byte{5, 2, 1, 0, 5, 0, 0, 3, 4, 'h', 'o', 's', 't', 0, 80}, true)
	add("FuzzSOCKS5Reply", []byte{5, 0, 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}, false)
	add("FuzzSOCKS5Reply", []byte{5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0}, false)
	add("FuzzSOCKS5Reply", []byte{5, 0xff}, true)
	add("FuzzHTTPConnectReply", []byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	add("FuzzHTTPConnectReply", []byte("HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\nEARLYBYTES"))
	add("FuzzHTTPConnectReply", []byte("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!"))
	for _, s := range []string{
		"dd00112233445566778899aabbccddeeff",
		"ee00112233445566778899aabbccddeeff7777772e6578616d706c652e636f6d",
		"7gARIjNEVWZ3iJmqu8zd7v93d3cuZXhhbXBsZS5jb20",
		"ABEiM0RVZneImaq7zN3u_w==",
	} {
		add("FuzzParseSecret", s)
	}
	return seeds
}

func encodeCorpusValue(v any) string {
	switch v := v.(type) {
	case []byte:
		return "[]byte(" + strconv.Quote(string(v)) + ")"
	case string:
		return "string(" + strconv.Quote(v) + ")"
	case bool:
		return "bool(" + strconv.FormatBool(v) + ")"
	}
	panic(fmt.Sprintf("unsupported corpus value %T", v))
}

// TestWriteFuzzSeeds regenerates testdata/fuzz when POLYGRAM_WRITE_FUZZ_SEEDS
// is set; otherwise it checks that the committed corpus is up to date.
func TestWriteFuzzSeeds(t *testing.T) {
	write := os.Getenv("POLYGRAM_WRITE_FUZZ_SEEDS") != ""
	for target, list := range fuzzSeeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		for i, args := range list {
			var b bytes.Buffer
			b.WriteString("go test fuzz v1\n")
			for _, a := range args {
				b.WriteString(encodeCorpusValue(a) + "\n")
			}
			path := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
			if write {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, b.Bytes()) {
				t.Errorf("%s is missing or stale; regenerate with POLYGRAM_WRITE_FUZZ_SEEDS=1 (%v)", path, err)
			}
		}
	}
}
