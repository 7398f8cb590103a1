package emulator

import (
	"sort"
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Channels and supergroups: one message id space and one pts sequence per
// channel, shared by every member, as on Telegram.

func init() {
	on(needUser, channelsCreateChannel)
	on(needUser, channelsInviteToChannel)
	on(needUser, channelsJoinChannel)
	on(needUser, channelsLeaveChannel)
	on(needUser, channelsGetParticipants)
	on(needUser, channelsGetParticipant)
	on(needUser, channelsGetMessages)
	on(needUser, channelsDeleteMessages)
	on(needUser, channelsReadHistory)
	on(needUser, channelsGetFullChannel)
	on(needUser, channelsGetChannels)
	on(needUser, updatesGetChannelDifference)
}

type channel struct {
	ID        int64
	Title     string
	About     string
	Username  string
	Creator   int64
	Broadcast bool
	Megagroup bool
	Date      int32

	pts      int32
	journal  []chEvent
	lastID   int32
	msgs     map[int32]*post
	ids      []int32 // ascending, without deleted messages
	members  map[int64]*chMember
	order    []int64 // join order
	lastDate int32   // date of the newest event
	readMax  int32   // the highest message id any member has read

	defaultBanned *api.ChatBannedRights // what members may not do (nil: nothing banned)
	now           func() int32          // the model's clock, for bans with an until_date
}

type chMember struct {
	date    int32
	inviter int64
	left    bool
	readIn  int32

	// An admin has rights (nil: not an admin), given by promotedBy.
	rights     *api.ChatAdminRights
	promotedBy int64
	rank       string
	// A restricted or kicked (view_messages) user has banned rights, set by
	// kickedBy; a kicked user is not a member (left) until unbanned and
	// re-added.
	banned   *api.ChatBannedRights
	kickedBy int64
}

type chEvent struct {
	kind     evKind // evNew, evEdit, evDelete
	pts      int32
	ptsCount int32
	msg      int32
	ids      []int32
	date     int32
}

func (ch *channel) member(id int64) *chMember {
	if mem := ch.members[id]; mem != nil && !mem.left {
		return mem
	}
	return nil
}

// canRead reports whether a user may read the channel: members, and
// everyone but the users it kicked for public channels.
func (ch *channel) canRead(id int64) bool {
	if ch.member(id) != nil {
		return true
	}
	return ch.Username != "" && !ch.kicked(id)
}

func (ch *channel) isAdmin(id int64) bool {
	mem := ch.member(id)
	return mem != nil && (mem.rights != nil || id == ch.Creator)
}

func (ch *channel) visibleIDs(int64) []int32 { return ch.ids }

// unreadFor counts messages after readIn not sent by the user.
func (ch *channel) unreadFor(uid int64, readIn int32) int32 {
	var n int32
	for i := len(ch.ids) - 1; i >= 0 && ch.ids[i] > readIn; i-- {
		if p := ch.msgs[ch.ids[i]]; p != nil && p.from != uid {
			n++
		}
	}
	return n
}

func (ch *channel) activeMembers() []int64 {
	var out []int64
	for _, id := range ch.order {
		if ch.member(id) != nil {
			out = append(out, id)
		}
	}
	return out
}

// recordCh appends an event to a channel's journal.
func (m *model) recordCh(ch *channel, ev chEvent) *chEvent {
	ev.date = m.date()
	if ev.ptsCount == 0 {
		ev.ptsCount = 1
	}
	ch.pts += ev.ptsCount
	ev.pts = ch.pts
	ch.lastDate = ev.date
	if len(ch.journal) >= m.journalMax {
		n := len(ch.journal) / 4
		ch.journal = append(ch.journal[:0], ch.journal[n:]...)
	}
	ch.journal = append(ch.journal, ev)
	return &ch.journal[len(ch.journal)-1]
}

func adminRights() *api.ChatAdminRights {
	return &api.ChatAdminRights{ChangeInfo: true, PostMessages: true, EditMessages: true, DeleteMessages: true,
		BanUsers: true, InviteUsers: true, PinMessages: true, AddAdmins: true, ManageCall: true, Other: true}
}

func (m *model) renderChannel(viewer *user, ch *channel) api.ChatClass {
	if viewer != nil && ch.kicked(viewer.ID) {
		out := &api.ChannelForbidden{ID: ch.ID, AccessHash: m.accessHash(viewer.ID, 'c', ch.ID), Title: ch.Title,
			Broadcast: ch.Broadcast, Megagroup: ch.Megagroup}
		if u := ch.banOf(viewer.ID).UntilDate; u != 0 {
			out.UntilDate = tl.Some(u)
		}
		return out
	}
	out := &api.Channel{ID: ch.ID, Title: ch.Title, Photo: &api.ChatPhotoEmpty{}, Date: ch.Date,
		Broadcast: ch.Broadcast, Megagroup: ch.Megagroup, ParticipantsCount: tl.Some(int32(len(ch.activeMembers())))}
	if ch.Username != "" {
		out.Username = tl.Some(ch.Username)
	}
	if ch.Megagroup {
		out.DefaultBannedRights = defaultRights(ch.defaultBanned)
	}
	if viewer != nil {
		out.AccessHash = tl.Some(m.accessHash(viewer.ID, 'c', ch.ID))
		out.Creator = viewer.ID == ch.Creator
		out.Left = ch.member(viewer.ID) == nil
		if r := ch.rightsOf(viewer.ID); r != nil {
			out.AdminRights = r
		}
		if b := ch.banOf(viewer.ID); b != nil {
			out.BannedRights = b
		}
	}
	return out
}

// renderChannelPost renders a channel message for a viewer.
func (m *model) renderChannelPost(viewer *user, ch *channel, p *post, users, chats map[int64]bool) api.MessageClass {
	peer := &api.PeerChannel{ChannelID: ch.ID}
	chats[channelPeer(ch.ID)] = true
	var from api.PeerClass
	if !ch.Broadcast && p.from != 0 {
		from = &api.PeerUser{UserID: p.from}
		users[p.from] = true
	}
	out := viewer != nil && p.from == viewer.ID
	var reply api.MessageReplyHeaderClass
	if p.replyTo != nil && !p.replyTo.deleted {
		reply = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(p.replyTo.id)}
	}
	if p.action != nil {
		noteAction(p.action, users)
		return &api.MessageService{Out: out, Post: ch.Broadcast, ID: p.id, FromID: from, PeerID: peer, ReplyTo: reply,
			Date: p.date, Action: p.action}
	}
	msg := m.renderPost(viewer, p, p.id, out, from, peer, reply, users)
	msg.Post = ch.Broadcast
	if ch.Broadcast {
		msg.Views = tl.Some(int32(1))
		msg.Forwards = tl.Some(int32(0))
	}
	return msg
}

func (m *model) messagesResultChannel(viewer *user, ch *channel, msgs []api.MessageClass, total int, users, chats map[int64]bool) api.MessagesMessagesClass {
	return &api.MessagesChannelMessages{Pts: ch.pts, Count: int32(total), Messages: msgs,
		Users: m.renderUsersMin(viewer, users, true), Chats: m.renderChats(viewer, chats)}
}

// channelUpdates wraps channel updates for a viewer (min users allowed).
func (m *model) channelUpdates(viewer *user, ups []api.UpdateClass, users, chats map[int64]bool) *api.Updates {
	return &api.Updates{Updates: ups, Users: m.renderUsersMin(viewer, users, true), Chats: m.renderChats(viewer, chats), Date: m.date()}
}

// fanout pushes to every member of a channel the update built for them;
// the actor's answer is returned (their connection except is skipped).
func (m *model) fanout(ch *channel, actor *user, except keyRef, build func(viewer *user, users, chats map[int64]bool) []api.UpdateClass) *api.Updates {
	var mine *api.Updates
	for _, id := range ch.activeMembers() {
		r := m.users[id]
		if r == nil {
			continue
		}
		r.dialogOf(channelPeer(ch.ID)) // the channel is in the member's list
		users, chats := map[int64]bool{}, map[int64]bool{channelPeer(ch.ID): true}
		upd := m.channelUpdates(r, build(r, users, chats), users, chats)
		if actor != nil && r.ID == actor.ID {
			m.push(r, except, upd)
			mine = upd
		} else {
			m.push(r, keyRef{}, upd)
		}
	}
	if actor != nil && mine == nil {
		users, chats := map[int64]bool{}, map[int64]bool{channelPeer(ch.ID): true}
		mine = m.channelUpdates(actor, build(actor, users, chats), users, chats)
	}
	return mine
}

// sendChannel posts a message to a channel.
func (m *model) sendChannel(from *user, ch *channel, p *post, randomID int64, except keyRef) (api.UpdatesClass, error) {
	if err := ch.mayPost(from, p); err != nil {
		return nil, err
	}
	ch.lastID++
	p.channel, p.id = ch.ID, ch.lastID
	ch.msgs[p.id] = p
	ch.ids = append(ch.ids, p.id)
	ev := m.recordCh(ch, chEvent{kind: evNew, msg: p.id})
	upd := m.fanout(ch, from, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdateNewChannelMessage{Message: m.renderChannelPost(r, ch, p, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount}}
	})
	if randomID != 0 {
		upd.Updates = append([]api.UpdateClass{&api.UpdateMessageID{ID: p.id, RandomID: randomID}}, upd.Updates...)
	}
	return upd, nil
}

// channelService posts a service message.
func (m *model) channelService(from *user, ch *channel, action api.MessageActionClass, except keyRef) *api.Updates {
	ch.lastID++
	p := &post{from: from.ID, date: m.date(), action: action, channel: ch.ID, id: ch.lastID}
	ch.msgs[p.id] = p
	ch.ids = append(ch.ids, p.id)
	ev := m.recordCh(ch, chEvent{kind: evNew, msg: p.id})
	return m.fanout(ch, from, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdateNewChannelMessage{Message: m.renderChannelPost(r, ch, p, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount}}
	})
}

func (m *model) editChannel(u *user, ch *channel, p *post, except keyRef) api.UpdatesClass {
	p.editDate = m.date()
	ev := m.recordCh(ch, chEvent{kind: evEdit, msg: p.id})
	return m.fanout(ch, u, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdateEditChannelMessage{Message: m.renderChannelPost(r, ch, p, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount}}
	})
}

func (m *model) deleteChannel(u *user, ch *channel, ids []int32, except keyRef) (*api.MessagesAffectedMessages, error) {
	var done []int32
	for _, id := range ids {
		p := ch.msgs[id]
		if p == nil || p.deleted {
			continue
		}
		if p.from != u.ID && !ch.can(u.ID, rightDelete) {
			return nil, errf(403, "MESSAGE_DELETE_FORBIDDEN")
		}
		done = append(done, id)
	}
	if len(done) == 0 {
		return &api.MessagesAffectedMessages{Pts: ch.pts}, nil
	}
	for _, id := range done {
		ch.msgs[id].deleted = true
		i := sort.Search(len(ch.ids), func(i int) bool { return ch.ids[i] >= id })
		if i < len(ch.ids) && ch.ids[i] == id {
			ch.ids = append(ch.ids[:i], ch.ids[i+1:]...)
		}
	}
	ev := m.recordCh(ch, chEvent{kind: evDelete, ids: done, ptsCount: int32(len(done))})
	m.fanout(ch, u, except, func(r *user, users, chats map[int64]bool) []api.UpdateClass {
		return []api.UpdateClass{&api.UpdateDeleteChannelMessages{ChannelID: ch.ID, Messages: done, Pts: ev.pts, PtsCount: ev.ptsCount}}
	})
	return &api.MessagesAffectedMessages{Pts: ev.pts, PtsCount: ev.ptsCount}, nil
}

// createChannel creates a channel (broadcast) or supergroup (megagroup).
func (m *model) createChannel(creator *user, title, about string, broadcast bool, except keyRef) (*channel, *api.Updates, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, nil, errf(400, "CHAT_TITLE_EMPTY")
	}
	if creator.Bot {
		return nil, nil, errBotMethod
	}
	ch := &channel{ID: m.nextChannel, Title: title, About: about, Creator: creator.ID, Broadcast: broadcast,
		Megagroup: !broadcast, Date: m.date(), pts: 1, msgs: map[int32]*post{}, members: map[int64]*chMember{}, now: m.date}
	m.nextChannel++
	m.channels[ch.ID] = ch
	ch.join(creator.ID, creator.ID, ch.Date)
	ch.members[creator.ID].rights, ch.members[creator.ID].promotedBy = adminRights(), creator.ID
	upd := m.channelService(creator, ch, &api.MessageActionChannelCreate{Title: title}, except)
	upd.Updates = append([]api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, upd.Updates...)
	return ch, upd, nil
}

func (ch *channel) join(id, inviter int64, date int32) {
	if mem := ch.members[id]; mem != nil {
		mem.left, mem.date, mem.inviter = false, date, inviter
		return
	}
	ch.members[id] = &chMember{date: date, inviter: inviter}
	ch.order = append(ch.order, id)
}

// inviteChannel adds users to a channel.
func (m *model) inviteChannel(by *user, ch *channel, users []*user, except keyRef) (*api.Updates, error) {
	if ch.member(by.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if !ch.mayInvite(by.ID) {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED")
	}
	var added []int64
	for _, u := range users {
		if ch.member(u.ID) != nil {
			if len(users) == 1 {
				return nil, errf(400, "USER_ALREADY_PARTICIPANT")
			}
			continue
		}
		if ch.kicked(u.ID) {
			// Adding a kicked user back lifts the ban, for admins who may ban.
			if !ch.can(by.ID, rightBan) {
				return nil, errf(400, "USER_KICKED")
			}
			ch.members[u.ID].banned, ch.members[u.ID].kickedBy = nil, 0
		}
		ch.join(u.ID, by.ID, m.date())
		added = append(added, u.ID)
	}
	if len(added) == 0 {
		return m.channelUpdates(by, nil, nil, map[int64]bool{channelPeer(ch.ID): true}), nil
	}
	for _, id := range added {
		m.push(m.users[id], keyRef{}, m.channelUpdates(m.users[id], []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, nil, map[int64]bool{channelPeer(ch.ID): true}))
	}
	var res *api.Updates
	if ch.Broadcast {
		res = m.channelUpdates(by, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, boolSet(mapOf(added)), map[int64]bool{channelPeer(ch.ID): true})
	} else {
		res = m.channelService(by, ch, &api.MessageActionChatAddUser{Users: added}, except)
	}
	for _, id := range added {
		m.channelParticipantChanged(ch, by.ID, id, nil, m.participant(0, ch, id), nil)
	}
	return res, nil
}

func mapOf(ids []int64) map[int64]struct{} {
	out := map[int64]struct{}{}
	for _, id := range ids {
		out[id] = struct{}{}
	}
	return out
}

func channelsCreateChannel(c *call, q *api.ChannelsCreateChannelRequest) (tl.Object, error) {
	if !q.Broadcast && !q.Megagroup {
		return nil, errf(400, "CHANNELS_TOO_MUCH")
	}
	_, upd, err := c.e.m.createChannel(c.u, q.Title, q.About, q.Broadcast, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return upd, nil
}

func channelsInviteToChannel(c *call, q *api.ChannelsInviteToChannelRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	var users []*user
	for _, in := range q.Users {
		u, err := m.inputUser(c.u, in)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	upd, err := m.inviteChannel(c.u, ch, users, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return &api.MessagesInvitedUsers{Updates: upd}, nil
}

func (m *model) joinChannel(u *user, ch *channel, except keyRef) (*api.Updates, error) {
	return m.joinChannelAs(u, ch, 0, nil, except)
}

// joinChannelAs adds u to a channel by themselves (inviter 0) or through
// an invite link of inviter.
func (m *model) joinChannelAs(u *user, ch *channel, inviter int64, inv api.ExportedChatInviteClass, except keyRef) (*api.Updates, error) {
	if ch.member(u.ID) != nil {
		return nil, errf(400, "USER_ALREADY_PARTICIPANT")
	}
	if ch.kicked(u.ID) {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	by := u.ID
	if inviter != 0 {
		by = inviter
	}
	ch.join(u.ID, by, m.date())
	var upd *api.Updates
	if ch.Broadcast {
		upd = m.channelUpdates(u, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, nil, map[int64]bool{channelPeer(ch.ID): true})
		m.push(u, except, upd)
		u.dialogOf(channelPeer(ch.ID))
	} else {
		var action api.MessageActionClass = &api.MessageActionChatAddUser{Users: []int64{u.ID}}
		if inviter != 0 {
			action = &api.MessageActionChatJoinedByLink{InviterID: inviter}
		}
		upd = m.channelService(u, ch, action, except)
	}
	m.channelParticipantChanged(ch, u.ID, u.ID, nil, m.participant(0, ch, u.ID), inv)
	return upd, nil
}

func channelsJoinChannel(c *call, q *api.ChannelsJoinChannelRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	upd, err := m.joinChannel(c.u, ch, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return &api.MessagesChatInviteJoinResultOk{Updates: upd}, nil
}

func channelsLeaveChannel(c *call, q *api.ChannelsLeaveChannelRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "USER_NOT_PARTICIPANT")
	}
	var upd *api.Updates
	if !ch.Broadcast {
		upd = m.channelService(c.u, ch, &api.MessageActionChatDeleteUser{UserID: c.u.ID}, c.ks.ref)
	}
	prev := m.participant(0, ch, c.u.ID)
	mem := ch.members[c.u.ID]
	mem.left = true
	mem.rights, mem.promotedBy, mem.rank = nil, 0, ""
	m.channelParticipantChanged(ch, c.u.ID, c.u.ID, prev, m.participant(0, ch, c.u.ID), nil)
	delete(c.u.dialogs, channelPeer(ch.ID))
	left := m.channelUpdates(c.u, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, nil, map[int64]bool{channelPeer(ch.ID): true})
	if upd != nil {
		left.Updates = append(upd.Updates, left.Updates...)
		left.Users = upd.Users
	}
	m.push(c.u, c.ks.ref, left)
	return left, nil
}

func channelsGetParticipants(c *call, q *api.ChannelsGetParticipantsRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if ch.Broadcast && !ch.isAdmin(c.u.ID) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	matches := func(id int64, q string) bool {
		u := m.users[id]
		return q == "" || strings.Contains(strings.ToLower(u.First+" "+u.Last+" "+u.Username), strings.ToLower(q))
	}
	var ids []int64
	switch f := q.Filter.(type) {
	case *api.ChannelParticipantsKicked, *api.ChannelParticipantsBanned:
		// The kicked and the restricted: admins who may ban see them.
		if !ch.can(c.u.ID, rightBan) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
		kickedList, text := false, ""
		switch f := f.(type) {
		case *api.ChannelParticipantsKicked:
			kickedList, text = true, f.Q
		case *api.ChannelParticipantsBanned:
			text = f.Q
		}
		for _, id := range ch.order {
			if b := ch.banOf(id); b != nil && b.ViewMessages == kickedList && matches(id, text) {
				ids = append(ids, id)
			}
		}
	default:
		for _, id := range ch.activeMembers() {
			switch f := q.Filter.(type) {
			case *api.ChannelParticipantsAdmins:
				if !ch.isAdmin(id) {
					continue
				}
			case *api.ChannelParticipantsBots:
				if !m.users[id].Bot {
					continue
				}
			case *api.ChannelParticipantsSearch:
				if !matches(id, f.Q) {
					continue
				}
			case *api.ChannelParticipantsMentions:
				if !matches(id, f.Q.Or("")) {
					continue
				}
			case *api.ChannelParticipantsContacts:
				if !c.u.contacts[id] || !matches(id, f.Q) {
					continue
				}
			}
			ids = append(ids, id)
		}
	}
	total := len(ids)
	limit := int(q.Limit)
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	start := min(max(int(q.Offset), 0), len(ids))
	ids = ids[start:min(start+limit, len(ids))]
	out := &api.ChannelsChannelParticipants{Count: int32(total)}
	users := map[int64]bool{}
	for _, id := range ids {
		p := m.participant(c.u.ID, ch, id)
		out.Participants = append(out.Participants, p)
		users[id] = true
		if b, ok := p.(*api.ChannelParticipantBanned); ok {
			users[b.KickedBy] = true
		}
	}
	out.Users = m.renderUsers(c.u, users)
	out.Chats = m.renderChats(c.u, map[int64]bool{channelPeer(ch.ID): true})
	return out, nil
}

func channelsGetParticipant(c *call, q *api.ChannelsGetParticipantRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	peer, err := m.inputPeer(c.u, q.Participant)
	if err != nil {
		return nil, err
	}
	if peer != c.u.ID {
		if ch.member(c.u.ID) == nil {
			return nil, errf(400, "CHANNEL_PRIVATE")
		}
		if ch.Broadcast && !ch.isAdmin(c.u.ID) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
	}
	var p api.ChannelParticipantClass
	if peer > 0 {
		p = m.participant(c.u.ID, ch, peer)
	}
	if p == nil {
		return nil, errf(400, "USER_NOT_PARTICIPANT")
	}
	users := map[int64]bool{peer: true}
	if b, ok := p.(*api.ChannelParticipantBanned); ok {
		users[b.KickedBy] = true
	}
	return &api.ChannelsChannelParticipant{Participant: p, Users: m.renderUsers(c.u, users),
		Chats: m.renderChats(c.u, map[int64]bool{channelPeer(ch.ID): true})}, nil
}

func channelsGetMessages(c *call, q *api.ChannelsGetMessagesRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if !ch.canRead(c.u.ID) {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	users, chats := map[int64]bool{}, map[int64]bool{channelPeer(ch.ID): true}
	var msgs []api.MessageClass
	for _, in := range q.ID {
		var id int32
		switch x := in.(type) {
		case *api.InputMessageID:
			id = x.ID
		case *api.InputMessageReplyTo:
			if p := ch.msgs[x.ID]; p != nil && p.replyTo != nil {
				id = p.replyTo.id
			}
		}
		if p := ch.msgs[id]; p != nil && !p.deleted {
			msgs = append(msgs, m.renderChannelPost(c.u, ch, p, users, chats))
			continue
		}
		msgs = append(msgs, &api.MessageEmpty{ID: id})
	}
	return m.messagesResultChannel(c.u, ch, msgs, len(msgs), users, chats), nil
}

func channelsDeleteMessages(c *call, q *api.ChannelsDeleteMessagesRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	return m.deleteChannel(c.u, ch, q.ID, c.ks.ref)
}

func (m *model) readChannel(u *user, ch *channel, maxID int32, except keyRef) {
	mem := ch.member(u.ID)
	if mem == nil {
		return
	}
	if maxID <= 0 || maxID > ch.lastID {
		maxID = ch.lastID
	}
	if maxID <= mem.readIn {
		return
	}
	old := mem.readIn
	mem.readIn = maxID
	u.dialogOf(channelPeer(ch.ID)).readIn = maxID
	still := ch.unreadFor(u.ID, maxID)
	m.push(u, except, &api.UpdateShort{Update: &api.UpdateReadChannelInbox{ChannelID: ch.ID, MaxID: maxID,
		StillUnreadCount: still, Pts: ch.pts}, Date: m.date()})
	if maxID > ch.readMax {
		ch.readMax = maxID
	}
	// Authors of the messages just read see them read.
	authors := map[int64]bool{}
	for _, id := range ch.ids {
		if id > old && id <= maxID {
			if p := ch.msgs[id]; p.from != 0 && p.from != u.ID {
				authors[p.from] = true
			}
		}
	}
	for _, aid := range sortedKeys(authors) {
		if a := m.users[aid]; a != nil && ch.member(aid) != nil {
			a.dialogOf(channelPeer(ch.ID)).readOut = ch.readMax
			m.push(a, keyRef{}, &api.UpdateShort{Update: &api.UpdateReadChannelOutbox{ChannelID: ch.ID, MaxID: ch.readMax}, Date: m.date()})
		}
	}
}

func channelsReadHistory(c *call, q *api.ChannelsReadHistoryRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	m.readChannel(c.u, ch, q.MaxID, c.ks.ref)
	return boolResult(true), nil
}

func channelsGetFullChannel(c *call, q *api.ChannelsGetFullChannelRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if !ch.canRead(c.u.ID) {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	var readIn int32
	if mem := ch.member(c.u.ID); mem != nil {
		readIn = mem.readIn
	}
	full := &api.ChannelFull{ID: ch.ID, About: ch.About, ParticipantsCount: tl.Some(int32(len(ch.activeMembers()))),
		ReadInboxMaxID: readIn, ReadOutboxMaxID: ch.readMax, UnreadCount: ch.unreadFor(c.u.ID, readIn),
		ChatPhoto: &api.PhotoEmpty{}, NotifySettings: defaultNotify(), Pts: ch.pts,
		CanViewParticipants: !ch.Broadcast || ch.isAdmin(c.u.ID), CanSetUsername: ch.isAdmin(c.u.ID)}
	users := map[int64]bool{}
	if ch.isAdmin(c.u.ID) {
		var admins int32
		for _, id := range ch.activeMembers() {
			if ch.isAdmin(id) {
				admins++
			}
		}
		full.AdminsCount = tl.Some(admins)
	}
	if ch.can(c.u.ID, rightBan) {
		var kicked, banned int32
		for _, id := range ch.order {
			if b := ch.banOf(id); b != nil && b.ViewMessages {
				kicked++
			} else if b != nil {
				banned++
			}
		}
		full.KickedCount, full.BannedCount = tl.Some(kicked), tl.Some(banned)
	}
	if ch.can(c.u.ID, rightInvite) {
		full.ExportedInvite = m.renderInvite(m.permanentInvite(channelPeer(ch.ID), c.u.ID))
		users[c.u.ID] = true
	}
	return &api.MessagesChatFull{FullChat: full, Chats: m.renderChats(c.u, map[int64]bool{channelPeer(ch.ID): true}),
		Users: m.renderUsers(c.u, users)}, nil
}

func channelsGetChannels(c *call, q *api.ChannelsGetChannelsRequest) (tl.Object, error) {
	m := c.e.m
	set := map[int64]bool{}
	for _, in := range q.ID {
		ch, err := m.inputChannel(c.u, in)
		if err != nil {
			return nil, err
		}
		set[channelPeer(ch.ID)] = true
	}
	return &api.MessagesChats{Chats: m.renderChats(c.u, set)}, nil
}

// Channel difference limits.
const (
	chDiffDefault = 100
	chDiffTooLong = 1000
)

func (m *model) channelDifference(u *user, ch *channel, pts, limit int32) api.UpdatesChannelDifferenceClass {
	if limit <= 0 || limit > chDiffDefault {
		limit = chDiffDefault
	}
	timeout := tl.Some(int32(30))
	if pts >= ch.pts {
		return &api.UpdatesChannelDifferenceEmpty{Final: true, Pts: ch.pts, Timeout: timeout}
	}
	first := ch.pts
	if len(ch.journal) > 0 {
		first = ch.journal[0].pts - ch.journal[0].ptsCount
	}
	if pts < first || ch.pts-pts > chDiffTooLong {
		return m.channelTooLong(u, ch, limit)
	}
	users, chats := map[int64]bool{}, map[int64]bool{channelPeer(ch.ID): true}
	start := sort.Search(len(ch.journal), func(i int) bool { return ch.journal[i].pts > pts })
	end := min(start+int(limit), len(ch.journal))
	final := end == len(ch.journal)
	inNew := map[int32]bool{}
	for _, ev := range ch.journal[start:end] {
		if ev.kind == evNew {
			inNew[ev.msg] = true
		}
	}
	var msgs []api.MessageClass
	var others []api.UpdateClass
	for _, ev := range ch.journal[start:end] {
		switch ev.kind {
		case evNew:
			if p := ch.msgs[ev.msg]; p != nil && !p.deleted {
				msgs = append(msgs, m.renderChannelPost(u, ch, p, users, chats))
			}
		case evEdit:
			if p := ch.msgs[ev.msg]; p != nil && !p.deleted && !inNew[ev.msg] {
				others = append(others, &api.UpdateEditChannelMessage{Message: m.renderChannelPost(u, ch, p, users, chats), Pts: ev.pts, PtsCount: ev.ptsCount})
			}
		case evDelete:
			others = append(others, &api.UpdateDeleteChannelMessages{ChannelID: ch.ID, Messages: ev.ids, Pts: ev.pts, PtsCount: ev.ptsCount})
		}
	}
	newPts := ch.journal[end-1].pts
	return &api.UpdatesChannelDifference{Final: final, Pts: newPts, Timeout: timeout, NewMessages: msgs, OtherUpdates: others,
		Users: m.renderUsersMin(u, users, true), Chats: m.renderChats(u, chats)}
}

// channelTooLong is channelDifferenceTooLong: the channel's dialog and its
// newest messages (at most limit), newest first.
func (m *model) channelTooLong(u *user, ch *channel, limit int32) *api.UpdatesChannelDifferenceTooLong {
	users, chats := map[int64]bool{}, map[int64]bool{channelPeer(ch.ID): true}
	mem := ch.members[u.ID]
	d := &api.Dialog{Peer: &api.PeerChannel{ChannelID: ch.ID}, NotifySettings: defaultNotify(), Pts: tl.Some(ch.pts),
		ReadOutboxMaxID: ch.readMax}
	if mem != nil {
		d.ReadInboxMaxID = mem.readIn
		d.UnreadCount = ch.unreadFor(u.ID, mem.readIn)
	}
	var msgs []api.MessageClass
	for i := len(ch.ids) - 1; i >= 0 && len(msgs) < int(limit); i-- {
		if p := ch.msgs[ch.ids[i]]; p != nil && !p.deleted {
			msgs = append(msgs, m.renderChannelPost(u, ch, p, users, chats))
		}
	}
	if len(ch.ids) > 0 {
		d.TopMessage = ch.ids[len(ch.ids)-1]
	}
	return &api.UpdatesChannelDifferenceTooLong{Final: true, Timeout: tl.Some(int32(30)), Dialog: d, Messages: msgs,
		Users: m.renderUsersMin(u, users, true), Chats: m.renderChats(u, chats)}
}

func updatesGetChannelDifference(c *call, q *api.UpdatesGetChannelDifferenceRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if !ch.canRead(c.u.ID) {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if q.Pts <= 0 {
		return nil, errf(400, "PERSISTENT_TIMESTAMP_INVALID")
	}
	if q.Pts < ch.pts && c.e.faults.takeChannelTooLong(c.u.ID, ch.ID) {
		limit := q.Limit
		if limit <= 0 || limit > chDiffDefault {
			limit = chDiffDefault
		}
		return m.channelTooLong(c.u, ch, limit), nil
	}
	return m.channelDifference(c.u, ch, q.Pts, q.Limit), nil
}
