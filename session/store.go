package session

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// PeerKind tells which of Telegram's three peer namespaces an id lives in.
// The zero value is not a valid kind.
type PeerKind uint8

// The peer kinds. A bare id is unique only within its kind.
const (
	PeerUser    PeerKind = iota + 1 // a user or a bot
	PeerChat                        // a basic group chat
	PeerChannel                     // a channel, supergroup or gigagroup
)

// String returns "user", "chat" or "channel" (or "kind(N)" for anything else).
func (k PeerKind) String() string {
	switch k {
	case PeerUser:
		return "user"
	case PeerChat:
		return "chat"
	case PeerChannel:
		return "channel"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

func (k PeerKind) valid() bool { return k >= PeerUser && k <= PeerChannel }

// Peer is a cached entity: what a session remembers of a user, chat or
// channel so that it can address it later without asking the server.
type Peer struct {
	ID         int64    // bare id (not marked)
	Kind       PeerKind // which namespace ID is in
	AccessHash int64    // 0 for basic chats
	Username   string   // main username, lower-cased for lookup, "" if none
	Usernames  []string // all active usernames, as the server spells them
	Phone      string   // digits only, "" if unknown
	Name       string   // display name (first + last, or title)
	Bot        bool
	// Min is set when the peer was seen only as a "min" constructor: its
	// access hash is valid only in the context it was received in, so it is
	// not usable for every call. A Min peer never overwrites the access hash
	// of a non-min peer already stored.
	Min       bool
	UpdatedAt time.Time // when the peer was last saved; zero means "now" on save
}

// markedChannelBase is what the Bot API subtracts channel ids from:
// channel 1234 is -1000000001234.
const markedChannelBase = 1000000000000

// MarkedID returns the Bot-API style id: the user id for a user, -id for a
// basic chat and -1000000000000-id (printed as -100…id) for a channel.
// It returns 0 for a peer with an unknown kind.
func (p Peer) MarkedID() int64 {
	switch p.Kind {
	case PeerUser:
		return p.ID
	case PeerChat:
		return -p.ID
	case PeerChannel:
		return -(markedChannelBase + p.ID)
	}
	return 0
}

// SplitMarkedID is the inverse of [Peer.MarkedID]: it returns the bare id and
// the kind of a Bot-API style id. It returns (0, 0) for 0 and for
// -1000000000000, which name no peer.
func SplitMarkedID(marked int64) (id int64, kind PeerKind) {
	switch {
	case marked > 0:
		return marked, PeerUser
	case marked < -markedChannelBase:
		return -marked - markedChannelBase, PeerChannel
	case marked < 0 && marked > -markedChannelBase:
		return -marked, PeerChat
	}
	return 0, 0
}

// AuthKey is a permanent authorization key for one data center, with the
// session parameters that go with it.
type AuthKey struct {
	DC         int
	Key        []byte        // 256 bytes
	Salt       int64         // last server salt, 0 if unknown
	TimeOffset time.Duration // server time minus local time
	CreatedAt  time.Time     // zero if unknown (e.g. imported from another library)
}

// AuthKeySize is the length of an MTProto authorization key in bytes.
const AuthKeySize = 256

// DCOption is an address of a data center, as in the server's dcOption
// constructor.
type DCOption struct {
	ID           int
	IP           string
	Port         int
	IPv6         bool
	MediaOnly    bool
	CDN          bool
	TCPOOnly     bool
	Static       bool
	ThisPortOnly bool
	Secret       []byte // MTProxy secret for this address, nil if none
}

// Self is the logged-in account.
type Self struct {
	UserID int64
	Bot    bool
	DC     int // the account's home DC
}

// UpdateState is the common update sequence state (updates.state).
type UpdateState struct {
	Pts, Qts, Date, Seq int32
}

// Store is persistent client state. Every implementation in this package is
// safe for concurrent use, and every method of a closed store returns
// [ErrClosed].
type Store interface {
	// AuthKey returns the key for a DC, or (nil, nil) when there is none.
	AuthKey(dc int) (*AuthKey, error)
	SetAuthKey(k AuthKey) error
	DeleteAuthKey(dc int) error

	// MainDC returns the DC the account lives on, 0 when unset.
	MainDC() (int, error)
	SetMainDC(dc int) error

	DCOptions() ([]DCOption, error)
	SetDCOptions(opts []DCOption) error // replaces all

	// Self returns the logged-in account, or (nil, nil) when logged out.
	Self() (*Self, error)
	SetSelf(s *Self) error // nil clears (log out)

	// UpdateState returns ok=false when the state was never set.
	UpdateState() (UpdateState, bool, error)
	SetUpdateState(s UpdateState) error
	ChannelPts(channelID int64) (int32, bool, error)
	SetChannelPts(channelID int64, pts int32) error

	// SaveState atomically stores the update state (when s is not nil) and
	// channel pts together with peers: the updates manager persists state in
	// the same transaction as the peers it learnt.
	SaveState(s *UpdateState, channels map[int64]int32, peers []Peer) error

	// SavePeers is a batched upsert in one transaction: either every peer is
	// stored or none is. A Min peer never overwrites a non-min access hash.
	SavePeers(peers []Peer) error
	// PeerByID returns (nil, nil) when the peer is unknown.
	PeerByID(id int64, kind PeerKind) (*Peer, error)
	// PeerByUsername is case-insensitive, ignores a leading @ and matches
	// any of a peer's Usernames. When several peers claim a username, the
	// one saved last wins.
	PeerByUsername(username string) (*Peer, error)
	// PeerByPhone compares digits only ("+1 555…" finds "1555…").
	PeerByPhone(phone string) (*Peer, error)

	Close() error
}

// LastMessageStore is implemented by stores that also keep, per message
// box, the id of the newest message the updates manager dispatched: key 0 is
// the common box (private chats and basic groups share one id sequence), any
// other key a bare channel id. After a restart, a client that Telegram
// answers with differenceTooLong or channelDifferenceTooLong refetches the
// messages after these ids, so nothing missed in between is lost. Memory
// and SQLite implement it.
type LastMessageStore interface {
	// LastMessageIDs returns every stored id (an empty map when none is).
	LastMessageIDs() (map[int64]int32, error)
	// SaveStateLastIDs is [Store.SaveState] that also stores last message
	// ids (each key replaced, others kept), in the same transaction.
	SaveStateLastIDs(s *UpdateState, channels map[int64]int32, lastIDs map[int64]int32, peers []Peer) error
}

// AuthKeyLister is implemented by stores that can list every auth key they
// hold. [Export] uses it; for a store without it, Export probes the DCs
// named by MainDC, DCOptions and the production DCs 1–5.
type AuthKeyLister interface {
	AuthKeys() ([]AuthKey, error)
}

var (
	// ErrClosed is returned by every method of a closed store.
	ErrClosed = errors.New("session: store is closed")
	// ErrInvalid is wrapped by errors about arguments a store refuses
	// (a peer without a kind, an auth key of the wrong length, …).
	ErrInvalid = errors.New("session: invalid argument")
	// ErrInUse is matched (errors.Is) by every *InUseError.
	ErrInUse = errors.New("session: in use by another client")
	// ErrUnknownFormat is wrapped when a file is not a Polygram session
	// (not SQLite at all, or a database of another program).
	ErrUnknownFormat = errors.New("session: not a Polygram session file")
	// ErrSchemaTooNew is wrapped when a session file was written by a newer
	// Polygram whose schema this version does not know.
	ErrSchemaTooNew = errors.New("session: schema version is newer than this Polygram supports")
	// ErrBadString is wrapped by every error about a malformed session
	// string (Polygram's, Telethon's or Pyrogram's).
	ErrBadString = errors.New("session: bad session string")
	// ErrNoAuthKey is wrapped when an imported session holds no auth key
	// (it was logged out, or never logged in).
	ErrNoAuthKey = errors.New("session: no auth key")
)

// InUseError reports that another client holds the session. It is returned
// at once by [Open], never after a wait.
type InUseError struct {
	PID  int    // process holding the session, 0 if it could not be read
	Path string // the session file as given to Open
}

// Error says which process holds the session and what to do about it.
func (e *InUseError) Error() string {
	if e.PID <= 0 {
		return fmt.Sprintf("session %q is in use by another process; close the other client or use another session file", e.Path)
	}
	return fmt.Sprintf("session %q is in use by process %d; close the other client or use another session file", e.Path, e.PID)
}

// Is makes errors.Is(err, ErrInUse) true for an *InUseError.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// ImportError reports a failed import of another library's session.
type ImportError struct {
	Format string // "telethon", "telethon string", "pyrogram", "pyrogram string"
	Path   string // the file, "" for a string (a session string is a secret and is never echoed)
	Err    error
}

// Error names the format, the file (for a file) and the cause.
func (e *ImportError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("session: import %s session %q: %v", e.Format, e.Path, e.Err)
	}
	return fmt.Sprintf("session: import %s session: %v", e.Format, e.Err)
}

// Unwrap returns the underlying error.
func (e *ImportError) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// NormalizeUsername returns the lookup form of a username: surrounding space
// and one leading @ removed, lower-cased.
func NormalizeUsername(username string) string {
	u := strings.TrimSpace(username)
	u = strings.TrimPrefix(u, "@")
	return strings.ToLower(u)
}

// NormalizePhone returns the digits of a phone number ("+1 (555) 010-99"
// gives "155501099").
func NormalizePhone(phone string) string {
	var b strings.Builder
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// PeerByMarkedID looks a peer up by its Bot-API style id in any store.
func PeerByMarkedID(s Store, marked int64) (*Peer, error) {
	id, kind := SplitMarkedID(marked)
	if kind == 0 {
		return nil, invalid("%d is not a marked peer id", marked)
	}
	return s.PeerByID(id, kind)
}

// normalizePeer validates p and returns the form every store keeps: a
// lower-case Username that is also in Usernames, Usernames without @ or
// duplicates, a digits-only Phone, and UpdatedAt in UTC (now when zero).
func normalizePeer(p Peer, now time.Time) (Peer, error) {
	if !p.Kind.valid() {
		return Peer{}, invalid("peer %d has no valid kind (%v)", p.ID, p.Kind)
	}
	if p.ID <= 0 {
		return Peer{}, invalid("%v id %d is not positive (ids are bare, not marked)", p.Kind, p.ID)
	}
	var names []string
	add := func(u string) {
		u = strings.TrimPrefix(strings.TrimSpace(u), "@")
		if u != "" && !containsFold(names, u) {
			names = append(names, u)
		}
	}
	main := NormalizeUsername(p.Username)
	if main != "" && !containsFold(p.Usernames, main) {
		add(main)
	}
	for _, u := range p.Usernames {
		add(u)
	}
	if main == "" && len(names) > 0 {
		main = strings.ToLower(names[0])
	}
	p.Username = main
	p.Usernames = names
	p.Phone = NormalizePhone(p.Phone)
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	p.UpdatedAt = fromUnixNano(p.UpdatedAt.UnixNano())
	return p, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(v), "@"), s) {
			return true
		}
	}
	return false
}

// mergeMin applies a min peer over what is stored. A min constructor carries
// an access hash usable only in the context it came from and may omit
// fields, so over a non-min peer it keeps the stored hash and fills only the
// fields it carries.
func mergeMin(stored *Peer, in Peer) Peer {
	if !in.Min || stored == nil || stored.Min {
		return in
	}
	out := in
	out.Min = false
	out.AccessHash = stored.AccessHash
	if in.Phone == "" {
		out.Phone = stored.Phone
	}
	if in.Name == "" {
		out.Name = stored.Name
	}
	if in.Username == "" && len(in.Usernames) == 0 {
		out.Username = stored.Username
		out.Usernames = append([]string(nil), stored.Usernames...)
	}
	return out
}

func validateAuthKey(k AuthKey) error {
	if k.DC <= 0 {
		return invalid("auth key DC %d is not positive", k.DC)
	}
	if len(k.Key) != AuthKeySize {
		return invalid("auth key for DC %d is %d bytes, want %d", k.DC, len(k.Key), AuthKeySize)
	}
	return nil
}

func validateDCOptions(opts []DCOption) error {
	for i, o := range opts {
		if o.ID <= 0 {
			return invalid("DC option %d: DC id %d is not positive", i, o.ID)
		}
		if o.IP == "" {
			return invalid("DC option %d (DC %d): empty address", i, o.ID)
		}
		if o.Port <= 0 || o.Port > 65535 {
			return invalid("DC option %d (DC %d): port %d out of range", i, o.ID, o.Port)
		}
	}
	return nil
}

func validateSelf(s *Self) error {
	if s != nil && s.UserID <= 0 {
		return invalid("self user id %d is not positive", s.UserID)
	}
	if s != nil && s.DC < 0 {
		return invalid("self DC %d is negative", s.DC)
	}
	return nil
}

func validateChannels(channels map[int64]int32) error {
	for id := range channels {
		if id <= 0 {
			return invalid("channel id %d is not positive (ids are bare, not marked)", id)
		}
	}
	return nil
}

func validateLastIDs(ids map[int64]int32) error {
	for box, id := range ids {
		if box < 0 || id < 0 {
			return invalid("last message id %d of box %d: boxes are 0 or a bare channel id, ids are not negative", id, box)
		}
	}
	return nil
}

// unixNano and fromUnixNano store times as nanoseconds since the epoch, with
// 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func cloneAuthKey(k AuthKey) AuthKey {
	k.Key = append([]byte(nil), k.Key...)
	k.CreatedAt = fromUnixNano(unixNano(k.CreatedAt))
	return k
}

func cloneOptions(opts []DCOption) []DCOption {
	out := make([]DCOption, len(opts))
	for i, o := range opts {
		if o.Secret != nil {
			o.Secret = append([]byte{}, o.Secret...)
		}
		out[i] = o
	}
	return out
}

func clonePeer(p Peer) Peer {
	if p.Usernames != nil {
		p.Usernames = append([]string(nil), p.Usernames...)
	}
	return p
}
