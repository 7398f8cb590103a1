package core_test

import (
	"path/filepath"
	"testing"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
)

// openStore opens an SQLite session file and closes it with the test.
func openStore(t *testing.T, path string) *session.SQLite {
	t.Helper()
	s, err := session.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A restart followed by differenceTooLong (and channelDifferenceTooLong)
// still delivers every message missed while the client was away: the
// newest message ids dispatched were persisted with the update state.
func TestTooLongGapAfterARestartRefetchesFromThePersistedIDs(t *testing.T) {
	emu := startEmulator(t)
	path := filepath.Join(t.TempDir(), "ann.session")
	store := openStore(t, path)
	ann := newAccount(t, emu, "9996622071", "Ann", "", store, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622072", "Bob", "", "")
	group, err := emu.CreateChat(bob.ID, "Team", ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	super, err := emu.CreateChannel(bob.ID, "Super", "", true, ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, ann.user.ID, []string{"dm seen"})
	post(t, emu, bob.ID, group, []string{"group seen"})
	post(t, emu, bob.ID, super, []string{"super seen"})
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: {"dm seen"}, group: {"group seen"}, super: {"super seen"}})
	ann.c.Close()
	ids, err := store.LastMessageIDs()
	if err != nil || ids[0] == 0 || len(ids) != 2 {
		t.Fatalf("last message ids stored: %v, %v; want the common box and the supergroup", ids, err)
	}
	store.Close()

	// Away: the server will not give the difference (too long), and the
	// supergroup skipped far ahead.
	post(t, emu, bob.ID, ann.user.ID, numbered("dm", 0, 30))
	post(t, emu, bob.ID, group, numbered("group", 0, 10))
	post(t, emu, bob.ID, super, numbered("super", 0, 150)) // more than the 100 newest the server gives
	emu.ForceDifferenceTooLong(ann.user.ID)
	if err := emu.ForceChannelDifferenceTooLong(ann.user.ID, super); err != nil {
		t.Fatal(err)
	}

	store = openStore(t, path)
	again := clientWith(t, emu, store, core.UpdateOptions{})
	rec := record(again)
	if err := again.StartUpdates(ctx(t), true); err != nil {
		t.Fatal(err)
	}
	// The common box comes back first (refetched past the stored id); the
	// channel is fetched once something names it.
	rec.waitFor(t, gapWait, "the common box", func(evs []core.Event) bool {
		got := incoming(evs)
		return len(got[bob.ID]) >= 30 && len(got[group]) >= 10
	})
	post(t, emu, bob.ID, super, []string{"super after"})
	post(t, emu, bob.ID, ann.user.ID, []string{"dm after"})
	waitIncoming(t, rec, map[int64][]string{bob.ID: append(numbered("dm", 0, 30), "dm after"), group: numbered("group", 0, 10),
		super: append(numbered("super", 0, 150), "super after")})
}
