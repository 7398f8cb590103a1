package session

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sizes of the binary payloads of other libraries' session strings.
const (
	telethonIPv4Size  = 1 + 4 + 2 + AuthKeySize         // >B4sH256s
	telethonIPv6Size  = 1 + 16 + 2 + AuthKeySize        // >B16sH256s
	pyrogramSize      = 1 + 4 + 1 + AuthKeySize + 8 + 1 // >BI?256sQ? (Pyrogram 2)
	pyrogramOld64Size = 1 + 1 + AuthKeySize + 8 + 1     // >B?256sQ? (64-bit user ids)
	pyrogramOldSize   = 1 + 1 + AuthKeySize + 4 + 1     // >B?256sI? (Pyrogram 1)
)

// TelethonString is the content of a Telethon string session.
type TelethonString struct {
	DC   int
	IP   netip.Addr // the DC's address as Telethon last used it
	Port int
	Key  []byte // 256 bytes; all zero when the session was not logged in
}

// ParseTelethonString decodes a Telethon StringSession: the version
// character '1', then base64url (padded or not) of the DC id (1 byte), the
// DC's IPv4 or IPv6 address (4 or 16 bytes), its port (2 bytes, big endian)
// and the 256-byte auth key. Errors wrap [ErrBadString].
func ParseTelethonString(s string) (TelethonString, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return TelethonString{}, badString("empty string")
	}
	if s[0] != '1' {
		return TelethonString{}, badString("a Telethon string session starts with '1', this one with %q", s[:1])
	}
	data, err := decodeBase64(s[1:])
	if err != nil {
		return TelethonString{}, badString("not base64url: %v", err)
	}
	ipLen := 0
	switch len(data) {
	case telethonIPv4Size:
		ipLen = 4
	case telethonIPv6Size:
		ipLen = 16
	default:
		return TelethonString{}, badString("%d bytes, a Telethon session has %d (IPv4) or %d (IPv6)%s",
			len(data), telethonIPv4Size, telethonIPv6Size, polygramHint(s))
	}
	ip, _ := netip.AddrFromSlice(data[1 : 1+ipLen])
	t := TelethonString{
		DC:   int(data[0]),
		IP:   ip.Unmap(),
		Port: int(binary.BigEndian.Uint16(data[1+ipLen:])),
		Key:  append([]byte(nil), data[3+ipLen:]...),
	}
	if t.DC == 0 {
		return TelethonString{}, badString("DC id is 0")
	}
	return t, nil
}

// polygramHint names ImportString for a string in Polygram's own format.
func polygramHint(s string) string {
	if _, err := ImportString(s); err == nil {
		return "; it is a Polygram session string: use ImportString"
	}
	return ""
}

// ImportTelethonString stores a Telethon string session in dst: the auth key
// of its DC, that DC as main DC, and the DC's address as the first DC option
// for it. Telethon strings carry no user: dst's Self is left as it is, so a
// client should check the key with users.getUsers([inputUserSelf]) and store
// Self. Errors are *ImportError wrapping [ErrBadString] or [ErrNoAuthKey].
func ImportTelethonString(s string, dst Store) error {
	t, err := ParseTelethonString(s)
	if err != nil {
		return &ImportError{Format: "telethon string", Err: err}
	}
	if allZero(t.Key) {
		return &ImportError{Format: "telethon string", Err: fmt.Errorf("%w: the session was never logged in", ErrNoAuthKey)}
	}
	opt := DCOption{ID: t.DC, IP: t.IP.String(), Port: t.Port, IPv6: t.IP.Is6()}
	if err := writeLogin(dst, []DCOption{opt}, []AuthKey{{DC: t.DC, Key: t.Key}}, t.DC, nil); err != nil {
		return &ImportError{Format: "telethon string", Err: err}
	}
	return nil
}

// PyrogramString is the content of a Pyrogram session string.
type PyrogramString struct {
	DC       int
	APIID    int32 // 0 in the formats before Pyrogram 2
	TestMode bool  // the session belongs to Telegram's test DCs
	Key      []byte
	UserID   int64
	Bot      bool
}

// ParsePyrogramString decodes a Pyrogram session string: base64url without
// padding of, big endian, one of
//
//	>BI?256sQ?  dc_id, api_id, test_mode, auth_key, user_id, is_bot  (Pyrogram 2, 271 bytes)
//	>B?256sQ?   dc_id, test_mode, auth_key, user_id, is_bot          (64-bit user ids, 267 bytes)
//	>B?256sI?   dc_id, test_mode, auth_key, user_id, is_bot          (Pyrogram 1, 263 bytes)
//
// told apart by their length. Errors wrap [ErrBadString].
func ParsePyrogramString(s string) (PyrogramString, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return PyrogramString{}, badString("empty string")
	}
	data, err := decodeBase64(s)
	if err != nil {
		return PyrogramString{}, badString("not base64url: %v", err)
	}
	var p PyrogramString
	r := reader{b: data}
	switch len(data) {
	case pyrogramSize:
		p.DC = int(r.u8("dc_id"))
		p.APIID = int32(r.u32("api_id"))
		p.TestMode = r.u8("test_mode") != 0
		p.Key = append([]byte(nil), r.bytes(AuthKeySize, "auth_key")...)
		p.UserID = int64(r.u64("user_id"))
	case pyrogramOld64Size, pyrogramOldSize:
		p.DC = int(r.u8("dc_id"))
		p.TestMode = r.u8("test_mode") != 0
		p.Key = append([]byte(nil), r.bytes(AuthKeySize, "auth_key")...)
		if len(data) == pyrogramOldSize {
			p.UserID = int64(r.u32("user_id"))
		} else {
			p.UserID = int64(r.u64("user_id"))
		}
	default:
		hint := ""
		if strings.HasPrefix(s, "1") {
			hint = "; a string starting with '1' is a Telethon or Polygram session: use ImportTelethonString or ImportString"
		}
		return PyrogramString{}, badString("%d bytes, a Pyrogram session has %d, %d or %d%s",
			len(data), pyrogramSize, pyrogramOld64Size, pyrogramOldSize, hint)
	}
	p.Bot = r.u8("is_bot") != 0
	if r.err != nil {
		return PyrogramString{}, r.err
	}
	if p.DC == 0 {
		return PyrogramString{}, badString("dc_id is 0")
	}
	if p.UserID < 0 {
		return PyrogramString{}, badString("user_id does not fit 63 bits")
	}
	return p, nil
}

// ImportPyrogramString stores a Pyrogram session string in dst: the auth
// key, its DC as main DC, and the user (when the string has one). Pyrogram
// strings carry no DC address; the api_id and test_mode are not stored
// either: configure the client with them (see [ParsePyrogramString]).
// Errors are *ImportError wrapping [ErrBadString] or [ErrNoAuthKey].
func ImportPyrogramString(s string, dst Store) error {
	p, err := ParsePyrogramString(s)
	if err != nil {
		return &ImportError{Format: "pyrogram string", Err: err}
	}
	if allZero(p.Key) {
		return &ImportError{Format: "pyrogram string", Err: fmt.Errorf("%w: the session was never logged in", ErrNoAuthKey)}
	}
	var me *Self
	if p.UserID > 0 {
		me = &Self{UserID: p.UserID, Bot: p.Bot, DC: p.DC}
	}
	if err := writeLogin(dst, nil, []AuthKey{{DC: p.DC, Key: p.Key}}, p.DC, me); err != nil {
		return &ImportError{Format: "pyrogram string", Err: err}
	}
	return nil
}

// ImportTelethon copies a Telethon session file (*.session, SQLite) into dst:
//
//   - sessions(dc_id, server_address, port, auth_key): the auth key, the
//     main DC and a DC option with the address;
//   - entities(id, hash, username, phone, name, date): peers (Telethon ids
//     are marked ids; Telethon keeps no min peers and no bot flag);
//   - update_state(id, pts, qts, date, seq): row 0 is the update state, the
//     others are channel pts by channel id.
//
// The file is opened read-only and left untouched. Telethon stores no user
// id: see [ImportTelethonString] about Self. Errors are *ImportError.
//
// Like every importer, it validates what it read before writing, then
// writes the login state and the peers in separate calls: if dst fails in
// between, dst holds part of the import. Import into a new store.
func ImportTelethon(path string, dst Store) error {
	if err := importTelethon(path, dst); err != nil {
		return &ImportError{Format: "telethon", Path: path, Err: err}
	}
	return nil
}

func importTelethon(path string, dst Store) error {
	db, tables, err := openForeign(path)
	if err != nil {
		return err
	}
	defer db.Close()
	if !tables["sessions"] || !tables["entities"] {
		return fmt.Errorf("%w: no sessions and entities tables: not a Telethon session", ErrUnknownFormat)
	}

	rows, err := db.Query(`SELECT dc_id, server_address, port, auth_key FROM sessions`)
	if err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	var opts []DCOption
	var keys []AuthKey
	mainDC := 0
	for rows.Next() {
		var dc, port sql.NullInt64
		var addr sql.NullString
		var key []byte
		if err := rows.Scan(&dc, &addr, &port, &key); err != nil {
			rows.Close()
			return fmt.Errorf("read sessions: %w", err)
		}
		if !dc.Valid || dc.Int64 <= 0 || dc.Int64 > math.MaxInt32 {
			continue
		}
		if len(key) == AuthKeySize && !allZero(key) {
			keys = append(keys, AuthKey{DC: int(dc.Int64), Key: key})
			if mainDC == 0 {
				mainDC = int(dc.Int64)
			}
		}
		if addr.Valid && addr.String != "" && port.Valid && port.Int64 > 0 && port.Int64 <= 65535 {
			ip, err := netip.ParseAddr(addr.String)
			opts = append(opts, DCOption{ID: int(dc.Int64), IP: addr.String, Port: int(port.Int64), IPv6: err == nil && ip.Is6() && !ip.Is4In6()})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: the sessions table has no auth key (the session was logged out)", ErrNoAuthKey)
	}

	peers, err := telethonPeers(db)
	if err != nil {
		return err
	}
	var state *UpdateState
	channels := map[int64]int32{}
	if tables["update_state"] {
		if state, err = telethonUpdateState(db, channels); err != nil {
			return err
		}
	}
	if err := writeLogin(dst, opts, keys, mainDC, nil); err != nil {
		return err
	}
	return dst.SaveState(state, channels, peers)
}

func telethonPeers(db *sql.DB) ([]Peer, error) {
	cols, err := columns(db, "entities")
	if err != nil {
		return nil, err
	}
	date := "NULL"
	if cols["date"] {
		date = "date"
	}
	rows, err := db.Query(`SELECT id, hash, username, phone, name, ` + date + ` FROM entities`)
	if err != nil {
		return nil, fmt.Errorf("read entities: %w", err)
	}
	defer rows.Close()
	var peers []Peer
	for rows.Next() {
		var marked, hash sql.NullInt64
		var username, name sql.NullString
		var phone, when any
		if err := rows.Scan(&marked, &hash, &username, &phone, &name, &when); err != nil {
			return nil, fmt.Errorf("read entities: %w", err)
		}
		id, kind := SplitMarkedID(marked.Int64)
		if kind == 0 {
			continue
		}
		p := Peer{ID: id, Kind: kind, AccessHash: hash.Int64, Username: username.String,
			Phone: NormalizePhone(anyString(phone)), Name: name.String}
		if kind == PeerChat {
			p.AccessHash = 0
		}
		if sec, ok := anyInt(when); ok && sec > 0 {
			p.UpdatedAt = time.Unix(sec, 0)
		}
		peers = append(peers, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read entities: %w", err)
	}
	return peers, nil
}

func telethonUpdateState(db *sql.DB, channels map[int64]int32) (*UpdateState, error) {
	rows, err := db.Query(`SELECT id, pts, qts, date, seq FROM update_state`)
	if err != nil {
		return nil, fmt.Errorf("read update_state: %w", err)
	}
	defer rows.Close()
	var state *UpdateState
	for rows.Next() {
		var id, pts, qts, seq sql.NullInt64
		var date any
		if err := rows.Scan(&id, &pts, &qts, &date, &seq); err != nil {
			return nil, fmt.Errorf("read update_state: %w", err)
		}
		if id.Int64 == 0 {
			d, _ := anyInt(date)
			state = &UpdateState{Pts: int32(pts.Int64), Qts: int32(qts.Int64), Date: int32(d), Seq: int32(seq.Int64)}
			continue
		}
		ch := id.Int64
		if ch < 0 { // a marked id, to be safe
			var kind PeerKind
			if ch, kind = SplitMarkedID(ch); kind != PeerChannel {
				continue
			}
		}
		channels[ch] = int32(pts.Int64)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read update_state: %w", err)
	}
	return state, nil
}

// ImportPyrogram copies a Pyrogram session file (SQLite) into dst:
//
//   - sessions(dc_id, test_mode, auth_key, date, user_id, is_bot): the auth
//     key, the main DC and Self;
//   - peers(id, access_hash, type, username, phone_number, last_update_on),
//     and the usernames(id, username) table of newer versions: peers
//     (Pyrogram ids are marked ids; type "bot" sets Bot).
//
// Pyrogram stores no DC addresses and its update state is not imported (the
// client catches up with updates.getState). A test_mode session needs a
// client configured for the test DCs. The file is opened read-only.
// Errors are *ImportError.
func ImportPyrogram(path string, dst Store) error {
	if err := importPyrogram(path, dst); err != nil {
		return &ImportError{Format: "pyrogram", Path: path, Err: err}
	}
	return nil
}

func importPyrogram(path string, dst Store) error {
	db, tables, err := openForeign(path)
	if err != nil {
		return err
	}
	defer db.Close()
	if !tables["sessions"] || !tables["peers"] {
		return fmt.Errorf("%w: no sessions and peers tables: not a Pyrogram session", ErrUnknownFormat)
	}
	var dc, userID sql.NullInt64
	var isBot any
	var key []byte
	var date any
	err = db.QueryRow(`SELECT dc_id, auth_key, date, user_id, is_bot FROM sessions LIMIT 1`).
		Scan(&dc, &key, &date, &userID, &isBot)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: the sessions table is empty", ErrNoAuthKey)
	}
	if err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	if len(key) != AuthKeySize || allZero(key) {
		return fmt.Errorf("%w: the session was logged out or never logged in", ErrNoAuthKey)
	}
	if !dc.Valid || dc.Int64 <= 0 || dc.Int64 > math.MaxInt32 {
		return fmt.Errorf("%w: dc_id %v", ErrInvalid, dc.Int64)
	}
	k := AuthKey{DC: int(dc.Int64), Key: key}
	if sec, ok := anyInt(date); ok && sec > 0 {
		k.CreatedAt = time.Unix(sec, 0)
	}
	var me *Self
	if userID.Valid && userID.Int64 > 0 {
		bot, _ := anyInt(isBot)
		me = &Self{UserID: userID.Int64, Bot: bot != 0, DC: k.DC}
	}

	peers, err := pyrogramPeers(db, tables["usernames"])
	if err != nil {
		return err
	}
	if err := writeLogin(dst, nil, []AuthKey{k}, k.DC, me); err != nil {
		return err
	}
	return dst.SavePeers(peers)
}

func pyrogramPeers(db *sql.DB, usernamesTable bool) ([]Peer, error) {
	cols, err := columns(db, "peers")
	if err != nil {
		return nil, err
	}
	username := "NULL"
	if cols["username"] {
		username = "username"
	}
	rows, err := db.Query(`SELECT id, access_hash, type, ` + username + `, phone_number, last_update_on FROM peers`)
	if err != nil {
		return nil, fmt.Errorf("read peers: %w", err)
	}
	var peers []Peer
	index := map[int64]int{}
	for rows.Next() {
		var marked, hash sql.NullInt64
		var typ, name sql.NullString
		var phone, when any
		if err := rows.Scan(&marked, &hash, &typ, &name, &phone, &when); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read peers: %w", err)
		}
		id, kind := SplitMarkedID(marked.Int64)
		if kind == 0 {
			continue
		}
		p := Peer{ID: id, Kind: kind, AccessHash: hash.Int64, Username: name.String,
			Phone: NormalizePhone(anyString(phone)), Bot: typ.String == "bot"}
		if kind == PeerChat {
			p.AccessHash = 0
		}
		if sec, ok := anyInt(when); ok && sec > 0 {
			p.UpdatedAt = time.Unix(sec, 0)
		}
		index[marked.Int64] = len(peers)
		peers = append(peers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read peers: %w", err)
	}
	if !usernamesTable {
		return peers, nil
	}
	rows, err = db.Query(`SELECT id, username FROM usernames WHERE username IS NOT NULL AND username != '' ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("read usernames: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var marked int64
		var name string
		if err := rows.Scan(&marked, &name); err != nil {
			return nil, fmt.Errorf("read usernames: %w", err)
		}
		if i, ok := index[marked]; ok {
			peers[i].Usernames = append(peers[i].Usernames, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read usernames: %w", err)
	}
	return peers, nil
}

// openForeign opens another program's SQLite file read-only and lists its
// tables.
func openForeign(path string) (*sql.DB, map[string]bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w: not a regular file", fs.ErrInvalid)
	}
	uri, err := fileURI(path)
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite", uri+"?mode=ro&_pragma=busy_timeout(2000)")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	rows, err := db.QueryContext(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("%w: %v", ErrUnknownFormat, err)
	}
	defer rows.Close()
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			db.Close()
			return nil, nil, fmt.Errorf("%w: %v", ErrUnknownFormat, err)
		}
		tables[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("%w: %v", ErrUnknownFormat, err)
	}
	return db, tables, nil
}

func columns(db *sql.DB, table string) (map[string]bool, error) {
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", table, err)
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", table, err)
		}
		cols[strings.ToLower(name)] = true
	}
	return cols, rows.Err()
}

// anyInt reads an SQLite value that should be a number but may have been
// stored as a real or as text (SQLite columns are loosely typed).
func anyInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case string:
		return parseIntLoose(v)
	case []byte:
		return parseIntLoose(string(v))
	}
	return 0, false
}

func parseIntLoose(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f), true
	}
	return 0, false
}

func anyString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func allZero(b []byte) bool {
	return len(bytes.Trim(b, "\x00")) == 0
}

// writeLogin stores imported login state: DC options first in dst's list
// (replacing dst's options for the same DC and address family), the keys,
// the main DC and, when me is not nil, Self. Everything is validated before
// the first write.
func writeLogin(dst Store, opts []DCOption, keys []AuthKey, mainDC int, me *Self) error {
	for _, k := range keys {
		if err := validateAuthKey(k); err != nil {
			return err
		}
	}
	if err := validateDCOptions(opts); err != nil {
		return err
	}
	if err := validateSelf(me); err != nil {
		return err
	}
	if len(opts) > 0 {
		old, err := dst.DCOptions()
		if err != nil {
			return err
		}
		merged := append([]DCOption(nil), opts...)
		for _, o := range old {
			replaced := false
			for _, n := range opts {
				if o.ID == n.ID && o.IPv6 == n.IPv6 && !o.MediaOnly && !o.CDN {
					replaced = true
				}
			}
			if !replaced {
				merged = append(merged, o)
			}
		}
		if err := dst.SetDCOptions(merged); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := dst.SetAuthKey(k); err != nil {
			return err
		}
	}
	if err := dst.SetMainDC(mainDC); err != nil {
		return err
	}
	if me != nil {
		return dst.SetSelf(me)
	}
	return nil
}

// Copy copies the login state of src into dst: every auth key, the main DC,
// the DC options, Self (cleared in dst when src has none) and the update
// state when src has one (with the last message ids, when both keep them,
// see [LastMessageStore]). Peers and channel pts are not copied (a Store
// cannot list them); the client learns them again. A typical use keeps an
// imported string session in a file:
//
//	mem, err := session.ImportString(s)
//	…
//	file, err := session.Open("bot.session")
//	…
//	err = session.Copy(file, mem)
func Copy(dst, src Store) error {
	mainDC, err := src.MainDC()
	if err != nil {
		return err
	}
	opts, err := src.DCOptions()
	if err != nil {
		return err
	}
	keys, err := exportKeys(src, mainDC, opts)
	if err != nil {
		return err
	}
	me, err := src.Self()
	if err != nil {
		return err
	}
	state, ok, err := src.UpdateState()
	if err != nil {
		return err
	}
	if err := dst.SetDCOptions(opts); err != nil {
		return err
	}
	for _, k := range keys {
		if err := dst.SetAuthKey(k); err != nil {
			return err
		}
	}
	if err := dst.SetMainDC(mainDC); err != nil {
		return err
	}
	if err := dst.SetSelf(me); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	if err := dst.SetUpdateState(state); err != nil {
		return err
	}
	// The last message ids go with the state they belong to.
	from, ok1 := src.(LastMessageStore)
	to, ok2 := dst.(LastMessageStore)
	if !ok1 || !ok2 {
		return nil
	}
	ids, err := from.LastMessageIDs()
	if err != nil || len(ids) == 0 {
		return err
	}
	return to.SaveStateLastIDs(nil, nil, ids, nil)
}
