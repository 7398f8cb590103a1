// Package server is the server half of MTProto over real connections: it
// accepts connections, detects the transport (every framing, obfuscation
// and MTProxy secret), runs the auth-key exchange for unencrypted messages,
// and runs a session engine per auth key for encrypted ones, handing each RPC
// to a Handler. Polygram's Telegram emulator is built on it; so are the
// loopback tests of the client connection.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/engine"
	"github.com/polygram/polygram/mtproto/handshake"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/tl"
)

// Handler answers RPC calls.
type Handler interface {
	// Handle answers one call (a boxed TL function, already unpacked from
	// gzip) with a boxed result, or with an rpc_error built by
	// engine.RPCErrorBody. It runs on its own goroutine; ctx ends when the
	// connection closes.
	Handle(ctx context.Context, s *Session, req []byte) []byte
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, s *Session, req []byte) []byte

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, s *Session, req []byte) []byte {
	return f(ctx, s, req)
}

// Key is an auth key the server knows.
type Key struct {
	AuthKey *crypto.AuthKey
	// Temp reports a temporary key; ExpiresAt is when it stops working.
	Temp      bool
	ExpiresAt time.Time
	// PermID is the permanent key a temporary key is bound to (0: unbound).
	PermID int64
	// DC is the data centre the client asked for in the exchange.
	DC int
}

// KeyStore keeps the auth keys made on this server.
type KeyStore interface {
	Get(id int64) (*Key, bool)
	Put(k *Key)
}

// MemoryKeys is a KeyStore in memory, safe for concurrent use.
type MemoryKeys struct {
	mu   sync.Mutex
	keys map[int64]*Key
}

// Get returns the key with the given id.
func (m *MemoryKeys) Get(id int64) (*Key, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[id]
	return k, ok
}

// Put stores a key.
func (m *MemoryKeys) Put(k *Key) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[int64]*Key{}
	}
	m.keys[k.AuthKey.IDInt64()] = k
}

// Config configures a Server.
type Config struct {
	// Key is the server's RSA key (required).
	Key *rsa.PrivateKey
	// Handler answers RPCs (required).
	Handler Handler
	// Keys stores auth keys (a new MemoryKeys when nil).
	Keys KeyStore
	// Transport configures transport detection (MTProxy secrets, …).
	Transport transport.ServerOptions
	// Salt is the server salt sessions start with (see SetSalt for
	// rotation); ValidSalt, when set, decides which salts clients may still
	// use (default: only the current one).
	Salt      int64
	ValidSalt func(salt int64) bool
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
	// Logger receives connection-level diagnostics (never key material).
	Logger *slog.Logger
}

// Server accepts MTProto connections.
type Server struct {
	cfg      Config
	tr       *transport.Server
	mu       sync.Mutex
	lns      map[net.Listener]struct{}
	sessions map[*Session]struct{}
	engines  map[sessionRef]*shared // sessions outlive connections
	tick     uint64                 // orders engines by last use
	ctx      context.Context        // ends at Close; handlers run under it
	stop     context.CancelFunc
	seals    chan sealJob // large packets for the sealer
	closed   bool
	wg       sync.WaitGroup
}

// shared is the engine of one session (auth key and session id), used by
// whichever connection the client is on: its replay window and answer cache
// survive reconnects, so a request resent after a reconnect is answered, not
// executed again. A client may run several sessions on one key at once (a
// main connection and media connections), each with its own engine.
type shared struct {
	mu    sync.Mutex
	eng   *engine.Engine
	owner *Session // the connection that last carried this session
	used  uint64   // Server.tick at the last packet (guarded by Server.mu)
}

// sessionRef names a session: its auth key and session id.
type sessionRef struct{ key, session int64 }

// maxSessionsPerKey bounds the sessions kept per auth key: a client that
// opens more (each connection of a new Conn picks a new session id) loses
// the least recently used, which only costs a new_session_created.
const maxSessionsPerKey = 16

// ErrClosed is returned by Serve after Close.
var ErrClosed = errors.New("server: closed")

// New returns a server.
func New(cfg Config) (*Server, error) {
	if cfg.Key == nil || cfg.Handler == nil {
		return nil, errors.New("server: Config.Key and Config.Handler are required")
	}
	if cfg.Keys == nil {
		cfg.Keys = &MemoryKeys{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport.Now == nil {
		cfg.Transport.Now = cfg.Now
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, ctx: ctx, stop: stop, tr: transport.NewServer(cfg.Transport), lns: map[net.Listener]struct{}{},
		sessions: map[*Session]struct{}{}, engines: map[sessionRef]*shared{}, seals: make(chan sealJob, 256)}
	s.wg.Add(1)
	go s.sealer()
	return s, nil
}

// SetSalt rotates the server salt: every session announces it from now on
// (clients using another salt get bad_server_salt unless ValidSalt accepts
// it), and new sessions start with it.
func (s *Server) SetSalt(salt int64) {
	s.mu.Lock()
	s.cfg.Salt = salt
	engines := make([]*shared, 0, len(s.engines))
	for _, sh := range s.engines {
		engines = append(engines, sh)
	}
	s.mu.Unlock()
	for _, sh := range engines {
		sh.mu.Lock()
		sh.eng.SetSalt(salt)
		sh.mu.Unlock()
	}
}

// Keys returns the server's key store.
func (s *Server) Keys() KeyStore { return s.cfg.Keys }

// Serve accepts connections on l until Close.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrClosed
	}
	s.lns[l] = struct{}{}
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		// Counted under the lock that Close takes before it waits, so a
		// connection accepted as Close begins is either counted before the
		// wait or refused here (WaitGroup: an Add from zero must happen
		// before Wait).
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return ErrClosed
		}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.serveConn(c)
		}()
	}
}

// Close stops listening, closes every connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.stop()
	for l := range s.lns {
		l.Close()
	}
	for sess := range s.sessions {
		sess.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Sessions returns the connections currently open.
func (s *Server) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Session, 0, len(s.sessions))
	for sess := range s.sessions {
		out = append(out, sess)
	}
	return out
}

// bindTempAuthKeyID is auth.bindTempAuthKey#cdd42a05 (schema/api.tl); the
// server handles it itself because it manages keys.
const bindTempAuthKeyID = 0xcdd42a05

// Session is one client connection.
type Session struct {
	srv    *Server
	conn   net.Conn
	codec  *transport.Codec
	info   transport.Info
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	key    *Key
	cur    *shared
	out    chan func()
	values map[string]any
	done   chan struct{}

	// Writes to codec happen under wmu. Large packets are encrypted by the
	// server's sealer and written by the connection's writer goroutine, in
	// the order flush made them; queued (under qmu) counts those not yet
	// written, so that a small packet is written by the loop itself only
	// when it overtakes nothing. wq holds encrypted packets for the writer.
	// slots bounds the packets queued for the sealer and the writer, so a
	// client that stops reading holds back the loop, as a blocked write
	// did.
	wmu    sync.Mutex
	qmu    sync.Mutex
	queued int
	wq     [][]byte
	wsig   chan struct{}
	slots  chan struct{}
}

// Info returns what the transport detection found.
func (ss *Session) Info() transport.Info { return ss.info }

// RemoteAddr returns the client's address.
func (ss *Session) RemoteAddr() net.Addr { return ss.conn.RemoteAddr() }

// Key returns the auth key the client last used (nil before any encrypted
// message).
func (ss *Session) Key() *Key {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.key
}

// PermKeyID returns the permanent key id behind the connection: the key
// itself, or the permanent key a temporary key is bound to (0 if unbound).
func (ss *Session) PermKeyID() int64 {
	k := ss.Key()
	switch {
	case k == nil:
		return 0
	case k.Temp:
		return k.PermID
	}
	return k.AuthKey.IDInt64()
}

// Set and Get keep values for the handler (per connection).
func (ss *Session) Set(name string, v any) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.values == nil {
		ss.values = map[string]any{}
	}
	ss.values[name] = v
}

// Get returns a value stored with Set.
func (ss *Session) Get(name string) any {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.values[name]
}

// Push sends a server-initiated message (updates) to the client. It reports
// false when the connection is closed.
func (ss *Session) Push(body []byte) bool {
	return ss.do(func() {
		if sh := ss.cur; sh != nil {
			sh.mu.Lock()
			sh.eng.Push(body)
			sh.mu.Unlock()
		}
	})
}

// do runs f on the connection's loop.
func (ss *Session) do(f func()) bool {
	select {
	case ss.out <- f:
		return true
	case <-ss.done:
		return false
	}
}

// Close closes the connection.
func (ss *Session) Close() error {
	ss.cancel()
	return ss.conn.Close()
}

// Done is closed when the connection ends.
func (ss *Session) Done() <-chan struct{} { return ss.done }

func (s *Server) serveConn(c net.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	ss := &Session{srv: s, conn: c, ctx: ctx, cancel: cancel, out: make(chan func(), 64), done: make(chan struct{}),
		wsig: make(chan struct{}, 1), slots: make(chan struct{}, maxQueuedPackets)}
	writerDone := make(chan struct{})
	defer func() {
		cancel()
		c.Close()
		<-writerDone
		close(ss.done)
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
	}()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		close(writerDone)
		return
	}
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()

	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	codec, info, err := s.tr.Accept(c)
	if err != nil {
		s.cfg.Logger.Debug("transport detection failed", "remote", c.RemoteAddr(), "err", err)
		close(writerDone)
		return
	}
	c.SetReadDeadline(time.Time{})
	ss.codec, ss.info = codec, info
	go ss.writer(writerDone)

	packets := make(chan inbound)
	readErr := make(chan error, 1)
	go func() {
		for {
			p, err := codec.ReadPacket()
			if err != nil {
				readErr <- err
				return
			}
			in := s.open(transport.TrimPadding(p))
			select {
			case packets <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	var hs *handshake.Server
	var lastPlainID int64
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-readErr:
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.cfg.Logger.Debug("read failed", "remote", c.RemoteAddr(), "err", err)
			}
			return
		case f := <-ss.out:
			f()
		case in := <-packets:
			if p := in.plainMsg; p != nil {
				if hs == nil {
					hs = &handshake.Server{Key: s.cfg.Key, Rand: s.cfg.Rand, Now: s.cfg.Now,
						KeyInUse: func(id int64) bool { _, ok := s.cfg.Keys.Get(id); return ok }}
				}
				reply, done, err := s.handshakeStep(hs, p)
				if err != nil {
					s.cfg.Logger.Debug("handshake failed", "remote", c.RemoteAddr(), "err", err)
					if errors.Is(err, handshake.ErrRSA) {
						ss.writeTransportError()
					}
					return
				}
				if done {
					hs = nil
				}
				id := plainMsgID(s.cfg.Now(), &lastPlainID)
				ss.wmu.Lock()
				err = codec.WritePacket(handshake.WrapPlain(id, reply))
				ss.wmu.Unlock()
				if err != nil {
					return
				}
				continue
			}
			if err := ss.encrypted(in); err != nil {
				return
			}
		}
		if err := ss.flush(); err != nil {
			return
		}
	}
}

// plainMsgID returns a server msg_id (1 mod 4) for an unencrypted answer.
func plainMsgID(now time.Time, last *int64) int64 {
	id := now.Unix()<<32 | int64((uint64(now.Nanosecond())<<32)/1e9)
	id = id&^3 | 1
	if id <= *last {
		id = *last + 4
	}
	*last = id
	return id
}

func (s *Server) handshakeStep(hs *handshake.Server, p []byte) ([]byte, bool, error) {
	_, body, err := handshake.UnwrapPlain(p)
	if err != nil {
		return nil, false, err
	}
	if len(body) < 4 {
		return nil, false, handshake.ErrPlain
	}
	switch binary.LittleEndian.Uint32(body) {
	case 0xbe7e8ef1, 0x60469778: // req_pq_multi, req_pq
		if hs != nil {
			*hs = handshake.Server{Key: hs.Key, Rand: hs.Rand, Now: hs.Now, KeyInUse: hs.KeyInUse}
		}
		r, err := hs.OnReqPQ(body)
		return r, false, err
	case 0xd712e4be: // req_DH_params
		r, err := hs.OnReqDHParams(body)
		return r, false, err
	case 0xf5045f1f: // set_client_DH_params
		r, res, err := hs.OnSetClientDHParams(body)
		if err != nil || res == nil {
			return r, false, err
		}
		s.cfg.Keys.Put(&Key{AuthKey: res.AuthKey, Temp: !res.ExpiresAt.IsZero(), ExpiresAt: res.ExpiresAt, DC: res.DC})
		return r, true, nil
	}
	return nil, false, handshake.ErrUnexpected
}

// encrypted handles an encrypted packet.
// inbound is a packet as the reader hands it to the connection's loop: an
// unencrypted (handshake) message, or an encrypted one already decrypted
// on the reader's goroutine, beside the loop's work.
type inbound struct {
	plainMsg []byte // an unencrypted message (copied out of the read buffer)
	keyID    int64
	short    bool   // too short to name a key
	inner    []byte // the decrypted inner message
	err      error  // why decryption failed (unknown key: inner and err nil)
}

// open classifies a packet and decrypts it when its key is known. p aliases
// the transport's read buffer; what open returns does not.
func (s *Server) open(p []byte) inbound {
	if handshake.IsPlain(p) {
		return inbound{plainMsg: bytes.Clone(p)}
	}
	if len(p) < 8 {
		return inbound{short: true}
	}
	in := inbound{keyID: int64(binary.LittleEndian.Uint64(p))}
	if k, ok := s.cfg.Keys.Get(in.keyID); ok {
		in.inner, in.err = crypto.DecryptMessage(k.AuthKey, crypto.ClientToServer, p)
	}
	return in
}

func (ss *Session) encrypted(in inbound) error {
	s := ss.srv
	if in.short {
		return ss.writeTransportError()
	}
	// The key is looked up again: the reader may have seen it before
	// auth.bindTempAuthKey bound it on this loop.
	k, ok := s.cfg.Keys.Get(in.keyID)
	if !ok || (in.inner == nil && in.err == nil) || (k.Temp && !k.ExpiresAt.IsZero() && s.cfg.Now().After(k.ExpiresAt)) {
		return ss.writeTransportError()
	}
	ss.mu.Lock()
	ss.key = k
	ss.mu.Unlock()
	if in.err != nil {
		s.cfg.Logger.Debug("dropped a packet", "remote", ss.conn.RemoteAddr(), "err", in.err)
		return nil
	}
	ref := sessionRef{key: in.keyID, session: int64(binary.LittleEndian.Uint64(in.inner[8:]))}
	sh, err := s.engine(ref, k)
	if err != nil {
		return err
	}
	sh.mu.Lock()
	sh.owner = ss
	evs, err := sh.eng.ReceivePlain(in.inner)
	sh.mu.Unlock()
	ss.cur = sh
	if err != nil {
		s.cfg.Logger.Debug("dropped a packet", "remote", ss.conn.RemoteAddr(), "err", err)
		return nil
	}
	for _, ev := range evs {
		if r, ok := ev.(engine.Request); ok {
			ss.dispatch(sh, r)
		}
	}
	return nil
}

// engine returns the engine of a session, making it on first use and
// forgetting the key's least recently used session beyond maxSessionsPerKey.
func (s *Server) engine(ref sessionRef, k *Key) (*shared, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	if sh, ok := s.engines[ref]; ok {
		sh.used = s.tick
		return sh, nil
	}
	eng, err := engine.New(engine.Config{Role: engine.Server, AuthKey: k.AuthKey, Salt: s.cfg.Salt,
		Now: s.cfg.Now, Rand: s.cfg.Rand, ValidSalt: s.cfg.ValidSalt})
	if err != nil {
		return nil, err
	}
	n, oldest := 0, sessionRef{}
	for r, sh := range s.engines {
		if r.key != ref.key {
			continue
		}
		if n++; n == 1 || sh.used < s.engines[oldest].used {
			oldest = r
		}
	}
	if n >= maxSessionsPerKey {
		delete(s.engines, oldest)
	}
	sh := &shared{eng: eng, used: s.tick}
	s.engines[ref] = sh
	return sh, nil
}

// dispatch runs the handler for one request and queues its answer on the
// key's engine, to go out on whichever connection carries the key by then.
func (ss *Session) dispatch(sh *shared, r engine.Request) {
	if len(r.Body) >= 4 && binary.LittleEndian.Uint32(r.Body) == bindTempAuthKeyID {
		res := ss.bindTempKey(r.MsgID, r.Body)
		sh.mu.Lock()
		sh.eng.Reply(r.MsgID, res)
		sh.mu.Unlock()
		return
	}
	go func() {
		// Handlers run under the server's context, not the connection's:
		// as on Telegram, a request keeps running when the connection that
		// brought it drops, and its answer waits for the client to return.
		res := ss.srv.cfg.Handler.Handle(ss.srv.ctx, ss, r.Body)
		sh.mu.Lock()
		sh.eng.Reply(r.MsgID, res)
		owner := sh.owner
		sh.mu.Unlock()
		owner.do(func() {})
	}()
}

// bindTempKey handles auth.bindTempAuthKey (perfect forward secrecy).
func (ss *Session) bindTempKey(msgID int64, body []byte) []byte {
	fail := func(msg string) []byte { return engine.RPCErrorBody(400, msg) }
	d := tl.NewDecoder(body[4:])
	permID := d.Long()
	nonce := d.Long()
	expiresAt := d.Int()
	encrypted := d.BytesRef()
	if d.Err() != nil {
		return fail("ENCRYPTED_MESSAGE_INVALID")
	}
	temp := ss.Key()
	if temp == nil || !temp.Temp {
		return fail("TEMP_AUTH_KEY_EMPTY")
	}
	perm, ok := ss.srv.cfg.Keys.Get(permID)
	if !ok || perm.Temp {
		return fail("ENCRYPTED_MESSAGE_INVALID")
	}
	inner, innerMsgID, err := handshake.OpenBindMessage(perm.AuthKey, encrypted)
	if err != nil || innerMsgID != msgID || inner.Nonce != nonce || inner.ExpiresAt != expiresAt ||
		inner.PermAuthKeyID != permID || inner.TempAuthKeyID != temp.AuthKey.IDInt64() {
		return fail("ENCRYPTED_MESSAGE_INVALID")
	}
	if temp.PermID != 0 && temp.PermID != permID {
		return fail("TEMP_AUTH_KEY_ALREADY_BOUND")
	}
	bound := *temp
	bound.PermID = permID
	bound.ExpiresAt = time.Unix(int64(expiresAt), 0)
	ss.srv.cfg.Keys.Put(&bound)
	ss.mu.Lock()
	ss.key = &bound
	ss.mu.Unlock()
	e := tl.NewEncoder(nil)
	e.Bool(true)
	return e.Bytes()
}

// sealAside is the packet size from which the server's sealer encrypts a
// packet rather than the connection's loop: the loop stays free to take the
// next request, and the sealer hashes the next large packet (of any
// connection) while it encrypts this one (crypto.Seal).
const sealAside = 64 << 10

// maxQueuedPackets bounds a connection's packets waiting for the sealer
// or the writer.
const maxQueuedPackets = 64

// sealStep is how much the sealer encrypts between looks at its queue for
// a next packet to hash alongside.
const sealStep = 64 << 10

// sealJob is a packet for the sealer, and the connection it goes out on.
type sealJob struct {
	ss   *Session
	seal *crypto.Seal
}

// flush hands every packet the connection's engine has to send to the
// sealer, or writes it when it is small and nothing is queued before it.
func (ss *Session) flush() error {
	sh := ss.cur
	if sh == nil {
		return nil
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.owner != ss {
		return nil // the client moved to another connection
	}
	for sh.eng.HasOutgoing() {
		seal, err := sh.eng.FlushSeal()
		if err != nil {
			return err
		}
		ss.qmu.Lock()
		if ss.queued == 0 && seal.Len() < sealAside {
			p, err := seal.Finish()
			if err == nil {
				ss.wmu.Lock()
				err = ss.codec.WritePacketOwned(p)
				ss.wmu.Unlock()
			}
			ss.qmu.Unlock()
			if err != nil {
				return err
			}
			continue
		}
		ss.queued++
		ss.qmu.Unlock()
		select {
		case ss.slots <- struct{}{}:
		case <-ss.ctx.Done():
			return ss.ctx.Err()
		}
		select {
		case ss.srv.seals <- sealJob{ss, seal}:
		case <-ss.ctx.Done():
			return ss.ctx.Err()
		}
	}
	return nil
}

// sealer encrypts the large packets of every connection, in the order they
// come; while it encrypts one it hashes the next when that is already
// queued, which costs little more than the encryption alone
// (crypto.Seal.EncryptStep). One goroutine for the server has a next
// packet far more often than one per connection would (a client keeps a few
// file parts in flight over a few connections), and the client and the
// server share the machine's cores in tests.
func (s *Server) sealer() {
	defer s.wg.Done()
	var queue []sealJob
	for {
		if len(queue) == 0 {
			select {
			case j := <-s.seals:
				queue = append(queue, j)
			case <-s.ctx.Done():
				return
			}
		}
		cur := queue[0]
		var err error
		for done := cur.ss.ctx.Err() != nil; !done && err == nil; {
			queue = s.takeSeals(queue)
			// Packets go out in order, but the hash that runs alongside
			// is the next large packet's: small ones (acknowledgements,
			// updates) between file parts are encrypted alone in no time.
			var partner *crypto.Seal
			for _, j := range queue[1:] {
				if j.seal.Len() >= sealAside && j.seal.HashPending() {
					partner = j.seal
					break
				}
			}
			if partner == nil {
				// Let the loops and handlers that make the next packet
				// run: they may be waiting behind this goroutine.
				runtime.Gosched()
			}
			done, err = cur.seal.EncryptStep(partner, sealStep)
		}
		queue[0] = sealJob{}
		queue = queue[1:]
		if cur.ss.ctx.Err() != nil {
			continue // the connection is gone (its slots with it)
		}
		var p []byte
		if err == nil {
			p, err = cur.seal.Finish()
		}
		if err != nil {
			s.cfg.Logger.Debug("encryption failed", "remote", cur.ss.conn.RemoteAddr(), "err", err)
			cur.ss.cancel()
			continue
		}
		cur.ss.qmu.Lock()
		cur.ss.wq = append(cur.ss.wq, p)
		cur.ss.qmu.Unlock()
		select {
		case cur.ss.wsig <- struct{}{}:
		default:
		}
	}
}

// takeSeals appends to queue the packets waiting for the sealer, without
// waiting for more.
func (s *Server) takeSeals(queue []sealJob) []sealJob {
	for len(queue) < cap(s.seals) {
		select {
		case j := <-s.seals:
			queue = append(queue, j)
		default:
			return queue
		}
	}
	return queue
}

// writer writes the packets the sealer encrypted for this connection, in
// order. A failed write ends the connection.
func (ss *Session) writer(done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-ss.wsig:
		case <-ss.ctx.Done():
			return
		}
		for {
			ss.qmu.Lock()
			if len(ss.wq) == 0 {
				ss.qmu.Unlock()
				break
			}
			p := ss.wq[0]
			ss.wq[0] = nil
			ss.wq = ss.wq[1:]
			ss.qmu.Unlock()
			ss.wmu.Lock()
			err := ss.codec.WritePacketOwned(p)
			ss.wmu.Unlock()
			ss.qmu.Lock()
			ss.queued--
			ss.qmu.Unlock()
			<-ss.slots
			if err != nil {
				ss.cancel()
				return
			}
		}
	}
}

// writeTransportError sends the transport error -404 (no such auth key).
func (ss *Session) writeTransportError() error {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	return ss.codec.WriteTransportError(transport.CodeAuthKeyNotFound)
}
