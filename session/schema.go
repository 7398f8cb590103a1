package session

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migration is one step of the SQLite schema. Steps are applied in order,
// each in the same transaction as the schema_version update that records
// it, so a file is always at exactly one version. A released step is never
// edited: a change to the schema is a new step appended to migrations.
type migration struct {
	version int
	what    string
	stmts   []string
}

var migrations = []migration{
	{
		version: 1,
		what:    "initial schema",
		stmts: []string{
			`CREATE TABLE auth_keys (
				dc          INTEGER PRIMARY KEY,
				key         BLOB    NOT NULL,
				salt        INTEGER NOT NULL DEFAULT 0,
				time_offset INTEGER NOT NULL DEFAULT 0, -- nanoseconds
				created_at  INTEGER NOT NULL DEFAULT 0  -- unix nanoseconds, 0 if unknown
			)`,
			`CREATE TABLE main_dc (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				dc INTEGER NOT NULL
			)`,
			`CREATE TABLE dc_options (
				position       INTEGER PRIMARY KEY,
				dc             INTEGER NOT NULL,
				ip             TEXT    NOT NULL,
				port           INTEGER NOT NULL,
				ipv6           INTEGER NOT NULL DEFAULT 0,
				media_only     INTEGER NOT NULL DEFAULT 0,
				cdn            INTEGER NOT NULL DEFAULT 0,
				tcpo_only      INTEGER NOT NULL DEFAULT 0,
				static         INTEGER NOT NULL DEFAULT 0,
				this_port_only INTEGER NOT NULL DEFAULT 0,
				secret         BLOB
			)`,
			`CREATE TABLE self (
				id      INTEGER PRIMARY KEY CHECK (id = 1),
				user_id INTEGER NOT NULL,
				bot     INTEGER NOT NULL,
				dc      INTEGER NOT NULL
			)`,
			`CREATE TABLE update_state (
				id   INTEGER PRIMARY KEY CHECK (id = 1),
				pts  INTEGER NOT NULL,
				qts  INTEGER NOT NULL,
				date INTEGER NOT NULL,
				seq  INTEGER NOT NULL
			)`,
			`CREATE TABLE channel_pts (
				channel_id INTEGER PRIMARY KEY,
				pts        INTEGER NOT NULL
			)`,
			// seq orders saves: when two peers claim one username or phone,
			// the one saved last wins.
			`CREATE TABLE peers (
				kind        INTEGER NOT NULL,
				id          INTEGER NOT NULL,
				access_hash INTEGER NOT NULL DEFAULT 0,
				username    TEXT    NOT NULL DEFAULT '',
				phone       TEXT    NOT NULL DEFAULT '',
				name        TEXT    NOT NULL DEFAULT '',
				bot         INTEGER NOT NULL DEFAULT 0,
				min         INTEGER NOT NULL DEFAULT 0,
				updated_at  INTEGER NOT NULL DEFAULT 0,
				seq         INTEGER NOT NULL DEFAULT 0,
				PRIMARY KEY (kind, id)
			) WITHOUT ROWID`,
			`CREATE INDEX peers_username ON peers (username, seq) WHERE username != ''`,
			`CREATE INDEX peers_phone ON peers (phone, seq) WHERE phone != ''`,
			`CREATE TABLE counters (
				name  TEXT PRIMARY KEY,
				value INTEGER NOT NULL
			) WITHOUT ROWID`,
		},
	},
	{
		version: 2,
		what:    "every active username of a peer, not just the main one",
		stmts: []string{
			`ALTER TABLE peers ADD COLUMN usernames TEXT NOT NULL DEFAULT '[]'`, // JSON array, as the server spells them
			`CREATE TABLE usernames (
				username TEXT    NOT NULL, -- lower-cased
				kind     INTEGER NOT NULL,
				peer_id  INTEGER NOT NULL,
				PRIMARY KEY (username, kind, peer_id)
			) WITHOUT ROWID`,
			`CREATE INDEX usernames_peer ON usernames (kind, peer_id)`,
			`INSERT INTO usernames (username, kind, peer_id) SELECT username, kind, id FROM peers WHERE username != ''`,
			`UPDATE peers SET usernames = json_array(username) WHERE username != ''`,
			`DROP INDEX peers_username`,
		},
	},
	{
		version: 3,
		what:    "the newest message id dispatched per message box, for too-long recovery after a restart",
		stmts: []string{
			`CREATE TABLE last_message_ids (
				box        INTEGER PRIMARY KEY, -- 0: private chats and basic groups; else a bare channel id
				message_id INTEGER NOT NULL
			)`,
		},
	},
}

// SchemaVersion is the version of the SQLite schema this package writes (the
// row of the schema_version table). Files with an older version are migrated
// on Open; a file with a newer one is refused with [ErrSchemaTooNew].
const SchemaVersion = 3

func init() {
	// A programming error, caught by any test run: steps are numbered 1, 2, …
	// and the last one is SchemaVersion.
	for i, m := range migrations {
		if m.version != i+1 {
			panic(fmt.Sprintf("session: migration %d has version %d", i, m.version))
		}
	}
	if len(migrations) != SchemaVersion {
		panic("session: SchemaVersion does not match the last migration")
	}
}

// migrate brings a fresh or older file to SchemaVersion. path is only for
// messages.
func migrate(ctx context.Context, db *sql.DB, path string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("session: %s: begin migration: %w", path, err)
	}
	defer tx.Rollback()

	var hasVersion int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).Scan(&hasVersion); err != nil {
		return fmt.Errorf("session: %s: read schema: %w", path, err)
	}
	version := 0
	if hasVersion == 0 {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("session: %s: create schema_version: %w", path, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("session: %s: create schema_version: %w", path, err)
		}
	} else if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil {
		return fmt.Errorf("%w: %s: unreadable schema_version: %v", ErrUnknownFormat, path, err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w: %s has schema version %d, this Polygram knows up to %d; upgrade Polygram to open it",
			ErrSchemaTooNew, path, version, SchemaVersion)
	}
	if version == SchemaVersion {
		return nil
	}
	for _, m := range migrations {
		if m.version <= version {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("session: %s: migrate to schema %d (%s): %w", path, m.version, m.what, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, m.version); err != nil {
			return fmt.Errorf("session: %s: record schema %d: %w", path, m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("session: %s: commit migration: %w", path, err)
	}
	return nil
}

// checkForeign refuses a database that is not a Polygram session, naming
// the importer to use when it recognises the file.
func checkForeign(ctx context.Context, db *sql.DB, path string) error {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnknownFormat, path, err)
	}
	defer rows.Close()
	tables := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUnknownFormat, path, err)
		}
		tables[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnknownFormat, path, err)
	}
	if len(tables) == 0 || tables["schema_version"] {
		return nil
	}
	switch {
	case tables["sessions"] && tables["entities"]:
		return fmt.Errorf("%w: %s is a Telethon session; convert it with session.ImportTelethon into a new file", ErrUnknownFormat, path)
	case tables["sessions"] && tables["peers"]:
		return fmt.Errorf("%w: %s is a Pyrogram session; convert it with session.ImportPyrogram into a new file", ErrUnknownFormat, path)
	}
	return fmt.Errorf("%w: %s is an SQLite database of another program", ErrUnknownFormat, path)
}
