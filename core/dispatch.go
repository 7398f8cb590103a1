package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/polygram/polygram/core/updates"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Handler receives events. Handlers run one at a time on the client's
// update goroutine, in the order Telegram sequenced the updates; a handler
// that needs to do slow work should start its own goroutine. A panic in a
// handler is logged, never fatal.
type Handler func(ctx context.Context, ev Event)

// dispatcher drives the updates manager: raw pushes in, ordered events out.
type dispatcher struct {
	c        *Client
	mgr      *updates.Manager
	mu       sync.Mutex
	queue    []any // api.UpdatesClass or ptsItem
	wake     chan struct{}
	handlers []Handler
	started  bool
}

// OnEvent registers a handler for every event. It may be called at any
// time, also from inside a handler.
func (c *Client) OnEvent(h Handler) {
	d := c.dispatcher()
	d.mu.Lock()
	d.handlers = append(d.handlers, h)
	d.mu.Unlock()
}

func (c *Client) dispatcher() *dispatcher {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disp == nil {
		c.disp = &dispatcher{c: c, wake: make(chan struct{}, 1)}
	}
	return c.disp
}

// StartUpdates begins receiving updates: it loads the stored update state
// (or asks the server with updates.getState) and, when catchUp is set,
// fetches what was missed while the client was away. It needs a logged-in
// session.
func (c *Client) StartUpdates(ctx context.Context, catchUp bool) error {
	self, err := c.store.Self()
	if err != nil {
		return err
	}
	if self == nil {
		return ErrUnauthorized
	}
	d := c.dispatcher()
	d.mu.Lock()
	if d.started {
		d.mu.Unlock()
		return nil
	}
	d.started = true
	d.mgr = updates.New(updates.Config{SelfID: self.UserID})
	d.mu.Unlock()

	st, ok, err := c.store.UpdateState()
	if err != nil {
		return err
	}
	if !ok || !catchUp {
		res, err := c.Invoke(ctx, &api.UpdatesGetStateRequest{})
		if err != nil {
			return fmt.Errorf("core: updates.getState: %w", err)
		}
		s := res.(*api.UpdatesState)
		st = session.UpdateState{Pts: s.Pts, Qts: s.Qts, Date: s.Date, Seq: s.Seq}
		if err := c.store.SetUpdateState(st); err != nil {
			return err
		}
	}
	d.mu.Lock()
	d.mgr.SetState(updates.State{Pts: st.Pts, Qts: st.Qts, Date: st.Date, Seq: st.Seq})
	var first updates.Output
	if catchUp && ok {
		first = d.mgr.CatchUp()
	}
	d.mu.Unlock()
	go d.loop(first)
	return nil
}

// ptsItem is a pts carried by an RPC answer.
type ptsItem struct{ pts, count int32 }

// push queues an Updates object or a ptsItem for the loop.
func (d *dispatcher) push(u any) {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return
	}
	d.queue = append(d.queue, u)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) loop(first updates.Output) {
	ctx := d.c.ctx
	d.handle(ctx, first)
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for {
		d.mu.Lock()
		next := d.mgr.NextDeadline()
		d.mu.Unlock()
		wait := time.Until(next)
		if wait < 10*time.Millisecond {
			wait = 10 * time.Millisecond
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
		d.mu.Lock()
		q := d.queue
		d.queue = nil
		var outs []updates.Output
		for _, it := range q {
			switch x := it.(type) {
			case api.UpdatesClass:
				outs = append(outs, d.mgr.OnUpdates(x))
			case ptsItem:
				outs = append(outs, d.mgr.OnPts(x.pts, x.count))
			}
		}
		outs = append(outs, d.mgr.Tick())
		d.mu.Unlock()
		for _, o := range outs {
			d.handle(ctx, o)
		}
	}
}

// handle carries out one Output: fetch differences, dispatch, persist.
func (d *dispatcher) handle(ctx context.Context, o updates.Output) {
	for {
		d.deliver(ctx, o)
		if o.GetDifference == nil && len(o.GetChannelDifference) == 0 {
			return
		}
		var next updates.Output
		if o.GetDifference != nil {
			res, err := d.c.Invoke(ctx, o.GetDifference)
			if err != nil {
				d.c.cfg.Logger.Warn("updates.getDifference failed", "err", err)
				return
			}
			d.mu.Lock()
			next = d.mgr.OnDifference(res.(api.UpdatesDifferenceClass))
			d.mu.Unlock()
		}
		for _, f := range o.GetChannelDifference {
			out, err := d.channelDifference(ctx, f)
			if err != nil {
				d.c.cfg.Logger.Warn("updates.getChannelDifference failed", "channel", f.ChannelID, "err", err)
				continue
			}
			d.deliver(ctx, out)
			next.GetChannelDifference = append(next.GetChannelDifference, out.GetChannelDifference...)
		}
		o = next
	}
}

func (d *dispatcher) channelDifference(ctx context.Context, f updates.ChannelFetch) (updates.Output, error) {
	p, err := d.c.store.PeerByID(f.ChannelID, session.PeerChannel)
	if err != nil || p == nil {
		return updates.Output{}, errors.Join(err, fmt.Errorf("channel %d is not cached", f.ChannelID))
	}
	ch, _ := InputChannel(*p)
	res, err := d.c.Invoke(ctx, &api.UpdatesGetChannelDifferenceRequest{Channel: ch,
		Filter: &api.ChannelMessagesFilterEmpty{}, Pts: f.Pts, Limit: 100})
	if err != nil {
		return updates.Output{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.mgr.OnChannelDifference(f.ChannelID, res.(api.UpdatesChannelDifferenceClass))
	return out, nil
}

// deliver persists state with the batch's peers, then runs the handlers.
func (d *dispatcher) deliver(ctx context.Context, o updates.Output) {
	if o.Save != nil {
		var peers []session.Peer
		for _, b := range o.Dispatch {
			for _, u := range b.Users {
				if p, ok := userPeer(u); ok {
					peers = append(peers, p)
				}
			}
			for _, ch := range b.Chats {
				if p, ok := chatPeer(ch); ok {
					peers = append(peers, p)
				}
			}
		}
		s := o.Save.State
		if err := d.c.store.SaveState(&session.UpdateState{Pts: s.Pts, Qts: s.Qts, Date: s.Date, Seq: s.Seq}, o.Save.Channels, peers); err != nil {
			d.c.cfg.Logger.Error("saving the update state failed", "err", err)
		}
	}
	d.mu.Lock()
	hs := append([]Handler(nil), d.handlers...)
	d.mu.Unlock()
	for _, b := range o.Dispatch {
		for _, ev := range eventsOf(b.Updates, b.Users, b.Chats) {
			for _, h := range hs {
				d.run(ctx, h, ev)
			}
		}
	}
}

func (d *dispatcher) run(ctx context.Context, h Handler, ev Event) {
	defer func() {
		if r := recover(); r != nil {
			d.c.cfg.Logger.Error("an event handler panicked", "panic", r)
		}
	}()
	h(ctx, ev)
}

// feedResult passes an Updates object returned by an RPC (sendMessage and
// the like) to the updates manager, so its pts is not seen as a gap.
func (c *Client) feedResult(res any) {
	u, ok := res.(api.UpdatesClass)
	if !ok {
		return
	}
	c.mu.Lock()
	d := c.disp
	c.mu.Unlock()
	if d != nil {
		d.push(u)
	}
}

// decodeUpdates decodes a pushed body as Updates.
func decodeUpdates(body []byte) (api.UpdatesClass, bool) {
	d := tl.NewDecoder(body)
	u := api.DecodeUpdatesClass(d)
	return u, d.Err() == nil
}
