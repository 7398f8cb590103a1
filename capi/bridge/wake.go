package bridge

import (
	"context"
	"time"
)

// Waiting outside Go. A thread of the host that blocks inside a Go function
// (polygram_receive, polygram_invoke) runs a goroutine locked to that
// thread: every time it parks and is woken, the Go scheduler hands its P to
// another thread and back, two thread wake-ups each time, and whatever the
// call started (the request goroutine, the connection's writer) waits in the
// run queue of a P that the thread keeps while it is back in C. That is
// where a raw RPC through the C API lost ~100 µs against core.Invoke from
// Go. So the C layer polls the bridge without blocking (Receive(0),
// Call.Done) and sleeps in C, woken by the waker set here.

// SetWaker sets a function called after every change a waiter outside Go
// may be waiting for: an event queued (or the queue ended), a blocking call
// (Start) completed. It must be quick and must not call back into the
// client.
func (c *Client) SetWaker(f func()) { c.q.waker.Store(&f) }

// Call is a blocking request run on a goroutine of its own (Start), for
// callers that wait for it outside Go.
type Call struct {
	done chan struct{}
	res  []byte
	err  *Error
}

// Done reports whether the call has completed.
func (k *Call) Done() bool {
	select {
	case <-k.done:
		return true
	default:
		return false
	}
}

// Result is the call's outcome; it is meaningful once Done is true.
func (k *Call) Result() ([]byte, *Error) { return k.res, k.err }

// closedChan is the done channel of calls completed at once.
var closedChan = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

// Start begins what Invoke does, without waiting: local requests complete
// before it returns; others run on a goroutine and call the waker when
// they end. No event is queued for the call. timeout <= 0 is no limit.
func (c *Client) Start(enc int, data []byte, timeout time.Duration) (*Call, *Error) {
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
		return &Call{done: closedChan, res: res, err: toAPIError(nil, err)}, nil
	}
	id, ctx, e := c.register(true)
	if e != nil {
		return nil, e
	}
	k := &Call{done: make(chan struct{})}
	var cancel context.CancelFunc = func() {}
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	c.launch(ctx, j, func(res []byte, err error) {
		defer c.work.Done()
		c.claim(id)
		k.res, k.err = res, toAPIError(ctx, err)
		cancel()
		close(k.done)
		if w := c.q.waker.Load(); w != nil {
			(*w)()
		}
	})
	return k, nil
}
