package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sort"
	"strings"
	"time"

	"github.com/polygram/polygram/tl/api"
)

// The model is the state of the emulated Telegram: users, chats, channels,
// messages and every user's update sequence. It knows nothing of
// connections: operations record the updates each user must be pushed in
// model.out, and the emulator delivers them. Every method expects the
// emulator's lock to be held.
type model struct {
	now    func() time.Time
	dcs    int
	secret [32]byte // derives access hashes, bot tokens and code hashes

	users     map[int64]*user
	phones    map[string]int64
	usernames map[string]int64 // lower-case username → marked peer id
	chats     map[int64]*chat
	channels  map[int64]*channel

	nextUser    int64
	nextChat    int64
	nextChannel int64

	queries    map[int64]*botQuery      // callback and inline queries waiting for bots
	inline     map[string]*inlineResult // inline results by query and result id
	uploads    map[uploadKey]*upload
	files      map[int64]*file
	nextFile   int64
	codes      map[string]*sentCode     // by phone_code_hash
	exported   map[string]*exportedAuth // by bytes
	tokens     map[string]*loginToken   // QR login tokens
	invites    map[string]*invite       // invite links by hash
	out        []delivery               // updates to push, drained by the emulator
	journalMax int                      // events kept per sequence
	fx         friendlyState            // pins, scheduled messages, folders (friendly_state.go)
}

// delivery is one Updates value to push to every connection of a user,
// except the connection of the key that made the call (it gets the answer).
type delivery struct {
	user   int64
	except keyRef
	upd    api.UpdatesClass
}

// Id spaces, chosen so that marked ids never overlap.
const (
	firstUserID    = 1_000_001
	firstChatID    = 1_001
	firstChannelID = 1_000_000_001
	channelMark    = 1_000_000_000_000
)

func newModel(now func() time.Time, dcs int) *model {
	m := &model{now: now, dcs: dcs,
		users: map[int64]*user{}, phones: map[string]int64{}, usernames: map[string]int64{},
		chats: map[int64]*chat{}, channels: map[int64]*channel{},
		nextUser: firstUserID, nextChat: firstChatID, nextChannel: firstChannelID,
		queries: map[int64]*botQuery{}, inline: map[string]*inlineResult{},
		uploads: map[uploadKey]*upload{}, files: map[int64]*file{}, nextFile: firstFileID,
		codes: map[string]*sentCode{}, exported: map[string]*exportedAuth{}, tokens: map[string]*loginToken{},
		invites:    map[string]*invite{},
		journalMax: 10000,
	}
	rand.Read(m.secret[:])
	return m
}

func (m *model) date() int32 { return int32(m.now().Unix()) }

// user is an account: a person or a bot.
type user struct {
	ID        int64
	Phone     string
	First     string
	Last      string
	Username  string
	Bot       bool
	DC        int
	botSecret string
	pw        *password
	photo     int64 // profile photo file id (0: none)
	created   int32

	contacts map[int64]bool // users this user added to their contacts
	seen     map[int64]bool // users this user has been sent in full

	// Update state of the common message box.
	pts, qts, seq int32
	journal       []event // the newest events, pts ascending
	hold          bool
	lose          int

	// The message box: private chats and basic groups.
	lastMsgID int32
	msgs      map[int32]*boxMsg
	dialogs   map[int64]*dialog // by marked peer id
	random    map[int64]*sentRandom
}

// password is a 2FA password as the server stores it.
type password struct {
	Salt1, Salt2 []byte
	Verifier     []byte
	Hint         string
}

type sentRandom struct {
	peer int64
	msg  int32
	res  api.UpdatesClass
}

// boxMsg is one user's copy of a message in the common box.
type boxMsg struct {
	id   int32
	peer int64 // marked id of the dialog
	out  bool
	p    *post
}

// post is a message as sent; every box holding a copy points to it.
type post struct {
	from     int64 // user id (0 for a channel post)
	date     int32
	editDate int32
	text     string
	entities []api.MessageEntityClass
	markup   api.ReplyMarkupClass
	media    api.MessageMediaClass
	file     int64                  // a stored photo or document, rendered as media
	grouped  int64                  // album id
	viaBot   int64                  // the bot of an inline result
	action   api.MessageActionClass // service messages
	fwd      *api.MessageFwdHeader
	silent   bool
	replyTo  *post
	copies   map[int64]int32 // user id → id in that user's box
	// Channel posts.
	channel int64
	id      int32
	deleted bool
}

// dialog is a conversation in a user's list.
type dialog struct {
	peer     int64
	ids      []int32 // ascending
	readIn   int32
	readOut  int32
	pinned   bool
	pinOrder int64
}

func (d *dialog) top() int32 {
	if len(d.ids) == 0 {
		return 0
	}
	return d.ids[len(d.ids)-1]
}

func (d *dialog) add(id int32) {
	if n := len(d.ids); n == 0 || d.ids[n-1] < id {
		d.ids = append(d.ids, id)
		return
	}
	i := sort.Search(len(d.ids), func(i int) bool { return d.ids[i] >= id })
	if i < len(d.ids) && d.ids[i] == id {
		return
	}
	d.ids = append(d.ids, 0)
	copy(d.ids[i+1:], d.ids[i:])
	d.ids[i] = id
}

func (d *dialog) remove(id int32) {
	i := sort.Search(len(d.ids), func(i int) bool { return d.ids[i] >= id })
	if i < len(d.ids) && d.ids[i] == id {
		d.ids = append(d.ids[:i], d.ids[i+1:]...)
	}
}

// chat is a basic group.
type chat struct {
	ID          int64
	Title       string
	Creator     int64
	Date        int32
	Version     int32
	members     []int64 // in joining order
	inviter     map[int64]int64
	joined      map[int64]int32
	deactivated bool

	admins        map[int64]bool        // members made admins by the creator
	defaultBanned *api.ChatBannedRights // what members may not do (nil: nothing banned)
}

func (c *chat) isMember(id int64) bool {
	_, ok := c.joined[id]
	return ok
}

// Marked ids: users as is, basic groups negated, channels as -100… (Bot API).
func chatPeer(id int64) int64    { return -id }
func channelPeer(id int64) int64 { return -(channelMark + id) }

func peerKind(marked int64) (kind byte, id int64) {
	switch {
	case marked > 0:
		return 'u', marked
	case marked < -channelMark:
		return 'c', -marked - channelMark
	case marked < 0:
		return 'g', -marked
	}
	return 0, 0
}

func peerOf(marked int64) api.PeerClass {
	switch k, id := peerKind(marked); k {
	case 'u':
		return &api.PeerUser{UserID: id}
	case 'g':
		return &api.PeerChat{ChatID: id}
	case 'c':
		return &api.PeerChannel{ChannelID: id}
	}
	return nil
}

func markedOf(p api.PeerClass) int64 {
	switch p := p.(type) {
	case *api.PeerUser:
		return p.UserID
	case *api.PeerChat:
		return chatPeer(p.ChatID)
	case *api.PeerChannel:
		return channelPeer(p.ChannelID)
	}
	return 0
}

// mac returns a keyed 64-bit value of parts.
func (m *model) mac(parts ...any) int64 {
	h := hmac.New(sha256.New, m.secret[:])
	var b [8]byte
	for _, p := range parts {
		switch v := p.(type) {
		case int64:
			binary.LittleEndian.PutUint64(b[:], uint64(v))
			h.Write(b[:])
		case string:
			h.Write([]byte(v))
			h.Write([]byte{0})
		case byte:
			h.Write([]byte{v})
		}
	}
	return int64(binary.LittleEndian.Uint64(h.Sum(nil)))
}

// accessHash is the access hash of a user or channel as one viewer sees it:
// every viewer has its own, as on Telegram.
func (m *model) accessHash(viewer int64, kind byte, id int64) int64 {
	return m.mac(kind, viewer, id)
}

// normPhone returns the digits of a phone number ("" if it is not one).
func normPhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return ""
		}
	}
	if b.Len() < 5 || b.Len() > 15 {
		return ""
	}
	return b.String()
}

// phoneDC returns the DC a phone lives on: 99966XYYYY lives on DC X
// (Telegram's test-number convention), a registered phone where its user
// is, anything else on DC 2.
func (m *model) phoneDC(phone string) int {
	if id, ok := m.phones[phone]; ok {
		return m.users[id].DC
	}
	if len(phone) == 10 && strings.HasPrefix(phone, "99966") {
		if dc := int(phone[5] - '0'); dc >= 1 && dc <= m.dcs {
			return dc
		}
	}
	return m.defaultDC()
}

func (m *model) defaultDC() int { return min(2, m.dcs) }

// loginCode is the code auth.sendCode "sends": the DC digit five times.
func (m *model) loginCode(phone string) string {
	return strings.Repeat(string(rune('0'+m.phoneDC(phone))), 5)
}

func validUsername(s string) bool {
	if len(s) < 4 || len(s) > 32 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case (r >= '0' && r <= '9') || r == '_':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return !strings.HasSuffix(s, "_")
}

// newUser creates an account.
func (m *model) newUser(phone, first, last, username string, bot bool, dc int) (*user, error) {
	if first == "" {
		return nil, errf(400, "FIRSTNAME_INVALID")
	}
	if phone != "" {
		if _, ok := m.phones[phone]; ok {
			return nil, errf(400, "PHONE_NUMBER_OCCUPIED")
		}
	}
	if username != "" {
		if !validUsername(username) {
			return nil, errf(400, "USERNAME_INVALID")
		}
		if _, ok := m.usernames[strings.ToLower(username)]; ok {
			return nil, errf(400, "USERNAME_OCCUPIED")
		}
	}
	u := &user{ID: m.nextUser, Phone: phone, First: first, Last: last, Username: username, Bot: bot, DC: dc,
		created: m.date(), contacts: map[int64]bool{}, seen: map[int64]bool{},
		pts: 1, msgs: map[int32]*boxMsg{}, dialogs: map[int64]*dialog{}, random: map[int64]*sentRandom{}}
	m.nextUser++
	m.users[u.ID] = u
	if phone != "" {
		m.phones[phone] = u.ID
	}
	if username != "" {
		m.usernames[strings.ToLower(username)] = u.ID
	}
	if bot {
		u.botSecret = m.botSecret(u.ID)
	}
	return u, nil
}

func (m *model) botSecret(id int64) string {
	h := hmac.New(sha256.New, m.secret[:])
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(id))
	h.Write([]byte("bot"))
	h.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:35]
}

// randomToken returns n random bytes.
func randomToken(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// sentCode is a login code auth.sendCode sent.
type sentCode struct {
	phone   string
	dc      int
	expires time.Time
	used    bool
}

// exportedAuth is an auth.exportAuthorization answer waiting for import.
type exportedAuth struct {
	user    int64
	dc      int
	expires time.Time
}

// loginToken is a QR login token.
type loginToken struct {
	token    []byte
	ref      keyRef // the key that exported it
	expires  time.Time
	accepted int64 // the user who accepted it
	used     bool
}

// dialogOf returns (creating) a user's dialog with a peer.
func (u *user) dialogOf(peer int64) *dialog {
	d := u.dialogs[peer]
	if d == nil {
		d = &dialog{peer: peer}
		u.dialogs[peer] = d
	}
	return d
}

func lower(s string) string { return strings.ToLower(s) }
