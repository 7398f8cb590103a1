package core

import (
	"context"
	"fmt"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Call is a function call started with Begin: its request may already be
// on the network, and Wait takes its result.
type Call struct {
	c      *Client
	ctx    context.Context
	fn     tl.Function
	body   []byte
	err    error
	first  *conn.Pending // the first attempt, sent by Begin
	firstD int           // the DC it went to
}

// Begin starts Invoke(ctx, fn) and returns before its result. When the main
// DC's connection is up (and initialised), the request is encrypted and
// written on the calling goroutine before Begin returns, so that it does not
// wait for another goroutine to be scheduled; otherwise (no connection yet,
// a reconnect under way) Begin only encodes it and Wait does the rest. Begin
// never dials or blocks on the network. Wait applies the same policy as
// Invoke (migrations, flood waits, retries) and caches the result's users
// and chats.
func (c *Client) Begin(ctx context.Context, fn tl.Function) *Call {
	k := &Call{c: c, ctx: ctx, fn: fn}
	k.body, k.err = tl.Encode(fn)
	if k.err != nil {
		k.err = fmt.Errorf("core: encoding %s: %w", tl.Name(fn), k.err)
		return k
	}
	dc := c.MainDC()
	if cn := c.readyConn(dc); cn != nil {
		if p, err := cn.Send(ctx, k.body); err == nil {
			k.first, k.firstD = p, dc
		}
	}
	return k
}

// Wait waits for the result of a call started with Begin. A call takes
// Wait or Then, once.
func (k *Call) Wait() (any, error) {
	if k.err != nil {
		return nil, k.err
	}
	var first func(context.Context) ([]byte, error)
	if k.first != nil {
		first = k.first.Wait
	}
	return k.rest(first)
}

// rest runs the call from its first attempt's outcome (nil: not sent yet).
func (k *Call) rest(first func(context.Context) ([]byte, error)) (any, error) {
	c, fn := k.c, k.fn
	raw, err := c.invokeRawFrom(k.ctx, 0, tl.Name(fn), k.body, first, k.firstD)
	if err != nil {
		return nil, err
	}
	return c.decodeResult(fn, raw)
}

// quickResult bounds the answers Then completes on the connection's
// goroutine: larger ones are decoded on a goroutine of their own, so that
// the connection goes on with other answers meanwhile.
const quickResult = 4 << 10

// Then arranges for f to receive the result of a call started with Begin,
// instead of Wait. A small answer that needs nothing more (no users or
// chats to cache, no updates to feed; help.getNearestDc, most Bool and
// small object results) is decoded and handed to f on the connection's
// goroutine as it arrives, with no goroutine in between; anything else (an
// error the policy acts on, a larger or richer result, a call Begin could
// not send) is finished on a new goroutine as Wait would. f must be quick
// and must not block when the answer is quick; it runs exactly once.
func (k *Call) Then(f func(any, error)) {
	if k.err != nil {
		f(nil, k.err)
		return
	}
	if k.first == nil {
		go func() { f(k.rest(nil)) }()
		return
	}
	k.first.Then(k.ctx, func(body []byte, err error) {
		if err == nil && len(body) <= quickResult {
			if res, derr := k.fn.DecodeResult(tl.NewDecoder(body)); derr == nil && plainResult(res) {
				f(res, nil)
				return
			}
		}
		go func() {
			f(k.rest(func(context.Context) ([]byte, error) { return body, err }))
		}()
	})
}

// plainResult reports a result that carries nothing for the client's
// caches or its updates manager.
func plainResult(res any) bool {
	switch x := res.(type) {
	case api.UpdatesClass, []api.UserClass:
		return false
	case tl.Object:
		users, chats := api.Entities(x)
		return len(users) == 0 && len(chats) == 0
	}
	return true
}

// readyConn returns a DC's connection when it is open and initialised (a
// request can go out as is), or nil. It never dials.
func (c *Client) readyConn(dc int) *conn.Conn {
	c.mu.Lock()
	d := c.dcs[dc]
	closed := c.closed
	c.mu.Unlock()
	if d == nil || closed || !d.inited.Load() {
		return nil
	}
	d.mu.Lock()
	cn := d.conn
	d.mu.Unlock()
	if cn == nil {
		return nil
	}
	select {
	case <-cn.Done():
		return nil
	default:
		return cn
	}
}
