package emulator

import (
	"sort"
	"strings"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func init() {
	on(needUser, messagesSendMessage)
	on(needUser, messagesEditMessage)
	on(needUser, messagesDeleteMessages)
	on(needUser, messagesForwardMessages)
	on(needUser, messagesGetHistory)
	on(needUser, messagesGetMessages)
	on(needUser, messagesGetDialogs)
	on(needUser, messagesGetPeerDialogs)
	on(needUser, messagesToggleDialogPin)
	on(needUser, messagesReadHistory)
	on(needUser, messagesSearch)
	on(needUser, messagesSetTyping)
	on(needUser, messagesDeleteHistory)
}

// sendOpts is a message to send, from the sender's point of view.
type sendOpts struct {
	text     string
	entities []api.MessageEntityClass
	markup   api.ReplyMarkupClass
	media    api.MessageMediaClass
	file     *file
	grouped  int64
	viaBot   int64
	replyTo  api.InputReplyToClass
	silent   bool
	randomID int64
}

// send sends a message as from to a marked peer and returns the answer for
// the sender. except is the key whose connection gets the answer instead
// of a push (the zero keyRef: every connection gets the push).
func (m *model) send(from *user, peer int64, o sendOpts, except keyRef) (api.UpdatesClass, error) {
	if o.randomID != 0 {
		if prev := from.random[o.randomID]; prev != nil {
			if prev.peer == peer {
				// The same request again (a client retrying with the same
				// random_id): the same message, nothing new sent.
				return prev.res, nil
			}
			return nil, errf(500, "RANDOM_ID_DUPLICATE")
		}
	}
	if err := checkText(o.text, o.media != nil || o.file != nil); err != nil {
		return nil, err
	}
	entities, err := m.resolveEntities(from, o.entities)
	if err != nil {
		return nil, err
	}
	p := &post{from: from.ID, date: m.date(), text: o.text, entities: entities, markup: o.markup, media: o.media,
		silent: o.silent, grouped: o.grouped, viaBot: o.viaBot, replyTo: m.replyTarget(from, peer, o.replyTo)}
	if o.file != nil {
		p.file = o.file.ID
	}
	var res api.UpdatesClass
	if k, id := peerKind(peer); k == 'c' {
		ch := m.channels[id]
		if ch == nil {
			return nil, errPeerInvalid
		}
		res, err = m.sendChannel(from, ch, p, o.randomID, except)
		if err != nil {
			return nil, err
		}
	} else {
		if k, id := peerKind(peer); k == 'g' && m.chats[id] != nil {
			if err := m.chats[id].mayPost(from, p); err != nil {
				return nil, err
			}
		}
		bm, ev, err := m.sendBox(from, peer, p, except)
		if err != nil {
			return nil, err
		}
		res = m.sentUpdates(from, bm, ev, o.randomID)
	}
	if o.randomID != 0 {
		from.random[o.randomID] = &sentRandom{peer: peer, res: res}
	}
	return res, nil
}

func messagesSendMessage(c *call, q *api.MessagesSendMessageRequest) (tl.Object, error) {
	m := c.e.m
	if q.RandomID == 0 {
		return nil, errf(400, "RANDOM_ID_EMPTY")
	}
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	o := sendOpts{text: q.Message, entities: q.Entities, markup: q.ReplyMarkup, replyTo: q.ReplyTo,
		silent: q.Silent, randomID: q.RandomID}
	if date, ok := q.ScheduleDate.Get(); ok && date > m.date() {
		if c.u.Bot {
			return nil, errBotMethod
		}
		if time.Unix(int64(date), 0).Sub(m.now()) > maxScheduleAhead {
			return nil, errf(400, "SCHEDULE_DATE_TOO_LATE")
		}
		return c.e.schedule(c.u, peer, o, date, c.ks.ref)
	}
	return m.send(c.u, peer, o, c.ks.ref)
}

func messagesEditMessage(c *call, q *api.MessagesEditMessageRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if q.Media != nil {
		return nil, errf(400, "MEDIA_INVALID")
	}
	var p *post
	var bm *boxMsg
	var ch *channel
	if k, id := peerKind(peer); k == 'c' {
		ch = m.channels[id]
		if ch == nil || !ch.canRead(c.u.ID) {
			return nil, errChanInvalid
		}
		p = ch.msgs[q.ID]
	} else if bm = c.u.msgs[q.ID]; bm != nil && bm.peer == peer {
		p = bm.p
	}
	if p == nil || p.deleted {
		return nil, errMsgIDInvalid
	}
	if p.action != nil {
		return nil, errf(400, "MESSAGE_ID_INVALID")
	}
	if p.from != c.u.ID && !(ch != nil && ch.Broadcast && ch.can(c.u.ID, rightEdit)) {
		return nil, errf(403, "MESSAGE_AUTHOR_REQUIRED")
	}
	if err := m.applyEdit(c.u, p, q.Message, q.Entities, q.ReplyMarkup); err != nil {
		return nil, err
	}
	if ch != nil {
		return m.editChannel(c.u, ch, p, c.ks.ref), nil
	}
	return m.editBox(c.u, bm, c.ks.ref), nil
}

// applyEdit changes a post's text (with entities, resolved for u) and
// buttons as an edit asks: MESSAGE_NOT_MODIFIED when nothing changes.
func (m *model) applyEdit(u *user, p *post, message tl.Opt[string], entities []api.MessageEntityClass, markup api.ReplyMarkupClass) error {
	changed := false
	if text, ok := message.Get(); ok {
		if err := checkText(text, p.media != nil || p.file != 0); err != nil {
			return err
		}
		ents, err := m.resolveEntities(u, entities)
		if err != nil {
			return err
		}
		if text != p.text || !sameEntities(ents, p.entities) {
			p.text, p.entities = text, ents
			changed = true
		}
	}
	if markup != nil {
		p.markup = markup
		changed = true
	}
	if !changed {
		return errf(400, "MESSAGE_NOT_MODIFIED")
	}
	return nil
}

func sameEntities(a, b []api.MessageEntityClass) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, err1 := tl.Encode(a[i])
		y, err2 := tl.Encode(b[i])
		if err1 != nil || err2 != nil || string(x) != string(y) {
			return false
		}
	}
	return true
}

func messagesDeleteMessages(c *call, q *api.MessagesDeleteMessagesRequest) (tl.Object, error) {
	return c.e.m.deleteBox(c.u, q.ID, q.Revoke, c.ks.ref), nil
}

func messagesDeleteHistory(c *call, q *api.MessagesDeleteHistoryRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if k, _ := peerKind(peer); k == 'c' {
		return nil, errPeerInvalid
	}
	d := c.u.dialogs[peer]
	var ids []int32
	if d != nil {
		for _, id := range d.ids {
			if q.MaxID == 0 || id <= q.MaxID {
				ids = append(ids, id)
			}
		}
	}
	aff := m.deleteBox(c.u, ids, q.Revoke, c.ks.ref)
	if d != nil && len(d.ids) == 0 && !q.JustClear {
		delete(c.u.dialogs, peer)
	}
	return &api.MessagesAffectedHistory{Pts: aff.Pts, PtsCount: aff.PtsCount}, nil
}

// sourcePost finds a message the viewer can see in a peer.
func (m *model) sourcePost(viewer *user, peer int64, id int32) *post {
	if k, cid := peerKind(peer); k == 'c' {
		ch := m.channels[cid]
		if ch == nil || !ch.canRead(viewer.ID) {
			return nil
		}
		if p := ch.msgs[id]; p != nil && !p.deleted {
			return p
		}
		return nil
	}
	if bm := viewer.msgs[id]; bm != nil && bm.peer == peer {
		return bm.p
	}
	return nil
}

func messagesForwardMessages(c *call, q *api.MessagesForwardMessagesRequest) (tl.Object, error) {
	m := c.e.m
	from, err := m.inputPeer(c.u, q.FromPeer)
	if err != nil {
		return nil, err
	}
	to, err := m.inputPeer(c.u, q.ToPeer)
	if err != nil {
		return nil, err
	}
	if len(q.ID) == 0 || len(q.ID) != len(q.RandomID) {
		return nil, errf(400, "RANDOM_ID_INVALID")
	}
	if len(q.ID) > 100 {
		return nil, errf(400, "MESSAGE_IDS_EMPTY")
	}
	srcs := make([]*post, len(q.ID))
	for i, id := range q.ID {
		if srcs[i] = m.sourcePost(c.u, from, id); srcs[i] == nil || srcs[i].action != nil {
			return nil, errMsgIDInvalid
		}
	}
	var ups []api.UpdateClass
	users, chats := map[int64]bool{}, map[int64]bool{}
	for i, src := range srcs {
		p := &post{from: c.u.ID, date: m.date(), text: src.text, entities: src.entities, media: src.media, file: src.file, silent: q.Silent}
		if q.DropMediaCaptions && (src.media != nil || src.file != 0) {
			p.text, p.entities = "", nil
		}
		if !q.DropAuthor {
			switch {
			case src.fwd != nil:
				p.fwd = src.fwd
			case src.channel != 0:
				p.fwd = &api.MessageFwdHeader{FromID: &api.PeerChannel{ChannelID: src.channel}, Date: src.date, ChannelPost: tl.Some(src.id)}
			default:
				p.fwd = &api.MessageFwdHeader{FromID: &api.PeerUser{UserID: src.from}, Date: src.date}
			}
		}
		var res api.UpdatesClass
		if k, cid := peerKind(to); k == 'c' {
			ch := m.channels[cid]
			if ch == nil {
				return nil, errPeerInvalid
			}
			if res, err = m.sendChannel(c.u, ch, p, q.RandomID[i], c.ks.ref); err != nil {
				return nil, err
			}
		} else {
			if k, id := peerKind(to); k == 'g' && m.chats[id] != nil {
				if err := m.chats[id].mayPost(c.u, p); err != nil {
					return nil, err
				}
			}
			bm, ev, err := m.sendBox(c.u, to, p, c.ks.ref)
			if err != nil {
				return nil, err
			}
			ups = append(ups, &api.UpdateMessageID{ID: bm.id, RandomID: q.RandomID[i]})
			ups = append(ups, &api.UpdateNewMessage{Message: m.renderBox(c.u, bm, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount})
			continue
		}
		if u, ok := res.(*api.Updates); ok {
			ups = append(ups, u.Updates...)
			for _, x := range u.Users {
				users[x.(*api.User).ID] = true
			}
			noteMarked(to, users, chats)
		}
	}
	return m.updatesOf(c.u, ups, users, chats, 0), nil
}

// historyIDs returns the ascending message ids of a dialog as viewer sees it.
func (m *model) historyIDs(viewer *user, peer int64) ([]int32, func(int32) int32) {
	if k, cid := peerKind(peer); k == 'c' {
		ch := m.channels[cid]
		return ch.visibleIDs(viewer.ID), func(id int32) int32 { return ch.msgs[id].date }
	}
	d := viewer.dialogs[peer]
	if d == nil {
		return nil, nil
	}
	return d.ids, func(id int32) int32 { return viewer.msgs[id].p.date }
}

// render renders a message of a dialog by id (nil if gone).
func (m *model) render(viewer *user, peer int64, id int32, users, chats map[int64]bool) api.MessageClass {
	if k, cid := peerKind(peer); k == 'c' {
		ch := m.channels[cid]
		if p := ch.msgs[id]; p != nil && !p.deleted {
			return m.renderChannelPost(viewer, ch, p, users, chats)
		}
		return nil
	}
	if bm := viewer.msgs[id]; bm != nil {
		return m.renderBox(viewer, bm, users, chats)
	}
	return nil
}

func (m *model) history(viewer *user, peer int64, offsetID, offsetDate, addOffset, limit, maxID, minID int32) api.MessagesMessagesClass {
	ids, dateOf := m.historyIDs(viewer, peer)
	sel := page(ids, dateOf, offsetID, offsetDate, addOffset, limit, maxID, minID)
	users, chats := map[int64]bool{}, map[int64]bool{}
	noteMarked(peer, users, chats)
	msgs := make([]api.MessageClass, 0, len(sel))
	for _, id := range sel {
		if msg := m.render(viewer, peer, id, users, chats); msg != nil {
			msgs = append(msgs, msg)
		}
	}
	minOK := false
	if k, _ := peerKind(peer); k == 'c' {
		minOK = true
		ch := m.channels[-peer-channelMark]
		res := m.messagesResultChannel(viewer, ch, msgs, len(ids), users, chats)
		return res
	}
	return messagesResult(msgs, len(ids), m.renderUsersMin(viewer, users, minOK), m.renderChats(viewer, chats))
}

func messagesGetHistory(c *call, q *api.MessagesGetHistoryRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if k, cid := peerKind(peer); k == 'c' && !m.channels[cid].canRead(c.u.ID) {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	return m.history(c.u, peer, q.OffsetID, q.OffsetDate, q.AddOffset, q.Limit, q.MaxID, q.MinID), nil
}

func messagesGetMessages(c *call, q *api.MessagesGetMessagesRequest) (tl.Object, error) {
	m := c.e.m
	users, chats := map[int64]bool{}, map[int64]bool{}
	var msgs []api.MessageClass
	for _, in := range q.ID {
		var id int32
		switch x := in.(type) {
		case *api.InputMessageID:
			id = x.ID
		case *api.InputMessageReplyTo:
			if bm := c.u.msgs[x.ID]; bm != nil && bm.p.replyTo != nil {
				id = bm.p.replyTo.copies[c.u.ID]
			}
		}
		if bm := c.u.msgs[id]; id != 0 && bm != nil {
			msgs = append(msgs, m.renderBox(c.u, bm, users, chats))
			continue
		}
		msgs = append(msgs, &api.MessageEmpty{ID: id})
	}
	return &api.MessagesMessages{Messages: msgs, Users: m.renderUsers(c.u, users), Chats: m.renderChats(c.u, chats)}, nil
}

// dialogEntry is a dialog with its top message, for sorting.
type dialogEntry struct {
	peer   int64
	d      *dialog
	top    int32
	date   int32
	pinned bool
	order  int64
}

// dialogList returns a user's dialogs, newest first.
func (m *model) dialogList(u *user) []dialogEntry {
	var out []dialogEntry
	for peer, d := range u.dialogs {
		e := dialogEntry{peer: peer, d: d, pinned: d.pinned, order: d.pinOrder}
		if k, cid := peerKind(peer); k == 'c' {
			ch := m.channels[cid]
			if ch == nil || !ch.canRead(u.ID) {
				continue
			}
			ids := ch.visibleIDs(u.ID)
			if len(ids) == 0 {
				continue
			}
			e.top = ids[len(ids)-1]
			e.date = ch.msgs[e.top].date
		} else {
			if len(d.ids) == 0 {
				continue
			}
			e.top = d.top()
			e.date = u.msgs[e.top].p.date
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.pinned != b.pinned {
			return a.pinned
		}
		if a.pinned {
			return a.order > b.order
		}
		if a.date != b.date {
			return a.date > b.date
		}
		if a.top != b.top {
			return a.top > b.top
		}
		return a.peer > b.peer
	})
	return out
}

func (m *model) renderDialog(u *user, e dialogEntry) *api.Dialog {
	d := &api.Dialog{Pinned: e.pinned, Peer: peerOf(e.peer), TopMessage: e.top, ReadInboxMaxID: e.d.readIn,
		ReadOutboxMaxID: e.d.readOut, UnreadCount: m.unreadCount(u, e.d), NotifySettings: defaultNotify()}
	if k, cid := peerKind(e.peer); k == 'c' {
		d.Pts = tl.Some(m.channels[cid].pts)
	}
	if f := m.folderOf(u.ID, e.peer); f != 0 {
		d.FolderID = tl.Some(f)
	}
	return d
}

func messagesGetDialogs(c *call, q *api.MessagesGetDialogsRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	folder := q.FolderID.Or(0)
	if folder != 0 && folder != 1 {
		return nil, errf(400, "FOLDER_ID_INVALID")
	}
	var all []dialogEntry
	for _, e := range m.dialogList(c.u) {
		if m.folderOf(c.u.ID, e.peer) == folder {
			all = append(all, e)
		}
	}
	// The offset is the last dialog of the previous page: its top
	// message's date and id, and its peer when given; the list continues
	// after it in the order of dialogList.
	offPeer := int64(0)
	if _, empty := q.OffsetPeer.(*api.InputPeerEmpty); q.OffsetPeer != nil && !empty {
		p, err := m.inputPeer(c.u, q.OffsetPeer)
		if err != nil {
			return nil, err
		}
		offPeer = p
	}
	first := q.OffsetDate == 0 && q.OffsetID == 0 && offPeer == 0
	after := func(e dialogEntry) bool {
		if q.OffsetDate > 0 && e.date != q.OffsetDate {
			return e.date < q.OffsetDate
		}
		if q.OffsetID > 0 && e.top != q.OffsetID {
			return e.top < q.OffsetID
		}
		if offPeer != 0 {
			return e.peer < offPeer
		}
		return q.OffsetDate == 0 && q.OffsetID == 0
	}
	var sel []dialogEntry
	for _, e := range all {
		if e.pinned && (q.ExcludePinned || !first) {
			continue
		}
		if !first && !e.pinned && !after(e) {
			continue
		}
		sel = append(sel, e)
	}
	total := 0
	for _, e := range all {
		if !e.pinned || !q.ExcludePinned {
			total++
		}
	}
	limit := int(q.Limit)
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	if len(sel) > limit {
		sel = sel[:limit]
	}
	users, chats := map[int64]bool{}, map[int64]bool{}
	var dialogs []api.DialogClass
	var msgs []api.MessageClass
	for _, e := range sel {
		dialogs = append(dialogs, m.renderDialog(c.u, e))
		noteMarked(e.peer, users, chats)
		if msg := m.render(c.u, e.peer, e.top, users, chats); msg != nil {
			msgs = append(msgs, msg)
		}
	}
	us, cs := m.renderUsers(c.u, users), m.renderChats(c.u, chats)
	if !first || len(sel) < total {
		return &api.MessagesDialogsSlice{Count: int32(total), Dialogs: dialogs, Messages: msgs, Users: us, Chats: cs}, nil
	}
	return &api.MessagesDialogs{Dialogs: dialogs, Messages: msgs, Users: us, Chats: cs}, nil
}

func messagesGetPeerDialogs(c *call, q *api.MessagesGetPeerDialogsRequest) (tl.Object, error) {
	m := c.e.m
	users, chats := map[int64]bool{}, map[int64]bool{}
	out := &api.MessagesPeerDialogs{State: m.state(c.u)}
	want := map[int64]bool{}
	for _, in := range q.Peers {
		dp, ok := in.(*api.InputDialogPeer)
		if !ok {
			continue
		}
		peer, err := m.inputPeer(c.u, dp.Peer)
		if err != nil {
			return nil, err
		}
		want[peer] = true
	}
	for _, e := range m.dialogList(c.u) {
		if !want[e.peer] {
			continue
		}
		out.Dialogs = append(out.Dialogs, m.renderDialog(c.u, e))
		noteMarked(e.peer, users, chats)
		if msg := m.render(c.u, e.peer, e.top, users, chats); msg != nil {
			out.Messages = append(out.Messages, msg)
		}
	}
	out.Users, out.Chats = m.renderUsers(c.u, users), m.renderChats(c.u, chats)
	return out, nil
}

func messagesToggleDialogPin(c *call, q *api.MessagesToggleDialogPinRequest) (tl.Object, error) {
	m := c.e.m
	dp, ok := q.Peer.(*api.InputDialogPeer)
	if !ok {
		return nil, errPeerInvalid
	}
	peer, err := m.inputPeer(c.u, dp.Peer)
	if err != nil {
		return nil, err
	}
	d := c.u.dialogs[peer]
	if d == nil {
		return nil, errPeerInvalid
	}
	if d.pinned == q.Pinned {
		return nil, errf(400, "PINNED_DIALOGS_TOO_MUCH")
	}
	d.pinned = q.Pinned
	if q.Pinned {
		d.pinOrder = m.now().UnixNano()
	}
	m.pushOther(c.u, &api.UpdateDialogPinned{Pinned: q.Pinned, Peer: &api.DialogPeer{Peer: peerOf(peer)}})
	return boolResult(true), nil
}

func messagesReadHistory(c *call, q *api.MessagesReadHistoryRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if k, _ := peerKind(peer); k == 'c' {
		return nil, errPeerInvalid // channels.readHistory
	}
	return m.readBox(c.u, peer, q.MaxID, c.ks.ref), nil
}

func messagesSearch(c *call, q *api.MessagesSearchRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	pinnedOnly := false
	switch q.Filter.(type) {
	case nil, *api.InputMessagesFilterEmpty:
	case *api.InputMessagesFilterPinned:
		pinnedOnly = true
	default:
		return &api.MessagesMessages{}, nil // no media filters in the model yet
	}
	var fromID int64
	if q.FromID != nil {
		f, err := m.inputPeer(c.u, q.FromID)
		if err != nil {
			return nil, err
		}
		fromID = f
	}
	var peers []int64
	if _, empty := q.Peer.(*api.InputPeerEmpty); empty {
		for p := range c.u.dialogs {
			if k, _ := peerKind(p); k != 'c' {
				peers = append(peers, p)
			}
		}
	} else {
		peer, err := m.inputPeer(c.u, q.Peer)
		if err != nil {
			return nil, err
		}
		peers = []int64{peer}
	}
	type hit struct {
		peer int64
		id   int32
	}
	var hits []hit
	dates := map[hit]int32{}
	for _, peer := range peers {
		ids, _ := m.historyIDs(c.u, peer)
		for _, id := range ids {
			var p *post
			if k, cid := peerKind(peer); k == 'c' {
				p = m.channels[cid].msgs[id]
			} else {
				p = c.u.msgs[id].p
			}
			if p == nil || p.deleted || p.action != nil || !p.matches(q.Q) {
				continue
			}
			if fromID != 0 && p.from != fromID {
				continue
			}
			if pinnedOnly && !m.fx.pinned[p] {
				continue
			}
			if (q.MinDate > 0 && p.date < q.MinDate) || (q.MaxDate > 0 && p.date > q.MaxDate) {
				continue
			}
			h := hit{peer, id}
			hits = append(hits, h)
			dates[h] = p.date
		}
	}
	// One peer: ids order; several: by date then id.
	sort.Slice(hits, func(i, j int) bool {
		if dates[hits[i]] != dates[hits[j]] {
			return dates[hits[i]] < dates[hits[j]]
		}
		return hits[i].id < hits[j].id
	})
	ids := make([]int32, len(hits))
	byID := map[int32]hit{}
	for i, h := range hits {
		ids[i] = h.id
		byID[h.id] = h
	}
	if len(peers) > 1 {
		// ids of different dialogs of the common box are still unique.
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	}
	sel := page(ids, func(id int32) int32 { return dates[byID[id]] }, q.OffsetID, 0, q.AddOffset, q.Limit, q.MaxID, q.MinID)
	users, chats := map[int64]bool{}, map[int64]bool{}
	var msgs []api.MessageClass
	for _, id := range sel {
		if msg := m.render(c.u, byID[id].peer, id, users, chats); msg != nil {
			msgs = append(msgs, msg)
		}
	}
	return &api.MessagesMessagesSlice{Count: int32(len(ids)), Messages: msgs,
		Users: m.renderUsers(c.u, users), Chats: m.renderChats(c.u, chats)}, nil
}

func messagesSetTyping(c *call, q *api.MessagesSetTypingRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	switch k, id := peerKind(peer); k {
	case 'u':
		if to := m.users[id]; to != nil && to.ID != c.u.ID {
			m.push(to, keyRef{}, &api.UpdateShort{Update: &api.UpdateUserTyping{UserID: c.u.ID, Action: q.Action}, Date: m.date()})
		}
	case 'g':
		for _, mid := range m.chats[id].members {
			if mid != c.u.ID {
				m.push(m.users[mid], keyRef{}, &api.UpdateShort{Update: &api.UpdateChatUserTyping{ChatID: id,
					FromID: &api.PeerUser{UserID: c.u.ID}, Action: q.Action}, Date: m.date()})
			}
		}
	case 'c':
		m.pushChannelTyping(c.u, m.channels[id], q)
	}
	return boolResult(true), nil
}

// trimUsername removes a leading @ and spaces.
func trimUsername(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "@") }
