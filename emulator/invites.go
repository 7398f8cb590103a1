package emulator

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Invite links of basic groups, channels and supergroups, as on Telegram:
// each admin has a permanent link (made when first asked for, replaced when
// revoked) and may export more, with an expiry date, a usage limit, a title
// or join requests; anyone with the hash may check it and join.

func init() {
	on(needUser, messagesExportChatInvite)
	on(needUser, messagesCheckChatInvite)
	on(needUser, messagesImportChatInvite)
	on(needUser, messagesEditExportedChatInvite)
	on(needUser, messagesGetExportedChatInvites)
	on(needUser, messagesDeleteExportedChatInvite)
	on(needUser, messagesGetChatInviteImporters)
}

// inviteLinkPrefix is what an invite link is before its hash.
const inviteLinkPrefix = "https://t.me/+"

type invite struct {
	hash      string
	peer      int64 // marked id of the chat or channel
	admin     int64 // who made it
	date      int32
	expire    int32 // 0: never
	limit     int32 // 0: no limit
	usage     int32
	requested int32 // join requests pending
	revoked   bool
	permanent bool
	request   bool // joining needs an admin's approval
	title     string
	importers []importer
}

type importer struct {
	user      int64
	date      int32
	requested bool // a join request, not a join
}

// usable reports whether the link may be used now.
func (inv *invite) usable(now int32) bool {
	return !inv.revoked && (inv.expire == 0 || inv.expire > now) && (inv.limit == 0 || inv.usage < inv.limit)
}

func (inv *invite) link() string { return inviteLinkPrefix + inv.hash }

// hashOf extracts the hash of an invite link given in any of the forms
// clients send ("https://t.me/+HASH", "t.me/joinchat/HASH", "+HASH", "HASH").
func hashOf(link string) string {
	s := strings.TrimSpace(link)
	for _, p := range []string{"https://", "http://", "www.", "t.me/", "telegram.me/", "telegram.dog/", "joinchat/", "+"} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

func (m *model) newInvite(peer, admin int64, permanent bool) *invite {
	var hash string
	for hash == "" || m.invites[hash] != nil {
		hash = base64.RawURLEncoding.EncodeToString(randomToken(12))
	}
	inv := &invite{hash: hash, peer: peer, admin: admin, date: m.date(), permanent: permanent}
	m.invites[hash] = inv
	return inv
}

// permanentInvite returns an admin's permanent link of a chat, made when
// first asked for.
func (m *model) permanentInvite(peer, admin int64) *invite {
	for _, inv := range m.invitesOf(peer) {
		if inv.permanent && !inv.revoked && inv.admin == admin {
			return inv
		}
	}
	return m.newInvite(peer, admin, true)
}

// invitesOf returns the links of a chat, newest first.
func (m *model) invitesOf(peer int64) []*invite {
	var out []*invite
	for _, inv := range m.invites {
		if inv.peer == peer {
			out = append(out, inv)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].date != out[j].date {
			return out[i].date > out[j].date
		}
		if out[i].permanent != out[j].permanent {
			return out[i].permanent
		}
		return out[i].hash < out[j].hash
	})
	return out
}

func (m *model) renderInvite(inv *invite) *api.ChatInviteExported {
	out := &api.ChatInviteExported{Revoked: inv.revoked, Permanent: inv.permanent, RequestNeeded: inv.request,
		Link: inv.link(), AdminID: inv.admin, Date: inv.date}
	if inv.expire != 0 {
		out.ExpireDate = tl.Some(inv.expire)
	}
	if inv.limit != 0 {
		out.UsageLimit = tl.Some(inv.limit)
	}
	if inv.usage != 0 {
		out.Usage = tl.Some(inv.usage)
	}
	if inv.requested != 0 {
		out.Requested = tl.Some(inv.requested)
	}
	if inv.title != "" {
		out.Title = tl.Some(inv.title)
	}
	return out
}

// inviteChat resolves the chat of an invite-link call and checks that the
// user may manage its links (the creator and admins who may invite).
func (m *model) inviteChat(u *user, in api.InputPeerClass) (int64, error) {
	peer, err := m.inputPeer(u, in)
	if err != nil {
		return 0, err
	}
	switch k, id := peerKind(peer); k {
	case 'g':
		c := m.chats[id]
		if !c.isMember(u.ID) {
			return 0, errf(400, "CHAT_ID_INVALID")
		}
		if !c.isAdminOf(u.ID) {
			return 0, errf(400, "CHAT_ADMIN_REQUIRED")
		}
	case 'c':
		ch := m.channels[id]
		if ch.member(u.ID) == nil {
			return 0, errf(400, "CHANNEL_PRIVATE")
		}
		if !ch.can(u.ID, rightInvite) {
			return 0, errf(400, "CHAT_ADMIN_REQUIRED")
		}
	default:
		return 0, errPeerInvalid
	}
	return peer, nil
}

// isCreatorOf reports whether u created a chat or channel.
func (m *model) isCreatorOf(u *user, peer int64) bool {
	switch k, id := peerKind(peer); k {
	case 'g':
		return m.chats[id].Creator == u.ID
	case 'c':
		return m.channels[id].Creator == u.ID
	}
	return false
}

// setInviteOptions applies the options of exportChatInvite and
// editExportedChatInvite.
func (m *model) setInviteOptions(inv *invite, expire, limit tl.Opt[int32], request tl.Opt[bool], title tl.Opt[string]) error {
	if inv.permanent && (expire.Set || limit.Set || request.Set) {
		return errf(400, "CHAT_INVITE_PERMANENT")
	}
	if v, ok := expire.Get(); ok {
		if v != 0 && v <= m.date() {
			return errf(400, "EXPIRE_DATE_INVALID")
		}
		inv.expire = v
	}
	if v, ok := limit.Get(); ok {
		if v < 0 || v > 99999 {
			return errf(400, "USAGE_LIMIT_INVALID")
		}
		inv.limit = v
	}
	if v, ok := request.Get(); ok {
		inv.request = v
	}
	if inv.request && inv.limit != 0 {
		return errf(400, "USAGE_LIMIT_INVALID") // join requests have no usage limit
	}
	if v, ok := title.Get(); ok {
		inv.title = v
	}
	return nil
}

func messagesExportChatInvite(c *call, q *api.MessagesExportChatInviteRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inviteChat(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if q.LegacyRevokePermanent {
		old := m.permanentInvite(peer, c.u.ID)
		old.revoked = true
		return m.renderInvite(m.permanentInvite(peer, c.u.ID)), nil
	}
	inv := &invite{}
	var req tl.Opt[bool]
	if q.RequestNeeded {
		req = tl.Some(true)
	}
	if err := m.setInviteOptions(inv, q.ExpireDate, q.UsageLimit, req, q.Title); err != nil {
		return nil, err
	}
	made := m.newInvite(peer, c.u.ID, false)
	made.expire, made.limit, made.request, made.title = inv.expire, inv.limit, inv.request, inv.title
	return m.renderInvite(made), nil
}

// lookupInvite finds a usable invite by the hash a user gave.
func (m *model) lookupInvite(hash string) (*invite, error) {
	hash = hashOf(hash)
	if hash == "" {
		return nil, errf(400, "INVITE_HASH_EMPTY")
	}
	inv := m.invites[hash]
	if inv == nil || m.checkPeer(inv.peer) != nil {
		return nil, errf(400, "INVITE_HASH_INVALID")
	}
	if !inv.usable(m.date()) {
		return nil, errf(400, "INVITE_HASH_EXPIRED")
	}
	return inv, nil
}

func messagesCheckChatInvite(c *call, q *api.MessagesCheckChatInviteRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	inv, err := m.lookupInvite(q.Hash)
	if err != nil {
		return nil, err
	}
	out := &api.ChatInvite{Photo: &api.PhotoEmpty{}, RequestNeeded: inv.request}
	var members []int64
	switch k, id := peerKind(inv.peer); k {
	case 'g':
		ch := m.chats[id]
		if ch.isMember(c.u.ID) {
			return &api.ChatInviteAlready{Chat: m.renderChat(c.u, ch)}, nil
		}
		out.Title, out.ParticipantsCount = ch.Title, int32(len(ch.members))
		members = ch.members
	case 'c':
		ch := m.channels[id]
		if ch.member(c.u.ID) != nil {
			return &api.ChatInviteAlready{Chat: m.renderChannel(c.u, ch)}, nil
		}
		if ch.kicked(c.u.ID) {
			return nil, errf(400, "CHANNEL_PRIVATE")
		}
		active := ch.activeMembers()
		out.Channel, out.Broadcast, out.Megagroup, out.Public = true, ch.Broadcast, ch.Megagroup, ch.Username != ""
		out.Title, out.ParticipantsCount = ch.Title, int32(len(active))
		if ch.About != "" {
			out.About = tl.Some(ch.About)
		}
		if ch.Megagroup {
			members = active
		}
	}
	// A few members of a group are shown, as Telegram does.
	users := map[int64]bool{}
	for _, id := range members[:min(len(members), 10)] {
		users[id] = true
	}
	out.Participants = m.renderUsers(c.u, users)
	return out, nil
}

func messagesImportChatInvite(c *call, q *api.MessagesImportChatInviteRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	inv, err := m.lookupInvite(q.Hash)
	if err != nil {
		return nil, err
	}
	upd, err := m.importInvite(c.u, inv, c.ks.ref)
	if err != nil {
		return nil, err
	}
	return &api.MessagesChatInviteJoinResultOk{Updates: upd}, nil
}

// importInvite joins u to the chat of a usable invite link.
func (m *model) importInvite(u *user, inv *invite, except keyRef) (api.UpdatesClass, error) {
	k, id := peerKind(inv.peer)
	switch {
	case k == 'g' && m.chats[id].isMember(u.ID), k == 'c' && m.channels[id].member(u.ID) != nil:
		return nil, errf(400, "USER_ALREADY_PARTICIPANT")
	case k == 'c' && m.channels[id].kicked(u.ID):
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if inv.request {
		for _, im := range inv.importers {
			if im.user == u.ID && im.requested {
				return nil, errf(400, "INVITE_REQUEST_SENT")
			}
		}
		inv.requested++
		inv.importers = append(inv.importers, importer{user: u.ID, date: m.date(), requested: true})
		return nil, errf(400, "INVITE_REQUEST_SENT")
	}
	var upd api.UpdatesClass
	if k == 'g' {
		c := m.chats[id]
		if len(c.joined) >= maxChatMembers {
			return nil, errf(400, "USERS_TOO_MUCH")
		}
		c.join(u.ID, inv.admin, m.date())
		c.Version++
		var err error
		if upd, err = m.chatService(u, c, &api.MessageActionChatJoinedByLink{InviterID: inv.admin}, except); err != nil {
			return nil, err
		}
		m.chatParticipantChanged(c, u.ID, u.ID, nil, chatParticipantOf(c, u.ID), m.renderInvite(inv))
	} else {
		var err error
		if upd, err = m.joinChannelAs(u, m.channels[id], inv.admin, m.renderInvite(inv), except); err != nil {
			return nil, err
		}
	}
	inv.usage++
	inv.importers = append(inv.importers, importer{user: u.ID, date: m.date()})
	return upd, nil
}

// managedInvite finds a link of a chat that u may edit: their own, or any
// for the creator.
func (m *model) managedInvite(u *user, in api.InputPeerClass, link string) (*invite, error) {
	peer, err := m.inviteChat(u, in)
	if err != nil {
		return nil, err
	}
	inv := m.invites[hashOf(link)]
	if inv == nil || inv.peer != peer {
		return nil, errf(400, "INVITE_HASH_INVALID")
	}
	if inv.admin != u.ID && !m.isCreatorOf(u, peer) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	return inv, nil
}

func messagesEditExportedChatInvite(c *call, q *api.MessagesEditExportedChatInviteRequest) (tl.Object, error) {
	m := c.e.m
	inv, err := m.managedInvite(c.u, q.Peer, q.Link)
	if err != nil {
		return nil, err
	}
	if inv.revoked {
		return nil, errf(400, "INVITE_HASH_EXPIRED")
	}
	users := map[int64]bool{inv.admin: true}
	if q.Revoked {
		inv.revoked = true
		if inv.permanent {
			// A revoked permanent link is replaced at once.
			next := m.permanentInvite(inv.peer, inv.admin)
			return &api.MessagesExportedChatInviteReplaced{Invite: m.renderInvite(inv), NewInvite: m.renderInvite(next),
				Users: m.renderUsers(c.u, users)}, nil
		}
		return &api.MessagesExportedChatInvite{Invite: m.renderInvite(inv), Users: m.renderUsers(c.u, users)}, nil
	}
	edited := *inv
	if err := m.setInviteOptions(&edited, q.ExpireDate, q.UsageLimit, q.RequestNeeded, q.Title); err != nil {
		return nil, err
	}
	*inv = edited
	return &api.MessagesExportedChatInvite{Invite: m.renderInvite(inv), Users: m.renderUsers(c.u, users)}, nil
}

func messagesGetExportedChatInvites(c *call, q *api.MessagesGetExportedChatInvitesRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inviteChat(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	admin, err := m.inputUser(c.u, q.AdminID)
	if err != nil {
		return nil, err
	}
	if admin.ID != c.u.ID && !m.isCreatorOf(c.u, peer) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	var all []*invite
	for _, inv := range m.invitesOf(peer) {
		if inv.admin == admin.ID && inv.revoked == q.Revoked {
			all = append(all, inv)
		}
	}
	sel := all
	if link, ok := q.OffsetLink.Get(); ok && link != "" {
		hash := hashOf(link)
		for i, inv := range all {
			if inv.hash == hash {
				sel = all[i+1:]
				break
			}
		}
	} else if d, ok := q.OffsetDate.Get(); ok && d != 0 {
		i := sort.Search(len(all), func(i int) bool { return all[i].date < d })
		sel = all[i:]
	}
	limit := int(q.Limit)
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	sel = sel[:min(limit, len(sel))]
	out := &api.MessagesExportedChatInvites{Count: int32(len(all))}
	for _, inv := range sel {
		out.Invites = append(out.Invites, m.renderInvite(inv))
	}
	out.Users = m.renderUsers(c.u, map[int64]bool{admin.ID: true})
	return out, nil
}

func messagesDeleteExportedChatInvite(c *call, q *api.MessagesDeleteExportedChatInviteRequest) (tl.Object, error) {
	m := c.e.m
	inv, err := m.managedInvite(c.u, q.Peer, q.Link)
	if err != nil {
		return nil, err
	}
	if !inv.revoked {
		return nil, errf(400, "INVITE_REVOKED_MISSING") // only revoked links may be deleted
	}
	delete(m.invites, inv.hash)
	return boolResult(true), nil
}

func messagesGetChatInviteImporters(c *call, q *api.MessagesGetChatInviteImportersRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inviteChat(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	var invs []*invite
	if link, ok := q.Link.Get(); ok {
		inv := m.invites[hashOf(link)]
		if inv == nil || inv.peer != peer {
			return nil, errf(400, "INVITE_HASH_INVALID")
		}
		invs = []*invite{inv}
	} else {
		invs = m.invitesOf(peer)
	}
	var all []importer
	for _, inv := range invs {
		for _, im := range inv.importers {
			if im.requested == q.Requested {
				all = append(all, im)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].date > all[j].date })
	out := &api.MessagesChatInviteImporters{Count: int32(len(all))}
	users := map[int64]bool{}
	limit := int(q.Limit)
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	for _, im := range all[:min(limit, len(all))] {
		out.Importers = append(out.Importers, &api.ChatInviteImporter{Requested: im.requested, UserID: im.user, Date: im.date})
		users[im.user] = true
	}
	out.Users = m.renderUsers(c.u, users)
	return out, nil
}
