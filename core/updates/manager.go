// Package updates keeps a client's update sequence complete and in order.
//
// Manager is a pure state machine: the client feeds it what the server sends
// (pushed updates, differences) and the clock ticks, and it answers with
// Output: the updates to dispatch, in order, the differences to fetch, and the
// state to persist. It applies Telegram's rules (core.telegram.org/api/updates):
// the account-wide pts (pts_count), qts and seq, and a pts per channel;
// updates that arrive early wait briefly for the gap to fill, then the gap is
// recovered with updates.getDifference or updates.getChannelDifference.
// Because it does no IO, it is tested with a virtual clock.
package updates

import (
	"sort"
	"time"

	"github.com/polygram/polygram/tl/api"
)

// State is the account-wide update state.
type State struct {
	Pts, Qts, Date, Seq int32
}

// Config tunes a Manager.
type Config struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// GapWait is how long an early update waits for the gap before it to
	// fill (default 500 ms, as Telegram recommends).
	GapWait time.Duration
	// IdleWait is how long without any update before a difference is
	// fetched anyway (default 15 min).
	IdleWait time.Duration
	// SelfID is the logged-in user, used to rebuild messages from short
	// updates (the sender of an outgoing message).
	SelfID int64
	// LoadChannelPts, when set, is asked for the stored pts of a channel
	// the manager meets for the first time (after a restart), so that a gap
	// since then is fetched rather than skipped.
	LoadChannelPts func(channelID int64) (int32, bool)
}

// Batch is a group of updates to dispatch together with the users and chats
// they mention.
type Batch struct {
	Updates []api.UpdateClass
	Users   []api.UserClass
	Chats   []api.ChatClass
}

// ChannelFetch asks for updates.getChannelDifference of one channel from pts.
type ChannelFetch struct {
	ChannelID int64
	Pts       int32
}

// Output is what the client must do after feeding the manager.
type Output struct {
	// Dispatch lists batches to hand to event handlers, in order.
	Dispatch []Batch
	// GetDifference, when set, must be invoked and its answer given to
	// OnDifference.
	GetDifference *api.UpdatesGetDifferenceRequest
	// GetChannelDifference lists channels whose difference must be fetched
	// (answers go to OnChannelDifference).
	GetChannelDifference []ChannelFetch
	// Save, when set, is the state to persist — in the same transaction as
	// the peers of Dispatch, so a restart resumes exactly here.
	Save *Save
	// TooLong reports that the server could not provide everything missed
	// (differenceTooLong): history should be refetched for open chats.
	TooLong bool
}

// Save is state to persist.
type Save struct {
	State    State
	Channels map[int64]int32
	// LastIDs are the newest message ids dispatched that changed, per box:
	// 0 for the common box, else a channel id. Persisted, they let a
	// restarted client recover a too-long gap (SetLastMessageID).
	LastIDs map[int64]int32
}

type pending struct {
	pts, count int32 // for pts-sequenced updates
	update     api.UpdateClass
	users      []api.UserClass
	chats      []api.ChatClass
}

type channel struct {
	pts      int32
	known    bool
	lastID   int32 // newest message id dispatched (0: none yet)
	pending  []pending
	gapSince time.Time
	fetching bool
}

// Manager is the update state machine. It is not safe for concurrent use.
type Manager struct {
	cfg      Config
	state    State
	known    bool
	channels map[int64]*channel

	ptsPending []pending // waiting for a common-pts gap
	qtsPending []pending
	seqPending []api.UpdatesClass
	gapSince   time.Time
	fetching   bool
	lastEvent  time.Time
	lastID     int32 // newest message id of the common box dispatched
	dirty      map[int64]int32
	lastDirty  map[int64]int32 // changed last ids: 0 common box, else channel
	stateDirty bool
}

// New returns a manager with no state; call SetState before feeding updates
// (with the stored state or the answer of updates.getState).
func New(cfg Config) *Manager {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.GapWait <= 0 {
		cfg.GapWait = 500 * time.Millisecond
	}
	if cfg.IdleWait <= 0 {
		cfg.IdleWait = 15 * time.Minute
	}
	return &Manager{cfg: cfg, channels: map[int64]*channel{}, dirty: map[int64]int32{}, lastDirty: map[int64]int32{},
		lastEvent: cfg.Now()}
}

// SetState sets the account-wide state.
func (m *Manager) SetState(s State) {
	m.state, m.known = s, true
}

// State returns the account-wide state and whether it is known.
func (m *Manager) State() (State, bool) { return m.state, m.known }

// SetChannelPts sets a channel's pts (from storage or a dialog).
func (m *Manager) SetChannelPts(channelID int64, pts int32) {
	ch := m.channel(channelID)
	ch.pts, ch.known = pts, true
}

// ChannelPts returns a channel's pts and whether it is known.
func (m *Manager) ChannelPts(channelID int64) (int32, bool) {
	ch, ok := m.channels[channelID]
	if !ok {
		return 0, false
	}
	return ch.pts, ch.known
}

func (m *Manager) channel(id int64) *channel {
	ch, ok := m.channels[id]
	if !ok {
		ch = &channel{}
		if m.cfg.LoadChannelPts != nil {
			ch.pts, ch.known = m.cfg.LoadChannelPts(id)
		}
		m.channels[id] = ch
	}
	return ch
}

// LastMessageID returns the newest message id of the common box (private
// chats and basic groups) dispatched so far; 0 when none was.
func (m *Manager) LastMessageID() int32 { return m.lastID }

// ChannelLastMessageID returns the newest message id of a channel
// dispatched so far; 0 when none was.
func (m *Manager) ChannelLastMessageID(channelID int64) int32 {
	if ch, ok := m.channels[channelID]; ok {
		return ch.lastID
	}
	return 0
}

// SetLastMessageID restores the newest message id dispatched in a box (0:
// the common box, else a channel id) from storage, so that a too-long gap
// after a restart is refetched from there (LastMessageID,
// ChannelLastMessageID). Ids never go back.
func (m *Manager) SetLastMessageID(box int64, id int32) {
	if box == 0 {
		m.lastID = max(m.lastID, id)
		return
	}
	ch := m.channel(box)
	ch.lastID = max(ch.lastID, id)
}

// noteMessage records the id of a dispatched new message, and reports
// whether it is new (a message at or below the newest id seen was already
// dispatched, by a recovery that overlapped).
func (m *Manager) noteMessage(up api.UpdateClass) bool {
	switch x := up.(type) {
	case *api.UpdateNewMessage:
		id := messageID(x.Message)
		if id > m.lastID {
			m.lastID = id
			m.lastDirty[0] = id
		}
	case *api.UpdateNewChannelMessage:
		id := messageID(x.Message)
		cid := channelOf(x.Message)
		if cid == 0 {
			return true
		}
		ch := m.channel(cid)
		if id <= ch.lastID {
			return false
		}
		ch.lastID = id
		m.lastDirty[cid] = id
	}
	return true
}

func messageID(mc api.MessageClass) int32 {
	switch x := mc.(type) {
	case *api.Message:
		return x.ID
	case *api.MessageService:
		return x.ID
	case *api.MessageEmpty:
		return x.ID
	}
	return 0
}

func channelOf(mc api.MessageClass) int64 {
	var p api.PeerClass
	switch x := mc.(type) {
	case *api.Message:
		p = x.PeerID
	case *api.MessageService:
		p = x.PeerID
	}
	if c, ok := p.(*api.PeerChannel); ok {
		return c.ChannelID
	}
	return 0
}

// CatchUp asks for the difference since the stored state (on start, when
// catching up is wanted, or after a new session).
func (m *Manager) CatchUp() Output {
	var out Output
	if m.known && !m.fetching {
		m.requestDifference(&out)
	}
	return out
}

func (m *Manager) requestDifference(out *Output) {
	// Updates held back so far stay buffered: the difference covers them,
	// and replaying them afterwards skips what it already applied.
	m.fetching = true
	m.gapSince = time.Time{}
	out.GetDifference = &api.UpdatesGetDifferenceRequest{Pts: m.state.Pts, Date: m.state.Date, Qts: m.state.Qts}
}

// OnPts advances the common pts for an RPC answer that carries pts and
// pts_count (messages.affectedMessages and the like).
func (m *Manager) OnPts(pts, count int32) Output {
	var out Output
	m.applyPts(&out, pending{pts: pts, count: count}, false)
	m.finish(&out)
	return out
}

// OnSentMessage feeds the updateShortSentMessage answering this client's
// own send, with the message the client rebuilt from its request (nil: only
// the pts moves). The message is dispatched as an updateNewMessage in pts
// order, exactly once: when the same pts also arrives pushed or inside a
// difference, the sequence rules skip the repeat.
func (m *Manager) OnSentMessage(x *api.UpdateShortSentMessage, msg *api.Message) Output {
	var out Output
	if msg == nil {
		m.applyPts(&out, pending{pts: x.Pts, count: x.PtsCount}, false)
	} else {
		m.applyOne(&out, &api.UpdateNewMessage{Message: msg, Pts: x.Pts, PtsCount: x.PtsCount}, nil, nil)
		m.advanceDate(x.Date)
	}
	m.finish(&out)
	return out
}

// OnUpdates feeds an Updates object pushed by the server or returned by an
// RPC.
func (m *Manager) OnUpdates(u api.UpdatesClass) Output {
	var out Output
	m.lastEvent = m.cfg.Now()
	m.onUpdates(&out, u)
	m.finish(&out)
	return out
}

func (m *Manager) onUpdates(out *Output, u api.UpdatesClass) {
	switch x := u.(type) {
	case *api.UpdatesTooLong:
		if !m.fetching {
			m.requestDifference(out)
		}
	case *api.UpdateShort:
		m.applyOne(out, x.Update, nil, nil)
		m.advanceDate(x.Date)
	case *api.UpdateShortMessage:
		msg := &api.Message{Out: x.Out, Mentioned: x.Mentioned, MediaUnread: x.MediaUnread, Silent: x.Silent,
			ID: x.ID, PeerID: &api.PeerUser{UserID: x.UserID}, Date: x.Date, Message: x.Message,
			FwdFrom: x.FwdFrom, ViaBotID: x.ViaBotID, ReplyTo: x.ReplyTo, Entities: x.Entities, TTLPeriod: x.TTLPeriod}
		if x.Out {
			msg.FromID = &api.PeerUser{UserID: m.cfg.SelfID}
		} else {
			msg.FromID = &api.PeerUser{UserID: x.UserID}
		}
		m.applyOne(out, &api.UpdateNewMessage{Message: msg, Pts: x.Pts, PtsCount: x.PtsCount}, nil, nil)
	case *api.UpdateShortChatMessage:
		msg := &api.Message{Out: x.Out, Mentioned: x.Mentioned, MediaUnread: x.MediaUnread, Silent: x.Silent,
			ID: x.ID, FromID: &api.PeerUser{UserID: x.FromID}, PeerID: &api.PeerChat{ChatID: x.ChatID}, Date: x.Date,
			Message: x.Message, FwdFrom: x.FwdFrom, ViaBotID: x.ViaBotID, ReplyTo: x.ReplyTo, Entities: x.Entities,
			TTLPeriod: x.TTLPeriod}
		m.applyOne(out, &api.UpdateNewMessage{Message: msg, Pts: x.Pts, PtsCount: x.PtsCount}, nil, nil)
	case *api.UpdateShortSentMessage:
		// The sender's own message: the caller builds it from its request;
		// only the sequence moves here.
		m.applyPts(out, pending{pts: x.Pts, count: x.PtsCount}, false)
	case *api.Updates:
		m.onSeq(out, u, x.Seq, x.Seq, x.Date, x.Updates, x.Users, x.Chats)
	case *api.UpdatesCombined:
		m.onSeq(out, u, x.SeqStart, x.Seq, x.Date, x.Updates, x.Users, x.Chats)
	}
}

// onSeq applies a container that carries seq (0: not sequenced).
func (m *Manager) onSeq(out *Output, u api.UpdatesClass, seqStart, seq, date int32, ups []api.UpdateClass, users []api.UserClass, chats []api.ChatClass) {
	if seq != 0 && m.known {
		switch {
		case m.fetching:
			m.seqPending = append(m.seqPending, u)
			return
		case m.state.Seq+1 > seqStart:
			// Already applied; but pts-carrying updates inside are
			// checked individually below, so nothing is lost.
		case m.state.Seq+1 < seqStart:
			m.seqPending = append(m.seqPending, u)
			if m.gapSince.IsZero() {
				m.gapSince = m.cfg.Now()
			}
			return
		}
	}
	for _, up := range ups {
		m.applyOne(out, up, users, chats)
	}
	if seq != 0 && seq > m.state.Seq {
		m.state.Seq = seq
		m.stateDirty = true
	}
	m.advanceDate(date)
	m.drainSeq(out)
}

func (m *Manager) drainSeq(out *Output) {
	for progress := true; progress && len(m.seqPending) > 0; {
		progress = false
		for i, u := range m.seqPending {
			start := seqStartOf(u)
			if m.state.Seq+1 >= start {
				m.seqPending = append(m.seqPending[:i], m.seqPending[i+1:]...)
				m.onUpdates(out, u)
				progress = true
				break
			}
		}
	}
	if len(m.seqPending) == 0 && len(m.ptsPending) == 0 && len(m.qtsPending) == 0 {
		m.gapSince = time.Time{}
	}
}

func seqStartOf(u api.UpdatesClass) int32 {
	switch x := u.(type) {
	case *api.Updates:
		return x.Seq
	case *api.UpdatesCombined:
		return x.SeqStart
	}
	return 0
}

func (m *Manager) advanceDate(date int32) {
	if date > m.state.Date {
		m.state.Date = date
		m.stateDirty = true
	}
}

// applyOne routes one update by the sequence it belongs to.
func (m *Manager) applyOne(out *Output, up api.UpdateClass, users []api.UserClass, chats []api.ChatClass) {
	if tooLong, ok := up.(*api.UpdateChannelTooLong); ok {
		m.channelTooLong(out, tooLong)
		return
	}
	seq := api.ClassifyUpdate(up)
	p := pending{update: up, users: users, chats: chats}
	switch seq.Kind {
	case api.SeqPts:
		p.pts, p.count = seq.Pts, seq.PtsCount
		m.applyPts(out, p, true)
	case api.SeqQts:
		p.pts = seq.Qts
		m.applyQts(out, p)
	case api.SeqChannel:
		p.pts, p.count = seq.Pts, seq.PtsCount
		m.applyChannel(out, seq.ChannelID, p)
	default:
		m.dispatch(out, p)
	}
}

func (m *Manager) dispatch(out *Output, p pending) {
	if p.update == nil || !m.noteMessage(p.update) {
		return
	}
	n := len(out.Dispatch)
	if n > 0 && sameEntities(out.Dispatch[n-1], p) {
		out.Dispatch[n-1].Updates = append(out.Dispatch[n-1].Updates, p.update)
		return
	}
	out.Dispatch = append(out.Dispatch, Batch{Updates: []api.UpdateClass{p.update}, Users: p.users, Chats: p.chats})
}

func sameEntities(b Batch, p pending) bool {
	return len(b.Users) == len(p.users) && len(b.Chats) == len(p.chats) &&
		(len(p.users) == 0 || &b.Users[0] == &p.users[0]) && (len(p.chats) == 0 || &b.Chats[0] == &p.chats[0])
}

// channelTooLong asks for a channel's difference, from the pts it is at.
// A channel never tracked (no pts known or stored) has no position to fetch
// from: it starts at the pts the server announces.
func (m *Manager) channelTooLong(out *Output, u *api.UpdateChannelTooLong) {
	ch := m.channel(u.ChannelID)
	if !ch.known || ch.pts <= 0 {
		if u.Pts.Set {
			ch.pts, ch.known = u.Pts.Val, true
			m.dirty[u.ChannelID] = ch.pts
		}
		return
	}
	if !ch.fetching {
		ch.fetching, ch.gapSince = true, time.Time{}
		out.GetChannelDifference = append(out.GetChannelDifference, ChannelFetch{ChannelID: u.ChannelID, Pts: ch.pts})
	}
}

// applyPts applies the common-pts rule: local + count == pts applies,
// local + count > pts is a duplicate, and < is a gap.
func (m *Manager) applyPts(out *Output, p pending, buffer bool) {
	if !m.known {
		m.dispatch(out, p)
		return
	}
	if m.fetching {
		if buffer {
			m.ptsPending = append(m.ptsPending, p)
		}
		return
	}
	switch {
	case m.state.Pts+p.count == p.pts:
		m.state.Pts = p.pts
		m.stateDirty = true
		m.dispatch(out, p)
		m.drainPts(out)
	case m.state.Pts+p.count > p.pts:
		// already applied
	default:
		m.ptsPending = append(m.ptsPending, p)
		if m.gapSince.IsZero() {
			m.gapSince = m.cfg.Now()
		}
	}
}

func (m *Manager) drainPts(out *Output) {
	sort.SliceStable(m.ptsPending, func(i, j int) bool {
		return m.ptsPending[i].pts-m.ptsPending[i].count < m.ptsPending[j].pts-m.ptsPending[j].count
	})
	for len(m.ptsPending) > 0 {
		p := m.ptsPending[0]
		switch {
		case m.state.Pts+p.count == p.pts:
			m.state.Pts = p.pts
			m.stateDirty = true
			m.dispatch(out, p)
		case m.state.Pts+p.count > p.pts:
		default:
			return
		}
		m.ptsPending = m.ptsPending[1:]
	}
	m.drainSeq(out)
}

// applyQts applies the qts rule: local + 1 == qts applies.
func (m *Manager) applyQts(out *Output, p pending) {
	if !m.known {
		m.dispatch(out, p)
		return
	}
	if m.fetching {
		m.qtsPending = append(m.qtsPending, p)
		return
	}
	switch {
	case m.state.Qts+1 == p.pts:
		m.state.Qts = p.pts
		m.stateDirty = true
		m.dispatch(out, p)
		sort.SliceStable(m.qtsPending, func(i, j int) bool { return m.qtsPending[i].pts < m.qtsPending[j].pts })
		for len(m.qtsPending) > 0 && m.qtsPending[0].pts <= m.state.Qts+1 {
			q := m.qtsPending[0]
			m.qtsPending = m.qtsPending[1:]
			if q.pts == m.state.Qts+1 {
				m.state.Qts = q.pts
				m.stateDirty = true
				m.dispatch(out, q)
			}
		}
	case m.state.Qts+1 > p.pts:
	default:
		m.qtsPending = append(m.qtsPending, p)
		if m.gapSince.IsZero() {
			m.gapSince = m.cfg.Now()
		}
	}
}

// applyChannel applies the pts rule of one channel.
func (m *Manager) applyChannel(out *Output, id int64, p pending) {
	ch := m.channel(id)
	if !ch.known {
		// First update of a channel we have no pts for: take it as is.
		ch.pts, ch.known = p.pts, true
		m.dirty[id] = ch.pts
		m.dispatch(out, p)
		return
	}
	if ch.fetching {
		ch.pending = append(ch.pending, p)
		return
	}
	switch {
	case ch.pts+p.count == p.pts:
		ch.pts = p.pts
		m.dirty[id] = ch.pts
		m.dispatch(out, p)
		m.drainChannel(out, id, ch)
	case ch.pts+p.count > p.pts:
	default:
		ch.pending = append(ch.pending, p)
		if ch.gapSince.IsZero() {
			ch.gapSince = m.cfg.Now()
		}
	}
}

func (m *Manager) drainChannel(out *Output, id int64, ch *channel) {
	sort.SliceStable(ch.pending, func(i, j int) bool {
		return ch.pending[i].pts-ch.pending[i].count < ch.pending[j].pts-ch.pending[j].count
	})
	for len(ch.pending) > 0 {
		p := ch.pending[0]
		switch {
		case ch.pts+p.count == p.pts:
			ch.pts = p.pts
			m.dirty[id] = ch.pts
			m.dispatch(out, p)
		case ch.pts+p.count > p.pts:
		default:
			return
		}
		ch.pending = ch.pending[1:]
	}
	ch.gapSince = time.Time{}
}

// OnDifference feeds the answer to the GetDifference request of an Output.
func (m *Manager) OnDifference(d api.UpdatesDifferenceClass) Output {
	var out Output
	m.lastEvent = m.cfg.Now()
	switch x := d.(type) {
	case *api.UpdatesDifferenceEmpty:
		m.state.Date, m.state.Seq = x.Date, x.Seq
		m.stateDirty = true
		m.fetching = false
	case *api.UpdatesDifference:
		m.applyDifference(&out, x.NewMessages, x.OtherUpdates, x.Users, x.Chats)
		m.setState(x.State)
		m.fetching = false
	case *api.UpdatesDifferenceSlice:
		m.applyDifference(&out, x.NewMessages, x.OtherUpdates, x.Users, x.Chats)
		m.setState(x.IntermediateState)
		m.requestDifference(&out) // keep going: more follows
	case *api.UpdatesDifferenceTooLong:
		m.state.Pts = x.Pts
		m.stateDirty = true
		m.fetching = false
		out.TooLong = true
	}
	if !m.fetching {
		m.replayBuffered(&out)
	}
	m.finish(&out)
	return out
}

func (m *Manager) setState(s api.UpdatesStateClass) {
	if st, ok := s.(*api.UpdatesState); ok {
		m.state = State{Pts: st.Pts, Qts: st.Qts, Date: st.Date, Seq: st.Seq}
		m.known, m.stateDirty = true, true
	}
}

func (m *Manager) applyDifference(out *Output, msgs []api.MessageClass, others []api.UpdateClass, users []api.UserClass, chats []api.ChatClass) {
	b := Batch{Users: users, Chats: chats}
	for _, msg := range msgs {
		up := &api.UpdateNewMessage{Message: msg}
		if m.noteMessage(up) {
			b.Updates = append(b.Updates, up)
		}
	}
	for _, up := range others {
		// Channel updates inside a difference still advance that channel.
		if s := api.ClassifyUpdate(up); s.Kind == api.SeqChannel {
			ch := m.channel(s.ChannelID)
			if ch.known && ch.pts+s.PtsCount > s.Pts {
				continue
			}
			ch.pts, ch.known = s.Pts, true
			m.dirty[s.ChannelID] = s.Pts
		}
		if tooLong, ok := up.(*api.UpdateChannelTooLong); ok {
			m.channelTooLong(out, tooLong)
			continue
		}
		b.Updates = append(b.Updates, up)
	}
	if len(b.Updates) > 0 {
		out.Dispatch = append(out.Dispatch, b)
	}
}

// replayBuffered re-applies updates that arrived while a difference was
// being fetched (those the difference already covered are skipped by the
// sequence rules).
func (m *Manager) replayBuffered(out *Output) {
	pts, qts, seq := m.ptsPending, m.qtsPending, m.seqPending
	m.ptsPending, m.qtsPending, m.seqPending = nil, nil, nil
	for _, p := range pts {
		m.applyPts(out, p, true)
	}
	for _, p := range qts {
		m.applyQts(out, p)
	}
	for _, u := range seq {
		m.onUpdates(out, u)
	}
}

// OnChannelDifference feeds the answer for a ChannelFetch.
func (m *Manager) OnChannelDifference(channelID int64, d api.UpdatesChannelDifferenceClass) Output {
	var out Output
	ch := m.channel(channelID)
	final := true
	switch x := d.(type) {
	case *api.UpdatesChannelDifferenceEmpty:
		ch.pts, ch.known, final = x.Pts, true, x.Final
	case *api.UpdatesChannelDifference:
		b := Batch{Users: x.Users, Chats: x.Chats}
		for _, msg := range x.NewMessages {
			if up := (&api.UpdateNewChannelMessage{Message: msg}); m.noteMessage(up) {
				b.Updates = append(b.Updates, up)
			}
		}
		b.Updates = append(b.Updates, x.OtherUpdates...)
		if len(b.Updates) > 0 {
			out.Dispatch = append(out.Dispatch, b)
		}
		ch.pts, ch.known, final = x.Pts, true, x.Final
	case *api.UpdatesChannelDifferenceTooLong:
		// The server skipped ahead: deliver the messages it gave (the most
		// recent ones) and report that history before them must be refetched.
		// Messages come newest first; those at or below the newest id
		// dispatched (by RecoverChannel, which the client calls first with
		// the history in between) are skipped.
		m.dispatchMessages(&out, Batch{Users: x.Users, Chats: x.Chats, Updates: channelMessages(x.Messages)})
		if dl, ok := x.Dialog.(*api.Dialog); ok && dl.Pts.Set {
			ch.pts, ch.known = dl.Pts.Val, true
		}
		final = x.Final
		out.TooLong = true
	}
	m.dirty[channelID] = ch.pts
	if !final {
		out.GetChannelDifference = append(out.GetChannelDifference, ChannelFetch{ChannelID: channelID, Pts: ch.pts})
	} else {
		ch.fetching = false
		pend := ch.pending
		ch.pending = nil
		for _, p := range pend {
			m.applyChannel(&out, channelID, p)
		}
	}
	m.finish(&out)
	return out
}

func channelMessages(msgs []api.MessageClass) []api.UpdateClass {
	ups := make([]api.UpdateClass, 0, len(msgs))
	for _, msg := range msgs {
		ups = append(ups, &api.UpdateNewChannelMessage{Message: msg})
	}
	return ups
}

// dispatchMessages dispatches new-message updates in ascending id order,
// skipping those already dispatched.
func (m *Manager) dispatchMessages(out *Output, b Batch) {
	sort.SliceStable(b.Updates, func(i, j int) bool { return updateMessageID(b.Updates[i]) < updateMessageID(b.Updates[j]) })
	kept := b.Updates[:0]
	for _, up := range b.Updates {
		if up, ok := up.(*api.UpdateNewMessage); ok && messageID(up.Message) <= m.lastID {
			continue
		}
		if m.noteMessage(up) {
			kept = append(kept, up)
		}
	}
	if b.Updates = kept; len(kept) > 0 {
		out.Dispatch = append(out.Dispatch, b)
	}
}

func updateMessageID(up api.UpdateClass) int32 {
	switch x := up.(type) {
	case *api.UpdateNewMessage:
		return messageID(x.Message)
	case *api.UpdateNewChannelMessage:
		return messageID(x.Message)
	}
	return 0
}

// Recover dispatches messages of the common box refetched after
// differenceTooLong (messages.getMessages past LastMessageID), in id order.
// Call it before OnDifference with that differenceTooLong, while the
// manager still holds back newer updates.
func (m *Manager) Recover(msgs []api.MessageClass, users []api.UserClass, chats []api.ChatClass) Output {
	var out Output
	ups := make([]api.UpdateClass, 0, len(msgs))
	for _, msg := range msgs {
		if _, empty := msg.(*api.MessageEmpty); !empty {
			ups = append(ups, &api.UpdateNewMessage{Message: msg})
		}
	}
	m.dispatchMessages(&out, Batch{Updates: ups, Users: users, Chats: chats})
	return out
}

// RecoverChannel dispatches a channel's messages refetched after
// channelDifferenceTooLong (the history between ChannelLastMessageID and the
// oldest message the server gave), in id order. Call it before
// OnChannelDifference with that answer.
func (m *Manager) RecoverChannel(channelID int64, msgs []api.MessageClass, users []api.UserClass, chats []api.ChatClass) Output {
	var out Output
	m.channel(channelID)
	m.dispatchMessages(&out, Batch{Updates: channelMessages(msgs), Users: users, Chats: chats})
	return out
}

// GiveUpChannel ends a channel fetch that cannot succeed (the channel is
// no longer readable, or not cached): the updates held for it are applied
// from the oldest one on, accepting the gap before it, so they are neither
// held forever nor fetched again and again.
func (m *Manager) GiveUpChannel(channelID int64) Output {
	var out Output
	ch := m.channel(channelID)
	ch.fetching, ch.gapSince = false, time.Time{}
	if len(ch.pending) > 0 {
		sort.SliceStable(ch.pending, func(i, j int) bool {
			return ch.pending[i].pts-ch.pending[i].count < ch.pending[j].pts-ch.pending[j].count
		})
		if first := ch.pending[0]; first.pts-first.count > ch.pts {
			ch.pts, ch.known = first.pts-first.count, true
		}
		m.drainChannel(&out, channelID, ch)
		m.dirty[channelID] = ch.pts
	}
	m.finish(&out)
	return out
}

// Tick checks timers: gaps that did not fill within GapWait, and idleness
// beyond IdleWait, both answered by fetching a difference.
func (m *Manager) Tick() Output {
	var out Output
	now := m.cfg.Now()
	if m.known && !m.fetching {
		if !m.gapSince.IsZero() && now.Sub(m.gapSince) >= m.cfg.GapWait {
			m.requestDifference(&out)
		} else if now.Sub(m.lastEvent) >= m.cfg.IdleWait {
			m.lastEvent = now
			m.requestDifference(&out)
		}
	}
	ids := make([]int64, 0, len(m.channels))
	for id := range m.channels {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		ch := m.channels[id]
		if !ch.fetching && !ch.gapSince.IsZero() && now.Sub(ch.gapSince) >= m.cfg.GapWait {
			ch.fetching, ch.gapSince = true, time.Time{}
			out.GetChannelDifference = append(out.GetChannelDifference, ChannelFetch{ChannelID: id, Pts: ch.pts})
		}
	}
	return out
}

// NextDeadline returns when Tick should next be called.
func (m *Manager) NextDeadline() time.Time {
	next := m.lastEvent.Add(m.cfg.IdleWait)
	if !m.gapSince.IsZero() {
		if t := m.gapSince.Add(m.cfg.GapWait); t.Before(next) {
			next = t
		}
	}
	for _, ch := range m.channels {
		if !ch.gapSince.IsZero() {
			if t := ch.gapSince.Add(m.cfg.GapWait); t.Before(next) {
				next = t
			}
		}
	}
	return next
}

// finish attaches the state to persist.
func (m *Manager) finish(out *Output) {
	if !m.stateDirty && len(m.dirty) == 0 && len(m.lastDirty) == 0 {
		return
	}
	s := &Save{State: m.state}
	if len(m.dirty) > 0 {
		s.Channels = m.dirty
		m.dirty = map[int64]int32{}
	}
	if len(m.lastDirty) > 0 {
		s.LastIDs = m.lastDirty
		m.lastDirty = map[int64]int32{}
	}
	m.stateDirty = false
	out.Save = s
}
