package updates

import (
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func chanMsg(channel int64, id, pts int32) *api.UpdateNewChannelMessage {
	return &api.UpdateNewChannelMessage{Message: &api.Message{ID: id, PeerID: &api.PeerChannel{ChannelID: channel}}, Pts: pts, PtsCount: 1}
}

func msgs(ids ...int32) []api.MessageClass {
	var out []api.MessageClass
	for _, id := range ids {
		out = append(out, &api.Message{ID: id, PeerID: &api.PeerChannel{ChannelID: 7}})
	}
	return out
}

func TestChannelTooLongIsRecoveredWithTheSkippedHistoryFirst(t *testing.T) {
	m, clk := newManager()
	m.SetChannelPts(7, 100)
	if got := ids(m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 1, 101)})); !eq(got, []int32{1}) {
		t.Fatalf("got %v", got)
	}
	if m.ChannelLastMessageID(7) != 1 {
		t.Fatalf("last id %d", m.ChannelLastMessageID(7))
	}
	m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 9, 109)}) // a gap
	clk.add(600_000_000)
	out := m.Tick()
	if len(out.GetChannelDifference) != 1 || out.GetChannelDifference[0].Pts != 101 {
		t.Fatalf("fetch %+v", out.GetChannelDifference)
	}
	// The client refetched 2…5 from history; the server gave 9, 8, 7, 6
	// (newest first) and then 5, which Recover already dispatched.
	if got := ids(m.RecoverChannel(7, msgs(5, 3, 4, 2), nil, nil)); !eq(got, []int32{2, 3, 4, 5}) {
		t.Fatalf("recovered %v", got)
	}
	out = m.OnChannelDifference(7, &api.UpdatesChannelDifferenceTooLong{Final: true,
		Dialog: &api.Dialog{Peer: &api.PeerChannel{ChannelID: 7}, Pts: tl.Some[int32](109)}, Messages: msgs(9, 8, 7, 6, 5)})
	if got := ids(out); !eq(got, []int32{6, 7, 8, 9}) {
		t.Fatalf("after the recovery: %v", got)
	}
	if pts, _ := m.ChannelPts(7); pts != 109 || out.Save == nil || out.Save.Channels[7] != 109 {
		t.Fatalf("pts %d, save %+v", pts, out.Save)
	}
	// The update that revealed the gap was buffered and is not delivered
	// twice.
	if got := ids(m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 10, 110)})); !eq(got, []int32{10}) {
		t.Fatalf("next: %v", got)
	}
}

func TestDifferenceTooLongIsRecoveredFromTheLastMessageSeen(t *testing.T) {
	m, clk := newManager()
	m.OnUpdates(newMsg(1, 11))
	if m.LastMessageID() != 1 {
		t.Fatalf("last id %d", m.LastMessageID())
	}
	m.OnUpdates(newMsg(50, 60))
	clk.add(600_000_000)
	if out := m.Tick(); out.GetDifference == nil {
		t.Fatal("no difference fetched")
	}
	recovered := []api.MessageClass{&api.Message{ID: 3}, &api.Message{ID: 2}, &api.MessageEmpty{ID: 4}, &api.Message{ID: 50}}
	if got := ids(m.Recover(recovered, nil, nil)); !eq(got, []int32{2, 3, 50}) {
		t.Fatalf("recovered %v", got)
	}
	out := m.OnDifference(&api.UpdatesDifferenceTooLong{Pts: 60})
	if got := ids(out); len(got) != 0 {
		t.Fatalf("buffered update delivered again: %v", got)
	}
	if s, _ := m.State(); s.Pts != 60 {
		t.Fatalf("pts %d", s.Pts)
	}
	if got := ids(m.OnUpdates(newMsg(51, 61))); !eq(got, []int32{51}) {
		t.Fatalf("next %v", got)
	}
}

func TestStoredChannelPtsIsUsedForAChannelMetFirstAfterARestart(t *testing.T) {
	m := New(Config{LoadChannelPts: func(id int64) (int32, bool) { return 40, id == 7 }})
	m.SetState(State{Pts: 1})
	// pts 45 after a stored 40 is a gap, not a fresh start.
	if got := ids(m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 5, 45)})); len(got) != 0 {
		t.Fatalf("dispatched across a gap: %v", got)
	}
	// A channel announced as too long is fetched from its stored pts; an
	// unknown one starts where the server says.
	out := m.OnUpdates(&api.UpdateShort{Update: &api.UpdateChannelTooLong{ChannelID: 7, Pts: tl.Some[int32](50)}})
	if len(out.GetChannelDifference) != 1 || out.GetChannelDifference[0].Pts != 40 {
		t.Fatalf("fetch %+v", out.GetChannelDifference)
	}
	out = m.OnUpdates(&api.UpdateShort{Update: &api.UpdateChannelTooLong{ChannelID: 8, Pts: tl.Some[int32](70)}})
	if len(out.GetChannelDifference) != 0 {
		t.Fatalf("fetched a channel never tracked: %+v", out.GetChannelDifference)
	}
	if pts, ok := m.ChannelPts(8); !ok || pts != 70 {
		t.Fatalf("channel 8 pts %d %v", pts, ok)
	}
}

func TestAChannelThatCannotBeFetchedReleasesItsHeldUpdates(t *testing.T) {
	m, clk := newManager()
	m.SetChannelPts(7, 100)
	m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 6, 105)})
	m.OnUpdates(&api.UpdateShort{Update: chanMsg(7, 5, 104)})
	clk.add(600_000_000)
	if out := m.Tick(); len(out.GetChannelDifference) != 1 {
		t.Fatalf("fetch %+v", out.GetChannelDifference)
	}
	out := m.GiveUpChannel(7)
	if got := ids(out); !eq(got, []int32{5, 6}) {
		t.Fatalf("released %v", got)
	}
	clk.add(600_000_000)
	if out := m.Tick(); len(out.GetChannelDifference) != 0 {
		t.Fatal("the same gap is fetched again")
	}
	if pts, _ := m.ChannelPts(7); pts != 105 {
		t.Fatalf("pts %d", pts)
	}
}
