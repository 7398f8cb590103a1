package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite is a [Store] in an SQLite file: the default, durable store. It uses
// WAL mode, one writer connection (every write is one transaction) and a
// small pool of read-only connections, so reads never wait for a large
// write. The file is private to its owner (mode 0600) and used by one client
// at a time: see [Open].
type SQLite struct {
	path string
	lock *fileLock
	w    *sql.DB // exactly one connection: all writes
	r    *sql.DB // read-only connections

	mu     sync.RWMutex // closed is written under mu; every method reads it under RLock
	closed bool
}

type options struct {
	busyTimeout time.Duration
	readers     int
	relaxedSync bool
}

// Option configures [Open].
type Option func(*options)

// WithBusyTimeout sets how long a statement waits for a lock held by another
// connection of the same file before it fails (default 5s). Another Polygram
// client never gets that far: it is refused at once with an [*InUseError].
// This covers other programs reading the file, such as the sqlite3 shell.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithMaxReaders sets the size of the read-only connection pool (default 4,
// at least 1).
func WithMaxReaders(n int) Option {
	return func(o *options) { o.readers = max(n, 1) }
}

// WithRelaxedSync trades durability for speed: commits are no longer synced
// to disk one by one (SQLite's synchronous=NORMAL in WAL mode). A crash of
// the program loses nothing; a power loss may lose the last few commits but
// never corrupts the file. The default syncs every commit, because losing an
// auth key means logging in again.
func WithRelaxedSync() Option {
	return func(o *options) { o.relaxedSync = true }
}

// Open opens or creates the session file at path.
//
// The file, and the -wal and -shm files next to it, are created with mode
// 0600; an existing file readable by others is restricted to 0600. The
// schema is created or migrated to [SchemaVersion].
//
// A session is used by one client at a time. While it is open, a sidecar
// file "<path>.lock" (0600) holds the owner's process id under an exclusive
// lock; another Open of the same path, in another process or in this one,
// fails at once with an [*InUseError]. The lock dies with its process, so a
// crashed client never leaves a session locked.
//
// Open refuses files that are not Polygram sessions ([ErrUnknownFormat]; a
// Telethon or Pyrogram file is named as such so it can be imported instead)
// and files written by a newer Polygram ([ErrSchemaTooNew]).
func Open(path string, opts ...Option) (*SQLite, error) {
	o := options{busyTimeout: 5 * time.Second, readers: 4}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, invalid("empty session path")
	}
	lock, err := acquireLock(path)
	if err != nil {
		return nil, err
	}
	s := &SQLite{path: path, lock: lock}
	if err := s.open(o); err != nil {
		s.shutdown()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) open(o options) error {
	ctx := context.Background()
	if err := createPrivate(s.path); err != nil {
		return err
	}
	uri, err := fileURI(s.path)
	if err != nil {
		return err
	}
	busy := strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	sync := "FULL"
	if o.relaxedSync {
		sync = "NORMAL"
	}
	w, err := sql.Open("sqlite", uri+"?mode=rw&_txlock=immediate&_pragma=busy_timeout("+busy+")&_pragma=synchronous("+sync+")")
	if err != nil {
		return fmt.Errorf("session: open %s: %w", s.path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w

	if err := checkForeign(ctx, w, s.path); err != nil {
		return err
	}
	// An existing session readable by others is restricted before SQLite
	// writes to it (and so before it creates -wal and -shm with its mode).
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := tightenIfExists(s.path + suffix); err != nil {
			return err
		}
	}
	var mode string
	if err := w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
		return fmt.Errorf("session: %s: enable WAL: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("session: %s: the file system does not support WAL mode (journal mode is %q); put the session on a local disk", s.path, mode)
	}
	if err := migrate(ctx, w, s.path); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := tightenIfExists(s.path + suffix); err != nil {
			return err
		}
	}

	r, err := sql.Open("sqlite", uri+"?mode=rw&_pragma=busy_timeout("+busy+")&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("session: open %s: %w", s.path, err)
	}
	r.SetMaxOpenConns(o.readers)
	r.SetMaxIdleConns(o.readers)
	r.SetConnMaxIdleTime(time.Minute)
	s.r = r
	if err := r.PingContext(ctx); err != nil {
		return fmt.Errorf("session: open %s: %w", s.path, err)
	}
	return nil
}

// fileURI returns an SQLite URI for path that survives any character in it
// ('?', '#', '%', spaces).
func fileURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("session: %s: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: file:/C:/dir/x.session
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath(), nil
}

// Path returns the session file's path as given to Open.
func (s *SQLite) Path() string { return s.path }

// Close closes the database (checkpointing the WAL into the main file) and
// releases the session for other clients. A second Close returns ErrClosed.
func (s *SQLite) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	return s.shutdown()
}

func (s *SQLite) shutdown() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	errs = append(errs, s.lock.release())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("session: close %s: %w", s.path, err)
	}
	return nil
}

// begin guards a method against Close; the caller must call s.mu.RUnlock.
func (s *SQLite) begin() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *SQLite) exec(what, query string, args ...any) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if _, err := s.w.Exec(query, args...); err != nil {
		return fmt.Errorf("session: %s: %w", what, err)
	}
	return nil
}

// tx runs fn in one write transaction.
func (s *SQLite) tx(what string, fn func(*sql.Tx) error) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	tx, err := s.w.Begin()
	if err != nil {
		return fmt.Errorf("session: %s: %w", what, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("session: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("session: %s: commit: %w", what, err)
	}
	return nil
}

// AuthKey implements [Store].
func (s *SQLite) AuthKey(dc int) (*AuthKey, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	k := AuthKey{DC: dc}
	var offset, created int64
	err := s.r.QueryRow(`SELECT key, salt, time_offset, created_at FROM auth_keys WHERE dc = ?`, dc).
		Scan(&k.Key, &k.Salt, &offset, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: read auth key of DC %d: %w", dc, err)
	}
	k.TimeOffset = time.Duration(offset)
	k.CreatedAt = fromUnixNano(created)
	return &k, nil
}

// AuthKeys implements [AuthKeyLister]: every key, by DC.
func (s *SQLite) AuthKeys() ([]AuthKey, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.r.Query(`SELECT dc, key, salt, time_offset, created_at FROM auth_keys ORDER BY dc`)
	if err != nil {
		return nil, fmt.Errorf("session: read auth keys: %w", err)
	}
	defer rows.Close()
	var out []AuthKey
	for rows.Next() {
		var k AuthKey
		var offset, created int64
		if err := rows.Scan(&k.DC, &k.Key, &k.Salt, &offset, &created); err != nil {
			return nil, fmt.Errorf("session: read auth keys: %w", err)
		}
		k.TimeOffset = time.Duration(offset)
		k.CreatedAt = fromUnixNano(created)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session: read auth keys: %w", err)
	}
	return out, nil
}

// SetAuthKey implements [Store].
func (s *SQLite) SetAuthKey(k AuthKey) error {
	if err := validateAuthKey(k); err != nil {
		return err
	}
	return s.exec(fmt.Sprintf("store auth key of DC %d", k.DC),
		`INSERT INTO auth_keys (dc, key, salt, time_offset, created_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (dc) DO UPDATE SET key = excluded.key, salt = excluded.salt,
		   time_offset = excluded.time_offset, created_at = excluded.created_at`,
		k.DC, k.Key, k.Salt, int64(k.TimeOffset), unixNano(k.CreatedAt))
}

// DeleteAuthKey implements [Store].
func (s *SQLite) DeleteAuthKey(dc int) error {
	return s.exec(fmt.Sprintf("delete auth key of DC %d", dc), `DELETE FROM auth_keys WHERE dc = ?`, dc)
}

// MainDC implements [Store].
func (s *SQLite) MainDC() (int, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	var dc int
	err := s.r.QueryRow(`SELECT dc FROM main_dc WHERE id = 1`).Scan(&dc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("session: read main DC: %w", err)
	}
	return dc, nil
}

// SetMainDC implements [Store]. 0 unsets it.
func (s *SQLite) SetMainDC(dc int) error {
	if dc < 0 {
		return invalid("main DC %d is negative", dc)
	}
	return s.exec("store main DC",
		`INSERT INTO main_dc (id, dc) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET dc = excluded.dc`, dc)
}

// DCOptions implements [Store].
func (s *SQLite) DCOptions() ([]DCOption, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.r.Query(`SELECT dc, ip, port, ipv6, media_only, cdn, tcpo_only, static, this_port_only, secret
		FROM dc_options ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("session: read DC options: %w", err)
	}
	defer rows.Close()
	out := []DCOption{}
	for rows.Next() {
		var o DCOption
		if err := rows.Scan(&o.ID, &o.IP, &o.Port, &o.IPv6, &o.MediaOnly, &o.CDN, &o.TCPOOnly, &o.Static, &o.ThisPortOnly, &o.Secret); err != nil {
			return nil, fmt.Errorf("session: read DC options: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session: read DC options: %w", err)
	}
	return out, nil
}

// SetDCOptions implements [Store].
func (s *SQLite) SetDCOptions(opts []DCOption) error {
	if err := validateDCOptions(opts); err != nil {
		return err
	}
	return s.tx("store DC options", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM dc_options`); err != nil {
			return err
		}
		for i, o := range opts {
			if _, err := tx.Exec(`INSERT INTO dc_options
				(position, dc, ip, port, ipv6, media_only, cdn, tcpo_only, static, this_port_only, secret)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				i, o.ID, o.IP, o.Port, o.IPv6, o.MediaOnly, o.CDN, o.TCPOOnly, o.Static, o.ThisPortOnly, o.Secret); err != nil {
				return err
			}
		}
		return nil
	})
}

// Self implements [Store].
func (s *SQLite) Self() (*Self, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var me Self
	err := s.r.QueryRow(`SELECT user_id, bot, dc FROM self WHERE id = 1`).Scan(&me.UserID, &me.Bot, &me.DC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: read self: %w", err)
	}
	return &me, nil
}

// SetSelf implements [Store].
func (s *SQLite) SetSelf(me *Self) error {
	if err := validateSelf(me); err != nil {
		return err
	}
	if me == nil {
		return s.exec("clear self", `DELETE FROM self`)
	}
	return s.exec("store self",
		`INSERT INTO self (id, user_id, bot, dc) VALUES (1, ?, ?, ?)
		 ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, bot = excluded.bot, dc = excluded.dc`,
		me.UserID, me.Bot, me.DC)
}

// UpdateState implements [Store].
func (s *SQLite) UpdateState() (UpdateState, bool, error) {
	if err := s.begin(); err != nil {
		return UpdateState{}, false, err
	}
	defer s.mu.RUnlock()
	var st UpdateState
	err := s.r.QueryRow(`SELECT pts, qts, date, seq FROM update_state WHERE id = 1`).Scan(&st.Pts, &st.Qts, &st.Date, &st.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return UpdateState{}, false, nil
	}
	if err != nil {
		return UpdateState{}, false, fmt.Errorf("session: read update state: %w", err)
	}
	return st, true, nil
}

const upsertUpdateState = `INSERT INTO update_state (id, pts, qts, date, seq) VALUES (1, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET pts = excluded.pts, qts = excluded.qts, date = excluded.date, seq = excluded.seq`

const upsertChannelPts = `INSERT INTO channel_pts (channel_id, pts) VALUES (?, ?)
	ON CONFLICT (channel_id) DO UPDATE SET pts = excluded.pts`

// SetUpdateState implements [Store].
func (s *SQLite) SetUpdateState(st UpdateState) error {
	return s.exec("store update state", upsertUpdateState, st.Pts, st.Qts, st.Date, st.Seq)
}

// ChannelPts implements [Store].
func (s *SQLite) ChannelPts(channelID int64) (int32, bool, error) {
	if err := s.begin(); err != nil {
		return 0, false, err
	}
	defer s.mu.RUnlock()
	var pts int32
	err := s.r.QueryRow(`SELECT pts FROM channel_pts WHERE channel_id = ?`, channelID).Scan(&pts)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("session: read pts of channel %d: %w", channelID, err)
	}
	return pts, true, nil
}

// SetChannelPts implements [Store].
func (s *SQLite) SetChannelPts(channelID int64, pts int32) error {
	if channelID <= 0 {
		return invalid("channel id %d is not positive (ids are bare, not marked)", channelID)
	}
	return s.exec(fmt.Sprintf("store pts of channel %d", channelID), upsertChannelPts, channelID, pts)
}

// SaveState implements [Store].
func (s *SQLite) SaveState(st *UpdateState, channels map[int64]int32, peers []Peer) error {
	if err := validateChannels(channels); err != nil {
		return err
	}
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	return s.tx("save state", func(tx *sql.Tx) error { return saveStateTx(tx, st, channels, norm) })
}

// saveStateTx writes peers, the update state and channel pts in tx.
func saveStateTx(tx *sql.Tx, st *UpdateState, channels map[int64]int32, norm []Peer) error {
	if err := savePeersTx(tx, norm); err != nil {
		return err
	}
	if st != nil {
		if _, err := tx.Exec(upsertUpdateState, st.Pts, st.Qts, st.Date, st.Seq); err != nil {
			return err
		}
	}
	// Sorted, so that two runs write the same file.
	ids := make([]int64, 0, len(channels))
	for id := range channels {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if _, err := tx.Exec(upsertChannelPts, id, channels[id]); err != nil {
			return err
		}
	}
	return nil
}

const upsertLastID = `INSERT INTO last_message_ids (box, message_id) VALUES (?, ?)
	ON CONFLICT (box) DO UPDATE SET message_id = excluded.message_id`

// LastMessageIDs implements [LastMessageStore].
func (s *SQLite) LastMessageIDs() (map[int64]int32, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.r.Query(`SELECT box, message_id FROM last_message_ids`)
	if err != nil {
		return nil, fmt.Errorf("session: read last message ids: %w", err)
	}
	defer rows.Close()
	out := map[int64]int32{}
	for rows.Next() {
		var box int64
		var id int32
		if err := rows.Scan(&box, &id); err != nil {
			return nil, fmt.Errorf("session: read last message ids: %w", err)
		}
		out[box] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session: read last message ids: %w", err)
	}
	return out, nil
}

// SaveStateLastIDs implements [LastMessageStore]: one transaction.
func (s *SQLite) SaveStateLastIDs(st *UpdateState, channels map[int64]int32, lastIDs map[int64]int32, peers []Peer) error {
	if err := validateLastIDs(lastIDs); err != nil {
		return err
	}
	if err := validateChannels(channels); err != nil {
		return err
	}
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	return s.tx("save state", func(tx *sql.Tx) error {
		if err := saveStateTx(tx, st, channels, norm); err != nil {
			return err
		}
		boxes := make([]int64, 0, len(lastIDs))
		for box := range lastIDs {
			boxes = append(boxes, box)
		}
		sort.Slice(boxes, func(i, j int) bool { return boxes[i] < boxes[j] })
		for _, box := range boxes {
			if _, err := tx.Exec(upsertLastID, box, lastIDs[box]); err != nil {
				return err
			}
		}
		return nil
	})
}

// SavePeers implements [Store]: one transaction for the whole batch.
func (s *SQLite) SavePeers(peers []Peer) error {
	norm, err := normalizePeers(peers, time.Now())
	if err != nil {
		return err
	}
	if len(norm) == 0 {
		if err := s.begin(); err != nil {
			return err
		}
		s.mu.RUnlock()
		return nil
	}
	return s.tx(fmt.Sprintf("save %d peers", len(norm)), func(tx *sql.Tx) error {
		return savePeersTx(tx, norm)
	})
}

const peerColumns = `kind, id, access_hash, username, usernames, phone, name, bot, min, updated_at`

func savePeersTx(tx *sql.Tx, peers []Peer) error {
	if len(peers) == 0 {
		return nil
	}
	var seq int64
	err := tx.QueryRow(`SELECT value FROM counters WHERE name = 'peer_seq'`).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	get, err := tx.Prepare(`SELECT ` + peerColumns + ` FROM peers WHERE kind = ? AND id = ?`)
	if err != nil {
		return err
	}
	defer get.Close()
	upsert, err := tx.Prepare(`INSERT INTO peers (` + peerColumns + `, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET access_hash = excluded.access_hash, username = excluded.username,
		  usernames = excluded.usernames, phone = excluded.phone, name = excluded.name, bot = excluded.bot,
		  min = excluded.min, updated_at = excluded.updated_at, seq = excluded.seq`)
	if err != nil {
		return err
	}
	defer upsert.Close()
	dropNames, err := tx.Prepare(`DELETE FROM usernames WHERE kind = ? AND peer_id = ?`)
	if err != nil {
		return err
	}
	defer dropNames.Close()
	addName, err := tx.Prepare(`INSERT OR IGNORE INTO usernames (username, kind, peer_id) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer addName.Close()

	for _, p := range peers {
		if p.Min {
			stored, err := scanPeer(get.QueryRow(p.Kind, p.ID))
			if err != nil {
				return err
			}
			p = mergeMin(stored, p)
		}
		names, err := encodeUsernames(p.Usernames)
		if err != nil {
			return err
		}
		seq++
		if _, err := upsert.Exec(p.Kind, p.ID, p.AccessHash, p.Username, names, p.Phone, p.Name, p.Bot, p.Min,
			unixNano(p.UpdatedAt), seq); err != nil {
			return fmt.Errorf("%v %d: %w", p.Kind, p.ID, err)
		}
		if _, err := dropNames.Exec(p.Kind, p.ID); err != nil {
			return err
		}
		for _, u := range p.Usernames {
			if _, err := addName.Exec(strings.ToLower(u), p.Kind, p.ID); err != nil {
				return err
			}
		}
	}
	_, err = tx.Exec(`INSERT INTO counters (name, value) VALUES ('peer_seq', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, seq)
	return err
}

func encodeUsernames(names []string) (string, error) {
	if len(names) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(names)
	return string(b), err
}

// scanPeer reads one row of peerColumns; (nil, nil) for no row.
func scanPeer(row *sql.Row) (*Peer, error) {
	var p Peer
	var names string
	var updated int64
	err := row.Scan(&p.Kind, &p.ID, &p.AccessHash, &p.Username, &names, &p.Phone, &p.Name, &p.Bot, &p.Min, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if names != "" && names != "[]" {
		if err := json.Unmarshal([]byte(names), &p.Usernames); err != nil {
			return nil, fmt.Errorf("%v %d: bad usernames column: %w", p.Kind, p.ID, err)
		}
	}
	p.UpdatedAt = fromUnixNano(updated)
	return &p, nil
}

// PeerByID implements [Store].
func (s *SQLite) PeerByID(id int64, kind PeerKind) (*Peer, error) {
	if !kind.valid() {
		return nil, invalid("peer %d: invalid kind %v", id, kind)
	}
	return s.peer(fmt.Sprintf("read %v %d", kind, id),
		`SELECT `+peerColumns+` FROM peers WHERE kind = ? AND id = ?`, kind, id)
}

// PeerByUsername implements [Store].
func (s *SQLite) PeerByUsername(username string) (*Peer, error) {
	u := NormalizeUsername(username)
	if u == "" {
		return nil, invalid("empty username %q", username)
	}
	return s.peer(fmt.Sprintf("look up username %q", u),
		`SELECT p.kind, p.id, p.access_hash, p.username, p.usernames, p.phone, p.name, p.bot, p.min, p.updated_at
		 FROM usernames u JOIN peers p ON p.kind = u.kind AND p.id = u.peer_id
		 WHERE u.username = ? ORDER BY p.seq DESC LIMIT 1`, u)
}

// PeerByPhone implements [Store].
func (s *SQLite) PeerByPhone(phone string) (*Peer, error) {
	ph := NormalizePhone(phone)
	if ph == "" {
		return nil, invalid("phone %q has no digits", phone)
	}
	return s.peer(fmt.Sprintf("look up phone %s", ph),
		`SELECT `+peerColumns+` FROM peers WHERE phone = ? AND phone != '' ORDER BY seq DESC LIMIT 1`, ph)
}

func (s *SQLite) peer(what, query string, args ...any) (*Peer, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	p, err := scanPeer(s.r.QueryRow(query, args...))
	if err != nil {
		return nil, fmt.Errorf("session: %s: %w", what, err)
	}
	return p, nil
}
