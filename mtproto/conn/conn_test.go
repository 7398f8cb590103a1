package conn

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/engine"
	"github.com/polygram/polygram/mtproto/server"
	"github.com/polygram/polygram/mtproto/transport"
)

var (
	keyOnce   sync.Once
	serverKey *rsa.PrivateKey
)

func rsaKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if serverKey, err = crypto.GenerateServerKey(2048, nil); err != nil {
			t.Fatal(err)
		}
	})
	return serverKey
}

// Request bodies of the test server: the first word selects the behaviour,
// the second is a tag counted per execution.
const (
	opEcho  = 0x0000e000
	opError = 0x0000e001
	opSlow  = 0x0000e002
	opPush  = 0x0000e003 // pushes the request back as an update, then answers
)

type testServer struct {
	srv     *server.Server
	addr    string
	secrets []transport.Secret
	release chan struct{}
	started chan uint32
	mu      sync.Mutex
	runs    map[uint32]int
}

func req(op, tag uint32) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, op)
	binary.LittleEndian.PutUint32(b[4:], tag)
	return b
}

func startServer(t testing.TB, keys server.KeyStore) *testServer {
	t.Helper()
	ts := &testServer{release: make(chan struct{}), started: make(chan uint32, 16), runs: map[uint32]int{}}
	for _, s := range []string{
		"00112233445566778899aabbccddeeff",
		"dd00112233445566778899aabbccddeeff",
		"ee00112233445566778899aabbccddeeff" + fmt.Sprintf("%x", "example.com"),
	} {
		sec, err := transport.ParseSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		ts.secrets = append(ts.secrets, *sec)
	}
	srv, err := server.New(server.Config{
		Key: rsaKey(t), Keys: keys, Salt: 42,
		Transport: transport.ServerOptions{Secrets: ts.secrets, AllowDirect: true},
		Handler: server.HandlerFunc(func(ctx context.Context, s *server.Session, body []byte) []byte {
			op := binary.LittleEndian.Uint32(body)
			var tag uint32
			if len(body) >= 8 {
				tag = binary.LittleEndian.Uint32(body[4:])
			}
			ts.mu.Lock()
			ts.runs[tag]++
			ts.mu.Unlock()
			switch op {
			case opError:
				return engine.RPCErrorBody(420, "FLOOD_WAIT_3")
			case opPush:
				s.Push(body)
			case opSlow:
				ts.started <- tag
				select {
				case <-ts.release:
				case <-ctx.Done():
				}
			}
			return body
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	ts.srv, ts.addr = srv, l.Addr().String()
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testServer) runsOf(tag uint32) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.runs[tag]
}

func (ts *testServer) config(t testing.TB) Config {
	return Config{Addr: ts.addr, DC: 2, Keys: []crypto.PublicKey{crypto.NewPublicKey(&rsaKey(t).PublicKey)},
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Transport: transport.Options{Kind: transport.Intermediate}}
}

func dial(t testing.TB, cfg Config) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func invoke(t testing.TB, c *Conn, body []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Invoke(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEveryFramingObfuscationAndSecret(t *testing.T) {
	ts := startServer(t, nil)
	modes := []struct {
		name       string
		obfuscated bool
		secret     *transport.Secret
	}{
		{"plain", false, nil}, {"obfuscated2", true, nil},
		{"secret", true, &ts.secrets[0]}, {"dd", true, &ts.secrets[1]}, {"ee", true, &ts.secrets[2]},
	}
	kinds := []transport.Kind{transport.Abridged, transport.Intermediate, transport.PaddedIntermediate, transport.Full}
	var tag uint32
	for _, k := range kinds {
		for _, m := range modes {
			if k == transport.Full && m.obfuscated {
				continue // full framing is never obfuscated (ErrFullNotObfuscated)
			}
			t.Run(fmt.Sprintf("%s/%s", k, m.name), func(t *testing.T) {
				cfg := ts.config(t)
				cfg.Transport = transport.Options{Kind: k, Obfuscated: m.obfuscated, Secret: m.secret}
				c := dial(t, cfg)
				tag++
				for i := 0; i < 3; i++ {
					if got := invoke(t, c, req(opEcho, tag)); !bytes.Equal(got, req(opEcho, tag)) {
						t.Fatalf("echo %x", got)
					}
				}
				big := bytes.Repeat(req(opEcho, tag), 64<<10)
				if got := invoke(t, c, big); !bytes.Equal(got, big) {
					t.Fatal("512 KiB echo differs")
				}
			})
		}
	}
}

func TestRPCErrorIsTyped(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.config(t))
	_, err := c.Invoke(context.Background(), req(opError, 1))
	var re *RPCError
	if !errors.As(err, &re) || re.Code != 420 || re.Message != "FLOOD_WAIT_3" {
		t.Fatalf("got %v", err)
	}
}

func TestDroppedConnectionMidRPCIsResentAndExecutedOnce(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.config(t))
	type out struct {
		b   []byte
		err error
	}
	done := make(chan out, 1)
	go func() {
		b, err := c.Invoke(context.Background(), req(opSlow, 77))
		done <- out{b, err}
	}()
	<-ts.started
	for _, s := range ts.srv.Sessions() {
		s.Close() // the connection drops while the request runs
	}
	close(ts.release)
	select {
	case r := <-done:
		if r.err != nil || !bytes.Equal(r.b, req(opSlow, 77)) {
			t.Fatalf("%x %v", r.b, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer after the reconnect")
	}
	if n := ts.runsOf(77); n != 1 {
		t.Fatalf("request executed %d times", n)
	}
	// The connection keeps working.
	if got := invoke(t, c, req(opEcho, 78)); !bytes.Equal(got, req(opEcho, 78)) {
		t.Fatal("no echo after the reconnect")
	}
}

func TestStatesFollowADropAndTheReconnect(t *testing.T) {
	ts := startServer(t, nil)
	cfg := ts.config(t)
	states := make(chan State, 16)
	cfg.OnState = func(s State) { states <- s }
	c := dial(t, cfg)
	next := func() State {
		select {
		case s := <-states:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("no state reported")
			return Closed
		}
	}
	if a, b := next(), next(); a != Connecting || b != Connected {
		t.Fatalf("dial: %v %v", a, b)
	}
	for _, s := range ts.srv.Sessions() {
		s.Close()
	}
	// No request needed: the drop and the reconnect are reported as they happen.
	if a, b, d := next(), next(), next(); a != Disconnected || b != Connecting || d != Connected {
		t.Fatalf("after a drop: %v %v %v", a, b, d)
	}
	if got := invoke(t, c, req(opEcho, 5)); !bytes.Equal(got, req(opEcho, 5)) {
		t.Fatal("no echo after the reconnect")
	}
	c.Close()
	if s := next(); s != Closed {
		t.Fatalf("close: %v", s)
	}
}

func TestUnknownKeyIsReportedAsNotFound(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.config(t))
	key := c.AuthKey()
	c.Close()
	other := startServer(t, nil) // a server that never saw the key
	cfg := other.config(t)
	cfg.AuthKey = key
	c2 := dial(t, cfg)
	_, err := c2.Invoke(context.Background(), req(opEcho, 1))
	if !errors.Is(err, ErrAuthKeyNotFound) {
		t.Fatalf("got %v", err)
	}
	select {
	case <-c2.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("connection did not close")
	}
}

func TestExistingKeyIsReused(t *testing.T) {
	keys := &server.MemoryKeys{}
	ts := startServer(t, keys)
	var made int32
	cfg := ts.config(t)
	cfg.OnKey = func(*crypto.AuthKey, int64, time.Duration) { atomic.AddInt32(&made, 1) }
	c := dial(t, cfg)
	invoke(t, c, req(opEcho, 1))
	key := c.AuthKey()
	_, salt, _ := c.Session()
	c.Close()
	cfg.AuthKey, cfg.Salt = key, salt
	c2 := dial(t, cfg)
	invoke(t, c2, req(opEcho, 2))
	if made != 1 {
		t.Fatalf("%d keys made, want 1", made)
	}
}

func TestContextCancellationAndClose(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts.config(t))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Invoke(ctx, req(opSlow, 5)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	<-ts.started
	// Still usable after a cancelled call.
	invoke(t, c, req(opEcho, 6))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Invoke(context.Background(), req(opSlow, 7))
		errc <- err
	}()
	<-ts.started
	c.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("pending call got %v", err)
	}
	if _, err := c.Invoke(context.Background(), req(opEcho, 8)); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after close got %v", err)
	}
	c.Close() // idempotent
	close(ts.release)
}

func TestPingsKeepAnIdleConnection(t *testing.T) {
	ts := startServer(t, nil)
	cfg := ts.config(t)
	cfg.PingInterval = 50 * time.Millisecond
	var states []State
	var mu sync.Mutex
	cfg.OnState = func(s State) { mu.Lock(); states = append(states, s); mu.Unlock() }
	c := dial(t, cfg)
	time.Sleep(400 * time.Millisecond)
	invoke(t, c, req(opEcho, 1))
	mu.Lock()
	defer mu.Unlock()
	for _, s := range states {
		if s == Disconnected {
			t.Fatalf("an answered ping loop still disconnected: %v", states)
		}
	}
}

// BenchmarkHandshakeLoopback measures a full connection with a new auth key
// over loopback TCP; it reports the median.
func BenchmarkHandshakeLoopback(b *testing.B) {
	ts := startServer(b, nil)
	cfg := ts.config(b)
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := Dial(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		c.Close()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkRPCPipelined measures small round trips per second over one
// connection with 64 requests in flight.
func BenchmarkRPCPipelined(b *testing.B) {
	ts := startServer(b, nil)
	c := dial(b, ts.config(b))
	b.SetParallelism(32)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		body := req(opEcho, 1)
		for pb.Next() {
			if _, err := c.Invoke(context.Background(), body); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rpc/s")
}

func TestPFSBindsATemporaryKeyToThePermanentOne(t *testing.T) {
	keys := &server.MemoryKeys{}
	ts := startServer(t, keys)
	cfg := ts.config(t)
	cfg.PFS = true
	var permMade *crypto.AuthKey
	cfg.OnKey = func(k *crypto.AuthKey, _ int64, _ time.Duration) { permMade = k }
	c := dial(t, cfg)
	if got := invoke(t, c, req(opEcho, 1)); !bytes.Equal(got, req(opEcho, 1)) {
		t.Fatal("echo over the temporary key failed")
	}
	temp, perm := c.AuthKey(), c.PermKey()
	if temp.Equal(perm) || permMade == nil || !permMade.Equal(perm) {
		t.Fatal("messages are not encrypted with a separate temporary key")
	}
	k, ok := keys.Get(temp.IDInt64())
	if !ok || !k.Temp || k.PermID != perm.IDInt64() || k.ExpiresAt.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("server-side temporary key: %+v", k)
	}
	c.Close()
	// A new connection with the stored permanent key makes and binds a new
	// temporary key; the permanent key is not remade.
	cfg.AuthKey, permMade = perm, nil
	c2 := dial(t, cfg)
	invoke(t, c2, req(opEcho, 2))
	if permMade != nil || c2.AuthKey().Equal(temp) || !c2.PermKey().Equal(perm) {
		t.Fatal("reconnect did not reuse the permanent key with a fresh temporary key")
	}
}

// Large answers (which the server encrypts on its sealer, hashing the next
// large packet of any connection while it encrypts one) and small ones
// (written by the connection's loop when nothing is queued before them)
// arrive intact on two connections at once, and server pushes of both
// sizes arrive in the order they were sent.
func TestLargeAndSmallAnswersInterleaved(t *testing.T) {
	ts := startServer(t, &server.MemoryKeys{})
	pushed := make(chan []byte, 64)
	cfg := ts.config(t)
	cfg.OnUpdate = func(body []byte) { pushed <- bytes.Clone(body) }
	a := dial(t, cfg)
	cfg2 := ts.config(t)
	cfg2.Keys, cfg2.OnUpdate = cfg.Keys, nil
	b := dial(t, cfg2)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		c := a
		if i%2 == 1 {
			c = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			size := 8 + 4*(i%4)
			if i%3 != 0 {
				size = 200<<10 + 4096*i
			}
			body := make([]byte, size)
			binary.LittleEndian.PutUint32(body, opEcho)
			binary.LittleEndian.PutUint32(body[4:], uint32(i))
			for j := 8; j < size; j++ {
				body[j] = byte(i*7 + j)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got, err := c.Invoke(ctx, body)
			if err == nil && !bytes.Equal(got, body) {
				err = fmt.Errorf("answer %d (%d bytes) differs", i, size)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Pushes: the connection that carries a's session.
	var sess *server.Session
	for _, s := range ts.srv.Sessions() {
		if k := s.Key(); k != nil && k.AuthKey.IDInt64() == a.AuthKey().IDInt64() {
			sess = s
		}
	}
	if sess == nil {
		t.Fatal("no server session for the first connection")
	}
	var sent [][]byte
	for i := range 12 {
		size := 16
		if i%3 == 1 {
			size = 300 << 10
		}
		body := make([]byte, size)
		for j := range body {
			body[j] = byte(j*31 + j>>8*17 + i) // incompressible enough not to be gzip-packed
		}
		binary.LittleEndian.PutUint32(body, 0x1cb5c415+uint32(i)) // not an rpc_result or service message
		binary.LittleEndian.PutUint32(body[4:], uint32(i))
		sent = append(sent, body)
		if !sess.Push(body) {
			t.Fatal("push refused")
		}
	}
	for i, want := range sent {
		select {
		case got := <-pushed:
			if !bytes.Equal(got, want) {
				t.Fatalf("push %d: got push %d (%d bytes)", i, binary.LittleEndian.Uint32(got[4:]), len(got))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("push %d did not arrive", i)
		}
	}
}

// A request goes out on the caller's goroutine: while the connection's
// goroutine is held up (here in an update handler that blocks), Send still
// puts a request on the network, and its answer comes once the handler
// returns.
func TestSendWhileTheLoopIsBusy(t *testing.T) {
	ts := startServer(t, &server.MemoryKeys{})
	cfg := ts.config(t)
	inHandler, hold := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cfg.OnUpdate = func([]byte) {
		once.Do(func() {
			close(inHandler)
			<-hold
		})
	}
	c := dial(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go c.Invoke(ctx, req(opPush, 1))
	select {
	case <-inHandler:
	case <-ctx.Done():
		t.Fatal("the update never reached the handler")
	}
	p, err := c.Send(ctx, req(opEcho, 2))
	if err != nil {
		t.Fatal(err)
	}
	for ts.runsOf(2) == 0 {
		if ctx.Err() != nil {
			close(hold)
			t.Fatal("the request did not reach the server while the connection's goroutine was busy")
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	res, err := p.Wait(ctx)
	if err != nil || !bytes.Equal(res, req(opEcho, 2)) {
		t.Fatalf("Wait = %x, %v", res, err)
	}
}

// Send on a closed connection fails with ErrClosed, and a Pending whose
// context ends is cancelled.
func TestSendClosedAndCancelled(t *testing.T) {
	ts := startServer(t, &server.MemoryKeys{})
	c := dial(t, ts.config(t))
	ctx, cancel := context.WithCancel(context.Background())
	p, err := c.Send(ctx, req(opSlow, 3))
	if err != nil {
		t.Fatal(err)
	}
	<-ts.started
	cancel()
	if _, err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after cancel = %v", err)
	}
	if _, err := c.Send(ctx, req(opEcho, 4)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with an ended context = %v", err)
	}
	c.Close()
	if _, err := c.Send(context.Background(), req(opEcho, 5)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close = %v", err)
	}
}

// Then hands the answer to a function once: as it arrives, at once when it
// has arrived already, with ctx.Err() when the context ends first (the
// request is cancelled), and with ErrClosed when the connection closes.
func TestThen(t *testing.T) {
	ts := startServer(t, &server.MemoryKeys{})
	c := dial(t, ts.config(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type outcome struct {
		body []byte
		err  error
	}
	then := func(p *Pending, ctx context.Context) chan outcome {
		ch := make(chan outcome, 2) // room for a second call, which would fail the test
		p.Then(ctx, func(body []byte, err error) { ch <- outcome{body, err} })
		return ch
	}
	once := func(ch chan outcome) outcome {
		select {
		case o := <-ch:
			select {
			case o2 := <-ch:
				t.Fatalf("called twice: %v, then %v", o, o2)
			case <-time.After(50 * time.Millisecond):
			}
			return o
		case <-ctx.Done():
			t.Fatal("never called")
		}
		return outcome{}
	}

	p, err := c.Send(ctx, req(opEcho, 10))
	if err != nil {
		t.Fatal(err)
	}
	if o := once(then(p, ctx)); o.err != nil || !bytes.Equal(o.body, req(opEcho, 10)) {
		t.Fatalf("answer %x, %v", o.body, o.err)
	}

	// Answered before Then: called on the spot.
	p, _ = c.Send(ctx, req(opEcho, 11))
	for ts.runsOf(11) == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	ch := then(p, ctx)
	if o := once(ch); o.err != nil || !bytes.Equal(o.body, req(opEcho, 11)) {
		t.Fatalf("late Then: %x, %v", o.body, o.err)
	}

	// An error answer.
	p, _ = c.Send(ctx, req(opError, 12))
	var rerr *RPCError
	if o := once(then(p, ctx)); !errors.As(o.err, &rerr) || rerr.Code != 420 {
		t.Fatalf("error answer: %v", o.err)
	}

	// The context ends first.
	short, stop := context.WithCancel(ctx)
	p, _ = c.Send(short, req(opSlow, 13))
	ch = then(p, short)
	<-ts.started
	stop()
	if o := once(ch); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("cancelled: %v", o.err)
	}

	// The connection closes first.
	p, _ = c.Send(ctx, req(opSlow, 14))
	ch = then(p, ctx)
	<-ts.started
	go c.Close()
	if o := once(ch); !errors.Is(o.err, ErrClosed) {
		t.Fatalf("closed: %v", o.err)
	}
	close(ts.release)
}

// A request sent the moment the transport breaks (its write fails on the
// caller's goroutine, or the reader notices first) is resent on the next
// connection and answered once.
func TestSendOnABrokenTransport(t *testing.T) {
	ts := startServer(t, &server.MemoryKeys{})
	c := dial(t, ts.config(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 20 {
		tag := uint32(100 + i)
		c.emu.Lock()
		if c.codec != nil {
			c.codec.Close()
		}
		c.emu.Unlock()
		res, err := c.Invoke(ctx, req(opEcho, tag))
		if err != nil || !bytes.Equal(res, req(opEcho, tag)) {
			t.Fatalf("request %d: %x, %v", i, res, err)
		}
		if n := ts.runsOf(tag); n != 1 {
			t.Fatalf("request %d ran %d times", i, n)
		}
	}
}
