package session_test

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polygram/polygram/session"
)

// makeTelethonFile writes a session file the way Telethon 1.x (schema
// version 7) lays it out, with one logged-in DC, entities of every kind and
// update state.
func makeTelethonFile(t testing.TB, path string) {
	t.Helper()
	db := rawDB(t, path)
	execAll(t, db,
		`create table version (version integer primary key) without rowid`,
		`create table sessions (dc_id integer primary key, server_address text, port integer, auth_key blob, takeout_id integer) without rowid`,
		`create table entities (id integer primary key, hash integer not null, username text, phone integer, name text, date integer) without rowid`,
		`create table sent_files (md5_digest blob, file_size integer, type integer, id integer, hash integer, primary key(md5_digest, file_size, type)) without rowid`,
		`create table update_state (id integer primary key, pts integer, qts integer, date integer, seq integer) without rowid`,
		`insert into version values (7)`,
	)
	_, err := db.Exec(`insert into sessions values (?, ?, ?, ?, ?)`, 4, "149.154.167.91", 443, testKey(4), nil)
	must(t, err)
	execAll(t, db,
		`insert into entities values (136817688, -8230284389562, 'durov', 15551234567, 'Pavel Durov', 1700000000)`,
		`insert into entities values (-4567, 0, null, null, 'Family', 1700000100)`,
		`insert into entities values (-1001006503122, 1234567, 'telegram', null, 'Telegram News', null)`,
		`insert into entities values (93372553, 99, 'botfather', null, 'BotFather', 1700000200)`,
		// Telethon writes state.date.timestamp(), which may be a real.
		`insert into update_state values (0, 1000, 50, 1700000300.0, 77)`,
		`insert into update_state values (1006503122, 4242, 0, 1700000300.5, 0)`,
	)
	must(t, db.Close())
}

func TestImportTelethon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telethon.session")
	makeTelethonFile(t, path)
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			dst := kind.open(t)
			must(t, dst.SetDCOptions([]session.DCOption{
				{ID: 4, IP: "1.1.1.1", Port: 80},                            // replaced by the imported address
				{ID: 4, IP: "2001:b28:f23d:f004::a", Port: 443, IPv6: true}, // kept: other family
				{ID: 1, IP: "149.154.175.53", Port: 443},                    // kept: other DC
			}))
			must(t, session.ImportTelethon(path, dst))

			k, err := dst.AuthKey(4)
			must(t, err)
			if k == nil || !sameKey(*k, session.AuthKey{DC: 4, Key: testKey(4)}) {
				t.Fatalf("AuthKey(4) = %+v", k)
			}
			if dc, _ := dst.MainDC(); dc != 4 {
				t.Fatalf("MainDC = %d, want 4", dc)
			}
			opts, err := dst.DCOptions()
			must(t, err)
			want := []session.DCOption{
				{ID: 4, IP: "149.154.167.91", Port: 443},
				{ID: 4, IP: "2001:b28:f23d:f004::a", Port: 443, IPv6: true},
				{ID: 1, IP: "149.154.175.53", Port: 443},
			}
			if !sameOptions(opts, want) {
				t.Fatalf("DCOptions = %+v\nwant %+v", opts, want)
			}
			if me, _ := dst.Self(); me != nil {
				t.Fatalf("Self = %+v: Telethon files hold no user id", me)
			}
			st, ok, err := dst.UpdateState()
			if err != nil || !ok || st != (session.UpdateState{Pts: 1000, Qts: 50, Date: 1700000300, Seq: 77}) {
				t.Fatalf("UpdateState = %+v, %v, %v", st, ok, err)
			}
			if pts, ok, _ := dst.ChannelPts(1006503122); pts != 4242 || !ok {
				t.Fatalf("ChannelPts = %d, %v", pts, ok)
			}

			checkPeer(t, getPeer(t, dst, 136817688, session.PeerUser), session.Peer{ID: 136817688, Kind: session.PeerUser,
				AccessHash: -8230284389562, Username: "durov", Usernames: []string{"durov"}, Phone: "15551234567",
				Name: "Pavel Durov", UpdatedAt: time.Unix(1700000000, 0)})
			checkPeer(t, getPeer(t, dst, 4567, session.PeerChat), session.Peer{ID: 4567, Kind: session.PeerChat,
				Name: "Family", UpdatedAt: time.Unix(1700000100, 0)})
			ch := getPeer(t, dst, 1006503122, session.PeerChannel)
			if ch == nil || ch.AccessHash != 1234567 || ch.Username != "telegram" || ch.Name != "Telegram News" || ch.UpdatedAt.IsZero() {
				t.Fatalf("channel = %+v", ch)
			}
			if p, _ := dst.PeerByUsername("@BotFather"); p == nil || p.ID != 93372553 || p.AccessHash != 99 {
				t.Fatalf("PeerByUsername(botfather) = %+v", p)
			}
			if p, _ := dst.PeerByPhone("+1 555 123 4567"); p == nil || p.ID != 136817688 {
				t.Fatalf("PeerByPhone = %+v", p)
			}
		})
	}
}

func TestImportTelethonRefusesLoggedOutAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.session")
	makeTelethonFile(t, path)
	execAll(t, rawDB(t, path), `update sessions set auth_key = x''`)
	err := session.ImportTelethon(path, session.NewMemory())
	wantErr(t, err, session.ErrNoAuthKey)
	var ie *session.ImportError
	if !errors.As(err, &ie) || ie.Format != "telethon" || ie.Path != path {
		t.Fatalf("error = %#v, want *ImportError for telethon %s", err, path)
	}

	pyro := filepath.Join(dir, "pyro.session")
	makePyrogramFile(t, pyro, false)
	wantErr(t, session.ImportTelethon(pyro, session.NewMemory()), session.ErrUnknownFormat)

	err = session.ImportTelethon(filepath.Join(dir, "missing.session"), session.NewMemory())
	if err == nil || !strings.Contains(err.Error(), "missing.session") {
		t.Fatalf("import of a missing file = %v", err)
	}
}

// makePyrogramFile writes a Pyrogram session file: the schema of Pyrogram
// 2.0 (version 3: peers with a username column) or, with usernamesTable, of
// its newer forks (usernames in their own table).
func makePyrogramFile(t testing.TB, path string, usernamesTable bool) {
	t.Helper()
	db := rawDB(t, path)
	username := "username TEXT,"
	if usernamesTable {
		username = ""
	}
	execAll(t, db,
		`CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, api_id INTEGER, test_mode INTEGER, auth_key BLOB,
			date INTEGER NOT NULL, user_id INTEGER, is_bot INTEGER)`,
		`CREATE TABLE peers (id INTEGER PRIMARY KEY, access_hash INTEGER, type INTEGER NOT NULL, `+username+`
			phone_number TEXT, last_update_on INTEGER NOT NULL DEFAULT (CAST(STRFTIME('%s', 'now') AS INTEGER)))`,
		`CREATE TABLE version (number INTEGER PRIMARY KEY)`,
		`INSERT INTO version VALUES (3)`,
	)
	_, err := db.Exec(`INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)`, 5, 12345, 0, testKey(5), 1700000000, 5000000001, 1)
	must(t, err)
	if usernamesTable {
		execAll(t, db,
			`CREATE TABLE usernames (id INTEGER, username TEXT, FOREIGN KEY (id) REFERENCES peers(id))`,
			`INSERT INTO peers VALUES (136817688, -8230284389562, 'user', '15551234567', 1700000000)`,
			`INSERT INTO peers VALUES (93372553, 99, 'bot', NULL, 1700000001)`,
			`INSERT INTO peers VALUES (-4567, NULL, 'group', NULL, 1700000002)`,
			`INSERT INTO peers VALUES (-1001006503122, 1234567, 'channel', NULL, 1700000003)`,
			`INSERT INTO usernames VALUES (136817688, 'durov'), (136817688, 'pavel'), (93372553, 'botfather'),
				(-1001006503122, 'telegram')`,
		)
	} else {
		execAll(t, db,
			`INSERT INTO peers VALUES (136817688, -8230284389562, 'user', 'durov', '15551234567', 1700000000)`,
			`INSERT INTO peers VALUES (93372553, 99, 'bot', 'botfather', NULL, 1700000001)`,
			`INSERT INTO peers VALUES (-4567, NULL, 'group', NULL, NULL, 1700000002)`,
			`INSERT INTO peers VALUES (-1001006503122, 1234567, 'supergroup', 'telegram', NULL, 1700000003)`,
		)
	}
	must(t, db.Close())
}

func TestImportPyrogram(t *testing.T) {
	for _, fork := range []bool{false, true} {
		name := "Pyrogram2"
		if fork {
			name = "UsernamesTable"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pyrogram.session")
			makePyrogramFile(t, path, fork)
			for _, kind := range storeKinds {
				t.Run(kind.name, func(t *testing.T) {
					dst := kind.open(t)
					must(t, session.ImportPyrogram(path, dst))
					k, err := dst.AuthKey(5)
					must(t, err)
					if k == nil || !sameKey(*k, session.AuthKey{DC: 5, Key: testKey(5), CreatedAt: time.Unix(1700000000, 0)}) {
						t.Fatalf("AuthKey(5) = %+v", k)
					}
					if dc, _ := dst.MainDC(); dc != 5 {
						t.Fatalf("MainDC = %d", dc)
					}
					if me, _ := dst.Self(); me == nil || *me != (session.Self{UserID: 5000000001, Bot: true, DC: 5}) {
						t.Fatalf("Self = %+v", me)
					}
					durov := session.Peer{ID: 136817688, Kind: session.PeerUser, AccessHash: -8230284389562, Username: "durov",
						Usernames: []string{"durov"}, Phone: "15551234567", UpdatedAt: time.Unix(1700000000, 0)}
					if fork {
						durov.Usernames = []string{"durov", "pavel"}
					}
					checkPeer(t, getPeer(t, dst, 136817688, session.PeerUser), durov)
					checkPeer(t, getPeer(t, dst, 93372553, session.PeerUser), session.Peer{ID: 93372553, Kind: session.PeerUser,
						AccessHash: 99, Username: "botfather", Usernames: []string{"botfather"}, Bot: true, UpdatedAt: time.Unix(1700000001, 0)})
					checkPeer(t, getPeer(t, dst, 4567, session.PeerChat), session.Peer{ID: 4567, Kind: session.PeerChat,
						UpdatedAt: time.Unix(1700000002, 0)})
					checkPeer(t, getPeer(t, dst, 1006503122, session.PeerChannel), session.Peer{ID: 1006503122, Kind: session.PeerChannel,
						AccessHash: 1234567, Username: "telegram", Usernames: []string{"telegram"}, UpdatedAt: time.Unix(1700000003, 0)})
					if p, _ := dst.PeerByPhone("+15551234567"); p == nil || p.ID != 136817688 {
						t.Fatalf("PeerByPhone = %+v", p)
					}
				})
			}
		})
	}
}

func TestImportPyrogramRefusesLoggedOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.session")
	makePyrogramFile(t, path, false)
	execAll(t, rawDB(t, path), `UPDATE sessions SET auth_key = NULL`)
	wantErr(t, session.ImportPyrogram(path, session.NewMemory()), session.ErrNoAuthKey)
}

func telethonString(dc byte, ip netip.Addr, port uint16, key []byte, padded bool) string {
	b := []byte{dc}
	b = append(b, ip.AsSlice()...)
	b = binary.BigEndian.AppendUint16(b, port)
	b = append(b, key...)
	if padded {
		return "1" + base64.URLEncoding.EncodeToString(b)
	}
	return "1" + base64.RawURLEncoding.EncodeToString(b)
}

func TestImportTelethonString(t *testing.T) {
	cases := []struct {
		name string
		ip   netip.Addr
		pad  bool
	}{
		{"IPv4Padded", netip.MustParseAddr("149.154.167.51"), true},
		{"IPv4Unpadded", netip.MustParseAddr("149.154.167.51"), false},
		{"IPv6", netip.MustParseAddr("2001:67c:4e8:f002::a"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := telethonString(2, c.ip, 443, testKey(2), c.pad)
			if c.ip.Is4() && c.pad && len(s) != 353 {
				t.Fatalf("test string has %d characters, Telethon's have 353", len(s))
			}
			parsed, err := session.ParseTelethonString(s)
			must(t, err)
			if parsed.DC != 2 || parsed.IP != c.ip || parsed.Port != 443 || string(parsed.Key) != string(testKey(2)) {
				t.Fatalf("ParseTelethonString = %+v", parsed)
			}
			for _, kind := range storeKinds {
				dst := kind.open(t)
				must(t, session.ImportTelethonString("  "+s+"\n", dst))
				k, _ := dst.AuthKey(2)
				if k == nil || string(k.Key) != string(testKey(2)) {
					t.Fatalf("%s: AuthKey(2) = %+v", kind.name, k)
				}
				if dc, _ := dst.MainDC(); dc != 2 {
					t.Fatalf("%s: MainDC = %d", kind.name, dc)
				}
				opts, _ := dst.DCOptions()
				want := []session.DCOption{{ID: 2, IP: c.ip.String(), Port: 443, IPv6: c.ip.Is6()}}
				if !sameOptions(opts, want) {
					t.Fatalf("%s: DCOptions = %+v, want %+v", kind.name, opts, want)
				}
			}
		})
	}
}

func TestImportTelethonStringErrors(t *testing.T) {
	good := telethonString(2, netip.MustParseAddr("149.154.167.51"), 443, testKey(2), true)
	cases := map[string]struct {
		s    string
		want error
	}{
		"empty":        {"", session.ErrBadString},
		"version":      {"2" + good[1:], session.ErrBadString},
		"base64":       {"1!!!!", session.ErrBadString},
		"length":       {good[:len(good)-8], session.ErrBadString},
		"dc zero":      {telethonString(0, netip.MustParseAddr("1.2.3.4"), 443, testKey(1), true), session.ErrBadString},
		"no auth key":  {telethonString(2, netip.MustParseAddr("1.2.3.4"), 443, make([]byte, 256), true), session.ErrNoAuthKey},
		"pyrogram one": {pyrogramString(2, 1, false, testKey(1), 5, false), session.ErrBadString},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst := session.NewMemory()
			err := session.ImportTelethonString(c.s, dst)
			wantErr(t, err, c.want)
			var ie *session.ImportError
			if !errors.As(err, &ie) || ie.Path != "" {
				t.Fatalf("error = %#v, want *ImportError without a path", err)
			}
			if len(c.s) > 20 && strings.Contains(err.Error(), c.s[5:20]) {
				t.Fatalf("error %q quotes the secret string", err)
			}
			if k, _ := dst.AuthKey(2); k != nil {
				t.Fatal("a failed import wrote an auth key")
			}
		})
	}
}

// pyrogramString packs Pyrogram 2's >BI?256sQ?.
func pyrogramString(dc byte, apiID uint32, test bool, key []byte, userID uint64, bot bool) string {
	b := []byte{dc}
	b = binary.BigEndian.AppendUint32(b, apiID)
	b = append(b, boolByte(test))
	b = append(b, key...)
	b = binary.BigEndian.AppendUint64(b, userID)
	b = append(b, boolByte(bot))
	return base64.RawURLEncoding.EncodeToString(b)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func TestImportPyrogramString(t *testing.T) {
	old32 := append([]byte{4, 1}, testKey(4)...) // >B?256sI?
	old32 = binary.BigEndian.AppendUint32(old32, 123456789)
	old32 = append(old32, 0)
	old64 := append([]byte{4, 0}, testKey(4)...) // >B?256sQ?
	old64 = binary.BigEndian.AppendUint64(old64, 6000000000)
	old64 = append(old64, 1)

	cases := []struct {
		name string
		s    string
		want session.PyrogramString
	}{
		{"Current", pyrogramString(4, 2040, false, testKey(4), 5000000001, true),
			session.PyrogramString{DC: 4, APIID: 2040, Key: testKey(4), UserID: 5000000001, Bot: true}},
		{"CurrentTestMode", pyrogramString(2, 17349, true, testKey(4), 12345, false),
			session.PyrogramString{DC: 2, APIID: 17349, TestMode: true, Key: testKey(4), UserID: 12345}},
		{"Old32BitUserID", base64.RawURLEncoding.EncodeToString(old32),
			session.PyrogramString{DC: 4, TestMode: true, Key: testKey(4), UserID: 123456789}},
		{"Old64BitUserID", base64.URLEncoding.EncodeToString(old64), // padded: accepted too
			session.PyrogramString{DC: 4, Key: testKey(4), UserID: 6000000000, Bot: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := session.ParsePyrogramString(c.s)
			must(t, err)
			if got.DC != c.want.DC || got.APIID != c.want.APIID || got.TestMode != c.want.TestMode ||
				string(got.Key) != string(c.want.Key) || got.UserID != c.want.UserID || got.Bot != c.want.Bot {
				t.Fatalf("ParsePyrogramString = %+v\nwant %+v", got, c.want)
			}
			for _, kind := range storeKinds {
				dst := kind.open(t)
				must(t, session.ImportPyrogramString(c.s, dst))
				k, _ := dst.AuthKey(c.want.DC)
				if k == nil || string(k.Key) != string(c.want.Key) {
					t.Fatalf("%s: AuthKey = %+v", kind.name, k)
				}
				if dc, _ := dst.MainDC(); dc != c.want.DC {
					t.Fatalf("%s: MainDC = %d", kind.name, dc)
				}
				me, _ := dst.Self()
				if me == nil || *me != (session.Self{UserID: c.want.UserID, Bot: c.want.Bot, DC: c.want.DC}) {
					t.Fatalf("%s: Self = %+v", kind.name, me)
				}
			}
		})
	}
}

func TestImportPyrogramStringErrors(t *testing.T) {
	good := pyrogramString(4, 1, false, testKey(4), 5, false)
	for name, c := range map[string]struct {
		s    string
		want error
	}{
		"empty":        {" ", session.ErrBadString},
		"base64":       {"@@@@", session.ErrBadString},
		"length":       {good[:300], session.ErrBadString},
		"dc zero":      {pyrogramString(0, 1, false, testKey(4), 5, false), session.ErrBadString},
		"user id sign": {pyrogramString(4, 1, false, testKey(4), 1<<63, false), session.ErrBadString},
		"no auth key":  {pyrogramString(4, 1, false, make([]byte, 256), 5, false), session.ErrNoAuthKey},
		"telethon one": {telethonString(2, netip.MustParseAddr("1.2.3.4"), 443, testKey(2), true), session.ErrBadString},
	} {
		t.Run(name, func(t *testing.T) {
			err := session.ImportPyrogramString(c.s, session.NewMemory())
			wantErr(t, err, c.want)
		})
	}
}
