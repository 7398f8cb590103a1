package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
)

// recorder keeps every event a client's handlers saw.
type recorder struct {
	mu     sync.Mutex
	evs    []core.Event
	notify chan struct{}
}

func record(c *core.Client) *recorder {
	r := &recorder{notify: make(chan struct{}, 1)}
	c.OnEvent(func(_ context.Context, ev core.Event) {
		r.mu.Lock()
		r.evs = append(r.evs, ev)
		r.mu.Unlock()
		select {
		case r.notify <- struct{}{}:
		default:
		}
	})
	return r
}

func (r *recorder) events() []core.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Event(nil), r.evs...)
}

// waitFor waits until pred holds on the events so far, and fails the test
// with what was seen after timeout.
func (r *recorder) waitFor(t testing.TB, timeout time.Duration, what string, pred func([]core.Event) bool) []core.Event {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		evs := r.events()
		if pred(evs) {
			return evs
		}
		select {
		case <-r.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; saw %d events: %s", what, len(evs), describe(evs))
		}
	}
}

// first returns the first event of type T satisfying ok.
func first[T core.Event](evs []core.Event, ok func(T) bool) (T, bool) {
	for _, ev := range evs {
		if x, is := ev.(T); is && (ok == nil || ok(x)) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

func has[T core.Event](ok func(T) bool) func([]core.Event) bool {
	return func(evs []core.Event) bool { _, found := first(evs, ok); return found }
}

func describe(evs []core.Event) string {
	s := ""
	for i, ev := range evs {
		if i == 40 {
			return s + " …"
		}
		switch x := ev.(type) {
		case *core.NewMessage:
			s += fmt.Sprintf(" new(%d:%d %q)", x.ChatID, x.Message.ID, x.Message.Message)
		case *core.RawUpdate:
			s += fmt.Sprintf(" raw(%s)", tl.Name(x.Update))
		default:
			s += fmt.Sprintf(" %T", ev)
		}
	}
	return s
}

// incoming lists the texts of NewMessage events not sent by this account,
// per chat, in the order they were handled.
func incoming(evs []core.Event) map[int64][]string {
	out := map[int64][]string{}
	for _, ev := range evs {
		if m, ok := ev.(*core.NewMessage); ok && !m.Out {
			out[m.ChatID] = append(out[m.ChatID], m.Message.Message)
		}
	}
	return out
}

// account is a logged-in client of an emulator user.
type account struct {
	c    *core.Client
	user *emulator.User
	rec  *recorder
}

// newAccount creates an emulator user and logs a client in as it; with
// start, it records events and starts receiving updates.
func newAccount(t testing.TB, emu *emulator.Emulator, phone, name, username string, store session.Store, opts core.UpdateOptions, start bool) *account {
	t.Helper()
	u, err := emu.CreateUser(phone, name, "", username)
	if err != nil {
		t.Fatal(err)
	}
	a := &account{user: u}
	a.c = clientWith(t, emu, store, opts)
	login(t, emu, a.c, phone)
	if start {
		a.rec = record(a.c)
		if err := a.c.StartUpdates(ctx(t), false); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func clientWith(t testing.TB, emu *emulator.Emulator, store session.Store, opts core.UpdateOptions) *core.Client {
	t.Helper()
	if store == nil {
		store = session.NewMemory()
	}
	cfg := config(emu, store)
	cfg.Updates = opts
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func resolve(t testing.TB, c *core.Client, query string) session.Peer {
	t.Helper()
	p, err := c.ResolvePeer(ctx(t), query)
	if err != nil {
		t.Fatalf("resolving %s: %v", query, err)
	}
	return p
}

// call invokes a TL function and fails the test on an error.
func call(t testing.TB, c *core.Client, fn tl.Function) any {
	t.Helper()
	res, err := c.Invoke(ctx(t), fn)
	if err != nil {
		t.Fatalf("%s: %v", tl.Name(fn), err)
	}
	return res
}
