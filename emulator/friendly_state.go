package emulator

import (
	"sort"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Pinned messages, archived dialogs (folders) and scheduled messages.

func init() {
	on(needUser, messagesUpdatePinnedMessage)
	on(needUser, messagesUnpinAllMessages)
	on(needUser, foldersEditPeerFolders)
	on(needUser, messagesGetScheduledHistory)
	on(needUser, messagesGetScheduledMessages)
	on(needUser, messagesSendScheduledMessages)
	on(needUser, messagesDeleteScheduledMessages)
}

// friendlyState is the part of the model behind pins, folders and scheduled
// messages. Its zero value is ready to use.
type friendlyState struct {
	pinned    map[*post]bool
	folders   map[int64]map[int64]int32 // user id → marked peer → folder id (1: archive)
	scheduled map[int64]*schedBox       // by user id
	timer     *time.Timer               // fires at the next scheduled message
}

// schedBox is one user's scheduled messages.
type schedBox struct {
	lastID int32
	msgs   map[int32]*schedMsg
}

// schedMsg is a message waiting for its date.
type schedMsg struct {
	id   int32
	peer int64
	date int32
	o    sendOpts
}

// maxScheduleAhead is how far ahead Telegram accepts a schedule date.
const maxScheduleAhead = 366 * 24 * time.Hour

// folderOf returns the folder a user keeps a dialog in (0: the main list).
func (m *model) folderOf(uid, peer int64) int32 { return m.fx.folders[uid][peer] }

func (m *model) setFolder(uid, peer int64, folder int32) {
	if m.fx.folders == nil {
		m.fx.folders = map[int64]map[int64]int32{}
	}
	f := m.fx.folders[uid]
	if f == nil {
		f = map[int64]int32{}
		m.fx.folders[uid] = f
	}
	if folder == 0 {
		delete(f, peer)
		return
	}
	f[peer] = folder
}

func (m *model) setPinned(p *post, pin bool) {
	if m.fx.pinned == nil {
		m.fx.pinned = map[*post]bool{}
	}
	if pin {
		m.fx.pinned[p] = true
	} else {
		delete(m.fx.pinned, p)
	}
}

// pinBox pins or unpins a message of the common box for every participant
// (or, with oneSide in a private chat, for u only). A pin posts the
// "pinned a message" service message as Telegram does.
func (m *model) pinBox(u *user, peer int64, p *post, pin, oneSide bool, except keyRef) (api.UpdatesClass, error) {
	m.setPinned(p, pin)
	holders := sortedKeys(boolSet(p.copies))
	if oneSide && peer > 0 {
		holders = []int64{u.ID}
	}
	answer := &api.Updates{Date: m.date()}
	for _, hid := range holders {
		r := m.users[hid]
		if r == nil || r.msgs[p.copies[hid]] == nil {
			continue
		}
		rbm := r.msgs[p.copies[hid]]
		upd := &api.UpdatePinnedMessages{Pinned: pin, Peer: peerOf(rbm.peer), Messages: []int32{rbm.id}, Pts: r.pts}
		if r.ID == u.ID {
			res := m.pushOtherAnswer(r, upd, except)
			answer.Updates, answer.Seq, answer.Users, answer.Chats = append(answer.Updates, res.Updates...), res.Seq, res.Users, res.Chats
		} else {
			m.pushOther(r, upd)
		}
	}
	if pin && !oneSide {
		sp := &post{from: u.ID, date: m.date(), action: &api.MessageActionPinMessage{}, replyTo: p}
		bm, ev, err := m.sendBox(u, peer, sp, except)
		if err != nil {
			return nil, err
		}
		if svc, ok := m.sentUpdates(u, bm, ev, 0).(*api.Updates); ok {
			answer.Updates = append(answer.Updates, svc.Updates...)
			answer.Users = append(answer.Users, svc.Users...)
			answer.Chats = append(answer.Chats, svc.Chats...)
		}
	}
	return answer, nil
}

// pinChannel pins or unpins a channel message for every member.
func (m *model) pinChannel(u *user, ch *channel, p *post, pin bool, except keyRef) *api.Updates {
	m.setPinned(p, pin)
	res := m.fanout(ch, u, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdatePinnedChannelMessages{Pinned: pin, ChannelID: ch.ID, Messages: []int32{p.id}, Pts: ch.pts}}
	})
	if !pin {
		return res
	}
	ch.lastID++
	sp := &post{from: u.ID, date: m.date(), action: &api.MessageActionPinMessage{}, channel: ch.ID, id: ch.lastID, replyTo: p}
	ch.msgs[sp.id] = sp
	ch.ids = append(ch.ids, sp.id)
	ev := m.recordCh(ch, chEvent{kind: evNew, msg: sp.id})
	svc := m.fanout(ch, u, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdateNewChannelMessage{Message: m.renderChannelPost(r, ch, sp, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount}}
	})
	return &api.Updates{Updates: append(append([]api.UpdateClass(nil), res.Updates...), svc.Updates...),
		Users: svc.Users, Chats: svc.Chats, Date: m.date()}
}

func messagesUpdatePinnedMessage(c *call, q *api.MessagesUpdatePinnedMessageRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	p := m.sourcePost(c.u, peer, q.ID)
	if p == nil || p.deleted || p.action != nil {
		return nil, errMsgIDInvalid
	}
	switch k, id := peerKind(peer); k {
	case 'c':
		ch := m.channels[id]
		if !ch.can(c.u.ID, rightPin) {
			if f, _ := ch.forbids(c.u.ID, banPin); ch.Broadcast || ch.member(c.u.ID) == nil || f {
				return nil, errf(400, "CHAT_ADMIN_REQUIRED")
			}
		}
		return m.pinChannel(c.u, ch, p, !q.Unpin, c.ks.ref), nil
	case 'g':
		if ch := m.chats[id]; ch == nil || !ch.isMember(c.u.ID) || !ch.allows(c.u.ID, banPin) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
	}
	return m.pinBox(c.u, peer, p, !q.Unpin, q.PmOneside, c.ks.ref)
}

func messagesUnpinAllMessages(c *call, q *api.MessagesUnpinAllMessagesRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if k, id := peerKind(peer); k == 'c' {
		ch := m.channels[id]
		if !ch.can(c.u.ID, rightPin) {
			if f, _ := ch.forbids(c.u.ID, banPin); ch.Broadcast || ch.member(c.u.ID) == nil || f {
				return nil, errf(400, "CHAT_ADMIN_REQUIRED")
			}
		}
		for _, mid := range ch.ids {
			if p := ch.msgs[mid]; m.fx.pinned[p] {
				m.pinChannel(c.u, ch, p, false, keyRef{})
			}
		}
		return &api.MessagesAffectedHistory{Pts: ch.pts}, nil
	}
	if k, id := peerKind(peer); k == 'g' {
		if ch := m.chats[id]; ch == nil || !ch.isMember(c.u.ID) || !ch.allows(c.u.ID, banPin) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
	}
	if d := c.u.dialogs[peer]; d != nil {
		for _, mid := range append([]int32(nil), d.ids...) {
			if bm := c.u.msgs[mid]; bm != nil && m.fx.pinned[bm.p] {
				if _, err := m.pinBox(c.u, peer, bm.p, false, false, keyRef{}); err != nil {
					return nil, err
				}
			}
		}
	}
	return &api.MessagesAffectedHistory{Pts: c.u.pts}, nil
}

func foldersEditPeerFolders(c *call, q *api.FoldersEditPeerFoldersRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	var fps []api.FolderPeerClass
	users, chats := map[int64]bool{}, map[int64]bool{}
	for _, in := range q.FolderPeers {
		fp, ok := in.(*api.InputFolderPeer)
		if !ok {
			return nil, errPeerInvalid
		}
		if fp.FolderID != 0 && fp.FolderID != 1 {
			return nil, errf(400, "FOLDER_ID_INVALID")
		}
		peer, err := m.inputPeer(c.u, fp.Peer)
		if err != nil {
			return nil, err
		}
		m.setFolder(c.u.ID, peer, fp.FolderID)
		fps = append(fps, &api.FolderPeer{Peer: peerOf(peer), FolderID: fp.FolderID})
		noteMarked(peer, users, chats)
	}
	upd := &api.UpdateFolderPeers{FolderPeers: fps, Pts: c.u.pts}
	ev := m.record(c.u, event{kind: evOther, upd: upd})
	res := m.updatesOf(c.u, []api.UpdateClass{upd}, users, chats, ev.seq)
	m.push(c.u, c.ks.ref, res)
	return res, nil
}

// schedule keeps a message until its date and answers the sender with
// updateNewScheduledMessage.
func (e *Emulator) schedule(from *user, peer int64, o sendOpts, date int32, except keyRef) (api.UpdatesClass, error) {
	m := e.m
	if o.randomID != 0 {
		if prev := from.random[o.randomID]; prev != nil {
			return prev.res, nil
		}
	}
	if err := checkText(o.text, o.media != nil || o.file != nil); err != nil {
		return nil, err
	}
	if err := m.checkPeer(peer); err != nil {
		return nil, err
	}
	if m.fx.scheduled == nil {
		m.fx.scheduled = map[int64]*schedBox{}
	}
	box := m.fx.scheduled[from.ID]
	if box == nil {
		box = &schedBox{msgs: map[int32]*schedMsg{}}
		m.fx.scheduled[from.ID] = box
	}
	box.lastID++
	s := &schedMsg{id: box.lastID, peer: peer, date: date, o: o}
	s.o.randomID = 0
	box.msgs[s.id] = s
	users, chats := map[int64]bool{}, map[int64]bool{}
	ups := []api.UpdateClass{&api.UpdateNewScheduledMessage{Message: m.renderScheduled(from, s, users, chats)}}
	m.push(from, except, m.updatesOf(from, ups, users, chats, 0))
	if o.randomID != 0 {
		ups = append([]api.UpdateClass{&api.UpdateMessageID{ID: s.id, RandomID: o.randomID}}, ups...)
	}
	res := m.updatesOf(from, ups, users, chats, 0)
	if o.randomID != 0 {
		from.random[o.randomID] = &sentRandom{peer: peer, res: res}
	}
	e.armScheduler()
	return res, nil
}

func (m *model) renderScheduled(u *user, s *schedMsg, users, chats map[int64]bool) *api.Message {
	noteMarked(s.peer, users, chats)
	users[u.ID] = true
	msg := &api.Message{Out: true, ID: s.id, FromID: &api.PeerUser{UserID: u.ID}, PeerID: peerOf(s.peer), Date: s.date,
		Message: s.o.text, Entities: s.o.entities, ReplyMarkup: s.o.markup, Silent: s.o.silent, FromScheduled: true}
	if r, ok := s.o.replyTo.(*api.InputReplyToMessage); ok && r.ReplyToMsgID != 0 {
		msg.ReplyTo = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(r.ReplyToMsgID)}
	}
	return msg
}

// armScheduler sets the timer for the earliest scheduled message. e.mu is
// held.
func (e *Emulator) armScheduler() {
	m := e.m
	var next int32
	for _, box := range m.fx.scheduled {
		for _, s := range box.msgs {
			if next == 0 || s.date < next {
				next = s.date
			}
		}
	}
	if m.fx.timer != nil {
		m.fx.timer.Stop()
		m.fx.timer = nil
	}
	if next == 0 {
		return
	}
	wait := max(time.Unix(int64(next), 0).Sub(e.now()), 0)
	m.fx.timer = time.AfterFunc(wait, func() {
		if len(e.dcs) > 0 {
			select {
			case <-e.dcs[0].done: // closed
				return
			default:
			}
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.deliverScheduled(false, 0, nil)
		e.flushUpdates()
		e.armScheduler()
	})
}

// deliverScheduled sends the scheduled messages that are due (or, with
// now, those of user uid whose ids are listed) and tells their sender.
func (e *Emulator) deliverScheduled(now bool, uid int64, ids map[int32]bool) {
	m := e.m
	date := m.date()
	for _, owner := range sortedKeys(boolSet(m.fx.scheduled)) {
		box := m.fx.scheduled[owner]
		u := m.users[owner]
		if u == nil || (now && owner != uid) {
			continue
		}
		var due []*schedMsg
		for _, s := range box.msgs {
			if (now && ids[s.id]) || (!now && s.date <= date) {
				due = append(due, s)
			}
		}
		sort.Slice(due, func(i, j int) bool { return due[i].id < due[j].id })
		for _, s := range due {
			delete(box.msgs, s.id)
			del := &api.UpdateDeleteScheduledMessages{Peer: peerOf(s.peer), Messages: []int32{s.id}}
			if res, err := m.send(u, s.peer, s.o, keyRef{}); err == nil {
				del.SentMessages = []int32{sentID(res)}
			} else {
				e.log.Info("emulator: a scheduled message could not be sent", "user", owner, "err", err)
			}
			users, chats := peerRefs(s.peer)
			m.push(u, keyRef{}, m.updatesOf(u, []api.UpdateClass{del}, users, chats, 0))
		}
	}
}

func (c *call) scheduledOf(in api.InputPeerClass) (int64, *schedBox, error) {
	peer, err := c.e.m.inputPeer(c.u, in)
	if err != nil {
		return 0, nil, err
	}
	return peer, c.e.m.fx.scheduled[c.u.ID], nil
}

func messagesGetScheduledHistory(c *call, q *api.MessagesGetScheduledHistoryRequest) (tl.Object, error) {
	peer, box, err := c.scheduledOf(q.Peer)
	if err != nil {
		return nil, err
	}
	m := c.e.m
	users, chats := map[int64]bool{}, map[int64]bool{}
	var list []*schedMsg
	if box != nil {
		for _, s := range box.msgs {
			if s.peer == peer {
				list = append(list, s)
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id > list[j].id })
	msgs := make([]api.MessageClass, 0, len(list))
	for _, s := range list {
		msgs = append(msgs, m.renderScheduled(c.u, s, users, chats))
	}
	return &api.MessagesMessages{Messages: msgs, Users: m.renderUsers(c.u, users), Chats: m.renderChats(c.u, chats)}, nil
}

func messagesGetScheduledMessages(c *call, q *api.MessagesGetScheduledMessagesRequest) (tl.Object, error) {
	peer, box, err := c.scheduledOf(q.Peer)
	if err != nil {
		return nil, err
	}
	m := c.e.m
	users, chats := map[int64]bool{}, map[int64]bool{}
	var msgs []api.MessageClass
	for _, id := range q.ID {
		if box != nil && box.msgs[id] != nil && box.msgs[id].peer == peer {
			msgs = append(msgs, m.renderScheduled(c.u, box.msgs[id], users, chats))
			continue
		}
		msgs = append(msgs, &api.MessageEmpty{ID: id})
	}
	return &api.MessagesMessages{Messages: msgs, Users: m.renderUsers(c.u, users), Chats: m.renderChats(c.u, chats)}, nil
}

// scheduledIDs checks that ids name scheduled messages of peer.
func scheduledIDs(box *schedBox, peer int64, ids []int32) (map[int32]bool, error) {
	set := map[int32]bool{}
	for _, id := range ids {
		if box == nil || box.msgs[id] == nil || box.msgs[id].peer != peer {
			return nil, errMsgIDInvalid
		}
		set[id] = true
	}
	if len(set) == 0 {
		return nil, errf(400, "MESSAGE_IDS_EMPTY")
	}
	return set, nil
}

func messagesSendScheduledMessages(c *call, q *api.MessagesSendScheduledMessagesRequest) (tl.Object, error) {
	peer, box, err := c.scheduledOf(q.Peer)
	if err != nil {
		return nil, err
	}
	set, err := scheduledIDs(box, peer, q.ID)
	if err != nil {
		return nil, err
	}
	c.e.deliverScheduled(true, c.u.ID, set)
	c.e.armScheduler()
	users, chats := peerRefs(peer)
	return c.e.m.updatesOf(c.u, nil, users, chats, 0), nil
}

func messagesDeleteScheduledMessages(c *call, q *api.MessagesDeleteScheduledMessagesRequest) (tl.Object, error) {
	peer, box, err := c.scheduledOf(q.Peer)
	if err != nil {
		return nil, err
	}
	set, err := scheduledIDs(box, peer, q.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int32, 0, len(set))
	for id := range set {
		delete(box.msgs, id)
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	c.e.armScheduler()
	m := c.e.m
	users, chats := peerRefs(peer)
	res := m.updatesOf(c.u, []api.UpdateClass{&api.UpdateDeleteScheduledMessages{Peer: peerOf(peer), Messages: ids}}, users, chats, 0)
	m.push(c.u, c.ks.ref, res)
	return res, nil
}
