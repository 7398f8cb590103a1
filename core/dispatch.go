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

// Handler receives events. Events of one chat reach handlers strictly in
// the order Telegram sequenced them, one at a time; with
// UpdateOptions.Workers above 1, events of different chats may be handled
// concurrently. Handlers run on the client's worker goroutines, not on the
// goroutine that receives updates, so a slow handler delays only the events
// queued behind it. A panic in a handler is logged, never fatal.
type Handler func(ctx context.Context, ev Event)

// UpdateOptions tunes how updates are received and dispatched
// (Config.Updates). The zero value is sensible.
type UpdateOptions struct {
	// Workers is how many goroutines run handlers (default 1: every event
	// in order, one at a time). Events of one chat always go to the same
	// worker, in order.
	Workers int
	// AlbumWindow is how long messages of one album (the same grouped_id)
	// are gathered before they are delivered together as one Album event
	// (default 300 ms). Negative disables albums: each message is then a
	// NewMessage.
	AlbumWindow time.Duration
	// ChannelFetches bounds how many updates.getChannelDifference calls run
	// at once (default 4); channels do not wait for one another otherwise.
	ChannelFetches int
	// GapWait is how long an update that arrives early waits for the gap
	// before it to fill (default 500 ms); IdleWait is how long without any
	// update before a difference is fetched anyway (default 15 min).
	GapWait, IdleWait time.Duration
	// OwnMessages dispatches the messages this client sends itself (those
	// carried by the answers to its own sends) as NewMessage and Album
	// events with Out set, each exactly once, for handlers that want
	// events.NewMessage(outgoing=True) to see them too. A message answered
	// by updateShortSentMessage is rebuilt from the request (text,
	// entities, reply, buttons) and the answer (id, date, media).
	//
	// Off by default, as in Telethon and GramJS, which process these
	// updates but do not dispatch them: a handler that answers every
	// NewMessage (Telethon's echo-bot example) would otherwise answer its
	// own answers forever. Messages the account sends from its other
	// sessions are pushed by the server and dispatched either way.
	OwnMessages bool
}

func (o *UpdateOptions) setDefaults() {
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if o.AlbumWindow == 0 {
		o.AlbumWindow = 300 * time.Millisecond
	}
	if o.ChannelFetches <= 0 {
		o.ChannelFetches = 4
	}
}

// dispatcher drives the updates manager: raw pushes in, ordered events out.
// One goroutine (loop) owns the sequence; differences are fetched on their
// own goroutines and their answers come back to the loop.
type dispatcher struct {
	c        *Client
	opts     UpdateOptions
	mu       sync.Mutex
	mgr      *updates.Manager // guarded by mu
	queue    []any            // api.UpdatesClass, ptsItem or catchUp
	wake     chan struct{}
	handlers []Handler
	started  bool
	results  chan fetched
	fetchSem chan struct{}
	seq      *sequencer
	selfID   int64 // set by StartUpdates

	ownMu sync.Mutex
	own   map[ownKey]struct{} // own sends not to dispatch (without OwnMessages)
}

// ownKey names a message: marked chat id and message id.
type ownKey struct {
	chat int64
	id   int32
}

// fetched is the answer to a difference request, with the history refetched
// when the server said the difference is too long.
type fetched struct {
	channel   int64 // 0: updates.getDifference
	diff      any   // api.UpdatesDifferenceClass or api.UpdatesChannelDifferenceClass (nil: gave up)
	recovered []api.MessageClass
	users     []api.UserClass
	chats     []api.ChatClass
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
		opts := c.cfg.Updates
		opts.setDefaults()
		d := &dispatcher{c: c, opts: opts, wake: make(chan struct{}, 1), results: make(chan fetched, 16),
			fetchSem: make(chan struct{}, opts.ChannelFetches)}
		d.seq = newSequencer(c.ctx, opts, d.runHandlers)
		c.disp = d
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
	d.selfID = self.UserID
	d.mgr = updates.New(updates.Config{SelfID: self.UserID, GapWait: d.opts.GapWait, IdleWait: d.opts.IdleWait,
		LoadChannelPts: func(id int64) (int32, bool) {
			pts, ok, err := c.store.ChannelPts(id)
			return pts, ok && err == nil
		}})
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
	// The newest message ids dispatched before the restart bound what a
	// too-long gap refetches; without catching up, the gap is skipped on
	// purpose and they are not needed.
	var lastIDs map[int64]int32
	if lm, isLM := c.store.(session.LastMessageStore); isLM && catchUp && ok {
		if lastIDs, err = lm.LastMessageIDs(); err != nil {
			return err
		}
	}
	d.mu.Lock()
	d.mgr.SetState(updates.State{Pts: st.Pts, Qts: st.Qts, Date: st.Date, Seq: st.Seq})
	for box, id := range lastIDs {
		d.mgr.SetLastMessageID(box, id)
	}
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

// sentItem is the updateShortSentMessage answering one of this client's
// sends, with the message rebuilt from the request (nil: only the pts).
type sentItem struct {
	short *api.UpdateShortSentMessage
	msg   *api.Message
}

// catchUp asks the loop for a difference (after a reconnection or a new
// server session, when pushes may have been missed).
type catchUp struct{}

// push queues an Updates object, a ptsItem or a catchUp for the loop.
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
	d.process(ctx, first)
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for {
		d.mu.Lock()
		next := d.mgr.NextDeadline()
		d.mu.Unlock()
		wait := max(time.Until(next), 10*time.Millisecond)
		timer.Reset(wait)
		var outs []updates.Output
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		case r := <-d.results:
			outs = d.onFetched(r)
		}
		d.mu.Lock()
		q := d.queue
		d.queue = nil
		for _, it := range q {
			switch x := it.(type) {
			case api.UpdatesClass:
				outs = append(outs, d.mgr.OnUpdates(x))
			case ptsItem:
				outs = append(outs, d.mgr.OnPts(x.pts, x.count))
			case sentItem:
				outs = append(outs, d.mgr.OnSentMessage(x.short, x.msg))
			case catchUp:
				outs = append(outs, d.mgr.CatchUp())
			}
		}
		outs = append(outs, d.mgr.Tick())
		d.mu.Unlock()
		for _, o := range outs {
			d.process(ctx, o)
		}
	}
}

// onFetched feeds a fetched difference to the manager: the refetched
// history first (it is older than what the difference carries).
func (d *dispatcher) onFetched(r fetched) []updates.Output {
	d.mu.Lock()
	defer d.mu.Unlock()
	var outs []updates.Output
	switch {
	case r.channel == 0:
		if len(r.recovered) > 0 {
			outs = append(outs, d.mgr.Recover(r.recovered, r.users, r.chats))
		}
		outs = append(outs, d.mgr.OnDifference(r.diff.(api.UpdatesDifferenceClass)))
	case r.diff == nil:
		outs = append(outs, d.mgr.GiveUpChannel(r.channel))
	default:
		if len(r.recovered) > 0 {
			outs = append(outs, d.mgr.RecoverChannel(r.channel, r.recovered, r.users, r.chats))
		}
		outs = append(outs, d.mgr.OnChannelDifference(r.channel, r.diff.(api.UpdatesChannelDifferenceClass)))
	}
	return outs
}

// process carries out one Output: persist and dispatch, then start the
// fetches it asks for.
func (d *dispatcher) process(ctx context.Context, o updates.Output) {
	d.deliver(o)
	if o.GetDifference != nil {
		go d.fetchDifference(ctx, o.GetDifference)
	}
	for _, f := range o.GetChannelDifference {
		go d.fetchChannel(ctx, f)
	}
}

// report hands a fetch result to the loop.
func (d *dispatcher) report(ctx context.Context, r fetched) {
	select {
	case d.results <- r:
	case <-ctx.Done():
	}
}

// fetchDifference calls updates.getDifference until it succeeds (the
// manager holds newer updates back meanwhile). On differenceTooLong it
// refetches the messages of the common box past the newest one dispatched.
func (d *dispatcher) fetchDifference(ctx context.Context, req *api.UpdatesGetDifferenceRequest) {
	for attempt := 1; ; attempt++ {
		res, err := d.c.Invoke(ctx, req)
		if err == nil {
			r := fetched{diff: res}
			if _, ok := res.(*api.UpdatesDifferenceTooLong); ok {
				r.recovered, r.users, r.chats = d.refetchCommon(ctx)
			}
			d.report(ctx, r)
			return
		}
		if ctx.Err() != nil {
			return
		}
		d.c.cfg.Logger.Warn("updates.getDifference failed; retrying", "attempt", attempt, "err", err)
		if sleep(ctx, backoff(attempt)) != nil {
			return
		}
	}
}

// refetchCommon reads messages of the common box (private chats and basic
// groups share one id sequence) after the newest dispatched, 100 ids at a
// time, until a whole batch is empty.
func (d *dispatcher) refetchCommon(ctx context.Context) ([]api.MessageClass, []api.UserClass, []api.ChatClass) {
	d.mu.Lock()
	last := d.mgr.LastMessageID()
	d.mu.Unlock()
	if last == 0 {
		d.c.cfg.Logger.Warn("updates: differenceTooLong before any message was seen; older messages are not refetched")
		return nil, nil, nil
	}
	var msgs []api.MessageClass
	var users []api.UserClass
	var chats []api.ChatClass
	for from := last + 1; ; from += 100 {
		ids := make([]api.InputMessageClass, 100)
		for i := range ids {
			ids[i] = &api.InputMessageID{ID: from + int32(i)}
		}
		res, err := d.c.Invoke(ctx, &api.MessagesGetMessagesRequest{ID: ids})
		if err != nil {
			d.c.cfg.Logger.Warn("updates: refetching messages after differenceTooLong failed", "err", err)
			break
		}
		ms, us, cs := messagesOf(res)
		found := false
		for _, m := range ms {
			if _, empty := m.(*api.MessageEmpty); !empty {
				msgs, found = append(msgs, m), true
			}
		}
		users, chats = append(users, us...), append(chats, cs...)
		if !found {
			break
		}
	}
	return msgs, users, chats
}

// fetchChannel calls updates.getChannelDifference for one channel, at most
// UpdateOptions.ChannelFetches at a time. On channelDifferenceTooLong it
// refetches the history between the newest message dispatched and the
// oldest the server gave.
func (d *dispatcher) fetchChannel(ctx context.Context, f updates.ChannelFetch) {
	select {
	case d.fetchSem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-d.fetchSem }()
	r := fetched{channel: f.ChannelID}
	p, err := d.c.store.PeerByID(f.ChannelID, session.PeerChannel)
	if err != nil || p == nil {
		d.c.cfg.Logger.Warn("updates.getChannelDifference impossible", "channel", f.ChannelID,
			"err", errors.Join(err, fmt.Errorf("channel %d is not cached", f.ChannelID)))
		d.report(ctx, r)
		return
	}
	ch, _ := InputChannel(*p)
	req := &api.UpdatesGetChannelDifferenceRequest{Channel: ch, Filter: &api.ChannelMessagesFilterEmpty{}, Pts: f.Pts, Limit: 100}
	for attempt := 1; ; attempt++ {
		res, err := d.c.Invoke(ctx, req)
		if err == nil {
			r.diff = res
			if tooLong, ok := res.(*api.UpdatesChannelDifferenceTooLong); ok {
				r.recovered, r.users, r.chats = d.refetchChannel(ctx, *p, tooLong)
			}
			break
		}
		if ctx.Err() != nil {
			return
		}
		var rerr *RPCError
		if errors.As(err, &rerr) && rerr.Code == 400 {
			// CHANNEL_PRIVATE and the like: retrying will not help.
			d.c.cfg.Logger.Warn("updates.getChannelDifference failed", "channel", f.ChannelID, "err", err)
			break
		}
		d.c.cfg.Logger.Warn("updates.getChannelDifference failed; retrying", "channel", f.ChannelID, "attempt", attempt, "err", err)
		if sleep(ctx, backoff(attempt)) != nil {
			return
		}
	}
	d.report(ctx, r)
}

// refetchChannel pages messages.getHistory down from the oldest message of
// a channelDifferenceTooLong to the newest message dispatched before it
// (or, when none was, to the dialog's read mark).
func (d *dispatcher) refetchChannel(ctx context.Context, p session.Peer, tooLong *api.UpdatesChannelDifferenceTooLong) ([]api.MessageClass, []api.UserClass, []api.ChatClass) {
	d.mu.Lock()
	last := d.mgr.ChannelLastMessageID(p.ID)
	d.mu.Unlock()
	if dl, ok := tooLong.Dialog.(*api.Dialog); ok && last == 0 {
		last = dl.ReadInboxMaxID
	}
	offset := int32(0)
	for _, m := range tooLong.Messages {
		if id := messageIDOf(m); id > 0 && (offset == 0 || id < offset) {
			offset = id
		}
	}
	var msgs []api.MessageClass
	var users []api.UserClass
	var chats []api.ChatClass
	for offset > last+1 {
		res, err := d.c.Invoke(ctx, &api.MessagesGetHistoryRequest{Peer: InputPeer(p), OffsetID: offset, MinID: last, Limit: 100})
		if err != nil {
			d.c.cfg.Logger.Warn("updates: refetching channel history after channelDifferenceTooLong failed", "channel", p.ID, "err", err)
			break
		}
		ms, us, cs := messagesOf(res)
		users, chats = append(users, us...), append(chats, cs...)
		lowest := offset
		for _, m := range ms {
			if id := messageIDOf(m); id > last && id < offset {
				msgs = append(msgs, m)
				lowest = min(lowest, id)
			}
		}
		if lowest == offset {
			break
		}
		offset = lowest
	}
	return msgs, users, chats
}

func messageIDOf(m api.MessageClass) int32 {
	switch x := m.(type) {
	case *api.Message:
		return x.ID
	case *api.MessageService:
		return x.ID
	}
	return 0
}

// messagesOf unpacks a messages.Messages answer.
func messagesOf(res any) ([]api.MessageClass, []api.UserClass, []api.ChatClass) {
	switch x := res.(type) {
	case *api.MessagesMessages:
		return x.Messages, x.Users, x.Chats
	case *api.MessagesMessagesSlice:
		return x.Messages, x.Users, x.Chats
	case *api.MessagesChannelMessages:
		return x.Messages, x.Users, x.Chats
	}
	return nil, nil, nil
}

// deliver persists state with the batch's peers, then queues the events
// for the handlers.
func (d *dispatcher) deliver(o updates.Output) {
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
		st := &session.UpdateState{Pts: s.Pts, Qts: s.Qts, Date: s.Date, Seq: s.Seq}
		var err error
		if lm, ok := d.c.store.(session.LastMessageStore); ok {
			err = lm.SaveStateLastIDs(st, o.Save.Channels, o.Save.LastIDs, peers)
		} else {
			err = d.c.store.SaveState(st, o.Save.Channels, peers)
		}
		if err != nil {
			d.c.cfg.Logger.Error("saving the update state failed", "err", err)
		}
	}
	if o.TooLong {
		d.c.cfg.Logger.Info("updates: the server skipped updates (too long); history was refetched")
	}
	for _, b := range o.Dispatch {
		for _, ev := range eventsOf(b.Updates, b.Users, b.Chats) {
			if !d.skipOwn(ev) {
				d.seq.emit(ev)
			}
		}
	}
}

// skipOwn reports whether an event is one of this client's own sends, kept
// from the handlers unless OwnMessages is set (and forgets it).
func (d *dispatcher) skipOwn(ev Event) bool {
	m, ok := ev.(*NewMessage)
	if !ok || !m.Out {
		return false
	}
	d.ownMu.Lock()
	defer d.ownMu.Unlock()
	k := ownKey{m.ChatID, m.Message.ID}
	if _, own := d.own[k]; own {
		delete(d.own, k)
		return true
	}
	return false
}

// noteOwn records the messages an answer to this client's own call
// carries, for skipOwn.
func (d *dispatcher) noteOwn(u api.UpdatesClass) {
	d.ownMu.Lock()
	defer d.ownMu.Unlock()
	if d.own == nil || len(d.own) > 4096 { // entries never dispatched (a send racing a restart) do not pile up
		d.own = map[ownKey]struct{}{}
	}
	for _, up := range updatesOf(u) {
		var mc api.MessageClass
		switch x := up.(type) {
		case *api.UpdateNewMessage:
			mc = x.Message
		case *api.UpdateNewChannelMessage:
			mc = x.Message
		}
		if m, ok := mc.(*api.Message); ok && m.Out {
			d.own[ownKey{MarkedPeerID(m.PeerID), m.ID}] = struct{}{}
		}
	}
}

// runHandlers runs every handler on one event, once the peers it names
// are cached.
func (d *dispatcher) runHandlers(ctx context.Context, ev Event) {
	d.mu.Lock()
	hs := append([]Handler(nil), d.handlers...)
	d.mu.Unlock()
	if len(hs) == 0 {
		return
	}
	d.c.completePeers(ctx, ev)
	for _, h := range hs {
		d.run(ctx, h, ev)
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

// feedResultOf passes the answer to one of this client's calls to the
// updates manager: an Updates object (its pts is then not seen as a gap,
// and the messages it carries are dispatched once), or an
// updateShortSentMessage with the message rebuilt from the request.
func (c *Client) feedResultOf(fn tl.Function, res any) {
	c.mu.Lock()
	d := c.disp
	c.mu.Unlock()
	if d == nil {
		return
	}
	switch x := res.(type) {
	case *api.UpdateShortSentMessage:
		it := sentItem{short: x}
		if d.opts.OwnMessages {
			d.mu.Lock()
			self := d.selfID
			d.mu.Unlock()
			it.msg = sentMessage(fn, x, self)
		}
		d.push(it)
	case api.UpdatesClass:
		if !d.opts.OwnMessages {
			d.noteOwn(x)
		}
		d.push(x)
	}
}

// sentMessage rebuilds the message a messages.sendMessage or
// messages.sendMedia request sent, from the request and its
// updateShortSentMessage answer; nil for other requests and scheduled
// messages (those are not sent yet).
func sentMessage(fn tl.Function, x *api.UpdateShortSentMessage, self int64) *api.Message {
	msg := &api.Message{Out: true, ID: x.ID, Date: x.Date, Media: x.Media, TTLPeriod: x.TTLPeriod,
		FromID: &api.PeerUser{UserID: self}}
	var to api.InputPeerClass
	var reply api.InputReplyToClass
	switch r := fn.(type) {
	case *api.MessagesSendMessageRequest:
		if r.ScheduleDate.Set {
			return nil
		}
		to, reply = r.Peer, r.ReplyTo
		msg.Message, msg.Entities, msg.Silent, msg.ReplyMarkup, msg.InvertMedia = r.Message, r.Entities, r.Silent, r.ReplyMarkup, r.InvertMedia
	case *api.MessagesSendMediaRequest:
		if r.ScheduleDate.Set {
			return nil
		}
		to, reply = r.Peer, r.ReplyTo
		msg.Message, msg.Entities, msg.Silent, msg.ReplyMarkup, msg.InvertMedia = r.Message, r.Entities, r.Silent, r.ReplyMarkup, r.InvertMedia
	default:
		return nil
	}
	if len(x.Entities) > 0 {
		msg.Entities = x.Entities // the server's parse (links it detected) wins
	}
	switch p := to.(type) {
	case *api.InputPeerSelf:
		msg.PeerID = &api.PeerUser{UserID: self}
	case *api.InputPeerUser:
		msg.PeerID = &api.PeerUser{UserID: p.UserID}
	case *api.InputPeerUserFromMessage:
		msg.PeerID = &api.PeerUser{UserID: p.UserID}
	case *api.InputPeerChat:
		msg.PeerID = &api.PeerChat{ChatID: p.ChatID}
	case *api.InputPeerChannel:
		msg.PeerID = &api.PeerChannel{ChannelID: p.ChannelID}
	case *api.InputPeerChannelFromMessage:
		msg.PeerID = &api.PeerChannel{ChannelID: p.ChannelID}
	default:
		return nil
	}
	if r, ok := reply.(*api.InputReplyToMessage); ok && r.ReplyToMsgID != 0 {
		msg.ReplyTo = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(r.ReplyToMsgID)}
	}
	return msg
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

// catchUpAfterReconnect asks for a difference once the main DC is back:
// pushes sent while the connection was down may be lost.
func (c *Client) catchUpAfterReconnect() {
	c.mu.Lock()
	d := c.disp
	c.mu.Unlock()
	if d != nil {
		d.push(catchUp{})
	}
}

// decodeUpdates decodes a pushed body as Updates.
func decodeUpdates(body []byte) (api.UpdatesClass, bool) {
	d := tl.NewDecoder(body)
	u := api.DecodeUpdatesClass(d)
	return u, d.Err() == nil
}
