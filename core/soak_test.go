package core_test

import (
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
)

// soakSize is the number of messages of TestSoakNoMessageLostOrDuplicated:
// 1,000 by default (CI), POLYGRAM_SOAK=10000 for the full soak.
func soakSize(t *testing.T) int {
	if s := os.Getenv("POLYGRAM_SOAK"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 10 {
			t.Fatalf("POLYGRAM_SOAK=%q: want a number of messages of at least 10", s)
		}
		return n
	}
	if testing.Short() {
		return 300
	}
	return 1000
}

// TestSoakNoMessageLostOrDuplicated has three users exchange messages in
// private chats, a basic group and a broadcast channel while the emulator
// drops every connection, withholds pushes and loses updates at random.
// Every receiver must get every message sent to it exactly once, in order.
func TestSoakNoMessageLostOrDuplicated(t *testing.T) {
	total := soakSize(t)
	emu := startEmulator(t)
	phones := []string{"9996623001", "9996623002", "9996623003"}
	names := []string{"soak_ann", "soak_bob", "soak_cid"}
	var accs []*account
	for i := range phones {
		accs = append(accs, newAccount(t, emu, phones[i], names[i], names[i], session.NewMemory(), core.UpdateOptions{}, true))
	}
	ids := []int64{accs[0].user.ID, accs[1].user.ID, accs[2].user.ID}
	group, err := emu.CreateChat(ids[0], "Soak group", ids[1], ids[2])
	if err != nil {
		t.Fatal(err)
	}
	channel, err := emu.CreateChannel(ids[0], "Soak channel", "soak_news", false, ids[1], ids[2])
	if err != nil {
		t.Fatal(err)
	}
	// Each sender's targets: the two others, the group, and (the channel's
	// owner) the channel.
	type target struct {
		marked int64
		peer   session.Peer
	}
	targets := make([][]target, 3)
	for i, a := range accs {
		for j := range accs {
			if j != i {
				targets[i] = append(targets[i], target{ids[j], resolve(t, a.c, "@"+names[j])})
			}
		}
		a.rec.waitFor(t, gapWait, "the group", has(func(ev *core.ChatAction) bool { return ev.ChatID == group }))
		gp, err := a.c.ResolveID(ctx(t), group)
		if err != nil {
			t.Fatal(err)
		}
		targets[i] = append(targets[i], target{group, gp})
	}
	targets[0] = append(targets[0], target{channel, resolve(t, accs[0].c, "@soak_news")})

	// Faults, until the senders are done.
	stop := make(chan struct{})
	var faults sync.WaitGroup
	var drops, holds, losses atomic.Int64
	faults.Add(1)
	go func() {
		defer faults.Done()
		rng := mrand.New(mrand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(5+rng.IntN(20)) * time.Millisecond):
			}
			victim := ids[rng.IntN(3)]
			switch rng.IntN(3) {
			case 0:
				emu.DropConnections()
				drops.Add(1)
			case 1:
				emu.HoldUpdates(victim, true)
				time.Sleep(time.Duration(10+rng.IntN(80)) * time.Millisecond)
				emu.HoldUpdates(victim, false)
				holds.Add(1)
			case 2:
				emu.LoseUpdates(victim, 1+rng.IntN(3))
				losses.Add(1)
			}
		}
	}()

	start := time.Now()
	var senders sync.WaitGroup
	var failed atomic.Int64
	for i, a := range accs {
		senders.Add(1)
		go func() {
			defer senders.Done()
			rng := mrand.New(mrand.NewPCG(uint64(i), 7))
			for n := range total/3 + min(1, max(0, total%3-i)) {
				to := targets[i][rng.IntN(len(targets[i]))]
				if _, err := a.c.SendMessage(ctx(t), to.peer, fmt.Sprintf("%s %d", names[i], n), core.SendOptions{}); err != nil {
					failed.Add(1) // the emulator's history is the ground truth
				}
			}
		}()
	}
	senders.Wait()
	close(stop)
	faults.Wait()
	sent := time.Since(start)
	for _, id := range ids {
		emu.HoldUpdates(id, false)
		emu.LoseUpdates(id, 0) // losses not yet used up would eat the last messages
	}
	// A last message in the group and the channel shows each receiver any
	// gap left at the very end.
	for i, a := range accs {
		if _, err := a.c.SendMessage(ctx(t), targets[i][2].peer, names[i]+" done", core.SendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := accs[0].c.SendMessage(ctx(t), targets[0][3].peer, "channel done", core.SendOptions{}); err != nil {
		t.Fatal(err)
	}

	// What each receiver must get: every incoming message of its chats.
	want := make([]map[int64][]int32, 3)
	expected := 0
	for i := range accs {
		want[i] = map[int64][]int32{}
		for _, chat := range []int64{ids[(i+1)%3], ids[(i+2)%3], group, channel} {
			hist, err := emu.History(ids[i], chat)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range hist {
				if !m.Out && !m.Service {
					want[i][chat] = append(want[i][chat], m.ID)
				}
			}
			slices.Sort(want[i][chat])
			expected += len(want[i][chat])
		}
	}
	got := func(i int) map[int64][]int32 {
		out := map[int64][]int32{}
		for _, ev := range accs[i].rec.events() {
			if m, ok := ev.(*core.NewMessage); ok && !m.Out {
				out[m.ChatID] = append(out[m.ChatID], m.Message.ID)
			}
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for i := range accs {
		for {
			g, complete := got(i), true
			for chat, w := range want[i] {
				if len(g[chat]) < len(w) {
					complete = false
				}
			}
			if complete {
				break
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(300 * time.Millisecond) // late duplicates, if any
	received := 0
	for i := range accs {
		g := got(i)
		for chat, w := range want[i] {
			received += len(g[chat])
			if !slices.Equal(g[chat], w) {
				lost, dup := diffIDs(w, g[chat])
				t.Errorf("%s in chat %d: received %d of %d messages; lost %v, duplicated or reordered %v",
					names[i], chat, len(g[chat]), len(w), lost, dup)
			}
		}
	}
	t.Logf("soak: %d messages sent in %v (%d send calls failed and were not retried), %d deliveries expected, %d received; faults: %d drops, %d holds, %d losses",
		total, sent.Round(time.Millisecond), failed.Load(), expected, received, drops.Load(), holds.Load(), losses.Load())
}

// diffIDs lists ids missing from got, and ids of got that are extra or out
// of order.
func diffIDs(want, got []int32) (lost, extra []int32) {
	seen := map[int32]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range want {
		if seen[id] == 0 {
			lost = append(lost, id)
		}
	}
	for i, id := range got {
		if seen[id] > 1 || (i > 0 && got[i-1] >= id) {
			extra = append(extra, id)
		}
	}
	if len(lost) > 20 {
		lost = append(lost[:20], -1)
	}
	if len(extra) > 20 {
		extra = append(extra[:20], -1)
	}
	return lost, extra
}
