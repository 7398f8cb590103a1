package updates

import (
	"testing"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newManager() (*Manager, *clock) {
	c := &clock{time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	m := New(Config{Now: c.now, SelfID: 1})
	m.SetState(State{Pts: 10, Qts: 5, Date: 100, Seq: 20})
	return m, c
}

func msg(id int32) *api.UpdateNewMessage {
	return &api.UpdateNewMessage{Message: &api.Message{ID: id, PeerID: &api.PeerUser{UserID: 2}}}
}

func newMsg(id, pts int32) *api.UpdateShort {
	u := msg(id)
	u.Pts, u.PtsCount = pts, 1
	return &api.UpdateShort{Update: u, Date: 200}
}

// ids lists the message ids dispatched, in order.
func ids(out Output) []int32 {
	var got []int32
	for _, b := range out.Dispatch {
		for _, u := range b.Updates {
			switch x := u.(type) {
			case *api.UpdateNewMessage:
				got = append(got, x.Message.(*api.Message).ID)
			case *api.UpdateNewChannelMessage:
				got = append(got, x.Message.(*api.Message).ID)
			}
		}
	}
	return got
}

func eq(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInOrderUpdatesAreDispatchedAndDuplicatesSkipped(t *testing.T) {
	m, _ := newManager()
	if got := ids(m.OnUpdates(newMsg(1, 11))); !eq(got, []int32{1}) {
		t.Fatalf("got %v", got)
	}
	out := m.OnUpdates(newMsg(2, 12))
	if !eq(ids(out), []int32{2}) || out.Save == nil || out.Save.State.Pts != 12 {
		t.Fatalf("got %v %+v", ids(out), out.Save)
	}
	if got := ids(m.OnUpdates(newMsg(2, 12))); len(got) != 0 {
		t.Fatalf("duplicate dispatched: %v", got)
	}
}

func TestGapWaitsThenFills(t *testing.T) {
	m, clk := newManager()
	if got := ids(m.OnUpdates(newMsg(3, 13))); len(got) != 0 {
		t.Fatalf("early update dispatched: %v", got)
	}
	if got := ids(m.OnUpdates(newMsg(2, 12))); len(got) != 0 {
		t.Fatal("second early update dispatched")
	}
	clk.add(100 * time.Millisecond)
	if out := m.Tick(); out.GetDifference != nil {
		t.Fatal("fetched a difference before the gap wait")
	}
	if got := ids(m.OnUpdates(newMsg(1, 11))); !eq(got, []int32{1, 2, 3}) {
		t.Fatalf("gap fill dispatched %v", got)
	}
	if s, _ := m.State(); s.Pts != 13 {
		t.Fatalf("pts %d", s.Pts)
	}
	clk.add(time.Second)
	if out := m.Tick(); out.GetDifference != nil {
		t.Fatal("difference fetched after the gap filled")
	}
}

func TestUnfilledGapFetchesDifference(t *testing.T) {
	m, clk := newManager()
	m.OnUpdates(newMsg(5, 15))
	clk.add(600 * time.Millisecond)
	out := m.Tick()
	if out.GetDifference == nil || out.GetDifference.Pts != 10 || out.GetDifference.Qts != 5 {
		t.Fatalf("no or wrong getDifference: %+v", out.GetDifference)
	}
	// An update arriving while fetching is held back, not lost.
	if got := ids(m.OnUpdates(newMsg(6, 16))); len(got) != 0 {
		t.Fatal("dispatched while fetching")
	}
	// First a slice, then the rest.
	out = m.OnDifference(&api.UpdatesDifferenceSlice{
		NewMessages:       []api.MessageClass{&api.Message{ID: 1}, &api.Message{ID: 2}},
		IntermediateState: &api.UpdatesState{Pts: 12, Qts: 5, Date: 150, Seq: 20},
	})
	if !eq(ids(out), []int32{1, 2}) || out.GetDifference == nil || out.GetDifference.Pts != 12 {
		t.Fatalf("slice: %v %+v", ids(out), out.GetDifference)
	}
	out = m.OnDifference(&api.UpdatesDifference{
		NewMessages: []api.MessageClass{&api.Message{ID: 3}, &api.Message{ID: 4}, &api.Message{ID: 5}},
		State:       &api.UpdatesState{Pts: 15, Qts: 5, Date: 160, Seq: 21},
	})
	// 3, 4, 5 from the difference, then the held-back 6 (pts 16) replayed.
	if got := ids(out); !eq(got, []int32{3, 4, 5, 6}) || out.GetDifference != nil {
		t.Fatalf("difference: %v", got)
	}
	if out.Save == nil || out.Save.State.Pts != 16 || out.Save.State.Seq != 21 {
		t.Fatalf("saved %+v", out.Save)
	}
}

func TestSeqGapIsHeldUntilFilled(t *testing.T) {
	m, _ := newManager()
	late := &api.Updates{Updates: []api.UpdateClass{&api.UpdateUserTyping{UserID: 9, Action: &api.SendMessageTypingAction{}}}, Date: 300, Seq: 22}
	if out := m.OnUpdates(late); len(out.Dispatch) != 0 {
		t.Fatal("seq 22 applied at seq 20")
	}
	first := &api.Updates{Updates: []api.UpdateClass{&api.UpdateUserTyping{UserID: 8, Action: &api.SendMessageTypingAction{}}}, Date: 290, Seq: 21}
	out := m.OnUpdates(first)
	var users []int64
	for _, b := range out.Dispatch {
		for _, u := range b.Updates {
			users = append(users, u.(*api.UpdateUserTyping).UserID)
		}
	}
	if len(users) != 2 || users[0] != 8 || users[1] != 9 {
		t.Fatalf("dispatched %v, want [8 9]", users)
	}
	if s, _ := m.State(); s.Seq != 22 || s.Date != 300 {
		t.Fatalf("state %+v", s)
	}
}

func TestQtsSequence(t *testing.T) {
	m, _ := newManager()
	stop := func(q int32) api.UpdatesClass {
		return &api.UpdateShort{Update: &api.UpdateBotStopped{UserID: int64(q), Qts: q}}
	}
	if out := m.OnUpdates(stop(7)); len(out.Dispatch) != 0 {
		t.Fatal("qts gap dispatched")
	}
	out := m.OnUpdates(stop(6))
	if len(out.Dispatch) != 1 || len(out.Dispatch[0].Updates) != 2 {
		t.Fatalf("%+v", out.Dispatch)
	}
	if s, _ := m.State(); s.Qts != 7 {
		t.Fatalf("qts %d", s.Qts)
	}
}

func chMsg(channel int64, id, pts int32) api.UpdatesClass {
	return &api.UpdateShort{Update: &api.UpdateNewChannelMessage{
		Message: &api.Message{ID: id, PeerID: &api.PeerChannel{ChannelID: channel}}, Pts: pts, PtsCount: 1}}
}

func TestChannelGapFetchesChannelDifference(t *testing.T) {
	m, clk := newManager()
	m.SetChannelPts(77, 100)
	if got := ids(m.OnUpdates(chMsg(77, 1, 101))); !eq(got, []int32{1}) {
		t.Fatal(got)
	}
	m.OnUpdates(chMsg(77, 5, 105))
	// Another channel is not held up by the gap.
	if got := ids(m.OnUpdates(chMsg(88, 9, 50))); !eq(got, []int32{9}) {
		t.Fatalf("other channel: %v", got)
	}
	clk.add(time.Second)
	out := m.Tick()
	if len(out.GetChannelDifference) != 1 || out.GetChannelDifference[0] != (ChannelFetch{77, 101}) {
		t.Fatalf("%+v", out.GetChannelDifference)
	}
	out = m.OnChannelDifference(77, &api.UpdatesChannelDifferenceTooLong{
		Final: true, Dialog: &api.Dialog{Pts: tl.Some[int32](110)},
		Messages: []api.MessageClass{&api.Message{ID: 9}, &api.Message{ID: 10}},
	})
	if !out.TooLong || !eq(ids(out), []int32{9, 10}) {
		t.Fatalf("too long: %v %v", out.TooLong, ids(out))
	}
	if pts, _ := m.ChannelPts(77); pts != 110 || out.Save.Channels[77] != 110 {
		t.Fatalf("pts %d, saved %+v", pts, out.Save)
	}
	// The held-back pts-105 update is older than 110 now: dropped, not duplicated.
	if got := ids(m.OnUpdates(chMsg(77, 11, 111))); !eq(got, []int32{11}) {
		t.Fatalf("after recovery: %v", got)
	}
}

func TestTooLongAndIdleFetchDifference(t *testing.T) {
	m, clk := newManager()
	if out := m.OnUpdates(&api.UpdatesTooLong{}); out.GetDifference == nil {
		t.Fatal("updatesTooLong did not fetch a difference")
	}
	out := m.OnDifference(&api.UpdatesDifferenceEmpty{Date: 500, Seq: 20})
	if out.GetDifference != nil {
		t.Fatal("kept fetching")
	}
	clk.add(16 * time.Minute)
	if out := m.Tick(); out.GetDifference == nil {
		t.Fatal("no difference after 15 idle minutes")
	}
	m.OnDifference(&api.UpdatesDifferenceTooLong{Pts: 999})
	if s, _ := m.State(); s.Pts != 999 {
		t.Fatalf("pts %d", s.Pts)
	}
}

func TestShortMessagesBecomeMessages(t *testing.T) {
	m, _ := newManager()
	out := m.OnUpdates(&api.UpdateShortMessage{Out: true, ID: 42, UserID: 2, Message: "hi", Pts: 11, PtsCount: 1, Date: 300})
	msg := out.Dispatch[0].Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)
	if msg.ID != 42 || msg.Message != "hi" || msg.FromID.(*api.PeerUser).UserID != 1 || msg.PeerID.(*api.PeerUser).UserID != 2 {
		t.Fatalf("%+v", msg)
	}
	out = m.OnUpdates(&api.UpdateShortChatMessage{ID: 43, FromID: 3, ChatID: 4, Message: "yo", Pts: 12, PtsCount: 1})
	msg = out.Dispatch[0].Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)
	if msg.FromID.(*api.PeerUser).UserID != 3 || msg.PeerID.(*api.PeerChat).ChatID != 4 {
		t.Fatalf("%+v", msg)
	}
	out = m.OnUpdates(&api.UpdateShortSentMessage{ID: 44, Pts: 13, PtsCount: 1})
	if len(out.Dispatch) != 0 || out.Save.State.Pts != 13 {
		t.Fatalf("%+v", out)
	}
}

func TestOwnSentMessageIsDispatchedOnceInPtsOrder(t *testing.T) {
	m, _ := newManager()
	sent := &api.Message{Out: true, ID: 7, PeerID: &api.PeerUser{UserID: 2}, Message: "mine"}
	out := m.OnSentMessage(&api.UpdateShortSentMessage{Out: true, ID: 7, Pts: 11, PtsCount: 1, Date: 300}, sent)
	if !eq(ids(out), []int32{7}) || out.Save == nil || out.Save.State.Pts != 11 || out.Save.State.Date != 300 {
		t.Fatalf("sent: %v save %+v", ids(out), out.Save)
	}
	if up := out.Dispatch[0].Updates[0].(*api.UpdateNewMessage); up.Message != sent || up.Pts != 11 {
		t.Fatalf("dispatched %+v", up)
	}
	// The same pts again, pushed (another form) or in a difference: skipped.
	if out := m.OnUpdates(&api.UpdateShortMessage{Out: true, ID: 7, UserID: 2, Pts: 11, PtsCount: 1}); len(out.Dispatch) != 0 {
		t.Fatalf("repeat dispatched %v", ids(out))
	}
	if out := m.OnUpdates(newMsg(8, 12)); !eq(ids(out), []int32{8}) {
		t.Fatalf("next: %v", ids(out))
	}
	// Without the rebuilt message only the sequence moves.
	if out := m.OnSentMessage(&api.UpdateShortSentMessage{Out: true, ID: 9, Pts: 13, PtsCount: 1}, nil); len(out.Dispatch) != 0 || out.Save.State.Pts != 13 {
		t.Fatalf("pts only: %v %+v", ids(out), out.Save)
	}
	// A send answered while a difference is being fetched waits for it and
	// is not repeated when the difference carries it.
	m.CatchUp()
	if out := m.OnSentMessage(&api.UpdateShortSentMessage{Out: true, ID: 10, Pts: 14, PtsCount: 1}, &api.Message{Out: true, ID: 10, PeerID: &api.PeerUser{UserID: 2}}); len(out.Dispatch) != 0 {
		t.Fatalf("dispatched during a fetch: %v", ids(out))
	}
	out = m.OnDifference(&api.UpdatesDifference{NewMessages: []api.MessageClass{&api.Message{Out: true, ID: 10, PeerID: &api.PeerUser{UserID: 2}}},
		State: &api.UpdatesState{Pts: 14, Qts: 5, Date: 400, Seq: 20}})
	if !eq(ids(out), []int32{10}) {
		t.Fatalf("after the difference: %v", ids(out))
	}
}
