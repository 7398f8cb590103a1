package emulator

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Admin rights, bans and default rights, as on Telegram
// (core.telegram.org/api/rights). In a channel or supergroup the creator
// has every right and admins have the rights their promoter gave them (never
// more than the promoter's own); each user may be restricted on their own
// (chatBannedRights; view_messages kicks), and every member by the default
// banned rights. Basic groups have admins without granular rights
// (messages.editChatAdmin) and default banned rights.
//
// Changes of membership reach the bots that watch them as
// updateChannelParticipant and updateChatParticipant, in their qts
// sequence: bots that are admins of the chat, and the bot whose own
// membership changed.

func init() {
	on(needUser, channelsEditAdmin)
	on(needUser, channelsEditBanned)
	on(needUser, channelsEditTitle)
	on(needUser, messagesEditChatAdmin)
	on(needUser, messagesEditChatDefaultBannedRights)
}

// right is an admin right that an action needs.
type right uint8

const (
	rightChangeInfo right = iota
	rightPost
	rightEdit
	rightDelete
	rightBan
	rightInvite
	rightPin
	rightAddAdmins
)

// in reports whether rights include r.
func (r right) in(a *api.ChatAdminRights) bool {
	if a == nil {
		return false
	}
	switch r {
	case rightChangeInfo:
		return a.ChangeInfo
	case rightPost:
		return a.PostMessages
	case rightEdit:
		return a.EditMessages
	case rightDelete:
		return a.DeleteMessages
	case rightBan:
		return a.BanUsers
	case rightInvite:
		return a.InviteUsers
	case rightPin:
		return a.PinMessages
	case rightAddAdmins:
		return a.AddAdmins
	}
	return false
}

// restriction is something a member may be banned from doing.
type restriction uint8

const (
	banSend restriction = iota
	banMedia
	banInvite
	banChangeInfo
	banPin
)

// in reports whether banned rights forbid r (banning send_messages forbids
// sending anything).
func (r restriction) in(b *api.ChatBannedRights) bool {
	if b == nil {
		return false
	}
	switch r {
	case banSend:
		return b.SendMessages || b.ViewMessages
	case banMedia:
		return b.SendMedia || b.SendMessages || b.ViewMessages
	case banInvite:
		return b.InviteUsers
	case banChangeInfo:
		return b.ChangeInfo
	case banPin:
		return b.PinMessages
	}
	return false
}

// flagsOf returns the flags word of a TL object whose fields start with
// one (chatAdminRights, chatBannedRights): a bit per right.
func flagsOf(o tl.Object) uint32 {
	b, err := tl.Encode(o)
	if err != nil || len(b) < 8 {
		return 0
	}
	return binary.LittleEndian.Uint32(b[4:8])
}

func noAdminRights(a *api.ChatAdminRights) bool { return a == nil || flagsOf(a) == 0 }
func noBans(b *api.ChatBannedRights) bool       { return b == nil || flagsOf(b) == 0 }

// exceeds reports whether a grants a right b lacks.
func exceeds(a, b *api.ChatAdminRights) bool {
	if b == nil {
		return !noAdminRights(a)
	}
	return flagsOf(a)&^flagsOf(b) != 0
}

// foreverDate is the until_date Telegram gives restrictions without an end.
const foreverDate = math.MaxInt32

// banOf returns the restrictions on a user in force now (nil: none). A ban
// whose until_date has passed is lifted here.
func (ch *channel) banOf(id int64) *api.ChatBannedRights {
	mem := ch.members[id]
	if mem == nil || mem.banned == nil {
		return nil
	}
	if u := mem.banned.UntilDate; u != 0 && ch.now != nil && u <= ch.now() {
		mem.banned, mem.kickedBy = nil, 0
		return nil
	}
	return mem.banned
}

// kicked reports whether a user is banned from the channel (view_messages).
func (ch *channel) kicked(id int64) bool {
	b := ch.banOf(id)
	return b != nil && b.ViewMessages
}

// rightsOf returns the admin rights of a member (nil: not an admin).
func (ch *channel) rightsOf(id int64) *api.ChatAdminRights {
	mem := ch.member(id)
	if mem == nil {
		return nil
	}
	if id == ch.Creator {
		return adminRights()
	}
	return mem.rights
}

// can reports whether a member is an admin with right r.
func (ch *channel) can(id int64, r right) bool { return r.in(ch.rightsOf(id)) }

// forbids reports whether a member's own restrictions (own) or the default
// rights forbid them x, not counting admin rights.
func (ch *channel) forbids(id int64, x restriction) (forbidden, own bool) {
	if x.in(ch.banOf(id)) {
		return true, true
	}
	return x.in(ch.defaultBanned), false
}

// mayInvite reports whether a member may add users: admins with
// invite_users, and in supergroups members the default rights let.
func (ch *channel) mayInvite(id int64) bool {
	if ch.can(id, rightInvite) {
		return true
	}
	if ch.Broadcast || ch.member(id) == nil || ch.isAdmin(id) {
		return false
	}
	f, _ := ch.forbids(id, banInvite)
	return !f
}

// mayChangeInfo reports whether a member may edit the title: admins with
// change_info, and in supergroups members the default rights let.
func (ch *channel) mayChangeInfo(id int64) bool {
	if ch.can(id, rightChangeInfo) {
		return true
	}
	if ch.Broadcast || ch.member(id) == nil || ch.isAdmin(id) {
		return false
	}
	f, _ := ch.forbids(id, banChangeInfo)
	return !f
}

// mayPost checks that a user may post p to a channel.
func (ch *channel) mayPost(from *user, p *post) error {
	if ch.member(from.ID) == nil {
		if ch.Username != "" && !ch.kicked(from.ID) {
			return errf(403, "CHAT_WRITE_FORBIDDEN")
		}
		return errf(400, "CHANNEL_PRIVATE")
	}
	if ch.Broadcast {
		if !ch.can(from.ID, rightPost) {
			return errf(403, "CHAT_ADMIN_REQUIRED")
		}
		return nil
	}
	if ch.isAdmin(from.ID) {
		return nil
	}
	if f, own := ch.forbids(from.ID, banSend); f {
		if own {
			return errf(400, "USER_BANNED_IN_CHANNEL")
		}
		return errf(403, "CHAT_WRITE_FORBIDDEN")
	}
	if p.media != nil || p.file != 0 {
		if f, _ := ch.forbids(from.ID, banMedia); f {
			return errf(403, "CHAT_SEND_MEDIA_FORBIDDEN")
		}
	}
	return nil
}

// defaultRights is the default banned rights as rendered (Telegram sets
// until_date to "forever").
func defaultRights(b *api.ChatBannedRights) *api.ChatBannedRights {
	out := &api.ChatBannedRights{}
	if b != nil {
		*out = *b
	}
	out.UntilDate = foreverDate
	return out
}

func optRank(rank string) tl.Opt[string] {
	if rank == "" {
		return tl.Opt[string]{}
	}
	return tl.Some(rank)
}

// participant renders a user's membership of a channel as viewer sees it
// (viewer 0: as updates to bots carry it). It is nil for a user who is
// neither a member nor banned.
func (m *model) participant(viewer int64, ch *channel, id int64) api.ChannelParticipantClass {
	mem := ch.members[id]
	if mem == nil {
		return nil
	}
	if b := ch.banOf(id); b != nil {
		return &api.ChannelParticipantBanned{Left: mem.left, Peer: &api.PeerUser{UserID: id}, KickedBy: mem.kickedBy,
			Date: mem.date, BannedRights: b}
	}
	if mem.left {
		return nil
	}
	switch {
	case id == ch.Creator:
		return &api.ChannelParticipantCreator{UserID: id, AdminRights: adminRights(), Rank: optRank(mem.rank)}
	case mem.rights != nil:
		out := &api.ChannelParticipantAdmin{Self: id == viewer, UserID: id, PromotedBy: mem.promotedBy, Date: mem.date,
			AdminRights: mem.rights, Rank: optRank(mem.rank),
			CanEdit: viewer == ch.Creator || (viewer == mem.promotedBy && ch.can(viewer, rightAddAdmins))}
		if out.Self {
			out.InviterID = tl.Some(mem.inviter)
		}
		return out
	case id == viewer:
		return &api.ChannelParticipantSelf{UserID: id, InviterID: mem.inviter, Date: mem.date}
	}
	return &api.ChannelParticipant{UserID: id, Date: mem.date}
}

// pushQts records an update of the qts sequence for u (a bot), setting its
// qts, and pushes it.
func (m *model) pushQts(u *user, upd api.UpdateClass, users, chats map[int64]bool) {
	qts := u.qts + 1
	switch x := upd.(type) {
	case *api.UpdateChannelParticipant:
		x.Qts = qts
	case *api.UpdateChatParticipant:
		x.Qts = qts
	}
	m.record(u, event{kind: evQts, upd: upd})
	m.push(u, keyRef{}, m.updatesOf(u, []api.UpdateClass{upd}, users, chats, 0))
}

// channelParticipantChanged tells the bots that watch a channel's members
// that target's membership went from prev to next (nil: none).
func (m *model) channelParticipantChanged(ch *channel, actor, target int64, prev, next api.ChannelParticipantClass, inv api.ExportedChatInviteClass) {
	for _, id := range ch.order {
		b := m.users[id]
		if b == nil || !b.Bot || (id != target && !ch.isAdmin(id)) {
			continue
		}
		upd := &api.UpdateChannelParticipant{ChannelID: ch.ID, Date: m.date(), ActorID: actor, UserID: target,
			PrevParticipant: prev, NewParticipant: next, Invite: inv}
		m.pushQts(b, upd, map[int64]bool{actor: true, target: true}, map[int64]bool{channelPeer(ch.ID): true})
	}
}

// chatParticipantOf renders a member of a basic group (nil: not a member).
func chatParticipantOf(c *chat, id int64) api.ChatParticipantClass {
	switch {
	case !c.isMember(id):
		return nil
	case id == c.Creator:
		return &api.ChatParticipantCreator{UserID: id}
	case c.admins[id]:
		return &api.ChatParticipantAdmin{UserID: id, InviterID: c.inviter[id], Date: c.joined[id]}
	}
	return &api.ChatParticipant{UserID: id, InviterID: c.inviter[id], Date: c.joined[id]}
}

// chatParticipantChanged is channelParticipantChanged for basic groups.
func (m *model) chatParticipantChanged(c *chat, actor, target int64, prev, next api.ChatParticipantClass, inv api.ExportedChatInviteClass) {
	seen := map[int64]bool{}
	for _, id := range append(append([]int64(nil), c.members...), target) {
		b := m.users[id]
		if seen[id] || b == nil || !b.Bot || (id != target && !c.isAdminOf(id)) {
			continue
		}
		seen[id] = true
		upd := &api.UpdateChatParticipant{ChatID: c.ID, Date: m.date(), ActorID: actor, UserID: target,
			PrevParticipant: prev, NewParticipant: next, Invite: inv}
		m.pushQts(b, upd, map[int64]bool{actor: true, target: true}, map[int64]bool{chatPeer(c.ID): true})
	}
}

// notifyChannelChanged pushes updateChannel to a user whose view of the
// channel changed (rights, bans), so that their client fetches it again.
func (m *model) notifyChannelChanged(u *user, ch *channel, except keyRef) {
	m.push(u, except, m.channelUpdates(u, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, nil,
		map[int64]bool{channelPeer(ch.ID): true}))
}

// editAdmin promotes, edits or (with no rights) demotes an admin of a
// channel, as channels.editAdmin does.
func (m *model) editAdmin(actor *user, ch *channel, target *user, rights *api.ChatAdminRights, rank string, except keyRef) (*api.Updates, error) {
	if ch.member(actor.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if target.ID == ch.Creator {
		return nil, errf(400, "USER_CREATOR")
	}
	if !ch.can(actor.ID, rightAddAdmins) {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED")
	}
	if utf8.RuneCountInString(rank) > 16 {
		return nil, errf(400, "ADMIN_RANK_INVALID")
	}
	mem := ch.members[target.ID]
	wasAdmin := ch.isAdmin(target.ID)
	if wasAdmin && actor.ID != ch.Creator && mem.promotedBy != actor.ID {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED") // an admin someone else promoted
	}
	demote := noAdminRights(rights)
	if !demote && actor.ID != ch.Creator && exceeds(rights, ch.rightsOf(actor.ID)) {
		return nil, errf(403, "RIGHT_FORBIDDEN")
	}
	chats := map[int64]bool{channelPeer(ch.ID): true}
	users := map[int64]bool{target.ID: true}
	if demote && !wasAdmin {
		if ch.member(target.ID) == nil {
			return nil, errf(400, "USER_NOT_PARTICIPANT")
		}
		return m.channelUpdates(actor, nil, users, chats), nil // nothing to change
	}
	prev := m.participant(0, ch, target.ID)
	var joined *api.Updates
	if demote {
		mem.rights, mem.promotedBy, mem.rank = nil, 0, ""
	} else {
		if ch.member(target.ID) == nil {
			// Telegram adds the new admin, if the promoter may add users.
			if !ch.can(actor.ID, rightInvite) {
				return nil, errf(403, "CHAT_ADMIN_INVITE_REQUIRED")
			}
			ch.join(target.ID, actor.ID, m.date())
			mem = ch.members[target.ID]
			mem.banned, mem.kickedBy = nil, 0
			prev = nil
			if ch.Megagroup {
				joined = m.channelService(actor, ch, &api.MessageActionChatAddUser{Users: []int64{target.ID}}, except)
			}
		}
		r := *rights
		mem.rights, mem.promotedBy, mem.rank = &r, actor.ID, rank
		mem.banned, mem.kickedBy = nil, 0
	}
	m.channelParticipantChanged(ch, actor.ID, target.ID, prev, m.participant(0, ch, target.ID), nil)
	m.notifyChannelChanged(target, ch, keyRef{})
	res := m.channelUpdates(actor, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, users, chats)
	if joined != nil {
		res.Updates = append(joined.Updates, res.Updates...)
	}
	return res, nil
}

func channelsEditAdmin(c *call, q *api.ChannelsEditAdminRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	u, err := m.inputUser(c.u, q.UserID)
	if err != nil {
		return nil, err
	}
	rights, _ := q.AdminRights.(*api.ChatAdminRights)
	return m.editAdmin(c.u, ch, u, rights, q.Rank.Or(""), c.ks.ref)
}

// editBanned restricts, kicks (view_messages) or (with no rights) unbans a
// user, as channels.editBanned does. A kicked user stays out when unbanned.
func (m *model) editBanned(actor *user, ch *channel, target int64, rights *api.ChatBannedRights, except keyRef) (*api.Updates, error) {
	if ch.member(actor.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if !ch.can(actor.ID, rightBan) {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED")
	}
	tu := m.users[target]
	if target <= 0 || tu == nil {
		return nil, errf(400, "PARTICIPANT_ID_INVALID")
	}
	if target == ch.Creator || (ch.isAdmin(target) && actor.ID != ch.Creator && ch.members[target].promotedBy != actor.ID) {
		return nil, errf(400, "USER_ADMIN_INVALID")
	}
	chats := map[int64]bool{channelPeer(ch.ID): true}
	users := map[int64]bool{target: true}
	prev := m.participant(0, ch, target)
	mem := ch.members[target]
	kicked := false
	if noBans(rights) {
		if mem == nil || ch.banOf(target) == nil {
			return m.channelUpdates(actor, nil, users, chats), nil // nothing to lift
		}
		mem.banned, mem.kickedBy = nil, 0
	} else {
		b := *rights
		now := m.date()
		// As on Telegram: less than 30 seconds or more than 366 days is forever.
		if b.UntilDate != 0 && (b.UntilDate < now+30 || b.UntilDate > now+366*86400) {
			b.UntilDate = 0
		}
		if mem == nil {
			mem = &chMember{date: now, left: true}
			ch.members[target] = mem
			ch.order = append(ch.order, target)
		}
		mem.rights, mem.promotedBy, mem.rank = nil, 0, ""
		mem.banned, mem.kickedBy = &b, actor.ID
		if b.ViewMessages && !mem.left {
			mem.left = true
			kicked = true
			delete(tu.dialogs, channelPeer(ch.ID))
		}
	}
	var res *api.Updates
	if kicked && ch.Megagroup {
		res = m.channelService(actor, ch, &api.MessageActionChatDeleteUser{UserID: target}, except)
	}
	m.channelParticipantChanged(ch, actor.ID, target, prev, m.participant(0, ch, target), nil)
	m.notifyChannelChanged(tu, ch, keyRef{})
	upd := m.channelUpdates(actor, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, users, chats)
	if res != nil {
		upd.Updates = append(res.Updates, upd.Updates...)
	}
	return upd, nil
}

func channelsEditBanned(c *call, q *api.ChannelsEditBannedRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	peer, err := m.inputPeer(c.u, q.Participant)
	if err != nil {
		return nil, err
	}
	rights, _ := q.BannedRights.(*api.ChatBannedRights)
	return m.editBanned(c.u, ch, peer, rights, c.ks.ref)
}

// checkTitle validates a new title.
func checkTitle(title, old string) (string, error) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		return "", errf(400, "CHAT_TITLE_EMPTY")
	case title == old:
		return "", errf(400, "CHAT_NOT_MODIFIED")
	}
	return title, nil
}

func channelsEditTitle(c *call, q *api.ChannelsEditTitleRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if !ch.mayChangeInfo(c.u.ID) {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED")
	}
	title, err := checkTitle(q.Title, ch.Title)
	if err != nil {
		return nil, err
	}
	ch.Title = title
	return m.channelService(c.u, ch, &api.MessageActionChatEditTitle{Title: title}, c.ks.ref), nil
}

// Basic groups.

// chatAdminRights is what the creator and the admins of a basic group may do.
func chatAdminRights(creator bool) *api.ChatAdminRights {
	return &api.ChatAdminRights{ChangeInfo: true, DeleteMessages: true, BanUsers: true, InviteUsers: true,
		PinMessages: true, ManageCall: true, Other: true, AddAdmins: creator}
}

// mayPost checks that a user may post p to a basic group.
func (c *chat) mayPost(from *user, p *post) error {
	if !c.isMember(from.ID) || c.deactivated || !c.allows(from.ID, banSend) {
		return errf(403, "CHAT_WRITE_FORBIDDEN")
	}
	if (p.media != nil || p.file != 0) && !c.allows(from.ID, banMedia) {
		return errf(403, "CHAT_SEND_MEDIA_FORBIDDEN")
	}
	return nil
}

// isAdminOf reports whether a member is the creator or an admin.
func (c *chat) isAdminOf(id int64) bool { return c.isMember(id) && (id == c.Creator || c.admins[id]) }

// allows reports whether a member may do x: admins may do anything, others
// what the default rights let them.
func (c *chat) allows(id int64, x restriction) bool {
	return c.isAdminOf(id) || (c.isMember(id) && !x.in(c.defaultBanned))
}

// setChatAdmin makes a member of a basic group an admin or not, as
// messages.editChatAdmin does: every member is told with
// updateChatParticipantAdmin, and the member concerned also with
// updateChat (their rights in the chat changed).
func (m *model) setChatAdmin(actor *user, c *chat, target *user, admin bool) error {
	if actor.ID != c.Creator {
		return errf(400, "CHAT_ADMIN_REQUIRED")
	}
	if !c.isMember(target.ID) {
		return errf(400, "USER_NOT_PARTICIPANT")
	}
	if target.ID == c.Creator || c.admins[target.ID] == admin {
		return nil
	}
	prev := chatParticipantOf(c, target.ID)
	if admin {
		c.admins[target.ID] = true
	} else {
		delete(c.admins, target.ID)
	}
	c.Version++
	for _, id := range c.members {
		if u := m.users[id]; u != nil {
			m.pushOther(u, &api.UpdateChatParticipantAdmin{ChatID: c.ID, UserID: target.ID, IsAdmin: admin, Version: c.Version})
		}
	}
	m.pushOther(target, &api.UpdateChat{ChatID: c.ID})
	m.chatParticipantChanged(c, actor.ID, target.ID, prev, chatParticipantOf(c, target.ID), nil)
	return nil
}

func messagesEditChatAdmin(c *call, q *api.MessagesEditChatAdminRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	ch, err := m.memberChat(c.u, q.ChatID)
	if err != nil {
		return nil, err
	}
	u, err := m.inputUser(c.u, q.UserID)
	if err != nil {
		return nil, err
	}
	if err := m.setChatAdmin(c.u, ch, u, q.IsAdmin); err != nil {
		return nil, err
	}
	return boolResult(true), nil
}

func messagesEditChatDefaultBannedRights(c *call, q *api.MessagesEditChatDefaultBannedRightsRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	in, _ := q.BannedRights.(*api.ChatBannedRights)
	var rights *api.ChatBannedRights
	if !noBans(in) {
		r := *in
		r.UntilDate = 0
		rights = &r
	}
	if rights != nil && rights.ViewMessages {
		return nil, errf(400, "BANNED_RIGHTS_INVALID")
	}
	switch k, id := peerKind(peer); k {
	case 'c':
		ch := m.channels[id]
		if ch.member(c.u.ID) == nil {
			return nil, errf(400, "CHANNEL_PRIVATE")
		}
		if !ch.can(c.u.ID, rightBan) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
		if flagsOf(defaultRights(ch.defaultBanned)) == flagsOf(defaultRights(rights)) {
			return nil, errf(400, "CHAT_NOT_MODIFIED")
		}
		ch.defaultBanned = rights
		// Every member's client fetches the channel again.
		for _, mid := range ch.activeMembers() {
			if u := m.users[mid]; u != nil && mid != c.u.ID {
				m.notifyChannelChanged(u, ch, keyRef{})
			}
		}
		m.notifyChannelChanged(c.u, ch, c.ks.ref)
		return m.channelUpdates(c.u, []api.UpdateClass{&api.UpdateChannel{ChannelID: ch.ID}}, nil,
			map[int64]bool{channelPeer(ch.ID): true}), nil
	case 'g':
		ch, err := m.memberChat(c.u, id)
		if err != nil {
			return nil, err
		}
		if !ch.isAdminOf(c.u.ID) {
			return nil, errf(400, "CHAT_ADMIN_REQUIRED")
		}
		if flagsOf(defaultRights(ch.defaultBanned)) == flagsOf(defaultRights(rights)) {
			return nil, errf(400, "CHAT_NOT_MODIFIED")
		}
		ch.defaultBanned = rights
		ch.Version++
		upd := &api.UpdateChatDefaultBannedRights{Peer: &api.PeerChat{ChatID: ch.ID}, DefaultBannedRights: defaultRights(rights), Version: ch.Version}
		var mine *api.Updates
		for _, mid := range ch.members {
			u := m.users[mid]
			if u == nil {
				continue
			}
			if mid == c.u.ID {
				mine = m.pushOtherAnswer(u, upd, c.ks.ref)
			} else {
				m.pushOther(u, upd)
			}
		}
		return mine, nil
	}
	return nil, errPeerInvalid
}
