// Package conn runs an MTProto session over a transport connection: it makes
// an auth key when it has none, keeps the connection alive with
// ping_delay_disconnect, reconnects with exponential back-off and jitter,
// resends unanswered requests after a reconnect without having them executed
// twice, cancels requests with their context, and closes cleanly.
//
// One Conn talks to one data centre. The client core above it chooses DCs,
// retries on RPC errors and keeps sessions; this package only moves requests
// and answers reliably.
package conn

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/engine"
	"github.com/polygram/polygram/mtproto/handshake"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// Errors.
var (
	// ErrClosed is returned for calls on (or pending at) a closed Conn.
	ErrClosed = errors.New("conn: closed")
	// ErrAuthKeyNotFound means the server does not know the auth key
	// (transport error -404): make a new key.
	ErrAuthKeyNotFound = errors.New("conn: the server does not know this auth key (-404); a new key is needed")
)

// RPCError is an error the server returned for a request.
type RPCError struct {
	Code    int32
	Message string
}

func (e *RPCError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// State is the connection state.
type State uint8

// States reported to Config.OnState.
const (
	Connecting State = iota
	Connected
	Disconnected
	Closed
)

func (s State) String() string {
	return [...]string{"connecting", "connected", "disconnected", "closed"}[s]
}

// Config configures a Conn.
type Config struct {
	// Addr is host:port of the data centre.
	Addr string
	// DC is the data centre id (sent in the key exchange and obfuscation).
	DC int
	// Transport selects framing, obfuscation, MTProxy secret and dialer.
	Transport transport.Options
	// Keys are the server RSA keys trusted for the key exchange.
	Keys []crypto.PublicKey
	// AuthKey is an existing (permanent) key; when nil a new one is made on
	// connect and reported through OnKey.
	AuthKey *crypto.AuthKey
	// PFS turns on perfect forward secrecy: every connection makes a
	// temporary key (valid TempKeyTTL, default 24 h), binds it to the
	// permanent key with auth.bindTempAuthKey, and encrypts with it; the
	// permanent key never encrypts a message. A server that no longer knows
	// the temporary key gets a new one on the next connection.
	PFS        bool
	TempKeyTTL time.Duration
	// Salt, TimeOffset and SessionID continue an earlier session (optional).
	Salt       int64
	TimeOffset time.Duration
	SessionID  int64
	// PingInterval is how often an idle connection is pinged (default 60 s;
	// negative disables). The server is asked to close the connection if it
	// hears nothing for PingInterval + 15 s, and the connection is deemed
	// dead after as long without any packet.
	PingInterval time.Duration
	// AckDelay is how long acknowledgements wait to ride on a request
	// (default 50 ms).
	AckDelay time.Duration
	// MinBackoff and MaxBackoff bound the reconnect delay (100 ms, 30 s).
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds one connection attempt (default 10 s).
	DialTimeout time.Duration
	// OnUpdate receives server messages that answer no request (updates).
	// It runs on the connection's goroutine and must not block.
	OnUpdate func(body []byte)
	// OnNewSession is called when the server created a new session (updates
	// may have been missed).
	OnNewSession func()
	// OnKey is called when a new auth key was made (to persist it).
	OnKey func(key *crypto.AuthKey, salt int64, offset time.Duration)
	// OnState reports connection state changes.
	OnState func(State)
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
	// Logger receives diagnostics (never key material).
	Logger *slog.Logger
}

type call struct {
	body  []byte
	build func(msgID int64) ([]byte, error) // bodies that embed their msg_id
	id    engine.ReqID
	done  chan result
	// then, when set (Pending.Then, under c.emu), takes the result instead
	// of done; stop ends its watch of the context.
	then func(body []byte, err error)
	stop func() bool
}

// settle hands a call its result; c.emu is held. A call with then is added
// to *later, to be run once c.emu is released.
func (cl *call) settle(r result, later *[]settled) {
	if cl.then != nil {
		*later = append(*later, settled{cl, r})
		return
	}
	cl.done <- r
}

// settled is a result whose then callback is due.
type settled struct {
	cl *call
	r  result
}

// runThens runs due then callbacks (without c.emu).
func runThens(later []settled) {
	for _, s := range later {
		s.cl.stop()
		s.cl.then(s.r.body, s.r.err)
	}
}

type result struct {
	body []byte
	err  error
}

// Conn is an MTProto connection to one data centre. It is safe for
// concurrent use.
type Conn struct {
	cfg    Config
	broken chan brokenWrite // writes that failed outside the loop
	closeC chan struct{}
	doneC  chan struct{}
	once   sync.Once

	mu      sync.Mutex
	key     *crypto.AuthKey // the key messages are encrypted with
	perm    *crypto.AuthKey // the permanent key (== key without PFS)
	err     error           // why the connection closed
	session int64
	salt    int64
	offset  time.Duration

	// emu guards the engine (but for OpenCopy, which reads only the key),
	// the transport and the calls awaiting answers. The caller's goroutine
	// queues, encrypts and writes its own request under it (see Send), so a
	// request reaches the network without waiting for the loop goroutine to
	// be scheduled; the loop takes it for everything else it does.
	emu     sync.Mutex
	eng     *engine.Engine
	codec   *transport.Codec
	gen     int // reader generation
	pending map[engine.ReqID]*call
	ended   bool // the loop has shut down: no more calls

	// loop-owned
	lastRecv time.Time
	backoff  time.Duration
}

// brokenWrite reports a write that failed on a caller's goroutine to the
// loop, which owns reconnection.
type brokenWrite struct {
	gen int
	err error
}

type packet struct {
	gen  int
	data []byte // a transport error code (4 bytes), else nil
	err  error  // the transport failed
	// plain is the decrypted inner message, or openErr why the packet
	// could not be decrypted (it is then dropped).
	plain   []byte
	openErr error
}

func (c *Conn) defaults() {
	cfg := &c.cfg
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 60 * time.Second
	}
	if cfg.AckDelay <= 0 {
		cfg.AckDelay = 50 * time.Millisecond
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.Transport.DC == 0 {
		cfg.Transport.DC = cfg.DC
	}
	if cfg.Transport.Rand == nil {
		cfg.Transport.Rand = cfg.Rand
	}
}

// Dial connects, makes an auth key if the config has none, and starts the
// session. The context bounds only the first connection.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	c := &Conn{cfg: cfg, broken: make(chan brokenWrite, 1), closeC: make(chan struct{}),
		doneC: make(chan struct{}), pending: map[engine.ReqID]*call{}}
	c.defaults()
	c.state(Connecting)
	codec, err := transport.Dial(ctx, c.cfg.Addr, c.cfg.Transport)
	if err != nil {
		return nil, fmt.Errorf("conn: dial %s: %w", c.cfg.Addr, err)
	}
	perm, salt, offset := c.cfg.AuthKey, c.cfg.Salt, c.cfg.TimeOffset
	if perm == nil {
		res, err := c.exchange(ctx, codec, 0)
		if err != nil {
			codec.Close()
			return nil, err
		}
		perm, salt, offset = res.AuthKey, res.Salt, res.TimeOffset
		if c.cfg.OnKey != nil {
			c.cfg.OnKey(perm, salt, offset)
		}
	}
	key := perm
	var expires time.Time
	if c.cfg.PFS {
		if c.cfg.TempKeyTTL <= 0 {
			c.cfg.TempKeyTTL = 24 * time.Hour
		}
		res, err := c.exchange(ctx, codec, c.cfg.TempKeyTTL)
		if err != nil {
			codec.Close()
			return nil, err
		}
		key, salt, offset, expires = res.AuthKey, res.Salt, res.TimeOffset, res.ExpiresAt
	}
	var err2 error
	c.eng, err2 = engine.New(engine.Config{Role: engine.Client, AuthKey: key, SessionID: c.cfg.SessionID,
		Salt: salt, TimeOffset: offset, Now: c.cfg.Now, Rand: c.cfg.Rand})
	if err2 != nil {
		codec.Close()
		return nil, err2
	}
	c.key, c.perm = key, perm
	c.snapshot()
	c.attach(codec)
	c.state(Connected)
	go c.loop()
	if c.cfg.PFS {
		if err := c.bind(ctx, perm, key, expires); err != nil {
			c.Close()
			return nil, fmt.Errorf("conn: binding the temporary key: %w", err)
		}
	}
	return c, nil
}

// bindTempAuthKeyID is auth.bindTempAuthKey#cdd42a05 (schema/api.tl).
const bindTempAuthKeyID = 0xcdd42a05

// bind sends auth.bindTempAuthKey, whose encrypted_message names the msg_id
// of the very message carrying it, and waits for boolTrue.
func (c *Conn) bind(ctx context.Context, perm, temp *crypto.AuthKey, expires time.Time) error {
	var nb [8]byte
	if _, err := io.ReadFull(c.cfg.Rand, nb[:]); err != nil {
		return err
	}
	nonce := int64(binary.LittleEndian.Uint64(nb[:]))
	expiresAt := int32(expires.Unix())
	cl := &call{done: make(chan result, 1), build: func(msgID int64) ([]byte, error) {
		inner := &mt.BindAuthKeyInner{Nonce: nonce, TempAuthKeyID: temp.IDInt64(), PermAuthKeyID: perm.IDInt64(),
			TempSessionID: c.eng.SessionID(), ExpiresAt: expiresAt}
		enc, err := handshake.BindMessage(perm, inner, msgID, c.cfg.Rand)
		if err != nil {
			return nil, err
		}
		e := tl.NewEncoder(nil)
		e.Uint32(bindTempAuthKeyID)
		e.Long(perm.IDInt64())
		e.Long(nonce)
		e.Int(expiresAt)
		e.BytesValue(enc)
		return e.Bytes(), nil
	}}
	if err := c.send(cl); err != nil {
		return err
	}
	body, err := (&Pending{c: c, cl: cl}).Wait(ctx)
	if err != nil {
		return err
	}
	if d := tl.NewDecoder(body); !d.Bool() || d.Err() != nil {
		return errors.New("the server did not accept the binding")
	}
	return nil
}

// PermKey returns the permanent auth key (the key in use without PFS).
func (c *Conn) PermKey() *crypto.AuthKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.perm
}

// exchange runs the auth-key exchange over a fresh transport connection.
func (c *Conn) exchange(ctx context.Context, codec *transport.Codec, tempTTL time.Duration) (*handshake.Result, error) {
	hs := &handshake.Client{Keys: c.cfg.Keys, DC: c.cfg.DC, Rand: c.cfg.Rand, Now: c.cfg.Now,
		TempExpiresIn: int(tempTTL / time.Second)}
	var lastID int64
	roundTrip := func(body []byte) ([]byte, error) {
		now := c.cfg.Now()
		id := now.Unix()<<32 | int64((uint64(now.Nanosecond())<<32)/1e9)
		id &^= 3
		if id <= lastID {
			id = lastID + 4
		}
		lastID = id
		if err := codec.WritePacket(handshake.WrapPlain(id, body)); err != nil {
			return nil, err
		}
		type rd struct {
			p   []byte
			err error
		}
		ch := make(chan rd, 1)
		go func() {
			p, err := codec.ReadPacket()
			ch <- rd{p, err}
		}()
		select {
		case r := <-ch:
			if r.err != nil {
				return nil, transportErr(r.err)
			}
			_, reply, err := handshake.UnwrapPlain(transport.TrimPadding(r.p))
			return reply, err
		case <-ctx.Done():
			codec.Close()
			return nil, ctx.Err()
		}
	}
	fail := func(err error) (*handshake.Result, error) {
		return nil, fmt.Errorf("conn: auth key exchange with %s: %w", c.cfg.Addr, err)
	}
	m, err := hs.Start()
	if err != nil {
		return fail(err)
	}
	if m, err = roundTrip(m); err != nil {
		return fail(err)
	}
	if m, err = hs.OnResPQ(m); err != nil {
		return fail(err)
	}
	if m, err = roundTrip(m); err != nil {
		return fail(err)
	}
	if m, err = hs.OnServerDHParams(m); err != nil {
		return fail(err)
	}
	for {
		if m, err = roundTrip(m); err != nil {
			return fail(err)
		}
		res, next, err := hs.OnDHGenAnswer(m)
		if err != nil {
			return fail(err)
		}
		if res != nil {
			return res, nil
		}
		m = next
	}
}

func transportErr(err error) error {
	var te *transport.TransportError
	if errors.As(err, &te) && te.Code == transport.CodeAuthKeyNotFound {
		return fmt.Errorf("%w: %v", ErrAuthKeyNotFound, err)
	}
	return err
}

func (c *Conn) state(s State) {
	if c.cfg.OnState != nil {
		c.cfg.OnState(s)
	}
}

// snapshot publishes session facts for the getters.
func (c *Conn) snapshot() {
	c.mu.Lock()
	c.session, c.salt, c.offset = c.eng.SessionID(), c.eng.Salt(), c.eng.TimeOffset()
	c.mu.Unlock()
}

// AuthKey returns the auth key in use.
func (c *Conn) AuthKey() *crypto.AuthKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.key
}

// Session returns the session id, current salt and server time offset.
func (c *Conn) Session() (id, salt int64, offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session, c.salt, c.offset
}

// Err returns why the connection closed (nil while open or after Close).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the connection has closed.
func (c *Conn) Done() <-chan struct{} { return c.doneC }

// Invoke sends a request (a boxed TL function call) and waits for its
// answer. An rpc_error comes back as *RPCError. When ctx ends first the
// request is cancelled (the server is asked to drop the answer).
func (c *Conn) Invoke(ctx context.Context, req []byte) ([]byte, error) {
	p, err := c.Send(ctx, req)
	if err != nil {
		return nil, err
	}
	return p.Wait(ctx)
}

// Pending is a request that has been sent and whose answer has not been
// taken yet.
type Pending struct {
	c  *Conn
	cl *call
}

// Send queues a request and, when the connection is up, encrypts and writes
// it on the calling goroutine before returning, so that the request is on
// its way however long the caller takes to wait for it (a host thread of the
// C API would otherwise have to wake another thread to send it). While the
// connection is down the request waits in the queue and goes out on the next
// connection. The answer is taken with Wait.
func (c *Conn) Send(ctx context.Context, req []byte) (*Pending, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cl := &call{body: req, done: make(chan result, 1)}
	if err := c.send(cl); err != nil {
		return nil, err
	}
	return &Pending{c: c, cl: cl}, nil
}

// send queues a call with the engine and flushes it to the transport.
func (c *Conn) send(cl *call) error {
	c.emu.Lock()
	defer c.emu.Unlock()
	if c.ended {
		return c.closedErr()
	}
	if cl.build != nil {
		cl.id = c.eng.SendBuilt(cl.build, 256)
	} else {
		id, err := c.eng.Send(cl.body)
		if err != nil {
			return err
		}
		cl.id = id
	}
	c.pending[cl.id] = cl
	if err := c.flushLocked(); err != nil {
		// The loop reconnects; the request is resent on the new connection.
		// Closing the transport also ends its reader with an error, so the
		// loop learns of it even when a report is already queued.
		c.codec.Close()
		select {
		case c.broken <- brokenWrite{gen: c.gen, err: err}:
		default:
		}
	}
	return nil
}

// Wait waits for the answer of a request sent with Send. An rpc_error comes
// back as *RPCError. When ctx ends first the request is cancelled (the
// server is asked to drop the answer). Wait may be called once.
func (p *Pending) Wait(ctx context.Context) ([]byte, error) {
	select {
	case r := <-p.cl.done:
		return r.body, r.err
	case <-ctx.Done():
		p.c.cancelCall(p.cl)
		return nil, ctx.Err()
	}
}

// cancelCall forgets a call whose caller gave up: the engine drops it (and
// asks the server to drop the answer) and no result will be settled for it.
// It reports whether the call was still awaiting its answer.
func (c *Conn) cancelCall(cl *call) bool {
	c.emu.Lock()
	defer c.emu.Unlock()
	if _, live := c.pending[cl.id]; !live {
		return false
	}
	c.eng.Cancel(cl.id)
	delete(c.pending, cl.id)
	return true
}

// Then arranges for f to receive the answer of a request sent with Send,
// instead of Wait (a Pending takes one or the other). f runs on the
// connection's goroutine when the answer arrives (on the caller's, when it
// has already arrived), so it must be quick and must not block; it runs
// exactly once. When ctx ends first the request is cancelled as with Wait
// and f gets ctx.Err().
func (p *Pending) Then(ctx context.Context, f func(body []byte, err error)) {
	c, cl := p.c, p.cl
	c.emu.Lock()
	select {
	case r := <-cl.done: // answered already
		c.emu.Unlock()
		f(r.body, r.err)
		return
	default:
	}
	cl.then = f
	cl.stop = context.AfterFunc(ctx, func() {
		if c.cancelCall(cl) {
			f(nil, ctx.Err())
		}
	})
	c.emu.Unlock()
}

// flushLocked writes every queued message; c.emu is held. A failed write is
// returned for the loop to reconnect (the messages are resent then).
func (c *Conn) flushLocked() error {
	if c.codec == nil {
		return nil
	}
	for c.eng.HasOutgoing() {
		p, err := c.eng.Flush()
		if err != nil {
			c.cfg.Logger.Error("building a packet failed", "err", err)
			return nil
		}
		if err := c.codec.WritePacketOwned(p); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) closedErr() error {
	if err := c.Err(); err != nil {
		return err
	}
	return ErrClosed
}

// Close closes the connection; pending requests fail with ErrClosed. It is
// idempotent.
func (c *Conn) Close() error {
	c.once.Do(func() { close(c.closeC) })
	<-c.doneC
	return nil
}

// attach starts reading from a new transport connection; c.emu is held
// (or the loop has not started).
func (c *Conn) attach(codec *transport.Codec) {
	c.codec = codec
	c.gen++
	c.lastRecv = c.cfg.Now()
}

// reader reads packets and decrypts them on its own goroutine, so that a
// large answer is decrypted while the loop handles the one before it. The
// transport's read buffer is reused: decryption writes the inner message
// into new memory, which the engine's results then share (no other copy).
func (c *Conn) reader(codec *transport.Codec, gen int, out chan<- packet) {
	for {
		p, err := codec.ReadPacket()
		var qa transport.QuickAck
		if errors.As(err, &qa) {
			continue
		}
		pk := packet{gen: gen, err: err}
		if err == nil {
			p = transport.TrimPadding(p)
			if len(p) == 4 {
				pk.data = bytes.Clone(p)
			} else {
				pk.plain, pk.openErr = c.eng.OpenCopy(p)
			}
		}
		select {
		case out <- pk:
		case <-c.doneC:
			return
		}
		if err != nil {
			return
		}
	}
}

func (c *Conn) loop() {
	packets := make(chan packet)
	redial := make(chan *transport.Codec)
	defer close(c.doneC)
	go c.reader(c.codec, c.gen, packets)

	var ackTimer <-chan time.Time
	pingTick := time.NewTicker(c.pingEvery())
	defer pingTick.Stop()
	var reconnectTimer <-chan time.Time
	dialing := false

	scheduleReconnect := func() {
		if c.backoff == 0 {
			c.backoff = c.cfg.MinBackoff
		} else if c.backoff *= 2; c.backoff > c.cfg.MaxBackoff {
			c.backoff = c.cfg.MaxBackoff
		}
		// Jitter: a delay in [backoff/2, backoff].
		d := c.backoff/2 + time.Duration(mrand.Int64N(int64(c.backoff/2)+1))
		reconnectTimer = time.After(d)
	}
	// disconnect drops the transport (of generation gen, if it is still the
	// current one) and schedules a reconnect.
	disconnect := func(gen int, cause error) {
		c.emu.Lock()
		if c.codec == nil || gen != c.gen {
			c.emu.Unlock()
			return
		}
		c.cfg.Logger.Debug("connection lost", "addr", c.cfg.Addr, "err", cause)
		c.codec.Close()
		c.codec = nil
		c.gen++
		c.emu.Unlock()
		c.state(Disconnected)
		scheduleReconnect()
	}
	// flush writes what the engine has queued.
	flush := func() {
		c.emu.Lock()
		gen := c.gen
		err := c.flushLocked()
		c.emu.Unlock()
		ackTimer = nil
		if err != nil {
			disconnect(gen, err)
		}
	}
	shutdown := func(err error) {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
		c.emu.Lock()
		c.ended = true
		if c.codec != nil {
			c.codec.Close()
		}
		var later []settled
		for id, cl := range c.pending {
			cl.settle(result{err: err}, &later)
			delete(c.pending, id)
		}
		c.emu.Unlock()
		runThens(later)
		c.state(Closed)
	}

	for {
		select {
		case <-c.closeC:
			flush()
			shutdown(ErrClosed)
			c.mu.Lock()
			c.err = nil
			c.mu.Unlock()
			return
		case b := <-c.broken:
			disconnect(b.gen, b.err)
		case p := <-packets:
			c.emu.Lock()
			current := p.gen == c.gen
			c.emu.Unlock()
			if !current {
				continue // from a connection already replaced
			}
			if p.err != nil {
				err := transportErr(p.err)
				if errors.Is(err, ErrAuthKeyNotFound) {
					shutdown(err)
					return
				}
				disconnect(p.gen, err)
				continue
			}
			if len(p.data) == 4 {
				code := int32(binary.LittleEndian.Uint32(p.data))
				if code == transport.CodeAuthKeyNotFound {
					shutdown(ErrAuthKeyNotFound)
					return
				}
				disconnect(p.gen, &transport.TransportError{Code: code})
				continue
			}
			c.lastRecv = c.cfg.Now()
			c.backoff = 0
			if p.openErr != nil {
				c.cfg.Logger.Debug("dropped a packet", "err", p.openErr)
				continue
			}
			c.emu.Lock()
			evs, err := c.eng.ReceivePlain(p.plain)
			quiet := len(evs) == 0
			var later []settled
			evs = c.answerLocked(evs, &later)
			c.snapshot()
			var flushNow bool
			if c.eng.HasOutgoing() {
				if c.eng.Pending() > 0 || quiet {
					flushNow = true
				} else if ackTimer == nil {
					ackTimer = time.After(c.cfg.AckDelay)
				}
			}
			c.emu.Unlock()
			runThens(later)
			if err != nil {
				c.cfg.Logger.Debug("dropped a packet", "err", err)
			}
			c.dispatch(evs)
			if flushNow {
				flush()
			}
		case <-ackTimer:
			flush()
		case <-pingTick.C:
			c.emu.Lock()
			up := c.codec != nil
			gen := c.gen
			c.emu.Unlock()
			if !up || c.cfg.PingInterval < 0 {
				continue
			}
			if c.cfg.Now().Sub(c.lastRecv) > c.cfg.PingInterval+15*time.Second {
				disconnect(gen, errors.New("no packet from the server within the ping interval"))
				continue
			}
			c.ping()
			flush()
		case <-reconnectTimer:
			reconnectTimer = nil
			if dialing {
				continue
			}
			dialing = true
			c.state(Connecting)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), c.cfg.DialTimeout)
				defer cancel()
				codec, err := transport.Dial(ctx, c.cfg.Addr, c.cfg.Transport)
				if err != nil {
					c.cfg.Logger.Debug("reconnect failed", "addr", c.cfg.Addr, "err", err)
					codec = nil
				}
				select {
				case redial <- codec:
				case <-c.doneC:
					if codec != nil {
						codec.Close()
					}
				}
			}()
		case codec := <-redial:
			dialing = false
			if codec == nil {
				scheduleReconnect()
				continue
			}
			c.emu.Lock()
			c.attach(codec)
			gen := c.gen
			go c.reader(codec, gen, packets)
			c.eng.Reconnected()
			c.emu.Unlock()
			c.state(Connected)
			flush()
		}
	}
}

func (c *Conn) pingEvery() time.Duration {
	if c.cfg.PingInterval < 0 {
		return time.Hour
	}
	return c.cfg.PingInterval
}

// ping queues a ping_delay_disconnect whose answer nobody waits for.
func (c *Conn) ping() {
	n, _ := rand.Int(c.cfg.Rand, big.NewInt(1<<62))
	var id int64
	if n != nil {
		id = n.Int64()
	}
	delay := int32((c.cfg.PingInterval + 15*time.Second) / time.Second)
	b, _ := tl.Encode(&mt.PingDelayDisconnectRequest{PingID: id, DisconnectDelay: delay})
	c.emu.Lock()
	c.eng.Send(b)
	c.emu.Unlock()
}

// answerLocked hands results and errors to the calls waiting for them
// (those with a then callback are added to *later) and returns the other
// events; c.emu is held.
func (c *Conn) answerLocked(evs []engine.Event, later *[]settled) []engine.Event {
	rest := evs[:0]
	for _, ev := range evs {
		switch e := ev.(type) {
		case engine.Result:
			if cl, ok := c.pending[e.Req]; ok {
				delete(c.pending, e.Req)
				cl.settle(result{body: e.Body}, later)
			}
		case engine.RPCError:
			if cl, ok := c.pending[e.Req]; ok {
				delete(c.pending, e.Req)
				cl.settle(result{err: &RPCError{Code: e.Code, Message: e.Message}}, later)
			}
		default:
			rest = append(rest, ev)
		}
	}
	return rest
}

// dispatch runs the callbacks for updates and new sessions, without c.emu
// (a callback may send).
func (c *Conn) dispatch(evs []engine.Event) {
	for _, ev := range evs {
		switch e := ev.(type) {
		case engine.Update:
			if c.cfg.OnUpdate != nil {
				c.cfg.OnUpdate(e.Body)
			}
		case engine.NewSession, engine.SessionReset:
			if c.cfg.OnNewSession != nil {
				c.cfg.OnNewSession()
			}
		}
	}
}
