package emulator

import (
	"strconv"
	"testing"
	"time"

	"github.com/polygram/polygram/tl/api"
)

// ptsOf returns the pts and pts_count a push carries (0 when none).
func ptsOf(u api.UpdatesClass) (pts, count int32) {
	switch x := u.(type) {
	case *api.UpdateShortMessage:
		return x.Pts, x.PtsCount
	case *api.UpdateShortChatMessage:
		return x.Pts, x.PtsCount
	case *api.Updates:
		for _, up := range x.Updates {
			if s := api.ClassifyUpdate(up); s.Kind == api.SeqPts {
				return s.Pts, s.PtsCount
			}
		}
	}
	return 0, 0
}

func TestPtsSequenceHasNoGaps(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620200", "A")
	b, cb := newUserClient(t, e, "9996620201", "B")
	st := cb.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	pts := st.Pts
	pa := e.testInputPeer(a.ID, b.ID)
	ca.must(sendReq(pa, "1"))
	ca.must(sendReq(pa, "2"))
	ca.must(&api.MessagesEditMessageRequest{Peer: pa, ID: 1, Message: optStr("1!")})
	ca.must(&api.MessagesDeleteMessagesRequest{ID: []int32{1, 2}, Revoke: true})
	for i := 0; i < 4; i++ {
		p, n := ptsOf(cb.next())
		if p-n != pts {
			t.Fatalf("push %d: pts %d count %d after %d", i, p, n, pts)
		}
		pts = p
	}
	if pts != st.Pts+5 { // two messages, an edit, a deletion of two
		t.Fatalf("pts %d, started at %d", pts, st.Pts)
	}
	if p, _, _, _ := e.UpdateState(b.ID); p != pts {
		t.Fatalf("server pts %d, client %d", p, pts)
	}
}

func TestLostUpdatesAreRecoveredWithGetDifference(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620210", "A")
	b, cb := newUserClient(t, e, "9996620211", "B")
	st := cb.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	e.LoseUpdates(b.ID, 2)
	pa := e.testInputPeer(a.ID, b.ID)
	for i := 1; i <= 3; i++ {
		ca.must(sendReq(pa, "m"+strconv.Itoa(i)))
	}
	// Only the third arrives: a gap of two.
	p, n := ptsOf(cb.next())
	if p-n != st.Pts+2 {
		t.Fatalf("first push pts %d count %d, state %d", p, n, st.Pts)
	}
	diff := cb.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date}).(*api.UpdatesDifference)
	if len(diff.NewMessages) != 3 || diff.State.(*api.UpdatesState).Pts != p {
		t.Fatalf("difference %d messages, state %+v", len(diff.NewMessages), diff.State)
	}
	if diff.NewMessages[0].(*api.Message).Message != "m1" || len(diff.Users) == 0 {
		t.Fatalf("difference %+v", diff)
	}
	empty := cb.must(&api.UpdatesGetDifferenceRequest{Pts: p, Date: diff.State.(*api.UpdatesState).Date})
	if _, ok := empty.(*api.UpdatesDifferenceEmpty); !ok {
		t.Fatalf("up to date: %T", empty)
	}

	// Held updates are not pushed but are in the difference.
	e.HoldUpdates(b.ID, true)
	ca.must(sendReq(pa, "held"))
	cb.quiet(100 * time.Millisecond)
	e.HoldUpdates(b.ID, false)
	d2 := cb.must(&api.UpdatesGetDifferenceRequest{Pts: p, Date: 1}).(*api.UpdatesDifference)
	if len(d2.NewMessages) != 1 || d2.NewMessages[0].(*api.Message).Message != "held" {
		t.Fatalf("held difference %+v", d2.NewMessages)
	}
}

func TestDifferenceSliceAndTooLong(t *testing.T) {
	e := startEmu(t, Config{})
	a, _ := newUserClient(t, e, "9996620220", "A")
	b, cb := newUserClient(t, e, "9996620221", "B")
	st := cb.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	e.HoldUpdates(b.ID, true)
	for i := 0; i < diffSliceEvents+20; i++ {
		if _, err := e.SendMessage(a.ID, b.ID, "x"); err != nil {
			t.Fatal(err)
		}
	}
	res := cb.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date})
	sl, ok := res.(*api.UpdatesDifferenceSlice)
	if !ok || len(sl.NewMessages) != diffSliceEvents {
		t.Fatalf("got %T", res)
	}
	mid := sl.IntermediateState.(*api.UpdatesState)
	rest := cb.must(&api.UpdatesGetDifferenceRequest{Pts: mid.Pts, Date: mid.Date}).(*api.UpdatesDifference)
	if len(rest.NewMessages) != 20 {
		t.Fatalf("rest %d", len(rest.NewMessages))
	}
	long := cb.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date, PtsTotalLimit: optInt(50)})
	if x, ok := long.(*api.UpdatesDifferenceTooLong); !ok || x.Pts != rest.State.(*api.UpdatesState).Pts {
		t.Fatalf("too long: %#v", long)
	}
}

func TestUnauthorizedCallsAnswer401(t *testing.T) {
	e := startEmu(t, Config{})
	cl := dialDC(t, e, 2)
	if got := cl.rpcErr(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}}); got != "401 AUTH_KEY_UNREGISTERED" {
		t.Fatalf("got %q", got)
	}
	if got := cl.rpcErr(&api.AccountGetPasswordRequest{}); got != "401 AUTH_KEY_UNREGISTERED" {
		t.Fatalf("getPassword: %q", got)
	}
}

func TestUpdatesWithoutPtsCarrySeq(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620230", "A")
	ca2 := dialDC(t, e, 2)
	ca2.login(a)
	st := ca2.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	ca.must(&api.AccountUpdateProfileRequest{FirstName: optStr("Ann")})
	for _, cl := range []*client{ca, ca2} {
		u := nextOf[*api.Updates](cl)
		if u.Seq != st.Seq+1 {
			t.Fatalf("seq %d after %d", u.Seq, st.Seq)
		}
		if n := u.Updates[0].(*api.UpdateUserName); n.FirstName != "Ann" {
			t.Fatalf("update %+v", n)
		}
	}
	d := ca2.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date}).(*api.UpdatesDifference)
	if len(d.OtherUpdates) != 1 || d.State.(*api.UpdatesState).Seq != st.Seq+1 {
		t.Fatalf("difference %+v state %+v", d.OtherUpdates, d.State)
	}
}
