package transport_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

const vectorsPath = "../../testdata/vectors/mtproto-vectors.json"

type framingVector struct {
	ID                  string            `json:"id"`
	Transport           string            `json:"transport"`
	Payload             string            `json:"payload"`
	Frame               string            `json:"frame"`
	Frames              map[string]string `json:"frames"`
	ConnectionInitBytes *string           `json:"connection_init_bytes"`
}

type obfuscated2Vector struct {
	ID                    string `json:"id"`
	Init                  string `json:"init"`
	Random64              string `json:"random_64"`
	ProtocolTag           string `json:"protocol_tag"`
	DCID                  int    `json:"dc_id"`
	MTProxySecret         string `json:"mtproxy_secret"`
	InitAfterTagAndDC     string `json:"init_after_tag_and_dc"`
	EncryptKey            string `json:"encrypt_key"`
	EncryptIV             string `json:"encrypt_iv"`
	DecryptKey            string `json:"decrypt_key"`
	DecryptIV             string `json:"decrypt_iv"`
	DecryptKeyThenIV      string `json:"decrypt_key_then_iv"`
	HeaderSent            string `json:"header_sent"`
	FirstPayloadPlain     string `json:"first_payload_plain"`
	FirstPayloadEncrypted string `json:"first_payload_encrypted"`
	DecryptXorAbcd        string `json:"decrypt_stream_xor_abcd_at_offset0"`
	FirstFramePlain       string `json:"first_frame_plain"`
	FirstFrameEncrypted   string `json:"first_frame_encrypted"`
}

type vectorFile struct {
	TransportFraming []framingVector `json:"transport_framing"`
	Obfuscated2      struct {
		Vectors []obfuscated2Vector `json:"vectors"`
	} `json:"obfuscated2"`
}

var (
	vectorsOnce sync.Once
	vectors     vectorFile
	vectorsErr  error
)

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	vectorsOnce.Do(func() {
		var b []byte
		b, vectorsErr = os.ReadFile(vectorsPath)
		if vectorsErr == nil {
			vectorsErr = json.Unmarshal(b, &vectors)
		}
	})
	if vectorsErr != nil {
		t.Fatalf("loading %s: %v", vectorsPath, vectorsErr)
	}
	return &vectors
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// rw joins a reader and a writer into an io.ReadWriter.
type rw struct {
	io.Reader
	io.Writer
}

// zeroReader yields zero bytes forever (deterministic "randomness").
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// payload returns a deterministic test payload whose first int32 is
// positive, so it can never be mistaken for a transport error.
func payload(size int) []byte {
	p := make([]byte, size)
	for i := range p {
		p[i] = byte((i + size) % 127)
	}
	return p
}

// recordingConn records everything written to a net.Conn.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *recordingConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

// scriptConn is a net.Conn that reads a fixed script and discards writes.
type scriptConn struct {
	r *bytes.Reader
}

func newScriptConn(b []byte) *scriptConn { return &scriptConn{r: bytes.NewReader(b)} }

func (c *scriptConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// fixedDialer returns conn whatever is dialed.
type fixedDialer struct{ conn net.Conn }

func (d fixedDialer) DialContext(context.Context, string, string) (net.Conn, error) {
	return d.conn, nil
}

// ipv6Loopback reports whether [::1] can be listened on.
func ipv6Loopback() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}
