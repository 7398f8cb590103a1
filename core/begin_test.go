package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/tl/api"
)

// Begin sends at once on a live connection and Wait applies the invoke
// policy to that first attempt (a migration, a flood wait); before any
// connection and after Close it behaves as Invoke.
func TestBeginAndWait(t *testing.T) {
	emu := startEmulator(t)
	u, _ := emu.CreateUser("9996627171", "Bea", "", "")
	c := newClient(t, emu, nil)

	// No connection yet: Begin only encodes, Wait connects.
	res, err := c.Begin(ctx(t), &api.HelpGetNearestDCRequest{}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.(*api.NearestDC); !ok {
		t.Fatalf("result %T", res)
	}

	login(t, emu, c, "9996627171")
	// Many in flight at once, each written by Begin.
	calls := make([]*core.Call, 20)
	for i := range calls {
		calls[i] = c.Begin(ctx(t), &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	}
	for i, k := range calls {
		res, err := k.Wait()
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got := res.([]api.UserClass)[0].(*api.User); got.ID != u.ID {
			t.Fatalf("call %d: user %d", i, got.ID)
		}
	}

	emu.FailNext("users.getUsers", 1, "FILE_MIGRATE_1")
	res, err = c.Begin(ctx(t), &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}).Wait()
	if err != nil {
		t.Fatalf("after FILE_MIGRATE_1: %v", err)
	}
	if got := res.([]api.UserClass)[0].(*api.User); got.ID != u.ID {
		t.Fatalf("user %d", got.ID)
	}

	emu.FailNext("help.getNearestDc", 1, "FLOOD_WAIT_120")
	_, err = c.Begin(ctx(t), &api.HelpGetNearestDCRequest{}).Wait()
	var fw *core.FloodWaitError
	if !errors.As(err, &fw) || fw.Wait != 120*time.Second {
		t.Fatalf("flood wait: %v", err)
	}

	c.Close()
	if _, err := c.Begin(ctx(t), &api.HelpGetNearestDCRequest{}).Wait(); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// Then gets the result once, whether it is quick (help.getNearestDc,
// handed over on the connection's goroutine), carries users (cached on a
// goroutine of its own), needs the policy (a flood wait slept through), or
// the client is closed.
func TestBeginThen(t *testing.T) {
	emu := startEmulator(t)
	u, _ := emu.CreateUser("9996627272", "Cid", "", "")
	c := newClient(t, emu, nil)
	login(t, emu, c, "9996627272")
	type outcome struct {
		res any
		err error
	}
	then := func(k *core.Call) outcome {
		ch := make(chan outcome, 2)
		k.Then(func(res any, err error) { ch <- outcome{res, err} })
		select {
		case o := <-ch:
			select {
			case <-ch:
				t.Fatal("called twice")
			case <-time.After(20 * time.Millisecond):
			}
			return o
		case <-time.After(10 * time.Second):
			t.Fatal("never called")
		}
		return outcome{}
	}
	for range 20 {
		if o := then(c.Begin(ctx(t), &api.HelpGetNearestDCRequest{})); o.err != nil {
			t.Fatal(o.err)
		} else if _, ok := o.res.(*api.NearestDC); !ok {
			t.Fatalf("result %T", o.res)
		}
	}
	o := then(c.Begin(ctx(t), &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}))
	if o.err != nil || o.res.([]api.UserClass)[0].(*api.User).ID != u.ID {
		t.Fatalf("users.getUsers: %v, %v", o.res, o.err)
	}
	emu.FailNext("help.getNearestDc", 1, "FLOOD_WAIT_1")
	start := time.Now()
	if o := then(c.Begin(ctx(t), &api.HelpGetNearestDCRequest{})); o.err != nil || time.Since(start) < time.Second {
		t.Fatalf("flood wait: %v after %v", o.err, time.Since(start))
	}
	c.Close()
	if o := then(c.Begin(ctx(t), &api.HelpGetNearestDCRequest{})); !errors.Is(o.err, core.ErrClosed) {
		t.Fatalf("after Close: %v", o.err)
	}
}
