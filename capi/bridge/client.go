package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
)

// Client is a core.Client behind a handle, with its event queue, pending
// requests and the states it reports.
type Client struct {
	h          uint64
	core       *core.Client
	store      session.Store
	q          *queue
	deliver    func(h uint64, ev *Event) // callback mode; nil: polygram_receive
	logLevel   atomic.Int32
	rawUpdates bool

	ctx    context.Context // cancelled with errClientClosed at close
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	pending   map[uint64]*request
	closed    bool
	authState string
	connState string

	work      sync.WaitGroup // request goroutines and blocking invokes
	closeOnce sync.Once
	closeDone chan struct{} // closed when shutdown finished
	delivered chan struct{} // callback mode: closed when the last event was delivered
	deliverG  atomic.Uint64 // goroutine that runs the callback
}

// request is a pending request.
type request struct {
	cancel   context.CancelCauseFunc
	blocking bool // polygram_invoke: no event
}

// requestCounter numbers requests process-wide (ids never repeat).
var requestCounter atomic.Uint64

// job is a validated request, ready to run.
type job struct {
	// local jobs need no network and complete before polygram_send returns.
	local bool
	// enc is the encoding of the result (encTL or encMsgpack).
	enc int
	run func(ctx context.Context, c *Client) ([]byte, error)
	// start, when set, runs the job for callers that do not wait (Send,
	// Start) without a goroutine of its own: it puts the request on the
	// network from the caller's goroutine when it can, and done gets the
	// outcome once, from whichever goroutine has it (for a quick answer, the
	// connection's).
	start func(ctx context.Context, c *Client, done func([]byte, error))
	// after, when set, sees the outcome (login flows update the auth state).
	after func(c *Client, err error)
	// progress: the call asked for PROGRESS events (progress.go).
	progress bool
}

// NewClient creates a client from a configuration. deliver selects callback
// mode; it is called on the client's delivery goroutine.
func NewClient(config []byte, deliver func(h uint64, ev *Event)) (*Client, *Error) {
	opts, e := parseConfig(config)
	if e != nil {
		return nil, e
	}
	store, e := opts.session.open()
	if e != nil {
		return nil, e
	}
	c := &Client{h: newHandle(kindClient), store: store, q: newQueue(opts.queueSize), deliver: deliver,
		rawUpdates: opts.rawUpdates, pending: map[uint64]*request{}, closeDone: make(chan struct{})}
	c.logLevel.Store(int32(opts.logLevel))
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	cfg := opts.core
	cfg.Session = store
	cfg.Logger = newLogger(c)
	cfg.OnUpdates = c.onUpdates
	cfg.OnConnState = c.onConnState
	cc, err := core.New(cfg)
	if err != nil {
		store.Close()
		return nil, errorf(statusInvalidArgument, "%v", err)
	}
	c.core = cc
	cc.OnEvent(c.onEvent)
	if self, err := store.Self(); err == nil && self != nil {
		c.setAuth(string(core.AuthReady), nil)
	} else {
		c.setAuth(string(core.AuthWaitPhone), nil)
	}
	if deliver != nil {
		c.delivered = make(chan struct{})
		go c.deliveryLoop()
	}
	clients.Store(c.h, c)
	return c, nil
}

// deliveryLoop hands every event to the callback, in order, then forgets
// the handle once the final event is delivered.
func (c *Client) deliveryLoop() {
	c.deliverG.Store(goroutineID())
	var spin spinPolicy
	for {
		ev, ok, done := c.q.tryPop()
		if !ok && !done && spin.now() {
			t0 := time.Now()
			ev, ok, done = c.q.spinPop(deliverySpin)
			spin.record(ok, time.Since(t0))
		}
		if !ok {
			var st int
			if ev, st = c.q.wait(-1); st != statusOK {
				break
			}
		}
		c.deliverOne(&ev)
	}
	clients.Delete(c.h)
	close(c.delivered)
}

// deliverySpin is how long the delivery goroutine polls an empty queue
// before it sleeps, when polling has been paying off. A host that sends its
// next request from the callback's wake-up (an async executor) does so
// within a few µs when its thread was awake, or after one thread wake-up
// (25-30 µs on a VM whose idle vCPUs halt) when it was asleep; a sleeping
// delivery goroutine takes such a wake-up too to see the request. The spin
// is long enough to cover the host's wake-up, so that a ping-pong of quick
// requests that has gone cold (both sides asleep) can become hot again.
const deliverySpin = 40 * time.Microsecond

// quickHit is how soon an event must come during a spin for the spinning
// to go on: answers from the network come later, and a goroutine polling
// for them holds a vCPU the request itself needs (on a 2-vCPU machine that
// made round trips slower, docs/capi.md, "No spinning").
const quickHit = 10 * time.Microsecond

// spinPolicy decides when the delivery goroutine spins: always while spins
// find events quickly; once more after a late find (a host that was asleep
// and may now be awake); after a miss, on one wait in 8 at random (random,
// so that it cannot stay out of phase with a host that retries its own spin
// every 8th request). A client whose events come far apart thus spends a
// few µs per event on it.
type spinPolicy struct{ missed, late bool }

func (s *spinPolicy) now() bool { return !s.missed || rand.Uint32()%8 == 0 }

func (s *spinPolicy) record(hit bool, took time.Duration) {
	switch {
	case hit && took <= quickHit:
		s.missed, s.late = false, false
	case hit && !s.late:
		s.missed, s.late = false, true // one more chance
	default:
		s.missed, s.late = true, false
	}
}

func (c *Client) deliverOne(ev *Event) {
	defer func() {
		if r := recover(); r != nil {
			c.log(logError, fmt.Sprint("delivering an event failed: ", r), nil)
		}
	}()
	c.deliver(c.h, ev)
}

// goroutineID returns the running goroutine's id. A callback that calls back
// into the library runs on the goroutine that called it, so close can tell
// a call from inside the callback (which must not wait for the callback)
// from any other.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

// Send starts a request and returns its id at once.
func (c *Client) Send(enc int, data []byte) (uint64, *Error) {
	j, e := prepare(enc, data)
	if e != nil {
		return 0, e
	}
	if j.local {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return 0, errorf(statusClosed, "client %d is closed", c.h)
		}
		id := requestCounter.Add(1)
		res, err := j.run(c.ctx, c)
		c.finish(id, j.enc, res, toAPIError(nil, err))
		return id, nil
	}
	id, ctx, e := c.register(false)
	if e != nil {
		return 0, e
	}
	var prog *progressReporter
	if j.progress {
		prog = &progressReporter{c: c, id: id}
		ctx = context.WithValue(ctx, progressKey{}, prog)
	}
	c.launch(ctx, j, func(res []byte, err error) {
		defer c.work.Done()
		if err == nil && prog != nil {
			prog.finish()
		}
		if !c.claim(id) {
			return // cancelled or closed: its event was already queued
		}
		c.finish(id, j.enc, res, toAPIError(ctx, err))
	})
	return id, nil
}

// register records a pending request (and counts it in c.work).
func (c *Client) register(blocking bool) (uint64, context.Context, *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, nil, errorf(statusClosed, "client %d is closed", c.h)
	}
	id := requestCounter.Add(1)
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.pending[id] = &request{cancel: cancel, blocking: blocking}
	c.work.Add(1)
	return id, ctx, nil
}

// claim removes a pending request; whoever claims it reports its end.
func (c *Client) claim(id uint64) bool {
	c.mu.Lock()
	r, ok := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if ok {
		r.cancel(nil)
	}
	return ok
}

// finish queues the event that ends a request.
func (c *Client) finish(id uint64, enc int, res []byte, e *Error) {
	if e != nil {
		c.q.push(Event{typ: evError, status: e.status, reqID: id, enc: encMsgpack, data: e.encode()})
		return
	}
	c.q.push(Event{typ: evResult, reqID: id, enc: enc, data: res})
}

// launch runs a job without waiting for it and hands its outcome to done,
// once: a job with a start runs through it (no goroutine of its own), any
// other on a new goroutine. A panic anywhere on the way ends the job with
// an internal fault instead of crossing into the host.
func (c *Client) launch(ctx context.Context, j *job, done func([]byte, error)) {
	if j.start == nil {
		go func() { done(c.runJob(ctx, j)) }()
		return
	}
	var once sync.Once
	finish := func(res []byte, err error) {
		once.Do(func() {
			defer func() {
				if r := recover(); r != nil {
					c.log(logError, fmt.Sprint("finishing a request failed: ", r), nil)
				}
			}()
			done(c.afterJob(ctx, j, res, err))
		})
	}
	defer func() {
		if r := recover(); r != nil {
			finish(nil, errorf(statusInternal, "internal fault: %v", r))
		}
	}()
	j.start(ctx, c, func(res []byte, err error) {
		defer func() {
			if r := recover(); r != nil {
				finish(nil, errorf(statusInternal, "internal fault: %v", r))
			}
		}()
		finish(res, err)
	})
}

// runJob runs a job with the state bookkeeping around it.
func (c *Client) runJob(ctx context.Context, j *job) (res []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errorf(statusInternal, "internal fault: %v", r)
		}
	}()
	res, err = j.run(ctx, c)
	return c.afterJob(ctx, j, res, err)
}

// afterJob is the bookkeeping after a job's outcome: the auth state after
// an unauthorized answer, and the job's own after hook.
func (c *Client) afterJob(ctx context.Context, j *job, res []byte, err error) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, err // cancelled: says nothing about the connection
	}
	ae := toAPIError(ctx, err)
	if ae != nil && ae.status == statusUnauthorized {
		c.setAuth(string(core.AuthWaitPhone), nil)
	}
	if j.after != nil {
		j.after(c, err)
	}
	return res, err
}

// Invoke runs a request and waits for its result.
func (c *Client) Invoke(enc int, data []byte, timeout time.Duration) ([]byte, *Error) {
	j, e := prepare(enc, data)
	if e != nil {
		return nil, e
	}
	if j.progress {
		return nil, errProgressNeedsSend
	}
	if j.local {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return nil, errorf(statusClosed, "client %d is closed", c.h)
		}
		res, err := j.run(c.ctx, c)
		return res, toAPIError(nil, err)
	}
	id, ctx, e := c.register(true)
	if e != nil {
		return nil, e
	}
	defer c.work.Done()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	res, err := c.runJob(ctx, j)
	c.claim(id)
	if err != nil {
		return nil, toAPIError(ctx, err)
	}
	return res, nil
}

// Cancel ends a pending request with CANCELLED.
func (c *Client) Cancel(id uint64) *Error {
	c.mu.Lock()
	r, ok := c.pending[id]
	if ok && !r.blocking {
		delete(c.pending, id)
	}
	c.mu.Unlock()
	if !ok || r.blocking {
		return errorf(statusNotFound, "client %d has no pending request %d", c.h, id)
	}
	r.cancel(errCancelled)
	e := errorf(statusCancelled, "request %d was cancelled", id)
	c.q.push(Event{typ: evError, status: e.status, reqID: id, enc: encMsgpack, data: e.encode()})
	return nil
}

// shutdownWait bounds how long close waits for requests to wind down after
// their contexts are cancelled and the connections closed.
const shutdownWait = 10 * time.Second

// Close shuts the client down (once) and, outside the callback, waits until
// the callback has seen the last event.
func (c *Client) Close() {
	c.closeOnce.Do(c.shutdown)
	<-c.closeDone
	if c.deliver != nil && goroutineID() != c.deliverG.Load() {
		<-c.delivered
	}
}

func (c *Client) shutdown() {
	defer close(c.closeDone)
	c.mu.Lock()
	c.closed = true
	ids := make([]uint64, 0, len(c.pending))
	for id, r := range c.pending {
		if !r.blocking {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		delete(c.pending, id)
	}
	c.mu.Unlock()
	c.cancel(errClientClosed)
	slices.Sort(ids)
	for _, id := range ids {
		e := errorf(statusClosed, "client %d was closed before request %d completed", c.h, id)
		c.q.push(Event{typ: evError, status: e.status, reqID: id, enc: encMsgpack, data: e.encode()})
	}
	c.core.Close()
	done := make(chan struct{})
	go func() { c.work.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(shutdownWait):
		c.log(logWarn, "close: requests still running after the connections were closed", nil)
	}
	if err := c.store.Close(); err != nil && !errors.Is(err, session.ErrClosed) {
		c.log(logError, "close: closing the session failed: "+err.Error(), nil)
	}
	c.mu.Lock()
	c.connState = "closed"
	c.mu.Unlock()
	c.q.pushFinal(Event{typ: evConn, enc: encMsgpack, data: kv{"type", "connection_state", "state", "closed"}.encode()})
}

// Receive waits for the next event (receive mode).
func (c *Client) Receive(timeout time.Duration) (Event, *Error) {
	if c.deliver != nil {
		return Event{}, errorf(statusWrongMode, "client %d delivers its events to a callback", c.h)
	}
	ev, st := c.q.wait(timeout)
	switch st {
	case statusOK:
		return ev, nil
	case statusClosed:
		clients.Delete(c.h) // drained: the handle is spent
		c.q.closeNote()
		return ev, errorf(statusClosed, "client %d is closed and has no event left", c.h)
	}
	if timeout <= 0 {
		return ev, errNoEvent // every drain of an event loop ends here: no formatting
	}
	return ev, errorf(statusTimeout, "no event within %v", timeout)
}

// errNoEvent is Receive(0)'s answer when nothing is queued (never modified).
var errNoEvent = errorf(statusTimeout, "no event queued")

// setAuth reports an auth state change (extra adds keys to the event).
func (c *Client) setAuth(state string, extra kv) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authState == state && extra == nil {
		return
	}
	c.authState = state
	m := append(kv{"type", "auth_state", "state", state}, extra...)
	c.q.push(Event{typ: evAuth, enc: encMsgpack, data: m.encode()})
}

func (c *Client) setConn(state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setConnLocked(state)
}

func (c *Client) setConnLocked(state string) {
	if c.connState == state || c.connState == "closed" || c.closed {
		return
	}
	c.connState = state
	c.q.push(Event{typ: evConn, enc: encMsgpack, data: kv{"type", "connection_state", "state", state}.encode()})
}
