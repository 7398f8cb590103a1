package transport

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"time"
)

// Options configure a client connection. The zero value dials directly over
// TCP with the intermediate framing, unobfuscated.
type Options struct {
	// Dialer opens the TCP connection (Dial only). nil means &DirectDialer{}.
	Dialer Dialer
	// Kind is the framing. 0 means Intermediate. "dd" and "ee" secrets force
	// PaddedIntermediate whatever Kind says.
	Kind Kind
	// Obfuscated wraps the framing in obfuscated2. Implied by Secret.
	Obfuscated bool
	// DC is written into the obfuscated2 header (MTProxies route by it):
	// +10000 for test DCs, negative for media DCs. 0 leaves those bytes random.
	DC int
	// Secret connects through an MTProxy with this secret; nil connects
	// directly.
	Secret *Secret
	// Rand supplies every random byte (obfuscated2 init, fake-TLS hello,
	// padding). nil means crypto/rand.
	Rand io.Reader
	// Now is the clock stamped into the fake-TLS hello. nil means time.Now.
	Now func() time.Time
	// MaxFrame bounds frame payloads (see CodecOptions.MaxFrame).
	MaxFrame int
}

// resolved reports the framing and obfuscation the options amount to.
func (o *Options) resolved() (Kind, bool, error) {
	kind, obfuscated := o.Kind, o.Obfuscated
	if kind == 0 {
		kind = Intermediate
	}
	if !kind.valid() {
		return 0, false, fmt.Errorf("transport: invalid framing %v", o.Kind)
	}
	if o.DC < math.MinInt16 || o.DC > math.MaxInt16 {
		return 0, false, fmt.Errorf("transport: DC %d does not fit the obfuscated2 header's int16", o.DC)
	}
	if s := o.Secret; s != nil {
		if err := s.validate(); err != nil {
			return 0, false, err
		}
		obfuscated = true
		if s.Mode == SecretPadded || s.Mode == SecretFakeTLS {
			kind = PaddedIntermediate
		}
	}
	if obfuscated && kind == Full {
		return 0, false, ErrFullNotObfuscated
	}
	return kind, obfuscated, nil
}

// Dial connects to addr (host:port) through opts.Dialer and sets up the
// transport with NewClient.
func Dial(ctx context.Context, addr string, opts Options) (*Codec, error) {
	if _, _, err := opts.resolved(); err != nil {
		return nil, err
	}
	d := opts.Dialer
	if d == nil {
		d = &DirectDialer{}
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(ctx, conn, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// NewClient sets up the client side of a transport over an established
// stream (opts.Dialer is ignored). Only the fake-TLS handshake talks to the
// server here, bounded by ctx when rw has deadlines (a net.Conn); every other
// layer sends its header together with the first packet.
func NewClient(ctx context.Context, rw io.ReadWriter, opts Options) (*Codec, error) {
	kind, obfuscated, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	br := bufio.NewReaderSize(rw, readBufferSize)
	var r io.Reader = br
	var w io.Writer = rw
	info := Info{Kind: kind, Obfuscated: obfuscated, Secret: opts.Secret}
	if s := opts.Secret; s != nil && s.Mode == SecretFakeTLS {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		err := withContext(ctx, rw, func() error {
			return fakeTLSClientHandshake(rw, br, s, rnd, now())
		})
		if err != nil {
			return nil, err
		}
		r = &tlsReader{r: br}
		w = &tlsWriter{w: rw, prefix: changeCipherSpec}
		info.FakeTLS, info.ServerName = true, s.Domain
	}
	var c *Codec
	if obfuscated {
		var key []byte
		if opts.Secret != nil {
			key = opts.Secret.Key[:]
		}
		header, enc, dec, err := clientObfuscation(rnd, kind, opts.DC, key)
		if err != nil {
			return nil, err
		}
		c = newCodec(kind, RoleClient, CodecOptions{MaxFrame: opts.MaxFrame, Rand: rnd}, &cipherReader{r: r, s: dec}, w, rw)
		c.enc, c.prefix = enc, header
		info.DC = opts.DC
	} else {
		c = newCodec(kind, RoleClient, CodecOptions{MaxFrame: opts.MaxFrame, Rand: rnd}, r, w, rw)
		c.prefix = kind.plainTag()
	}
	c.info = info
	return c, nil
}

// deadliner is the part of net.Conn withContext needs.
type deadliner interface {
	SetDeadline(t time.Time) error
}

// withContext runs a blocking handshake on rw, interrupting it when ctx ends
// if rw supports deadlines. The deadline is cleared afterwards.
func withContext(ctx context.Context, rw any, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d, ok := rw.(deadliner)
	if !ok {
		return f()
	}
	// Only ctx's end interrupts the handshake (not a deadline copied from
	// ctx), so an interrupted handshake always reports ctx.Err().
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		d.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	err := f()
	if !stop() {
		<-fired // let it finish before the deadline is cleared below
	}
	if cerr := ctx.Err(); err != nil && cerr != nil {
		// ctx ended: report that rather than the timeout it induced.
		err = fmt.Errorf("%w: %v", cerr, err)
	}
	d.SetDeadline(time.Time{})
	return err
}
