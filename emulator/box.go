package emulator

import (
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Operations on the common message box: private chats and basic groups,
// where every participant holds a copy of each message with an id of their
// own box, and every change advances their own pts.

const maxMessageLength = 4096

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// checkText validates a message text.
func checkText(text string, media bool) error {
	if text == "" && !media {
		return errf(400, "MESSAGE_EMPTY")
	}
	if utf16Len(text) > maxMessageLength {
		return errf(400, "MESSAGE_TOO_LONG")
	}
	return nil
}

// resolveEntities turns input entities into stored ones
// (inputMessageEntityMentionName becomes messageEntityMentionName).
func (m *model) resolveEntities(viewer *user, in []api.MessageEntityClass) ([]api.MessageEntityClass, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]api.MessageEntityClass, 0, len(in))
	for _, en := range in {
		if x, ok := en.(*api.InputMessageEntityMentionName); ok {
			u, err := m.inputUser(viewer, x.UserID)
			if err != nil {
				return nil, errf(400, "ENTITY_MENTION_USER_INVALID")
			}
			en = &api.MessageEntityMentionName{Offset: x.Offset, Length: x.Length, UserID: u.ID}
		}
		out = append(out, en)
	}
	return out, nil
}

// recipients returns the users holding copies of messages sent to a peer of
// the common box (the sender first).
func (m *model) recipients(from *user, peer int64) ([]*user, error) {
	switch k, id := peerKind(peer); k {
	case 'u':
		to := m.users[id]
		if to == nil {
			return nil, errPeerInvalid
		}
		if to.ID == from.ID {
			return []*user{from}, nil
		}
		if to.Bot && from.Bot {
			return nil, errf(400, "USER_IS_BOT")
		}
		return []*user{from, to}, nil
	case 'g':
		c := m.chats[id]
		if c == nil {
			return nil, errPeerInvalid
		}
		if !c.isMember(from.ID) || c.deactivated {
			return nil, errf(403, "CHAT_WRITE_FORBIDDEN")
		}
		out := []*user{from}
		for _, mid := range c.members {
			if mid != from.ID {
				if u := m.users[mid]; u != nil {
					out = append(out, u)
				}
			}
		}
		return out, nil
	}
	return nil, errPeerInvalid
}

// peerAs returns the marked id of a box dialog as another participant sees
// it: in a private chat the peer of each side is the other user.
func peerAs(from *user, peer int64, viewer *user) int64 {
	if peer > 0 && viewer.ID != from.ID {
		return from.ID
	}
	return peer
}

// plain reports whether a message fits the short update forms.
func (p *post) plain() bool {
	if p.markup != nil || p.media != nil || p.file != 0 || p.action != nil || p.fwd != nil || p.viaBot != 0 {
		return false
	}
	for _, en := range p.entities {
		if _, ok := en.(*api.MessageEntityMentionName); ok {
			return false
		}
	}
	return true
}

// sendBox delivers a new message to a peer of the common box: every
// participant gets a copy, a pts event and a push (the sender's connections
// but except included). It returns the sender's copy and pts event.
func (m *model) sendBox(from *user, peer int64, p *post, except keyRef) (*boxMsg, *event, error) {
	rcpt, err := m.recipients(from, peer)
	if err != nil {
		return nil, nil, err
	}
	if p.copies == nil {
		p.copies = map[int64]int32{}
	}
	var mine *boxMsg
	var myEv *event
	for _, r := range rcpt {
		r.lastMsgID++
		bm := &boxMsg{id: r.lastMsgID, peer: peerAs(from, peer, r), out: r.ID == from.ID, p: p}
		r.msgs[bm.id] = bm
		r.dialogOf(bm.peer).add(bm.id)
		p.copies[r.ID] = bm.id
		ev := m.record(r, event{kind: evNew, msg: bm.id})
		if r.ID == from.ID {
			mine, myEv = bm, ev
			m.push(r, except, m.newMessageUpdates(r, bm, ev, peer))
		} else {
			m.push(r, keyRef{}, m.newMessageUpdates(r, bm, ev, peer))
		}
	}
	return mine, myEv, nil
}

// newMessageUpdates is the push announcing a new message to a viewer: the
// short forms when the viewer knows everything they need, else a full
// updates container with the users and chats.
func (m *model) newMessageUpdates(r *user, bm *boxMsg, ev *event, peer int64) api.UpdatesClass {
	p := bm.p
	var reply api.MessageReplyHeaderClass
	if p.replyTo != nil {
		if id, ok := p.replyTo.copies[r.ID]; ok {
			reply = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(id)}
		}
	}
	if p.plain() {
		switch k, id := peerKind(bm.peer); k {
		case 'u':
			if id == r.ID || r.seen[id] {
				return &api.UpdateShortMessage{Out: bm.out, Silent: p.silent, ID: bm.id, UserID: id, Message: p.text,
					Pts: ev.pts, PtsCount: ev.ptsCount, Date: p.date, ReplyTo: reply, Entities: p.entities}
			}
		case 'g':
			if bm.out || r.seen[p.from] {
				return &api.UpdateShortChatMessage{Out: bm.out, Silent: p.silent, ID: bm.id, FromID: p.from, ChatID: id,
					Message: p.text, Pts: ev.pts, PtsCount: ev.ptsCount, Date: p.date, ReplyTo: reply, Entities: p.entities}
			}
		}
	}
	users, chats := map[int64]bool{}, map[int64]bool{}
	msg := m.renderBox(r, bm, users, chats)
	return m.updatesOf(r, []api.UpdateClass{&api.UpdateNewMessage{Message: msg, Pts: ev.pts, PtsCount: ev.ptsCount}}, users, chats, 0)
}

// sentUpdates is the answer to the sender of a message: updateShortSentMessage
// for plain text, else a container with updateMessageID and the message.
func (m *model) sentUpdates(from *user, bm *boxMsg, ev *event, randomID int64) api.UpdatesClass {
	p := bm.p
	if p.markup == nil && p.media == nil && p.file == 0 && p.action == nil && p.fwd == nil {
		return &api.UpdateShortSentMessage{Out: true, ID: bm.id, Pts: ev.pts, PtsCount: ev.ptsCount, Date: p.date,
			Entities: p.entities}
	}
	users, chats := map[int64]bool{}, map[int64]bool{}
	msg := m.renderBox(from, bm, users, chats)
	ups := []api.UpdateClass{&api.UpdateNewMessage{Message: msg, Pts: ev.pts, PtsCount: ev.ptsCount}}
	if randomID != 0 {
		ups = append([]api.UpdateClass{&api.UpdateMessageID{ID: bm.id, RandomID: randomID}}, ups...)
	}
	return m.updatesOf(from, ups, users, chats, 0)
}

// replyTarget finds the post a message replies to, in the sender's view.
func (m *model) replyTarget(from *user, peer int64, in api.InputReplyToClass) *post {
	r, ok := in.(*api.InputReplyToMessage)
	if !ok || r.ReplyToMsgID == 0 {
		return nil
	}
	if k, id := peerKind(peer); k == 'c' {
		if ch := m.channels[id]; ch != nil {
			if p := ch.msgs[r.ReplyToMsgID]; p != nil && !p.deleted {
				return p
			}
		}
		return nil
	}
	if bm := from.msgs[r.ReplyToMsgID]; bm != nil && bm.peer == peer {
		return bm.p
	}
	return nil
}

// editBox edits a message of the common box in every copy.
func (m *model) editBox(u *user, bm *boxMsg, except keyRef) api.UpdatesClass {
	p := bm.p
	p.editDate = m.date()
	var mine api.UpdatesClass
	for _, holder := range sortedKeys(boolSet(p.copies)) {
		r := m.users[holder]
		rbm := r.msgs[p.copies[holder]]
		if rbm == nil {
			continue
		}
		ev := m.record(r, event{kind: evEdit, msg: rbm.id})
		users, chats := map[int64]bool{}, map[int64]bool{}
		msg := m.renderBox(r, rbm, users, chats)
		upd := m.updatesOf(r, []api.UpdateClass{&api.UpdateEditMessage{Message: msg, Pts: ev.pts, PtsCount: ev.ptsCount}}, users, chats, 0)
		if r.ID == u.ID {
			mine = upd
			m.push(r, except, upd)
		} else {
			m.push(r, keyRef{}, upd)
		}
	}
	return mine
}

func boolSet[V any](mp map[int64]V) map[int64]bool {
	out := make(map[int64]bool, len(mp))
	for k := range mp {
		out[k] = true
	}
	return out
}

// removeCopies deletes ids from a user's box and records the event.
func (m *model) removeCopies(u *user, ids []int32, except keyRef) *event {
	var done []int32
	for _, id := range ids {
		bm := u.msgs[id]
		if bm == nil {
			continue
		}
		delete(u.msgs, id)
		if d := u.dialogs[bm.peer]; d != nil {
			d.remove(id)
		}
		delete(bm.p.copies, u.ID)
		done = append(done, id)
	}
	if len(done) == 0 {
		return nil
	}
	ev := m.record(u, event{kind: evDelete, ids: done, ptsCount: int32(len(done))})
	m.push(u, except, m.updatesOf(u, []api.UpdateClass{&api.UpdateDeleteMessages{Messages: done, Pts: ev.pts, PtsCount: ev.ptsCount}}, nil, nil, 0))
	return ev
}

// deleteBox deletes messages of a user's box, and with revoke the other
// participants' copies too (own messages, any message of a private chat,
// or any message for the creator and admins of a group).
func (m *model) deleteBox(u *user, ids []int32, revoke bool, except keyRef) *api.MessagesAffectedMessages {
	others := map[int64][]int32{}
	if revoke {
		for _, id := range ids {
			bm := u.msgs[id]
			if bm == nil {
				continue
			}
			allowed := bm.p.from == u.ID || bm.peer > 0
			if k, cid := peerKind(bm.peer); k == 'g' && m.chats[cid] != nil && m.chats[cid].isAdminOf(u.ID) {
				allowed = true
			}
			if !allowed {
				continue
			}
			for holder, hid := range bm.p.copies {
				if holder != u.ID {
					others[holder] = append(others[holder], hid)
				}
			}
		}
	}
	ev := m.removeCopies(u, ids, except)
	for _, holder := range sortedKeys(boolSet(others)) {
		hids := others[holder]
		sort.Slice(hids, func(i, j int) bool { return hids[i] < hids[j] })
		m.removeCopies(m.users[holder], hids, keyRef{})
	}
	if ev == nil {
		return &api.MessagesAffectedMessages{Pts: u.pts, PtsCount: 0}
	}
	return &api.MessagesAffectedMessages{Pts: ev.pts, PtsCount: ev.ptsCount}
}

// readBox marks a dialog read up to maxID (0: everything) and tells the
// senders their messages were read.
func (m *model) readBox(u *user, peer int64, maxID int32, except keyRef) *api.MessagesAffectedMessages {
	d := u.dialogs[peer]
	if d == nil || len(d.ids) == 0 {
		return &api.MessagesAffectedMessages{Pts: u.pts}
	}
	if maxID <= 0 || maxID > d.top() {
		maxID = d.top()
	}
	if maxID <= d.readIn {
		return &api.MessagesAffectedMessages{Pts: u.pts}
	}
	old := d.readIn
	d.readIn = maxID
	// What each sender now sees read, in their own box.
	readOut := map[int64]int32{}
	for _, id := range d.ids {
		if id <= old || id > maxID {
			continue
		}
		bm := u.msgs[id]
		if bm == nil || bm.out {
			continue
		}
		if sid, ok := bm.p.copies[bm.p.from]; ok && sid > readOut[bm.p.from] {
			readOut[bm.p.from] = sid
		}
	}
	still := m.unreadCount(u, d)
	ev := m.record(u, event{kind: evReadIn, peer: peer, maxID: maxID, still: still})
	m.push(u, except, m.updatesOf(u, []api.UpdateClass{&api.UpdateReadHistoryInbox{Peer: peerOf(peer), MaxID: maxID,
		StillUnreadCount: still, Pts: ev.pts, PtsCount: ev.ptsCount}}, nil, nil, 0))
	for _, sid := range sortedKeys(boolSet(readOut)) {
		s := m.users[sid]
		if s == nil {
			continue
		}
		speer := peer
		if peer > 0 {
			speer = u.ID
		}
		sd := s.dialogs[speer]
		if sd == nil || readOut[sid] <= sd.readOut {
			continue
		}
		sd.readOut = readOut[sid]
		sev := m.record(s, event{kind: evReadOut, peer: speer, maxID: sd.readOut})
		users, chats := peerRefs(speer)
		m.push(s, keyRef{}, m.updatesOf(s, []api.UpdateClass{&api.UpdateReadHistoryOutbox{Peer: peerOf(speer),
			MaxID: sd.readOut, Pts: sev.pts, PtsCount: sev.ptsCount}}, users, chats, 0))
	}
	return &api.MessagesAffectedMessages{Pts: ev.pts, PtsCount: ev.ptsCount}
}

// page selects message ids from ascending ids the way messages.getHistory
// does: only ids in (minID, maxID) count; of those, newest first, starting
// below offsetID (or before offsetDate), shifted by addOffset, at most limit.
func page(ids []int32, dateOf func(int32) int32, offsetID, offsetDate, addOffset, limit, maxID, minID int32) []int32 {
	if maxID > 0 || minID > 0 {
		lo := 0
		if minID > 0 {
			lo = sort.Search(len(ids), func(i int) bool { return ids[i] > minID })
		}
		hi := len(ids)
		if maxID > 0 {
			hi = sort.Search(len(ids), func(i int) bool { return ids[i] >= maxID })
		}
		if lo >= hi {
			return nil
		}
		ids = ids[lo:hi]
	}
	n := len(ids)
	desc := func(i int) int32 { return ids[n-1-i] }
	pos := 0
	switch {
	case offsetID > 0:
		pos = sort.Search(n, func(i int) bool { return desc(i) < offsetID })
	case offsetDate > 0:
		pos = sort.Search(n, func(i int) bool { return dateOf(desc(i)) < offsetDate })
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	start := max(pos+int(addOffset), 0)
	end := min(pos+int(addOffset)+int(limit), n)
	var out []int32
	for i := start; i < end; i++ {
		out = append(out, desc(i))
	}
	return out
}

// messagesResult wraps a page of messages: messages.messages when it holds
// everything, messages.messagesSlice with the total count otherwise.
func messagesResult(msgs []api.MessageClass, total int, users []api.UserClass, chats []api.ChatClass) api.MessagesMessagesClass {
	if len(msgs) >= total {
		return &api.MessagesMessages{Messages: msgs, Users: users, Chats: chats}
	}
	return &api.MessagesMessagesSlice{Count: int32(total), Messages: msgs, Users: users, Chats: chats}
}

// matches reports whether a post matches a text search.
func (p *post) matches(q string) bool {
	return q == "" || strings.Contains(strings.ToLower(p.text), strings.ToLower(q))
}
