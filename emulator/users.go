package emulator

import (
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func init() {
	on(anyKey, helpGetConfig)
	on(anyKey, helpGetNearestDC)
	on(anyKey, helpGetAppConfig)
	on(needUser, updatesGetState)
	on(needUser, updatesGetDifference)
	on(needUser, usersGetUsers)
	on(needUser, usersGetFullUser)
	on(needUser, contactsResolveUsername)
	on(needUser, contactsResolvePhone)
	on(needUser, contactsImportContacts)
	on(needUser, contactsGetContacts)
	on(needUser, contactsAddContact)
	on(needUser, contactsDeleteContacts)
	on(needUser, accountUpdateProfile)
	on(needUser, accountUpdateUsername)
	on(needUser, accountUpdateStatus)
	on(needUser, photosGetUserPhotos)
}

func accountUpdateStatus(c *call, q *api.AccountUpdateStatusRequest) (tl.Object, error) {
	c.e.m.pushStatus(c.u, q.Offline)
	return boolResult(true), nil
}

func photosGetUserPhotos(c *call, q *api.PhotosGetUserPhotosRequest) (tl.Object, error) {
	return userPhotos(c, q) // files.go
}

func helpGetConfig(c *call, q *api.HelpGetConfigRequest) (tl.Object, error) {
	e := c.e
	now := e.m.date()
	var opts []api.DCOptionClass
	for _, d := range e.dcs {
		opts = append(opts, &api.DCOption{ID: int32(d.id), IPAddress: d.host, Port: int32(d.port)})
	}
	cdn := e.cdnServer
	opts = append(opts, &api.DCOption{CDN: true, ID: int32(cdn.id), IPAddress: cdn.host, Port: int32(cdn.port)})
	return &api.Config{
		Date: now, Expires: now + 3600, ThisDC: int32(c.dc.id), DCOptions: opts,
		DCTxtDomainName: "emulator.invalid", ChatSizeMax: 200, MegagroupSizeMax: 200000,
		ForwardedCountMax: 100, OnlineUpdatePeriodMs: 210000, OfflineBlurTimeoutMs: 5000,
		OfflineIdleTimeoutMs: 30000, OnlineCloudTimeoutMs: 300000, NotifyCloudDelayMs: 30000,
		NotifyDefaultDelayMs: 1500, PushChatPeriodMs: 60000, PushChatLimit: 2, EditTimeLimit: 172800,
		RevokeTimeLimit: 2147483647, RevokePmTimeLimit: 2147483647, RatingEDecay: 2419200,
		StickersRecentLimit: 200, ChannelsReadMediaPeriod: 604800, TmpSessions: tl.Opt[int32]{},
		CallReceiveTimeoutMs: 20000, CallRingTimeoutMs: 90000, CallConnectTimeoutMs: 30000,
		CallPacketTimeoutMs: 10000, MeURLPrefix: "https://t.me/", CaptionLengthMax: 1024,
		MessageLengthMax: maxMessageLength, WebfileDCID: int32(c.e.m.defaultDC()),
	}, nil
}

func helpGetNearestDC(c *call, q *api.HelpGetNearestDCRequest) (tl.Object, error) {
	return &api.NearestDC{Country: "ZZ", ThisDC: int32(c.dc.id), NearestDC: int32(c.dc.id)}, nil
}

func helpGetAppConfig(c *call, q *api.HelpGetAppConfigRequest) (tl.Object, error) {
	return &api.HelpAppConfig{Hash: 1, Config: &api.JSONObject{}}, nil
}

func updatesGetState(c *call, q *api.UpdatesGetStateRequest) (tl.Object, error) {
	return c.e.m.state(c.u), nil
}

func updatesGetDifference(c *call, q *api.UpdatesGetDifferenceRequest) (tl.Object, error) {
	if q.Pts < c.u.pts && c.e.faults.takeTooLong(c.u.ID) {
		return &api.UpdatesDifferenceTooLong{Pts: c.u.pts}, nil
	}
	return c.e.m.difference(c.u, q.Pts, q.Qts, q.Date, q.PtsTotalLimit.Or(0)), nil
}

func usersGetUsers(c *call, q *api.UsersGetUsersRequest) (tl.Object, error) {
	m := c.e.m
	out := vectorResult{}
	for _, in := range q.ID {
		u, err := m.inputUser(c.u, in)
		if err != nil {
			continue // Telegram leaves out users it cannot resolve
		}
		out = append(out, m.renderUser(c.u, u, false))
	}
	return out, nil
}

func usersGetFullUser(c *call, q *api.UsersGetFullUserRequest) (tl.Object, error) {
	m := c.e.m
	u, err := m.inputUser(c.u, q.ID)
	if err != nil {
		return nil, err
	}
	full := &api.UserFull{ID: u.ID, Settings: &api.PeerSettings{}, NotifySettings: defaultNotify(),
		CommonChatsCount: m.commonChats(c.u, u)}
	if u.Bot {
		full.BotInfo = &api.BotInfo{UserID: tl.Some(u.ID), Description: tl.Some("")}
	}
	return &api.UsersUserFull{FullUser: full, Users: m.renderUsers(c.u, map[int64]bool{u.ID: true})}, nil
}

func (m *model) commonChats(a, b *user) int32 {
	var n int32
	for _, ch := range m.chats {
		if ch.isMember(a.ID) && ch.isMember(b.ID) {
			n++
		}
	}
	return n
}

func contactsResolveUsername(c *call, q *api.ContactsResolveUsernameRequest) (tl.Object, error) {
	m := c.e.m
	name := strings.TrimPrefix(q.Username, "@")
	if !validUsername(name) {
		return nil, errf(400, "USERNAME_INVALID")
	}
	marked, ok := m.usernames[strings.ToLower(name)]
	if !ok {
		return nil, errf(400, "USERNAME_NOT_OCCUPIED")
	}
	users, chats := peerRefs(marked)
	return &api.ContactsResolvedPeer{Peer: peerOf(marked), Users: m.renderUsers(c.u, users), Chats: m.renderChats(c.u, chats)}, nil
}

func contactsResolvePhone(c *call, q *api.ContactsResolvePhoneRequest) (tl.Object, error) {
	m := c.e.m
	if c.u.Bot {
		return nil, errBotMethod
	}
	phone := normPhone(q.Phone)
	if phone == "" {
		return nil, errf(400, "PHONE_NUMBER_INVALID")
	}
	id, ok := m.phones[phone]
	if !ok {
		return nil, errf(400, "PHONE_NOT_OCCUPIED")
	}
	users := m.renderUsers(c.u, map[int64]bool{id: true})
	// Whoever found the user by their number knows it.
	users[0].(*api.User).Phone = tl.Some(phone)
	return &api.ContactsResolvedPeer{Peer: &api.PeerUser{UserID: id}, Users: users}, nil
}

func contactsImportContacts(c *call, q *api.ContactsImportContactsRequest) (tl.Object, error) {
	m := c.e.m
	out := &api.ContactsImportedContacts{}
	users := map[int64]bool{}
	for _, in := range q.Contacts {
		pc, ok := in.(*api.InputPhoneContact)
		if !ok {
			continue
		}
		id, ok := m.phones[normPhone(pc.Phone)]
		if !ok || id == c.u.ID {
			continue
		}
		m.addContact(c, c.u, m.users[id])
		out.Imported = append(out.Imported, &api.ImportedContact{UserID: id, ClientID: pc.ClientID})
		users[id] = true
	}
	out.Users = m.renderUsers(c.u, users)
	return out, nil
}

// addContact adds contact to owner's contacts; both are told their new
// contact flags with updatePeerSettings-free user objects on next sight.
func (m *model) addContact(c *call, owner, contact *user) {
	owner.contacts[contact.ID] = true
}

func contactsGetContacts(c *call, q *api.ContactsGetContactsRequest) (tl.Object, error) {
	m := c.e.m
	out := &api.ContactsContacts{}
	ids := sortedKeys(c.u.contacts)
	set := map[int64]bool{}
	for _, id := range ids {
		u := m.users[id]
		if u == nil {
			continue
		}
		out.Contacts = append(out.Contacts, &api.Contact{UserID: id, Mutual: u.contacts[c.u.ID]})
		set[id] = true
	}
	out.Users = m.renderUsers(c.u, set)
	return out, nil
}

func contactsAddContact(c *call, q *api.ContactsAddContactRequest) (tl.Object, error) {
	m := c.e.m
	u, err := m.inputUser(c.u, q.ID)
	if err != nil {
		return nil, err
	}
	if u.ID == c.u.ID {
		return nil, errf(400, "CONTACT_ID_INVALID")
	}
	m.addContact(c, c.u, u)
	return m.updatesOf(c.u, nil, map[int64]bool{u.ID: true}, nil, 0), nil
}

func contactsDeleteContacts(c *call, q *api.ContactsDeleteContactsRequest) (tl.Object, error) {
	m := c.e.m
	set := map[int64]bool{}
	for _, in := range q.ID {
		u, err := m.inputUser(c.u, in)
		if err != nil {
			return nil, err
		}
		delete(c.u.contacts, u.ID)
		set[u.ID] = true
	}
	return m.updatesOf(c.u, nil, set, nil, 0), nil
}

func accountUpdateProfile(c *call, q *api.AccountUpdateProfileRequest) (tl.Object, error) {
	m := c.e.m
	u := c.u
	if v, ok := q.FirstName.Get(); ok {
		if strings.TrimSpace(v) == "" {
			return nil, errf(400, "FIRSTNAME_INVALID")
		}
		u.First = v
	}
	if v, ok := q.LastName.Get(); ok {
		u.Last = v
	}
	m.userChanged(u)
	return m.renderUser(u, u, false), nil
}

func accountUpdateUsername(c *call, q *api.AccountUpdateUsernameRequest) (tl.Object, error) {
	m := c.e.m
	u := c.u
	if err := m.setUsername(u, q.Username); err != nil {
		return nil, err
	}
	m.userChanged(u)
	return m.renderUser(u, u, false), nil
}

func (m *model) setUsername(u *user, name string) error {
	if strings.EqualFold(name, u.Username) {
		if name == u.Username {
			return errf(400, "USERNAME_NOT_MODIFIED")
		}
	} else if name != "" {
		if !validUsername(name) {
			return errf(400, "USERNAME_INVALID")
		}
		if _, ok := m.usernames[strings.ToLower(name)]; ok {
			return errf(400, "USERNAME_OCCUPIED")
		}
	}
	if u.Username != "" {
		delete(m.usernames, strings.ToLower(u.Username))
	}
	u.Username = name
	if name != "" {
		m.usernames[strings.ToLower(name)] = u.ID
	}
	return nil
}

// userChanged tells the user's sessions and the users who know them about a
// new name or username (updateUserName, without pts).
func (m *model) userChanged(u *user) {
	var names []api.UsernameClass
	if u.Username != "" {
		names = []api.UsernameClass{&api.Username{Editable: true, Active: true, Username: u.Username}}
	}
	upd := &api.UpdateUserName{UserID: u.ID, FirstName: u.First, LastName: u.Last, Usernames: names}
	m.pushOther(u, upd)
	for _, other := range m.users {
		if other.ID != u.ID && other.seen[u.ID] {
			m.pushOther(other, upd)
		}
	}
}
