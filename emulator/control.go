package emulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl/api"
)

// The control API: what a test does to the emulated Telegram from outside
// any client.

// User is an account of the emulator.
type User struct {
	ID        int64
	Phone     string
	FirstName string
	LastName  string
	Username  string
	Bot       bool
	// DC is the data centre the account lives on (where it must log in).
	DC int
}

// Message is a message as one user sees it, for assertions.
type Message struct {
	// ID is the message id in the viewer's box (or in the channel).
	ID int32
	// FromID is the sender's user id (0 for a broadcast channel post).
	FromID int64
	// PeerID is the marked id of the chat: a user id, -chat id, or
	// -100… channel id.
	PeerID int64
	// Out reports a message the viewer sent.
	Out  bool
	Text string
	// Entities are the formatting entities as stored.
	Entities []api.MessageEntityClass
	Date     time.Time
	// EditDate is zero for a message never edited.
	EditDate time.Time
	// ReplyTo is the id of the message replied to (0: none).
	ReplyTo int32
	// FwdFromID is the original sender of a forwarded message (a user id or
	// a marked channel id; 0: not forwarded).
	FwdFromID int64
	// Service reports a service message (chat created, user added, …);
	// Action is its action.
	Service bool
	Action  api.MessageActionClass
	// HasMarkup reports a reply markup (buttons).
	HasMarkup bool
	// Media is the photo or document of the message (nil: none); Data is
	// its content.
	Media api.MessageMediaClass
	Data  []byte
	// GroupedID is the album a message belongs to (0: none).
	GroupedID int64
}

func (e *Emulator) exportUser(u *user) *User {
	return &User{ID: u.ID, Phone: u.Phone, FirstName: u.First, LastName: u.Last, Username: u.Username, Bot: u.Bot, DC: u.DC}
}

// CreateUser creates an account. A phone of the form 99966XYYYY lives on DC
// X, any other phone on DC 2 (DC 1 with a single DC). username may be "".
func (e *Emulator) CreateUser(phone, firstName, lastName, username string) (*User, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := normPhone(phone)
	if p == "" {
		return nil, fmt.Errorf("emulator: CreateUser: %q is not a phone number (5 to 15 digits)", phone)
	}
	if len(p) == 10 && strings.HasPrefix(p, "99966") {
		if dc := int(p[5] - '0'); dc < 1 || dc > e.m.dcs {
			return nil, fmt.Errorf("emulator: CreateUser: test phone %s names DC %d, but there are %d DCs", p, dc, e.m.dcs)
		}
	}
	u, err := e.m.newUser(p, firstName, lastName, username, false, e.m.phoneDC(p))
	if err != nil {
		return nil, fmt.Errorf("emulator: CreateUser %s: %w", p, err)
	}
	return e.exportUser(u), nil
}

// CreateBot creates a bot account on DC 2 (DC 1 with a single DC) and
// returns it with its token ("id:secret", for auth.importBotAuthorization).
func (e *Emulator) CreateBot(username, firstName string) (*User, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if username == "" || !strings.HasSuffix(strings.ToLower(username), "bot") {
		return nil, "", fmt.Errorf("emulator: CreateBot: username %q must end in \"bot\", as on Telegram", username)
	}
	if firstName == "" {
		firstName = username
	}
	u, err := e.m.newUser("", firstName, "", username, true, e.m.defaultDC())
	if err != nil {
		return nil, "", fmt.Errorf("emulator: CreateBot %s: %w", username, err)
	}
	return e.exportUser(u), u.botToken(), nil
}

// BotToken returns the token of a bot.
func (e *Emulator) BotToken(botID int64) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[botID]
	if u == nil || !u.Bot {
		return "", fmt.Errorf("emulator: user %d is not a bot", botID)
	}
	return u.botToken(), nil
}

// LookupUser returns an account by id (nil if none).
func (e *Emulator) LookupUser(id int64) *User {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.m.users[id]; u != nil {
		return e.exportUser(u)
	}
	return nil
}

// LoginCode returns the code auth.sendCode "sends" to a phone: its DC digit
// repeated five times ("22222" for 9996621234).
func (e *Emulator) LoginCode(phone string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.loginCode(normPhone(phone))
}

// SetPassword sets (or, with an empty password, removes) the 2FA password of
// a user. Logging in then needs the SRP check of auth.checkPassword.
func (e *Emulator) SetPassword(userID int64, pass, hint string) error {
	var pw *password
	if pass != "" {
		// PBKDF2 with 100000 rounds: compute outside the lock.
		pw = &password{Salt1: randomToken(40), Salt2: randomToken(16), Hint: hint}
		v, err := crypto.PasswordHash([]byte(pass), srpParams(pw))
		if err != nil {
			return fmt.Errorf("emulator: SetPassword: %w", err)
		}
		pw.Verifier = v
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[userID]
	if u == nil {
		return fmt.Errorf("emulator: SetPassword: no user %d", userID)
	}
	u.pw = pw
	return nil
}

// AddContact adds contact to owner's contacts (both ways makes them mutual).
func (e *Emulator) AddContact(owner, contact int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, c := e.m.users[owner], e.m.users[contact]
	if o == nil || c == nil || owner == contact {
		return fmt.Errorf("emulator: AddContact(%d, %d): no such users", owner, contact)
	}
	o.contacts[contact] = true
	return nil
}

// SendMessage posts a text message as any user to a marked peer (user id,
// -chat id, -100… channel id). Every connection of every participant,
// including the sender's, gets the updates a real send produces. It returns
// the id of the message in the sender's box (or the channel).
func (e *Emulator) SendMessage(from, toPeer int64, text string) (int32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[from]
	if u == nil {
		return 0, fmt.Errorf("emulator: SendMessage: no user %d", from)
	}
	if err := e.m.checkPeer(toPeer); err != nil {
		return 0, fmt.Errorf("emulator: SendMessage to %d: %w", toPeer, err)
	}
	res, err := e.m.send(u, toPeer, sendOpts{text: text}, keyRef{})
	if err != nil {
		return 0, fmt.Errorf("emulator: SendMessage from %d to %d: %w", from, toPeer, err)
	}
	e.flushUpdates()
	return sentID(res), nil
}

// sentID returns the message id an answer to a send announces.
func sentID(res api.UpdatesClass) int32 {
	switch r := res.(type) {
	case *api.UpdateShortSentMessage:
		return r.ID
	case *api.Updates:
		for _, up := range r.Updates {
			switch x := up.(type) {
			case *api.UpdateNewMessage:
				return messageID(x.Message)
			case *api.UpdateNewChannelMessage:
				return messageID(x.Message)
			}
		}
	}
	return 0
}

func messageID(m api.MessageClass) int32 {
	switch x := m.(type) {
	case *api.Message:
		return x.ID
	case *api.MessageService:
		return x.ID
	}
	return 0
}

func (m *model) checkPeer(marked int64) error {
	switch k, id := peerKind(marked); k {
	case 'u':
		if m.users[id] != nil {
			return nil
		}
	case 'g':
		if m.chats[id] != nil {
			return nil
		}
	case 'c':
		if m.channels[id] != nil {
			return nil
		}
	}
	return errPeerInvalid
}

// CreateChat creates a basic group owned by creator with the given members
// and returns its marked id (-chat id).
func (e *Emulator) CreateChat(creator int64, title string, members ...int64) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cu := e.m.users[creator]
	if cu == nil {
		return 0, fmt.Errorf("emulator: CreateChat: no user %d", creator)
	}
	var us []*user
	for _, id := range members {
		u := e.m.users[id]
		if u == nil {
			return 0, fmt.Errorf("emulator: CreateChat: no user %d", id)
		}
		if id != creator {
			us = append(us, u)
		}
	}
	c, _, err := e.m.createChat(cu, title, us, keyRef{})
	if err != nil {
		return 0, fmt.Errorf("emulator: CreateChat: %w", err)
	}
	e.flushUpdates()
	return chatPeer(c.ID), nil
}

// CreateChannel creates a broadcast channel (megagroup false) or a
// supergroup owned by creator, with the given members, and returns its
// marked id (-100…). A non-empty username makes it public.
func (e *Emulator) CreateChannel(creator int64, title, username string, megagroup bool, members ...int64) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cu := e.m.users[creator]
	if cu == nil {
		return 0, fmt.Errorf("emulator: CreateChannel: no user %d", creator)
	}
	if username != "" {
		if !validUsername(username) {
			return 0, fmt.Errorf("emulator: CreateChannel: invalid username %q", username)
		}
		if _, ok := e.m.usernames[strings.ToLower(username)]; ok {
			return 0, fmt.Errorf("emulator: CreateChannel: username %q is taken", username)
		}
	}
	ch, _, err := e.m.createChannel(cu, title, "", !megagroup, keyRef{})
	if err != nil {
		return 0, fmt.Errorf("emulator: CreateChannel: %w", err)
	}
	if username != "" {
		ch.Username = username
		e.m.usernames[strings.ToLower(username)] = channelPeer(ch.ID)
	}
	var us []*user
	for _, id := range members {
		if u := e.m.users[id]; u != nil && id != creator {
			us = append(us, u)
		}
	}
	if len(us) > 0 {
		if _, err := e.m.inviteChannel(cu, ch, us, keyRef{}); err != nil {
			return 0, fmt.Errorf("emulator: CreateChannel: %w", err)
		}
	}
	e.flushUpdates()
	return channelPeer(ch.ID), nil
}

// History returns the messages of a dialog as viewer sees them, oldest
// first.
func (e *Emulator) History(viewer, peerMarkedID int64) ([]Message, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[viewer]
	if u == nil {
		return nil, fmt.Errorf("emulator: History: no user %d", viewer)
	}
	var out []Message
	if k, id := peerKind(peerMarkedID); k == 'c' {
		ch := e.m.channels[id]
		if ch == nil || !ch.canRead(viewer) {
			return nil, fmt.Errorf("emulator: History: user %d cannot read channel %d", viewer, peerMarkedID)
		}
		for _, mid := range ch.ids {
			p := ch.msgs[mid]
			msg := e.m.exportPost(p, mid, peerMarkedID, p.from == viewer)
			if p.replyTo != nil {
				msg.ReplyTo = p.replyTo.id
			}
			if ch.Broadcast {
				msg.FromID = 0
			}
			out = append(out, msg)
		}
		return out, nil
	}
	d := u.dialogs[peerMarkedID]
	if d == nil {
		return nil, nil
	}
	for _, mid := range d.ids {
		bm := u.msgs[mid]
		msg := e.m.exportPost(bm.p, mid, peerMarkedID, bm.out)
		if bm.p.replyTo != nil {
			msg.ReplyTo = bm.p.replyTo.copies[viewer]
		}
		out = append(out, msg)
	}
	return out, nil
}

func (m *model) exportPost(p *post, id int32, peer int64, out bool) Message {
	msg := Message{ID: id, FromID: p.from, PeerID: peer, Out: out, Text: p.text, Entities: p.entities,
		Date: time.Unix(int64(p.date), 0), Service: p.action != nil, Action: p.action, HasMarkup: p.markup != nil,
		Media: p.media, GroupedID: p.grouped}
	if f := m.files[p.file]; p.file != 0 && f != nil {
		msg.Media, msg.Data = f.media(), f.Data
	}
	if p.editDate != 0 {
		msg.EditDate = time.Unix(int64(p.editDate), 0)
	}
	if p.fwd != nil {
		msg.FwdFromID = markedOf(p.fwd.FromID)
	}
	return msg
}

// UpdateState returns a user's pts, qts and seq, as updates.getState would.
func (e *Emulator) UpdateState(userID int64) (pts, qts, seq int32, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.m.users[userID]
	if u == nil {
		return 0, 0, 0, fmt.Errorf("emulator: UpdateState: no user %d", userID)
	}
	return u.pts, u.qts, u.seq, nil
}

// Promote makes a user an admin of a channel or supergroup (-100… id) with
// the given rights, acting as its creator, as channels.editAdmin does: the
// user is added if they are not a member, their sessions are told with
// updateChannel, and bots watching the members get updateChannelParticipant.
// nil rights are every right (the creator's); a zero ChatAdminRights
// demotes. For a basic group (-chat id) any rights make the user an admin
// and zero rights demote them (messages.editChatAdmin: basic groups have no
// granular rights).
func (e *Emulator) Promote(chatMarkedID, userID int64, rights *api.ChatAdminRights) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flushUpdates()
	u := e.m.users[userID]
	if u == nil {
		return fmt.Errorf("emulator: Promote: no user %d", userID)
	}
	if rights == nil {
		rights = adminRights()
	}
	var err error
	switch k, id := peerKind(chatMarkedID); k {
	case 'c':
		ch := e.m.channels[id]
		if ch == nil {
			return fmt.Errorf("emulator: Promote: no channel %d", chatMarkedID)
		}
		_, err = e.m.editAdmin(e.m.users[ch.Creator], ch, u, rights, "", keyRef{})
	case 'g':
		c := e.m.chats[id]
		if c == nil {
			return fmt.Errorf("emulator: Promote: no chat %d", chatMarkedID)
		}
		err = e.m.setChatAdmin(e.m.users[c.Creator], c, u, !noAdminRights(rights))
	default:
		return fmt.Errorf("emulator: Promote: %d is not a chat or channel id", chatMarkedID)
	}
	if err != nil {
		return fmt.Errorf("emulator: Promote %d in %d: %w", userID, chatMarkedID, err)
	}
	return nil
}

// Ban restricts a user in a channel or supergroup (-100… id), acting as its
// creator, as channels.editBanned does. nil rights kick the user for good
// (view_messages); a zero ChatBannedRights lifts every restriction (a
// kicked user stays out until added again); anything else restricts them,
// until rights.UntilDate if set. In a basic group (-chat id) nil rights or
// view_messages remove the user (messages.deleteChatUser), a zero value does
// nothing, and other restrictions are an error: basic groups only have
// default rights.
func (e *Emulator) Ban(chatMarkedID, userID int64, rights *api.ChatBannedRights) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.flushUpdates()
	u := e.m.users[userID]
	if u == nil {
		return fmt.Errorf("emulator: Ban: no user %d", userID)
	}
	if rights == nil {
		rights = &api.ChatBannedRights{ViewMessages: true}
	}
	var err error
	switch k, id := peerKind(chatMarkedID); k {
	case 'c':
		ch := e.m.channels[id]
		if ch == nil {
			return fmt.Errorf("emulator: Ban: no channel %d", chatMarkedID)
		}
		_, err = e.m.editBanned(e.m.users[ch.Creator], ch, u.ID, rights, keyRef{})
	case 'g':
		c := e.m.chats[id]
		if c == nil {
			return fmt.Errorf("emulator: Ban: no chat %d", chatMarkedID)
		}
		switch {
		case noBans(rights):
		case rights.ViewMessages:
			_, err = e.m.deleteChatUser(e.m.users[c.Creator], c, u, false, keyRef{})
		default:
			return fmt.Errorf("emulator: Ban: basic group %d has no per-user restrictions, only default rights", chatMarkedID)
		}
	default:
		return fmt.Errorf("emulator: Ban: %d is not a chat or channel id", chatMarkedID)
	}
	if err != nil {
		return fmt.Errorf("emulator: Ban %d in %d: %w", userID, chatMarkedID, err)
	}
	return nil
}

// InviteLink returns the permanent invite link ("https://t.me/+HASH") of a
// basic group (-chat id), channel or supergroup (-100… id), the one its
// creator would export; "" for an unknown chat. Users join with
// messages.importChatInvite and the hash after the "+".
func (e *Emulator) InviteLink(chatMarkedID int64) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var creator int64
	switch k, id := peerKind(chatMarkedID); k {
	case 'c':
		if ch := e.m.channels[id]; ch != nil {
			creator = ch.Creator
		}
	case 'g':
		if c := e.m.chats[id]; c != nil {
			creator = c.Creator
		}
	}
	if creator == 0 {
		return ""
	}
	return e.m.permanentInvite(chatMarkedID, creator).link()
}
