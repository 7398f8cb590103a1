package emulator

import (
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func init() {
	on(needUser, messagesCreateChat)
	on(needUser, messagesAddChatUser)
	on(needUser, messagesDeleteChatUser)
	on(needUser, messagesEditChatTitle)
	on(needUser, messagesGetChats)
	on(needUser, messagesGetFullChat)
}

const maxChatMembers = 200

func (c *chat) wasMember(id int64) bool {
	_, ok := c.inviter[id]
	return ok
}

// createChat creates a basic group with creator and members and sends the
// service message; it returns the creator's answer.
func (m *model) createChat(creator *user, title string, members []*user, except keyRef) (*chat, api.UpdatesClass, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, nil, errf(400, "CHAT_TITLE_EMPTY")
	}
	if len(members)+1 > maxChatMembers {
		return nil, nil, errf(400, "USERS_TOO_MUCH")
	}
	c := &chat{ID: m.nextChat, Title: title, Creator: creator.ID, Date: m.date(), Version: 1,
		inviter: map[int64]int64{}, joined: map[int64]int32{}, admins: map[int64]bool{}}
	m.nextChat++
	m.chats[c.ID] = c
	ids := []int64{creator.ID}
	c.join(creator.ID, creator.ID, c.Date)
	for _, u := range members {
		if !c.isMember(u.ID) {
			c.join(u.ID, creator.ID, c.Date)
			ids = append(ids, u.ID)
		}
	}
	upd, err := m.chatService(creator, c, &api.MessageActionChatCreate{Title: title, Users: ids}, except)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids[1:] {
		m.chatParticipantChanged(c, creator.ID, id, nil, chatParticipantOf(c, id), nil)
	}
	return c, upd, nil
}

func (c *chat) join(id, inviter int64, date int32) {
	c.members = append(c.members, id)
	c.inviter[id] = inviter
	c.joined[id] = date
}

func (c *chat) leave(id int64) {
	delete(c.joined, id)
	for i, mid := range c.members {
		if mid == id {
			c.members = append(c.members[:i], c.members[i+1:]...)
			break
		}
	}
}

// chatService sends a service message to a basic group and returns the
// sender's answer.
func (m *model) chatService(from *user, c *chat, action api.MessageActionClass, except keyRef) (api.UpdatesClass, error) {
	p := &post{from: from.ID, date: m.date(), action: action}
	bm, ev, err := m.sendBox(from, chatPeer(c.ID), p, except)
	if err != nil {
		return nil, err
	}
	return m.sentUpdates(from, bm, ev, 0), nil
}

func messagesCreateChat(c *call, q *api.MessagesCreateChatRequest) (tl.Object, error) {
	m := c.e.m
	var members []*user
	for _, in := range q.Users {
		u, err := m.inputUser(c.u, in)
		if err != nil {
			return nil, err
		}
		if u.ID != c.u.ID {
			members = append(members, u)
		}
	}
	_, upd, err := m.createChat(c.u, q.Title, members, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return &api.MessagesInvitedUsers{Updates: upd}, nil
}

// memberChat returns a basic group the user is a member of.
func (m *model) memberChat(u *user, id int64) (*chat, error) {
	c := m.chats[id]
	if c == nil {
		return nil, errChatInvalid
	}
	if !c.isMember(u.ID) {
		return nil, errf(403, "CHAT_WRITE_FORBIDDEN")
	}
	return c, nil
}

func (m *model) addChatUser(by *user, c *chat, u *user, except keyRef) (api.UpdatesClass, error) {
	if !c.allows(by.ID, banInvite) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	if c.isMember(u.ID) {
		return nil, errf(400, "USER_ALREADY_PARTICIPANT")
	}
	if len(c.joined) >= maxChatMembers {
		return nil, errf(400, "USERS_TOO_MUCH")
	}
	c.join(u.ID, by.ID, m.date())
	c.Version++
	upd, err := m.chatService(by, c, &api.MessageActionChatAddUser{Users: []int64{u.ID}}, except)
	if err == nil {
		m.chatParticipantChanged(c, by.ID, u.ID, nil, chatParticipantOf(c, u.ID), nil)
	}
	return upd, err
}

func messagesAddChatUser(c *call, q *api.MessagesAddChatUserRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.memberChat(c.u, q.ChatID)
	if err != nil {
		return nil, err
	}
	u, err := m.inputUser(c.u, q.UserID)
	if err != nil {
		return nil, err
	}
	upd, err := m.addChatUser(c.u, ch, u, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return &api.MessagesInvitedUsers{Updates: upd}, nil
}

func messagesDeleteChatUser(c *call, q *api.MessagesDeleteChatUserRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.memberChat(c.u, q.ChatID)
	if err != nil {
		return nil, err
	}
	u, err := m.inputUser(c.u, q.UserID)
	if err != nil {
		return nil, err
	}
	return m.deleteChatUser(c.u, ch, u, q.RevokeHistory, c.ks.ref)
}

// deleteChatUser removes a member from a basic group (or lets them leave):
// the creator and admins may remove anyone but the creator, members the
// users they added.
func (m *model) deleteChatUser(by *user, ch *chat, u *user, revoke bool, except keyRef) (api.UpdatesClass, error) {
	if !ch.isMember(u.ID) {
		return nil, errf(400, "USER_NOT_PARTICIPANT")
	}
	allowed := u.ID == by.ID || by.ID == ch.Creator || (ch.isAdminOf(by.ID) && u.ID != ch.Creator) || ch.inviter[u.ID] == by.ID
	if !allowed {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	if revoke && u.ID != by.ID {
		// Delete the member's messages for everyone.
		var ids []int32
		if d := by.dialogs[chatPeer(ch.ID)]; d != nil {
			for _, id := range d.ids {
				if bm := by.msgs[id]; bm != nil && bm.p.from == u.ID && bm.p.action == nil {
					ids = append(ids, id)
				}
			}
		}
		if len(ids) > 0 {
			m.deleteBox(by, ids, true, except)
		}
	}
	prev := chatParticipantOf(ch, u.ID)
	// The service message reaches the leaving user too.
	upd, err := m.chatService(by, ch, &api.MessageActionChatDeleteUser{UserID: u.ID}, except)
	if err != nil {
		return nil, err
	}
	ch.leave(u.ID)
	delete(ch.admins, u.ID)
	ch.Version++
	m.chatParticipantChanged(ch, by.ID, u.ID, prev, nil, nil)
	return upd, nil
}

func messagesEditChatTitle(c *call, q *api.MessagesEditChatTitleRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.memberChat(c.u, q.ChatID)
	if err != nil {
		return nil, err
	}
	if !ch.allows(c.u.ID, banChangeInfo) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	title, err := checkTitle(q.Title, ch.Title)
	if err != nil {
		return nil, err
	}
	ch.Title = title
	return m.chatService(c.u, ch, &api.MessageActionChatEditTitle{Title: title}, c.ks.ref)
}

func messagesGetChats(c *call, q *api.MessagesGetChatsRequest) (tl.Object, error) {
	m := c.e.m
	set := map[int64]bool{}
	for _, id := range q.ID {
		if ch := m.chats[id]; ch != nil {
			set[chatPeer(id)] = true
		}
	}
	return &api.MessagesChats{Chats: m.renderChats(c.u, set)}, nil
}

func (m *model) participants(c *chat) *api.ChatParticipants {
	out := &api.ChatParticipants{ChatID: c.ID, Version: c.Version}
	for _, id := range c.members {
		out.Participants = append(out.Participants, chatParticipantOf(c, id))
	}
	return out
}

func messagesGetFullChat(c *call, q *api.MessagesGetFullChatRequest) (tl.Object, error) {
	m := c.e.m
	ch := m.chats[q.ChatID]
	if ch == nil || (!ch.isMember(c.u.ID) && !ch.wasMember(c.u.ID)) {
		return nil, errChatInvalid
	}
	users := map[int64]bool{}
	var parts api.ChatParticipantsClass = &api.ChatParticipantsForbidden{ChatID: ch.ID}
	if ch.isMember(c.u.ID) {
		parts = m.participants(ch)
		for _, id := range ch.members {
			users[id] = true
		}
	}
	full := &api.ChatFull{ID: ch.ID, Participants: parts, NotifySettings: defaultNotify()}
	if ch.isAdminOf(c.u.ID) {
		full.ExportedInvite = m.renderInvite(m.permanentInvite(chatPeer(ch.ID), c.u.ID))
		users[c.u.ID] = true
	}
	return &api.MessagesChatFull{FullChat: full, Chats: m.renderChats(c.u, map[int64]bool{chatPeer(ch.ID): true}),
		Users: m.renderUsers(c.u, users)}, nil
}

var _ = tl.Some[int32]
