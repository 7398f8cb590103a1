package emulator

import (
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// evKind is what an event of a user's update sequence records.
type evKind uint8

const (
	evNew     evKind = iota // a message arrived in the box (msg)
	evEdit                  // a message was edited (msg)
	evDelete                // messages were deleted (ids)
	evReadIn                // the user read incoming messages (peer, maxID, still)
	evReadOut               // the other side read the user's messages (peer, maxID)
	evOther                 // an update without pts (upd), in seq
	evQts                   // an update of the qts sequence (upd), for bots
)

// event is one entry of a user's update journal, from which
// updates.getDifference is answered.
type event struct {
	kind     evKind
	pts      int32 // pts after the event
	ptsCount int32
	seq      int32
	qts      int32
	date     int32
	msg      int32
	ids      []int32
	peer     int64
	maxID    int32
	still    int32
	upd      api.UpdateClass
}

// record appends an event to a user's journal, advancing pts by count (or
// seq for evOther, qts for evQts), and returns it.
func (m *model) record(u *user, ev event) *event {
	ev.date = m.date()
	switch ev.kind {
	case evOther:
		u.seq++
		ev.seq = u.seq
		ev.pts = u.pts
	case evQts:
		u.qts++
		ev.qts = u.qts
		ev.pts, ev.ptsCount = u.pts, 0
	default:
		if ev.ptsCount == 0 {
			ev.ptsCount = 1
		}
		u.pts += ev.ptsCount
		ev.pts = u.pts
	}
	if len(u.journal) >= m.journalMax {
		n := len(u.journal) / 4
		u.journal = append(u.journal[:0], u.journal[n:]...)
	}
	u.journal = append(u.journal, ev)
	return &u.journal[len(u.journal)-1]
}

// push queues an Updates value for every connection of u but except.
func (m *model) push(u *user, except keyRef, upd api.UpdatesClass) {
	m.out = append(m.out, delivery{user: u.ID, except: except, upd: upd})
}

// state returns a user's updates.state.
func (m *model) state(u *user) *api.UpdatesState {
	return &api.UpdatesState{Pts: u.pts, Qts: u.qts, Date: m.date(), Seq: u.seq, UnreadCount: m.unreadTotal(u)}
}

func (m *model) unreadTotal(u *user) int32 {
	var n int32
	for _, d := range u.dialogs {
		n += m.unreadCount(u, d)
	}
	return n
}

// unreadCount counts incoming messages after the read mark.
func (m *model) unreadCount(u *user, d *dialog) int32 {
	if k, id := peerKind(d.peer); k == 'c' {
		ch := m.channels[id]
		if ch == nil {
			return 0
		}
		return ch.unreadFor(u.ID, d.readIn)
	}
	var n int32
	for i := len(d.ids) - 1; i >= 0 && d.ids[i] > d.readIn; i-- {
		if bm := u.msgs[d.ids[i]]; bm != nil && !bm.out {
			n++
		}
	}
	return n
}

// Difference limits: how many events one answer carries before it becomes
// a differenceSlice, and how far behind a client may be before it gets
// differenceTooLong.
const (
	diffSliceEvents = 100
	diffTooLong     = 5000
)

// difference answers updates.getDifference for a client at pts and qts.
func (m *model) difference(u *user, pts, qts, date int32, ptsTotalLimit int32) api.UpdatesDifferenceClass {
	newQts := qts < u.qts
	if pts >= u.pts {
		if pts > u.pts {
			// A client ahead of the server: tell it the real state.
			return &api.UpdatesDifferenceTooLong{Pts: u.pts}
		}
		// Nothing with pts; updates without pts recorded since?
		others := false
		for i := len(u.journal) - 1; i >= 0; i-- {
			ev := u.journal[i]
			if ev.kind == evQts {
				continue
			}
			if ev.kind != evOther || ev.date < date {
				break
			}
			others = true
		}
		if !others && !newQts {
			return &api.UpdatesDifferenceEmpty{Date: m.date(), Seq: u.seq}
		}
	}
	limit := int32(diffTooLong)
	if ptsTotalLimit > 0 && ptsTotalLimit < limit {
		limit = ptsTotalLimit
	}
	first := u.pts
	var firstQts int32
	if len(u.journal) > 0 {
		first = u.journal[0].pts - u.journal[0].ptsCount
		for _, ev := range u.journal {
			if ev.kind != evOther && ev.kind != evQts {
				first = ev.pts - ev.ptsCount
				break
			}
		}
		for _, ev := range u.journal {
			if ev.kind == evQts {
				firstQts = ev.qts
				break
			}
		}
	}
	if pts < first || u.pts-pts > limit || (newQts && (firstQts == 0 || qts < firstQts-1)) {
		return &api.UpdatesDifferenceTooLong{Pts: u.pts}
	}
	// Find the first event after the client's position.
	start := len(u.journal)
	for i, ev := range u.journal {
		if ev.kind == evQts {
			continue
		}
		if ev.kind == evOther {
			if ev.pts > pts || (ev.pts == pts && ev.date >= date) {
				start = i
				break
			}
			continue
		}
		if ev.pts > pts {
			start = i
			break
		}
	}
	end := len(u.journal)
	slice := false
	if end-start > diffSliceEvents {
		end = start + diffSliceEvents
		slice = true
	}
	var msgs []api.MessageClass
	var others []api.UpdateClass
	inNew := map[int32]bool{}
	users := map[int64]bool{}
	chats := map[int64]bool{}
	for _, ev := range u.journal[start:end] {
		if ev.kind == evNew {
			inNew[ev.msg] = true
		}
	}
	for _, ev := range u.journal[start:end] {
		switch ev.kind {
		case evNew:
			if bm := u.msgs[ev.msg]; bm != nil {
				msgs = append(msgs, m.renderBox(u, bm, users, chats))
			}
		case evEdit:
			if inNew[ev.msg] {
				continue // new_messages already has the edited text
			}
			if bm := u.msgs[ev.msg]; bm != nil {
				others = append(others, &api.UpdateEditMessage{Message: m.renderBox(u, bm, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount})
			}
		case evDelete:
			others = append(others, &api.UpdateDeleteMessages{Messages: ev.ids, Pts: ev.pts, PtsCount: ev.ptsCount})
		case evReadIn:
			noteMarked(ev.peer, users, chats)
			others = append(others, &api.UpdateReadHistoryInbox{Peer: peerOf(ev.peer), MaxID: ev.maxID,
				StillUnreadCount: ev.still, Pts: ev.pts, PtsCount: ev.ptsCount})
		case evReadOut:
			noteMarked(ev.peer, users, chats)
			others = append(others, &api.UpdateReadHistoryOutbox{Peer: peerOf(ev.peer), MaxID: ev.maxID, Pts: ev.pts, PtsCount: ev.ptsCount})
		case evOther:
			others = append(others, ev.upd)
			noteUpdatePeers(ev.upd, users, chats)
		}
	}
	// Every update of the qts sequence the client lacks comes in the first
	// answer.
	if newQts {
		for _, ev := range u.journal {
			if ev.kind == evQts && ev.qts > qts {
				others = append(others, ev.upd)
				noteUpdatePeers(ev.upd, users, chats)
			}
		}
	}
	// Channels with news since the client's date are announced so that it
	// fetches their own difference.
	if !slice {
		for _, ch := range m.channels {
			if mem := ch.members[u.ID]; mem != nil && !mem.left && ch.lastDate >= date && ch.lastDate > 0 {
				others = append(others, &api.UpdateChannelTooLong{ChannelID: ch.ID, Pts: tl.Some(ch.pts)})
				chats[channelPeer(ch.ID)] = true
			}
		}
	}
	st := m.state(u)
	if slice {
		last := u.journal[end-1]
		st.Pts, st.Seq, st.Date = last.pts, last.seq, last.date // st.Qts stays: all of qts came
		if last.kind != evOther {
			// seq of the last seq event at or before end
			st.Seq = 0
			for i := end - 1; i >= 0; i-- {
				if u.journal[i].kind == evOther {
					st.Seq = u.journal[i].seq
					break
				}
			}
		}
		return &api.UpdatesDifferenceSlice{NewMessages: msgs, OtherUpdates: others,
			Users: m.renderUsers(u, users), Chats: m.renderChats(u, chats), IntermediateState: st}
	}
	return &api.UpdatesDifference{NewMessages: msgs, OtherUpdates: others,
		Users: m.renderUsers(u, users), Chats: m.renderChats(u, chats), State: st}
}

func noteMarked(marked int64, users, chats map[int64]bool) {
	if marked > 0 {
		users[marked] = true
	} else if marked < 0 {
		chats[marked] = true
	}
}

// noteUpdatePeers collects the peers an update without pts mentions.
func noteUpdatePeers(u api.UpdateClass, users, chats map[int64]bool) {
	switch x := u.(type) {
	case *api.UpdateChatParticipants:
		if p, ok := x.Participants.(*api.ChatParticipants); ok {
			chats[chatPeer(p.ChatID)] = true
			for _, pp := range p.Participants {
				switch q := pp.(type) {
				case *api.ChatParticipant:
					users[q.UserID] = true
				case *api.ChatParticipantCreator:
					users[q.UserID] = true
				case *api.ChatParticipantAdmin:
					users[q.UserID] = true
				}
			}
		}
	case *api.UpdateUserName:
		users[x.UserID] = true
	case *api.UpdateChannel:
		chats[channelPeer(x.ChannelID)] = true
	case *api.UpdateChat:
		chats[chatPeer(x.ChatID)] = true
	case *api.UpdateChatParticipantAdmin:
		chats[chatPeer(x.ChatID)] = true
		users[x.UserID] = true
	case *api.UpdateChatDefaultBannedRights:
		noteMarked(markedOf(x.Peer), users, chats)
	case *api.UpdateChannelParticipant:
		chats[channelPeer(x.ChannelID)] = true
		users[x.ActorID], users[x.UserID] = true, true
	case *api.UpdateChatParticipant:
		chats[chatPeer(x.ChatID)] = true
		users[x.ActorID], users[x.UserID] = true, true
	}
}

// updatesOf wraps updates in an updates container with the users and chats
// they mention, as the given viewer sees them. seq is 0 unless the
// container carries an update without pts (the caller records it).
func (m *model) updatesOf(viewer *user, ups []api.UpdateClass, users, chats map[int64]bool, seq int32) *api.Updates {
	return &api.Updates{Updates: ups, Users: m.renderUsers(viewer, users), Chats: m.renderChats(viewer, chats),
		Date: m.date(), Seq: seq}
}

// pushOther records an update without pts for u and pushes it in an
// updates container with its seq, to every connection: the one that caused
// it too, or its seq would show a gap there.
func (m *model) pushOther(u *user, upd api.UpdateClass) {
	ev := m.record(u, event{kind: evOther, upd: upd})
	users, chats := map[int64]bool{}, map[int64]bool{}
	noteUpdatePeers(upd, users, chats)
	m.push(u, keyRef{}, m.updatesOf(u, []api.UpdateClass{upd}, users, chats, ev.seq))
}

// pushOtherAnswer is pushOther for the user who made the call: the answer
// carries the update with its seq, and u's other connections get it
// pushed.
func (m *model) pushOtherAnswer(u *user, upd api.UpdateClass, except keyRef) *api.Updates {
	ev := m.record(u, event{kind: evOther, upd: upd})
	users, chats := map[int64]bool{}, map[int64]bool{}
	noteUpdatePeers(upd, users, chats)
	res := m.updatesOf(u, []api.UpdateClass{upd}, users, chats, ev.seq)
	m.push(u, except, res)
	return res
}

// seqRange returns the seq range an Updates value covers (0, 0: none).
func seqRange(u api.UpdatesClass) (start, end int32) {
	switch x := u.(type) {
	case *api.Updates:
		return x.Seq, x.Seq
	case *api.UpdatesCombined:
		return x.SeqStart, x.Seq
	}
	return 0, 0
}

// coalesce merges the updates with consecutive seq that one flush pushes to
// the same connections of a user into one updatesCombined (seq_start..seq),
// as Telegram sends them; each user's deliveries keep their order.
func coalesce(out []delivery) []delivery {
	seqs := 0
	for _, d := range out {
		if start, _ := seqRange(d.upd); start != 0 {
			seqs++
		}
	}
	if seqs < 2 {
		return out
	}
	merged := make([]delivery, 0, len(out))
	var open map[int64]int // user → index in merged of their last seq delivery
	for _, d := range out {
		start, _ := seqRange(d.upd)
		if start == 0 {
			merged = append(merged, d)
			delete(open, d.user)
			continue
		}
		if i, ok := open[d.user]; ok && merged[i].except == d.except {
			if _, last := seqRange(merged[i].upd); last+1 == start {
				merged[i].upd = combine(merged[i].upd, d.upd)
				continue
			}
		}
		if open == nil {
			open = map[int64]int{}
		}
		open[d.user] = len(merged)
		merged = append(merged, d)
	}
	return merged
}

// combine joins two seq-carrying Updates values, a before b.
func combine(a, b api.UpdatesClass) *api.UpdatesCombined {
	out := &api.UpdatesCombined{}
	seenU, seenC := map[int64]bool{}, map[int64]bool{}
	for i, u := range []api.UpdatesClass{a, b} {
		var ups []api.UpdateClass
		var users []api.UserClass
		var chats []api.ChatClass
		var date int32
		start, end := seqRange(u)
		switch x := u.(type) {
		case *api.Updates:
			ups, users, chats, date = x.Updates, x.Users, x.Chats, x.Date
		case *api.UpdatesCombined:
			ups, users, chats, date = x.Updates, x.Users, x.Chats, x.Date
		}
		if i == 0 {
			out.SeqStart = start
		}
		out.Seq = end
		out.Date = max(out.Date, date)
		out.Updates = append(out.Updates, ups...)
		for _, uc := range users {
			if x, ok := uc.(*api.User); ok {
				if seenU[x.ID] {
					continue
				}
				seenU[x.ID] = true
			}
			out.Users = append(out.Users, uc)
		}
		for _, cc := range chats {
			if id := chatIDOf(cc); id != 0 {
				if seenC[id] {
					continue
				}
				seenC[id] = true
			}
			out.Chats = append(out.Chats, cc)
		}
	}
	return out
}

// chatIDOf returns the marked id of a rendered chat (0: unknown kind).
func chatIDOf(c api.ChatClass) int64 {
	switch x := c.(type) {
	case *api.Chat:
		return chatPeer(x.ID)
	case *api.ChatForbidden:
		return chatPeer(x.ID)
	case *api.Channel:
		return channelPeer(x.ID)
	case *api.ChannelForbidden:
		return channelPeer(x.ID)
	}
	return 0
}

// flushUpdates delivers the updates the model queued. e.mu must be held;
// nothing here blocks on the network.
func (e *Emulator) flushUpdates() {
	m := e.m
	for _, d := range coalesce(m.out) {
		u := m.users[d.user]
		if u == nil {
			continue
		}
		targets := e.updateKeys(u.ID, d.except)
		if len(targets) == 0 {
			continue
		}
		if u.hold {
			continue
		}
		if u.lose > 0 {
			u.lose--
			continue
		}
		body, err := tl.Encode(d.upd)
		if err != nil {
			e.log.Error("emulator: encoding an update failed", "err", err)
			continue
		}
		for _, ks := range targets {
			ks.out.push(body)
		}
	}
	clear(m.out)
	m.out = m.out[:0]
}

// updateKeys returns the keys whose connections get a user's updates.
func (e *Emulator) updateKeys(userID int64, except keyRef) []*keyState {
	var out []*keyState
	for ref := range e.userKeys[userID] {
		if ref == except {
			continue
		}
		ks := e.keys[ref]
		if ks == nil || ks.user != userID || ks.imported {
			continue
		}
		if ks.out.wantsUpdates() {
			out = append(out, ks)
		}
	}
	return out
}
