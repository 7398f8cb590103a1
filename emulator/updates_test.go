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

func TestConsecutiveSeqUpdatesArePushedAsUpdatesCombined(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620240", "A")
	b, cb := newUserClient(t, e, "9996620241", "B")
	c, cc := newUserClient(t, e, "9996620242", "C")
	chat, _ := e.CreateChat(a.ID, "Seq", b.ID, c.ID)
	_, cid := peerKind(chat)
	st := cb.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	stC := cc.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	ca.must(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(a.ID, b.ID), IsAdmin: true})
	// B's rights changed twice over in one call: two seq updates, pushed
	// together.
	comb := nextOf[*api.UpdatesCombined](cb)
	if comb.SeqStart != st.Seq+1 || comb.Seq != st.Seq+2 || len(comb.Updates) != 2 {
		t.Fatalf("combined seq %d..%d, state %d, %d updates", comb.SeqStart, comb.Seq, st.Seq, len(comb.Updates))
	}
	if x, ok := comb.Updates[0].(*api.UpdateChatParticipantAdmin); !ok || x.UserID != b.ID || !x.IsAdmin {
		t.Fatalf("first %+v", comb.Updates[0])
	}
	if x, ok := comb.Updates[1].(*api.UpdateChat); !ok || x.ChatID != cid {
		t.Fatalf("second %+v", comb.Updates[1])
	}
	if len(comb.Chats) != 1 || chatIDOf(comb.Chats[0]) != chat || len(comb.Users) != 1 {
		t.Fatalf("entities %d chats %d users", len(comb.Chats), len(comb.Users))
	}
	// One update is an updates with its seq.
	if _, one := waitUpdate[*api.UpdateChatParticipantAdmin](cc); one.(*api.Updates).Seq != stC.Seq+1 {
		t.Fatalf("c got %+v after seq %d", one, stC.Seq)
	}
	ca.must(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(a.ID, b.ID), IsAdmin: false})
	if next := nextOf[*api.UpdatesCombined](cb); next.SeqStart != comb.Seq+1 || next.Seq != comb.Seq+2 {
		t.Fatalf("next combined %d..%d after %d", next.SeqStart, next.Seq, comb.Seq)
	}
	d := cb.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date, Qts: st.Qts}).(*api.UpdatesDifference)
	if len(d.OtherUpdates) != 4 || d.State.(*api.UpdatesState).Seq != st.Seq+4 {
		t.Fatalf("difference %d updates, state %+v", len(d.OtherUpdates), d.State)
	}
	if p, _, seq, _ := e.UpdateState(b.ID); seq != st.Seq+4 || p != st.Pts {
		t.Fatalf("server seq %d pts %d", seq, p)
	}
}

func TestCoalesceKeepsEachUsersOrder(t *testing.T) {
	seqd := func(user int64, seq int32, text string) delivery {
		return delivery{user: user, upd: &api.Updates{Seq: seq, Date: seq,
			Updates: []api.UpdateClass{&api.UpdateUserName{FirstName: text}},
			Users:   []api.UserClass{&api.User{ID: 7}}, Chats: []api.ChatClass{&api.Chat{ID: 3}}}}
	}
	other := keyRef{dc: 2, id: 99}
	in := []delivery{
		seqd(1, 5, "a"),
		seqd(2, 9, "x"),
		seqd(1, 6, "b"),
		seqd(1, 7, "c"),
		seqd(1, 9, "gap"), // not consecutive
		{user: 1, upd: &api.UpdateShort{Update: &api.UpdateUserTyping{}}},
		seqd(1, 10, "after a push without seq"),
		{user: 1, except: other, upd: seqd(1, 11, "other connections").upd},
	}
	out := coalesce(in)
	if len(out) != 6 {
		t.Fatalf("%d deliveries", len(out))
	}
	comb, ok := out[0].upd.(*api.UpdatesCombined)
	if !ok || comb.SeqStart != 5 || comb.Seq != 7 || len(comb.Updates) != 3 || len(comb.Users) != 1 || len(comb.Chats) != 1 || comb.Date != 7 {
		t.Fatalf("combined %+v", out[0].upd)
	}
	if out[1].user != 2 || out[2].upd.(*api.Updates).Seq != 9 {
		t.Fatalf("order %+v", out)
	}
	if _, ok := out[3].upd.(*api.UpdateShort); !ok {
		t.Fatalf("push without seq moved: %+v", out[3])
	}
	if out[4].upd.(*api.Updates).Seq != 10 || out[5].except != other {
		t.Fatalf("tail %+v", out[4:])
	}
}
