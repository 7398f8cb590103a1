package core

import (
	"context"
	"fmt"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/tl"
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

// Wait waits for the result of a call started with Begin. It may be called
// once.
func (k *Call) Wait() (any, error) {
	if k.err != nil {
		return nil, k.err
	}
	c, fn := k.c, k.fn
	raw, err := c.invokeRawFrom(k.ctx, 0, tl.Name(fn), k.body, k.first, k.firstD)
	if err != nil {
		return nil, err
	}
	return c.decodeResult(fn, raw)
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
