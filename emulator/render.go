package emulator

import (
	"sort"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Rendering turns model records into API objects as one viewer sees them:
// access hashes, the self/contact/mutual flags, out flags and message ids are
// all per viewer.

// renderUser returns u as viewer sees it. A min constructor (no access
// hash, no phone) is what Telegram sends for users the viewer has not met,
// e.g. authors of messages in large groups.
func (m *model) renderUser(viewer *user, u *user, min bool) *api.User {
	self := viewer != nil && viewer.ID == u.ID
	if self {
		min = false
	}
	out := &api.User{ID: u.ID, Self: self, Bot: u.Bot, FirstName: tl.Some(u.First)}
	if u.Last != "" {
		out.LastName = tl.Some(u.Last)
	}
	if u.Username != "" {
		out.Username = tl.Some(u.Username)
	}
	if u.photo != 0 {
		if f := m.files[u.photo]; f != nil {
			out.Photo = &api.UserProfilePhoto{PhotoID: f.ID, DCID: int32(f.DC)}
		}
	}
	if u.Bot {
		out.BotInfoVersion = tl.Some(int32(1))
		out.BotNochats = false
	} else {
		out.Status = &api.UserStatusRecently{}
	}
	if min {
		out.Min = true
		return out
	}
	if viewer != nil {
		out.AccessHash = tl.Some(m.accessHash(viewer.ID, 'u', u.ID))
		if !self {
			viewer.seen[u.ID] = true
		}
		contact := viewer.contacts[u.ID]
		out.Contact = contact
		out.MutualContact = contact && u.contacts[viewer.ID]
		if (self || contact) && u.Phone != "" {
			out.Phone = tl.Some(u.Phone)
		}
	}
	return out
}

// renderUsers renders a set of user ids (non-positive ids are ignored).
func (m *model) renderUsers(viewer *user, ids map[int64]bool) []api.UserClass {
	return m.renderUsersMin(viewer, ids, false)
}

// renderUsersMin renders users, as min constructors for those the viewer
// has not met when minOK.
func (m *model) renderUsersMin(viewer *user, ids map[int64]bool, minOK bool) []api.UserClass {
	keys := sortedKeys(ids)
	out := make([]api.UserClass, 0, len(keys))
	for _, id := range keys {
		if id <= 0 {
			continue
		}
		u := m.users[id]
		if u == nil {
			continue
		}
		min := minOK && viewer != nil && !viewer.seen[id] && !viewer.contacts[id] && id != viewer.ID
		out = append(out, m.renderUser(viewer, u, min))
	}
	return out
}

// renderChats renders a set of marked chat and channel ids.
func (m *model) renderChats(viewer *user, ids map[int64]bool) []api.ChatClass {
	keys := sortedKeys(ids)
	out := make([]api.ChatClass, 0, len(keys))
	for _, marked := range keys {
		if c := m.renderChatOf(viewer, marked); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func (m *model) renderChatOf(viewer *user, marked int64) api.ChatClass {
	switch k, id := peerKind(marked); k {
	case 'g':
		if c := m.chats[id]; c != nil {
			return m.renderChat(viewer, c)
		}
	case 'c':
		if ch := m.channels[id]; ch != nil {
			return m.renderChannel(viewer, ch)
		}
	}
	return nil
}

func (m *model) renderChat(viewer *user, c *chat) api.ChatClass {
	if viewer != nil && !c.isMember(viewer.ID) && !c.wasMember(viewer.ID) {
		return &api.ChatForbidden{ID: c.ID, Title: c.Title}
	}
	out := &api.Chat{ID: c.ID, Title: c.Title, Photo: &api.ChatPhotoEmpty{}, ParticipantsCount: int32(len(c.joined)),
		Date: c.Date, Version: c.Version, Deactivated: c.deactivated}
	out.DefaultBannedRights = defaultRights(c.defaultBanned)
	if viewer != nil {
		out.Creator = viewer.ID == c.Creator
		out.Left = !c.isMember(viewer.ID)
		if c.isAdminOf(viewer.ID) {
			out.AdminRights = chatAdminRights(viewer.ID == c.Creator)
		}
	}
	return out
}

func sortedKeys(set map[int64]bool) []int64 {
	keys := make([]int64, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// renderBox renders a user's copy of a message, noting the users and chats
// it mentions.
func (m *model) renderBox(viewer *user, bm *boxMsg, users, chats map[int64]bool) api.MessageClass {
	p := bm.p
	peer := peerOf(bm.peer)
	noteMarked(bm.peer, users, chats)
	var from api.PeerClass
	if k, _ := peerKind(bm.peer); k == 'g' || bm.out {
		// Incoming private messages carry no from_id since layer 119: the
		// peer is the sender.
		from = &api.PeerUser{UserID: p.from}
		users[p.from] = true
	}
	var reply api.MessageReplyHeaderClass
	if p.replyTo != nil {
		if id, ok := p.replyTo.copies[viewer.ID]; ok {
			reply = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(id)}
		}
	}
	if p.action != nil {
		noteAction(p.action, users)
		return &api.MessageService{Out: bm.out, ID: bm.id, FromID: from, PeerID: peer, ReplyTo: reply, Date: p.date,
			Action: p.action, Silent: p.silent}
	}
	return m.renderPost(viewer, p, bm.id, bm.out, from, peer, reply, users)
}

func (m *model) renderPost(viewer *user, p *post, id int32, out bool, from, peer api.PeerClass,
	reply api.MessageReplyHeaderClass, users map[int64]bool) *api.Message {
	msg := &api.Message{Out: out, ID: id, FromID: from, PeerID: peer, ReplyTo: reply, Date: p.date, Message: p.text,
		Entities: p.entities, ReplyMarkup: p.markup, Media: p.media, Silent: p.silent, Pinned: m.fx.pinned[p]}
	if f := m.files[p.file]; p.file != 0 && f != nil {
		msg.Media = f.media()
	}
	if p.grouped != 0 {
		msg.GroupedID = tl.Some(p.grouped)
	}
	if p.viaBot != 0 {
		msg.ViaBotID = tl.Some(p.viaBot)
		users[p.viaBot] = true
	}
	if p.editDate != 0 {
		msg.EditDate = tl.Some(p.editDate)
	}
	if p.fwd != nil {
		msg.FwdFrom = p.fwd
		if pu, ok := p.fwd.FromID.(*api.PeerUser); ok {
			users[pu.UserID] = true
		}
	}
	for _, en := range p.entities {
		if mn, ok := en.(*api.MessageEntityMentionName); ok {
			users[mn.UserID] = true
		}
	}
	return msg
}

func noteAction(a api.MessageActionClass, users map[int64]bool) {
	switch a := a.(type) {
	case *api.MessageActionChatCreate:
		for _, id := range a.Users {
			users[id] = true
		}
	case *api.MessageActionChatAddUser:
		for _, id := range a.Users {
			users[id] = true
		}
	case *api.MessageActionChatDeleteUser:
		users[a.UserID] = true
	case *api.MessageActionChatJoinedByLink:
		users[a.InviterID] = true
	}
}

// defaultNotify is the notification settings of every dialog.
func defaultNotify() *api.PeerNotifySettings {
	return &api.PeerNotifySettings{ShowPreviews: tl.Some(true), Silent: tl.Some(false), MuteUntil: tl.Some(int32(0))}
}
