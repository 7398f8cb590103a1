package session_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/polygram/polygram/session"
)

func TestSQLitePersistsAcrossCloseAndOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persist.session")
	s, err := session.Open(path)
	must(t, err)
	l := sampleLogin()
	writeLogin(t, s, l)
	st := session.UpdateState{Pts: 10, Qts: 20, Date: 30, Seq: 40}
	peer := session.Peer{ID: 1, Kind: session.PeerChannel, AccessHash: 99, Username: "news", Usernames: []string{"News", "news2"},
		Phone: "", Name: "News", Min: true, UpdatedAt: at}
	must(t, s.SaveState(&st, map[int64]int32{1: 500}, []session.Peer{peer}))
	must(t, s.Close())

	s = openSQLite(t, path)
	checkLogin(t, s, l)
	if got, ok, err := s.UpdateState(); got != st || !ok || err != nil {
		t.Fatalf("UpdateState = %+v, %v, %v", got, ok, err)
	}
	if pts, ok, err := s.ChannelPts(1); pts != 500 || !ok || err != nil {
		t.Fatalf("ChannelPts = %d, %v, %v", pts, ok, err)
	}
	checkPeer(t, getPeer(t, s, 1, session.PeerChannel), peer)
	p, err := s.PeerByUsername("NEWS2")
	must(t, err)
	checkPeer(t, p, peer)

	// Which peer owns a shared username survives a reopen too.
	must(t, s.SavePeers([]session.Peer{{ID: 2, Kind: session.PeerUser, Username: "news2"}}))
	must(t, s.Close())
	s = openSQLite(t, path)
	must(t, s.SavePeers([]session.Peer{{ID: 3, Kind: session.PeerUser, Username: "news2"}}))
	if p, _ := s.PeerByUsername("news2"); p == nil || p.ID != 3 {
		t.Fatalf("PeerByUsername after reopen = %+v, want user 3", p)
	}
}

func TestSQLiteUsesWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.session")
	s := openSQLite(t, path)
	must(t, s.SetMainDC(2))
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no write-ahead log next to an open session: %v", err)
	}
	must(t, s.Close())
	// Bytes 18 and 19 of the database header are 2 in WAL mode, 1 in the
	// rollback journal modes; the mode is persistent.
	hdr := make([]byte, 20)
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	_, err = f.ReadAt(hdr, 0)
	must(t, err)
	if hdr[18] != 2 || hdr[19] != 2 {
		t.Fatalf("file format bytes = %d, %d; want 2, 2 (WAL)", hdr[18], hdr[19])
	}
	if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file left after Close: %v", err)
	}
}

func TestSQLiteSecondOpenInSameProcessIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.session")
	s := openSQLite(t, path)
	start := time.Now()
	_, err := session.Open(path)
	var inUse *session.InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("second Open = %v, want *InUseError", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second Open took %v, want an immediate error", d)
	}
	if inUse.PID != os.Getpid() || inUse.Path != path || !errors.Is(err, session.ErrInUse) {
		t.Fatalf("InUseError = %+v", inUse)
	}
	want := fmt.Sprintf("session %q is in use by process %d; close the other client or use another session file", path, os.Getpid())
	if err.Error() != want {
		t.Fatalf("message = %q\nwant      %q", err.Error(), want)
	}
	// The refused Open must not have disturbed the owner.
	must(t, s.SetMainDC(3))
	must(t, s.Close())
	s2 := openSQLite(t, path)
	if dc, _ := s2.MainDC(); dc != 3 {
		t.Fatalf("MainDC = %d, want 3", dc)
	}
}

func TestSQLiteOpensPathsWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "we?ird #name%20.session")
	s := openSQLite(t, path)
	must(t, s.SetMainDC(5))
	must(t, s.Close())
	s = openSQLite(t, path)
	if dc, _ := s.MainDC(); dc != 5 {
		t.Fatalf("MainDC = %d, want 5", dc)
	}
	if s.Path() != path {
		t.Fatalf("Path = %q, want %q", s.Path(), path)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "we?ird #name%20.session") {
			t.Fatalf("unexpected file %q: the path was misread", e.Name())
		}
	}
}

func TestSQLiteSavesTenThousandPeersInOneBatch(t *testing.T) {
	s := openSQLite(t, filepath.Join(t.TempDir(), "big.session"))
	peers := manyPeers(10000, 0)
	start := time.Now()
	must(t, s.SavePeers(peers))
	t.Logf("SavePeers(10000) took %v", time.Since(start))
	for i := 0; i < len(peers); i += 97 {
		checkPeer(t, getPeer(t, s, peers[i].ID, peers[i].Kind), peers[i])
	}
	last := peers[len(peers)-1]
	p, err := s.PeerByUsername(last.Username)
	must(t, err)
	checkPeer(t, p, last)
	p, err = s.PeerByPhone(last.Phone)
	must(t, err)
	checkPeer(t, p, last)

	// The batch is one transaction: a bad last peer stores none of the rest.
	again := manyPeers(10000, 20000)
	again[len(again)-1].ID = 0
	wantErr(t, s.SavePeers(again), session.ErrInvalid)
	if p := getPeer(t, s, again[0].ID, again[0].Kind); p != nil {
		t.Fatalf("peer %d saved by a failed batch", again[0].ID)
	}
}

// manyPeers returns n users with distinct ids from base+1, usernames and phones.
func manyPeers(n int, base int64) []session.Peer {
	peers := make([]session.Peer, n)
	for i := range peers {
		id := base + int64(i) + 1
		peers[i] = session.Peer{ID: id, Kind: session.PeerUser, AccessHash: id * 7919, Username: fmt.Sprintf("user%d", id),
			Usernames: []string{fmt.Sprintf("user%d", id)}, Phone: fmt.Sprintf("1555%07d", id), Name: fmt.Sprintf("User %d", id),
			UpdatedAt: at}
	}
	return peers
}

func BenchmarkSavePeers(b *testing.B) {
	const batch = 1000
	for _, kind := range []storeKind{storeKinds[0], storeKinds[2]} {
		b.Run(kind.name, func(b *testing.B) {
			s := kind.open(b)
			var round int64
			for b.Loop() {
				b.StopTimer()
				peers := manyPeers(batch, round*batch)
				b.StartTimer()
				if err := s.SavePeers(peers); err != nil {
					b.Fatal(err)
				}
				round++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(round*batch), "ns/peer")
		})
	}
}

// v1Schema is schema version 1 as released: peers had one username column.
// It is frozen here to test the migration to later versions.
var v1Schema = []string{
	`CREATE TABLE schema_version (version INTEGER NOT NULL)`,
	`INSERT INTO schema_version (version) VALUES (1)`,
	`CREATE TABLE auth_keys (dc INTEGER PRIMARY KEY, key BLOB NOT NULL, salt INTEGER NOT NULL DEFAULT 0,
		time_offset INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE main_dc (id INTEGER PRIMARY KEY CHECK (id = 1), dc INTEGER NOT NULL)`,
	`CREATE TABLE dc_options (position INTEGER PRIMARY KEY, dc INTEGER NOT NULL, ip TEXT NOT NULL, port INTEGER NOT NULL,
		ipv6 INTEGER NOT NULL DEFAULT 0, media_only INTEGER NOT NULL DEFAULT 0, cdn INTEGER NOT NULL DEFAULT 0,
		tcpo_only INTEGER NOT NULL DEFAULT 0, static INTEGER NOT NULL DEFAULT 0, this_port_only INTEGER NOT NULL DEFAULT 0, secret BLOB)`,
	`CREATE TABLE self (id INTEGER PRIMARY KEY CHECK (id = 1), user_id INTEGER NOT NULL, bot INTEGER NOT NULL, dc INTEGER NOT NULL)`,
	`CREATE TABLE update_state (id INTEGER PRIMARY KEY CHECK (id = 1), pts INTEGER NOT NULL, qts INTEGER NOT NULL,
		date INTEGER NOT NULL, seq INTEGER NOT NULL)`,
	`CREATE TABLE channel_pts (channel_id INTEGER PRIMARY KEY, pts INTEGER NOT NULL)`,
	`CREATE TABLE peers (kind INTEGER NOT NULL, id INTEGER NOT NULL, access_hash INTEGER NOT NULL DEFAULT 0,
		username TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
		bot INTEGER NOT NULL DEFAULT 0, min INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0,
		seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, id)) WITHOUT ROWID`,
	`CREATE INDEX peers_username ON peers (username, seq) WHERE username != ''`,
	`CREATE INDEX peers_phone ON peers (phone, seq) WHERE phone != ''`,
	`CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`,
}

func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func execAll(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestSQLiteMigratesFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.session")
	db := rawDB(t, path)
	execAll(t, db, v1Schema...)
	execAll(t, db,
		`INSERT INTO main_dc VALUES (1, 4)`,
		`INSERT INTO self VALUES (1, 5000, 0, 4)`,
		`INSERT INTO peers (kind, id, access_hash, username, phone, name, updated_at, seq) VALUES
			(1, 10, 111, 'durov', '1555', 'Pavel', 1715941230123456789, 1),
			(3, 20, 222, '', '', 'No name', 1715941230123456789, 2)`,
		`INSERT INTO counters VALUES ('peer_seq', 2)`)
	must(t, db.Close())

	s := openSQLite(t, path)
	if dc, _ := s.MainDC(); dc != 4 {
		t.Fatalf("MainDC after migration = %d, want 4", dc)
	}
	if me, _ := s.Self(); me == nil || me.UserID != 5000 {
		t.Fatalf("Self after migration = %+v", me)
	}
	want := session.Peer{ID: 10, Kind: session.PeerUser, AccessHash: 111, Username: "durov", Usernames: []string{"durov"},
		Phone: "1555", Name: "Pavel", UpdatedAt: time.Unix(0, 1715941230123456789)}
	p, err := s.PeerByUsername("@Durov")
	must(t, err)
	checkPeer(t, p, want)
	checkPeer(t, getPeer(t, s, 20, session.PeerChannel), session.Peer{ID: 20, Kind: session.PeerChannel, AccessHash: 222,
		Name: "No name", UpdatedAt: time.Unix(0, 1715941230123456789)})
	// New writes use the new schema, and save order continues after the old one.
	must(t, s.SavePeers([]session.Peer{{ID: 11, Kind: session.PeerUser, Usernames: []string{"durov", "extra"}}}))
	if p, _ := s.PeerByUsername("durov"); p == nil || p.ID != 11 {
		t.Fatalf("PeerByUsername after a new save = %+v, want user 11", p)
	}
	must(t, s.Close())

	var version int
	must(t, rawDB(t, path).QueryRow(`SELECT version FROM schema_version`).Scan(&version))
	if version != session.SchemaVersion {
		t.Fatalf("schema_version = %d, want %d", version, session.SchemaVersion)
	}
}

func TestSQLiteRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.session")
	s := openSQLite(t, path)
	must(t, s.SetMainDC(2))
	must(t, s.Close())
	execAll(t, rawDB(t, path), `UPDATE schema_version SET version = 99`)

	_, err := session.Open(path)
	wantErr(t, err, session.ErrSchemaTooNew)
	if !strings.Contains(err.Error(), "99") {
		t.Fatalf("error %q does not say which version the file has", err)
	}
	// The refusal released the lock: fixing the file makes it usable again.
	execAll(t, rawDB(t, path), fmt.Sprintf(`UPDATE schema_version SET version = %d`, session.SchemaVersion))
	s = openSQLite(t, path)
	if dc, _ := s.MainDC(); dc != 2 {
		t.Fatalf("MainDC = %d, want 2", dc)
	}
}

func TestSQLiteRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()

	telethon := filepath.Join(dir, "telethon.session")
	makeTelethonFile(t, telethon)
	before, err := os.ReadFile(telethon)
	must(t, err)
	_, err = session.Open(telethon)
	wantErr(t, err, session.ErrUnknownFormat)
	if !strings.Contains(err.Error(), "ImportTelethon") {
		t.Fatalf("error %q does not point to ImportTelethon", err)
	}
	after, err := os.ReadFile(telethon)
	must(t, err)
	if string(before) != string(after) {
		t.Fatal("Open modified a Telethon session it refused")
	}

	pyrogram := filepath.Join(dir, "pyrogram.session")
	makePyrogramFile(t, pyrogram, false)
	_, err = session.Open(pyrogram)
	wantErr(t, err, session.ErrUnknownFormat)
	if !strings.Contains(err.Error(), "ImportPyrogram") {
		t.Fatalf("error %q does not point to ImportPyrogram", err)
	}

	garbage := filepath.Join(dir, "garbage.session")
	must(t, os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600))
	_, err = session.Open(garbage)
	wantErr(t, err, session.ErrUnknownFormat)

	other := filepath.Join(dir, "other.db")
	execAll(t, rawDB(t, other), `CREATE TABLE notes (text TEXT)`)
	_, err = session.Open(other)
	wantErr(t, err, session.ErrUnknownFormat)
}

func TestSQLiteOptions(t *testing.T) {
	s := openSQLite(t, filepath.Join(t.TempDir(), "opts.session"),
		session.WithBusyTimeout(100*time.Millisecond), session.WithMaxReaders(1), session.WithRelaxedSync())
	must(t, s.SavePeers(manyPeers(10, 0)))
	if p := getPeer(t, s, 10, session.PeerUser); p == nil {
		t.Fatal("peer not found")
	}
	_, err := session.Open("")
	wantErr(t, err, session.ErrInvalid)
}

func TestSQLiteReadsDuringLongWrite(t *testing.T) {
	s := openSQLite(t, filepath.Join(t.TempDir(), "rw.session"))
	must(t, s.SetMainDC(2))
	done := make(chan error, 1)
	go func() { done <- s.SavePeers(manyPeers(5000, 0)) }()
	// Reads go to their own connections: they complete while the batch runs.
	for range 50 {
		if dc, err := s.MainDC(); dc != 2 || err != nil {
			t.Fatalf("MainDC = %d, %v", dc, err)
		}
	}
	must(t, <-done)
}

// A file of schema 2 (before last message ids) opens, keeps its state and
// gains the table; the ids then survive a reopen.
func TestSQLiteMigratesFromVersion2AndKeepsLastMessageIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.session")
	s := openSQLite(t, path)
	st := session.UpdateState{Pts: 40, Qts: 2, Date: 1700000000, Seq: 7}
	must(t, s.SaveState(&st, map[int64]int32{55: 9}, nil))
	must(t, s.Close())
	execAll(t, rawDB(t, path), `DROP TABLE last_message_ids`, `UPDATE schema_version SET version = 2`)

	s = openSQLite(t, path)
	if got, ok, err := s.UpdateState(); err != nil || !ok || got != st {
		t.Fatalf("UpdateState after migration = %+v, %v, %v", got, ok, err)
	}
	if ids, err := s.LastMessageIDs(); err != nil || len(ids) != 0 {
		t.Fatalf("LastMessageIDs after migration = %v, %v", ids, err)
	}
	must(t, s.SaveStateLastIDs(&st, nil, map[int64]int32{0: 300, 55: 12}, nil))
	must(t, s.Close())

	s = openSQLite(t, path)
	if ids, err := s.LastMessageIDs(); err != nil || ids[0] != 300 || ids[55] != 12 {
		t.Fatalf("LastMessageIDs after reopening = %v, %v", ids, err)
	}
	if pts, _, _ := s.ChannelPts(55); pts != 9 {
		t.Fatalf("ChannelPts = %d", pts)
	}
	mem := session.NewMemory()
	must(t, session.Copy(mem, s))
	if ids, _ := mem.LastMessageIDs(); ids[0] != 300 || ids[55] != 12 {
		t.Fatalf("Copy dropped the last message ids: %v", ids)
	}
	var version int
	must(t, s.Close())
	must(t, rawDB(t, path).QueryRow(`SELECT version FROM schema_version`).Scan(&version))
	if version != 3 {
		t.Fatalf("schema_version = %d, want 3", version)
	}
}
