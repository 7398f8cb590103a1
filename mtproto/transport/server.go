package transport

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"
)

// Info describes the layers of an established connection.
type Info struct {
	// Kind is the framing.
	Kind Kind
	// Obfuscated is set when the stream is obfuscated2-encrypted.
	Obfuscated bool
	// DC is the DC id from the obfuscated2 header (offset 60, int16: +10000
	// for test DCs, negative for media DCs). Clients write it for MTProxies;
	// on direct connections it may be random. 0 when not obfuscated.
	DC int
	// Secret is the MTProxy secret in use (client) or the one the client
	// proved to know (server); nil for direct connections.
	Secret *Secret
	// FakeTLS is set when the stream is wrapped in fake-TLS records.
	FakeTLS bool
	// ServerName is the SNI host name of a fake-TLS connection.
	ServerName string
}

// ServerOptions configure a Server. The zero value accepts every transport a
// direct client may use: the four framings, plain or obfuscated2.
type ServerOptions struct {
	// Secrets are the MTProxy secrets accepted. Simple and dd secrets
	// key obfuscated2 (dd ones only with the padded intermediate framing);
	// ee secrets enable fake-TLS. When Secrets is non-empty, clients without
	// a secret are refused with ErrSecretRequired unless AllowDirect is set.
	Secrets []Secret
	// AllowDirect also accepts clients without a secret when Secrets is set.
	AllowDirect bool
	// MaxFrame bounds frame payloads (see CodecOptions.MaxFrame).
	MaxFrame int
	// Rand supplies padding and fake-TLS randomness. nil means crypto/rand.
	Rand io.Reader
	// Now is the clock for fake-TLS timestamps. nil means time.Now.
	Now func() time.Time
	// TimestampWindow is how far a fake-TLS ClientHello's time may be from
	// Now. 0 means DefaultTimestampWindow.
	TimestampWindow time.Duration
}

// Server accepts MTProto connections, detecting the transport from the first
// bytes each client sends. It is safe for concurrent use; it remembers
// fake-TLS hellos across connections to refuse replays.
type Server struct {
	opts   ServerOptions
	replay replayCache
}

// NewServer returns a Server with the given options. It validates nothing
// eagerly: a malformed secret fails the connections that would use it.
func NewServer(opts ServerOptions) *Server {
	opts.Secrets = append([]Secret(nil), opts.Secrets...)
	return &Server{opts: opts}
}

// Accept is NewServer(opts).Accept(rw): a one-off server, which cannot
// detect fake-TLS replays across connections. Long-running servers keep a
// Server.
func Accept(rw io.ReadWriter, opts ServerOptions) (*Codec, Info, error) {
	return NewServer(opts).Accept(rw)
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *Server) rand() io.Reader {
	if s.opts.Rand != nil {
		return s.opts.Rand
	}
	return rand.Reader
}

func (s *Server) window() time.Duration {
	if s.opts.TimestampWindow > 0 {
		return s.opts.TimestampWindow
	}
	return DefaultTimestampWindow
}

func (s *Server) directAllowed() bool { return len(s.opts.Secrets) == 0 || s.opts.AllowDirect }

func (s *Server) hasFakeTLS() bool {
	for i := range s.opts.Secrets {
		if s.opts.Secrets[i].Mode == SecretFakeTLS {
			return true
		}
	}
	return false
}

// Accept reads the start of a connection, identifies its transport, runs
// the fake-TLS handshake when there is one, and returns a server-role Codec.
//
// Recognised starts: 0xef (abridged), 0xeeeeeeee (intermediate), 0xdddddddd
// (padded intermediate), a length followed by seqno 0 (full), 16 03 01 (a
// fake-TLS ClientHello, with an ee secret configured), and anything else as a
// 64-byte obfuscated2 init. Accept blocks until the client has sent enough;
// bound it with a deadline on the connection.
func (s *Server) Accept(rw io.ReadWriter) (*Codec, Info, error) {
	br := bufio.NewReaderSize(rw, readBufferSize)
	head, err := peekHeader(br, 1)
	if err != nil {
		return nil, Info{}, err
	}
	if head[0] == 0xef {
		return s.plain(br, rw, Abridged, 1)
	}
	if head, err = peekHeader(br, 4); err != nil {
		return nil, Info{}, err
	}
	switch string(head) {
	case "\xee\xee\xee\xee":
		return s.plain(br, rw, Intermediate, 4)
	case "\xdd\xdd\xdd\xdd":
		return s.plain(br, rw, PaddedIntermediate, 4)
	case "POST", "GET ", "HEAD", "OPTI":
		return nil, Info{}, fmt.Errorf("%w: the HTTP transport is not supported (got %q)", ErrUnknownProtocol, head)
	}
	if head[0] == recordHandshake && head[1] == 0x03 && head[2] == 0x01 {
		if !s.hasFakeTLS() {
			return nil, Info{}, fmt.Errorf("%w: a TLS ClientHello, but no fake-TLS (ee) secret is configured", ErrUnknownProtocol)
		}
		return s.acceptFakeTLS(br, rw)
	}
	if head, err = peekHeader(br, 8); err != nil {
		return nil, Info{}, err
	}
	if head[4]|head[5]|head[6]|head[7] == 0 {
		return s.plain(br, rw, Full, 0)
	}
	var candidates []obfsCandidate
	if s.directAllowed() {
		candidates = append(candidates, obfsCandidate{})
	}
	for i := range s.opts.Secrets {
		if sec := &s.opts.Secrets[i]; sec.Mode != SecretFakeTLS {
			candidates = append(candidates, obfsCandidate{secret: sec})
		}
	}
	if len(candidates) == 0 {
		return nil, Info{}, fmt.Errorf("%w: an obfuscated2 init, but this server only accepts fake-TLS (ee) secrets", ErrSecretRequired)
	}
	return s.obfuscated(br, rw, rw, candidates, Info{})
}

// peekHeader waits for n bytes at the start of the stream.
func peekHeader(br *bufio.Reader, n int) ([]byte, error) {
	b, err := br.Peek(n)
	if err != nil {
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("transport: connection closed before a transport header: %w", io.EOF)
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("transport: reading transport header: %w", err)
	}
	return b, nil
}

func (s *Server) codecOptions() CodecOptions {
	return CodecOptions{MaxFrame: s.opts.MaxFrame, Rand: s.opts.Rand}
}

func (s *Server) plain(br *bufio.Reader, rw io.ReadWriter, kind Kind, tagLen int) (*Codec, Info, error) {
	if !s.directAllowed() {
		return nil, Info{}, fmt.Errorf("%w (the client connected directly with the %s framing)", ErrSecretRequired, kind)
	}
	if _, err := br.Discard(tagLen); err != nil {
		return nil, Info{}, err
	}
	info := Info{Kind: kind}
	c := newCodec(kind, RoleServer, s.codecOptions(), br, rw, rw)
	c.info = info
	return c, info, nil
}

// obfuscated reads a 64-byte obfuscated2 init from r and sets up the codec
// that decrypts r and encrypts into w.
func (s *Server) obfuscated(r io.Reader, w io.Writer, underlying any, candidates []obfsCandidate, info Info) (*Codec, Info, error) {
	var init [obfsInitLen]byte
	if _, err := io.ReadFull(r, init[:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, Info{}, fmt.Errorf("transport: reading obfuscated2 init: %w", err)
	}
	kind, dc, secret, dec, enc, err := serverObfuscation(&init, candidates)
	if err != nil {
		return nil, Info{}, err
	}
	info.Kind, info.Obfuscated, info.DC = kind, true, dc
	if info.Secret == nil {
		info.Secret = secret
	}
	c := newCodec(kind, RoleServer, s.codecOptions(), &cipherReader{r: r, s: dec}, w, underlying)
	c.enc = enc
	c.info = info
	return c, info, nil
}

func (s *Server) acceptFakeTLS(br *bufio.Reader, rw io.ReadWriter) (*Codec, Info, error) {
	secret, sni, err := s.fakeTLSServerHandshake(br, rw)
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{Secret: secret, FakeTLS: true, ServerName: sni}
	return s.obfuscated(&tlsReader{r: br}, &tlsWriter{w: rw}, rw, []obfsCandidate{{secret: secret}}, info)
}
