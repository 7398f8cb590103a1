package core_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/session"
)

const gapWait = 20 * time.Second

// numbered returns "prefix 0" … "prefix n-1".
func numbered(prefix string, from, n int) []string {
	out := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

// post sends texts from a user to a marked peer through the emulator.
func post(t testing.TB, emu *emulator.Emulator, from, to int64, texts []string) {
	t.Helper()
	for _, s := range texts {
		if _, err := emu.SendMessage(from, to, s); err != nil {
			t.Fatal(err)
		}
	}
}

// waitIncoming waits until every chat of want has received exactly its
// texts, in order, and fails on a duplicate, a loss or a reordering.
func waitIncoming(t testing.TB, rec *recorder, want map[int64][]string) {
	t.Helper()
	rec.waitFor(t, gapWait, "every message", func(evs []core.Event) bool {
		got := incoming(evs)
		for chat, texts := range want {
			if len(got[chat]) < len(texts) {
				return false
			}
		}
		return true
	})
	time.Sleep(200 * time.Millisecond) // let duplicates, if any, arrive
	got := incoming(rec.events())
	for chat, texts := range want {
		if !slices.Equal(got[chat], texts) {
			t.Fatalf("chat %d received %d messages %v;\nwant %d %v", chat, len(got[chat]), got[chat], len(texts), texts)
		}
	}
}

func TestLostUpdatesAreRecoveredInOrder(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996622001", "Ann", "", nil, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622002", "Bob", "", "")
	group, err := emu.CreateChat(bob.ID, "Team", ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	super, err := emu.CreateChannel(bob.ID, "Super", "", true, ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, super, []string{"warm-up"})
	ann.rec.waitFor(t, gapWait, "the warm-up", has(func(m *core.NewMessage) bool { return m.Message.Message == "warm-up" }))

	emu.LoseUpdates(ann.user.ID, 3)
	post(t, emu, bob.ID, ann.user.ID, numbered("dm", 0, 10))
	emu.LoseUpdates(ann.user.ID, 4)
	post(t, emu, bob.ID, group, numbered("group", 0, 10))
	emu.LoseUpdates(ann.user.ID, 5)
	post(t, emu, bob.ID, super, numbered("super", 0, 10))
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: numbered("dm", 0, 10), group: numbered("group", 0, 10),
		super: append([]string{"warm-up"}, numbered("super", 0, 10)...)})
}

func TestUpdatesLostAtTheEndAreFetchedWhenIdle(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996622011", "Ann", "", nil, core.UpdateOptions{IdleWait: time.Second}, true)
	bob, _ := emu.CreateUser("9996622012", "Bob", "", "")
	emu.LoseUpdates(ann.user.ID, 2)
	post(t, emu, bob.ID, ann.user.ID, numbered("quiet", 0, 2))
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: numbered("quiet", 0, 2)})
}

func TestDroppedConnectionLosesNothing(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996622021", "Ann", "", nil, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622022", "Bob", "", "")
	super, err := emu.CreateChannel(bob.ID, "Super", "", true, ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, super, []string{"before"})
	ann.rec.waitFor(t, gapWait, "the first post", has(func(m *core.NewMessage) bool { return m.Message.Message == "before" }))
	// Updates sent while the connection is down never arrive as pushes.
	emu.HoldUpdates(ann.user.ID, true)
	emu.DropConnections()
	post(t, emu, bob.ID, ann.user.ID, numbered("dm", 0, 5))
	post(t, emu, bob.ID, super, numbered("super", 0, 5))
	emu.HoldUpdates(ann.user.ID, false)
	// The client reconnects (its pings notice the drop) and catches up
	// without any further update arriving.
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: numbered("dm", 0, 5),
		super: append([]string{"before"}, numbered("super", 0, 5)...)})
}

func TestLongOfflinePeriodIsCaughtUpOnRestart(t *testing.T) {
	emu := startEmulator(t)
	store := session.NewMemory()
	ann := newAccount(t, emu, "9996622031", "Ann", "", store, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622032", "Bob", "", "")
	group, err := emu.CreateChat(bob.ID, "Team", ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	super, err := emu.CreateChannel(bob.ID, "Super", "", true, ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, ann.user.ID, []string{"dm online"})
	post(t, emu, bob.ID, group, []string{"group online"})
	post(t, emu, bob.ID, super, []string{"super online"})
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: {"dm online"}, group: {"group online"}, super: {"super online"}})
	ann.c.Close()

	// Offline: more than one difference slice (100 events) and more than
	// one channel difference page.
	post(t, emu, bob.ID, ann.user.ID, numbered("dm", 0, 130))
	post(t, emu, bob.ID, group, numbered("group", 0, 60))
	post(t, emu, bob.ID, super, numbered("super", 0, 150))

	// Without catch-up nothing old arrives; with it, everything, once.
	again := clientWith(t, emu, store, core.UpdateOptions{})
	rec := record(again)
	if err := again.StartUpdates(ctx(t), true); err != nil {
		t.Fatal(err)
	}
	waitIncoming(t, rec, map[int64][]string{bob.ID: numbered("dm", 0, 130), group: numbered("group", 0, 60),
		super: numbered("super", 0, 150)})
}

func TestStartWithoutCatchUpSkipsTheMissedUpdates(t *testing.T) {
	emu := startEmulator(t)
	store := session.NewMemory()
	ann := newAccount(t, emu, "9996622041", "Ann", "", store, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622042", "Bob", "", "")
	ann.c.Close()
	post(t, emu, bob.ID, ann.user.ID, numbered("missed", 0, 3))
	again := clientWith(t, emu, store, core.UpdateOptions{})
	rec := record(again)
	if err := again.StartUpdates(ctx(t), false); err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, ann.user.ID, []string{"live"})
	waitIncoming(t, rec, map[int64][]string{bob.ID: {"live"}})
}

func TestChannelDifferenceTooLongRefetchesSkippedHistory(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996622051", "Ann", "", nil, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622052", "Bob", "", "")
	super, err := emu.CreateChannel(bob.ID, "Super", "", true, ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, super, []string{"seen"})
	ann.rec.waitFor(t, gapWait, "the first post", has(func(m *core.NewMessage) bool { return m.Message.Message == "seen" }))

	emu.HoldUpdates(ann.user.ID, true)
	post(t, emu, bob.ID, super, numbered("skipped", 0, 250)) // the server gives only the newest 100
	if err := emu.ForceChannelDifferenceTooLong(ann.user.ID, super); err != nil {
		t.Fatal(err)
	}
	emu.HoldUpdates(ann.user.ID, false)
	post(t, emu, bob.ID, super, []string{"after"})
	want := append(append([]string{"seen"}, numbered("skipped", 0, 250)...), "after")
	waitIncoming(t, ann.rec, map[int64][]string{super: want})
}

func TestDifferenceTooLongRefetchesSkippedMessages(t *testing.T) {
	emu := startEmulator(t)
	ann := newAccount(t, emu, "9996622061", "Ann", "", nil, core.UpdateOptions{}, true)
	bob, _ := emu.CreateUser("9996622062", "Bob", "", "")
	group, err := emu.CreateChat(bob.ID, "Team", ann.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	post(t, emu, bob.ID, ann.user.ID, []string{"seen"})
	ann.rec.waitFor(t, gapWait, "the first message", has(func(m *core.NewMessage) bool { return m.Message.Message == "seen" }))

	emu.HoldUpdates(ann.user.ID, true)
	post(t, emu, bob.ID, ann.user.ID, numbered("dm", 0, 120))
	post(t, emu, bob.ID, group, numbered("group", 0, 40))
	emu.ForceDifferenceTooLong(ann.user.ID)
	emu.HoldUpdates(ann.user.ID, false)
	post(t, emu, bob.ID, ann.user.ID, []string{"after"})
	want := append(append([]string{"seen"}, numbered("dm", 0, 120)...), "after")
	waitIncoming(t, ann.rec, map[int64][]string{bob.ID: want, group: numbered("group", 0, 40)})
}
