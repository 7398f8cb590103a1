package emulator

import (
	"testing"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func TestPinReachesBothSidesWithTheirOwnIDs(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996621801", "A")
	b, cb := newUserClient(t, e, "9996621802", "B")
	cb.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(b.ID, a.ID), Message: "bump b's ids", RandomID: nextRandom()})
	ca.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(a.ID, a.ID), Message: "to self", RandomID: nextRandom()})
	sent := ca.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(a.ID, b.ID), Message: "pin me", RandomID: nextRandom()}).(*api.UpdateShortSentMessage)
	fxDrain(cb)
	res := ca.must(&api.MessagesUpdatePinnedMessageRequest{Peer: e.testInputPeer(a.ID, b.ID), ID: sent.ID}).(*api.Updates)
	var pin *api.UpdatePinnedMessages
	var svc *api.MessageService
	for _, u := range res.Updates {
		switch x := u.(type) {
		case *api.UpdatePinnedMessages:
			pin = x
		case *api.UpdateNewMessage:
			svc, _ = x.Message.(*api.MessageService)
		}
	}
	if pin == nil || !pin.Pinned || pin.Messages[0] != sent.ID || markedOf(pin.Peer) != b.ID || res.Seq == 0 {
		t.Fatalf("pinner's answer %+v", res)
	}
	if _, ok := svc.Action.(*api.MessageActionPinMessage); !ok || svc.ReplyTo.(*api.MessageReplyHeader).ReplyToMsgID.Val != sent.ID {
		t.Fatalf("service message %+v", svc)
	}
	// B's copy has another id, and B is told with it.
	hist, _ := e.History(b.ID, a.ID)
	bid := hist[1].ID
	if bid == sent.ID {
		t.Fatal("the test needs different ids on each side")
	}
	got := false
	for deadline := time.Now().Add(5 * time.Second); !got && time.Now().Before(deadline); {
		for _, up := range fxUpdatesIn(cb.next()) {
			if x, ok := up.(*api.UpdatePinnedMessages); ok {
				if x.Messages[0] != bid || markedOf(x.Peer) != a.ID {
					t.Fatalf("B was told %+v", x)
				}
				got = true
			}
		}
	}
	if !got {
		t.Fatal("B was not told of the pin")
	}
	msgs := cb.must(&api.MessagesGetMessagesRequest{ID: []api.InputMessageClass{&api.InputMessageID{ID: bid}}}).(*api.MessagesMessages)
	if !msgs.Messages[0].(*api.Message).Pinned {
		t.Fatal("B's copy does not show pinned")
	}
	aff := cb.must(&api.MessagesUnpinAllMessagesRequest{Peer: e.testInputPeer(b.ID, a.ID)}).(*api.MessagesAffectedHistory)
	if aff.Pts == 0 {
		t.Fatalf("unpin all: %+v", aff)
	}
	msgs = ca.must(&api.MessagesGetMessagesRequest{ID: []api.InputMessageClass{&api.InputMessageID{ID: sent.ID}}}).(*api.MessagesMessages)
	if msgs.Messages[0].(*api.Message).Pinned {
		t.Fatal("still pinned for A after B unpinned all")
	}
	if got := ca.rpcErr(&api.MessagesUpdatePinnedMessageRequest{Peer: e.testInputPeer(a.ID, b.ID), ID: 999}); got != "400 MESSAGE_ID_INVALID" {
		t.Fatalf("unknown message: %q", got)
	}
}

func TestScheduledMessageIsSentWhenDue(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996621811", "A")
	b, _ := newUserClient(t, e, "9996621812", "B")
	peer := e.testInputPeer(a.ID, b.ID)
	if got := ca.rpcErr(&api.MessagesSendMessageRequest{Peer: peer, Message: "x", RandomID: nextRandom(),
		ScheduleDate: tl.Some(int32(time.Now().Add(400 * 24 * time.Hour).Unix()))}); got != "400 SCHEDULE_DATE_TOO_LATE" {
		t.Fatalf("a date too late: %q", got)
	}
	random := nextRandom()
	res := ca.must(&api.MessagesSendMessageRequest{Peer: peer, Message: "soon", RandomID: random,
		ScheduleDate: tl.Some(int32(time.Now().Add(time.Second).Unix()))}).(*api.Updates)
	if id, ok := res.Updates[0].(*api.UpdateMessageID); !ok || id.RandomID != random {
		t.Fatalf("answer %+v", res.Updates)
	}
	sched := res.Updates[1].(*api.UpdateNewScheduledMessage).Message.(*api.Message)
	if !sched.Out || sched.Message != "soon" || !sched.FromScheduled {
		t.Fatalf("scheduled %+v", sched)
	}
	// The same random_id again is the same message.
	again := ca.must(&api.MessagesSendMessageRequest{Peer: peer, Message: "soon", RandomID: random,
		ScheduleDate: tl.Some(int32(time.Now().Add(time.Second).Unix()))}).(*api.Updates)
	if again.Updates[0].(*api.UpdateMessageID).ID != sched.ID {
		t.Fatal("a retried schedule made a second message")
	}
	var del *api.UpdateDeleteScheduledMessages
	for deadline := time.Now().Add(5 * time.Second); del == nil && time.Now().Before(deadline); {
		for _, up := range fxUpdatesIn(ca.next()) {
			if x, ok := up.(*api.UpdateDeleteScheduledMessages); ok {
				del = x
			}
		}
	}
	if del == nil || del.Messages[0] != sched.ID || len(del.SentMessages) != 1 || markedOf(del.Peer) != b.ID {
		t.Fatalf("sender told %+v", del)
	}
	hist, _ := e.History(a.ID, b.ID)
	if len(hist) != 1 || hist[0].ID != del.SentMessages[0] || hist[0].Text != "soon" {
		t.Fatalf("history %+v", hist)
	}
	if left := ca.must(&api.MessagesGetScheduledHistoryRequest{Peer: peer}).(*api.MessagesMessages); len(left.Messages) != 0 {
		t.Fatalf("still scheduled: %+v", left.Messages)
	}
}

func TestArchivedDialogsLeaveTheMainList(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996621821", "A")
	for i := range 3 {
		u, _ := e.CreateUser("999662183"+string(rune('0'+i)), "F", "", "")
		e.SendMessage(u.ID, a.ID, "hi")
	}
	main := ca.must(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 10}).(*api.MessagesDialogs)
	if len(main.Dialogs) != 3 {
		t.Fatalf("%d dialogs", len(main.Dialogs))
	}
	target := main.Dialogs[1].(*api.Dialog).Peer.(*api.PeerUser).UserID
	if got := ca.rpcErr(&api.FoldersEditPeerFoldersRequest{FolderPeers: []api.InputFolderPeerClass{
		&api.InputFolderPeer{Peer: e.testInputPeer(a.ID, target), FolderID: 7}}}); got != "400 FOLDER_ID_INVALID" {
		t.Fatalf("folder 7: %q", got)
	}
	res := ca.must(&api.FoldersEditPeerFoldersRequest{FolderPeers: []api.InputFolderPeerClass{
		&api.InputFolderPeer{Peer: e.testInputPeer(a.ID, target), FolderID: 1}}}).(*api.Updates)
	if fp, ok := res.Updates[0].(*api.UpdateFolderPeers); !ok || fp.FolderPeers[0].(*api.FolderPeer).FolderID != 1 {
		t.Fatalf("answer %+v", res.Updates)
	}
	arch := ca.must(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 10, FolderID: tl.Some(int32(1))}).(*api.MessagesDialogs)
	if len(arch.Dialogs) != 1 || arch.Dialogs[0].(*api.Dialog).FolderID.Val != 1 {
		t.Fatalf("archive %+v", arch.Dialogs)
	}
	// Pages of one continue after the previous page's last dialog, even
	// when every dialog has the same date.
	var seen []int64
	var req = &api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 1}
	for range 5 {
		page := ca.must(req)
		var ds []api.DialogClass
		var ms []api.MessageClass
		switch x := page.(type) {
		case *api.MessagesDialogs:
			ds, ms = x.Dialogs, x.Messages
		case *api.MessagesDialogsSlice:
			ds, ms = x.Dialogs, x.Messages
		}
		if len(ds) == 0 {
			break
		}
		d := ds[0].(*api.Dialog)
		seen = append(seen, markedOf(d.Peer))
		m := ms[0].(*api.Message)
		req = &api.MessagesGetDialogsRequest{OffsetDate: m.Date, OffsetID: m.ID, OffsetPeer: e.testInputPeer(a.ID, markedOf(d.Peer)), Limit: 1}
	}
	if len(seen) != 2 || seen[0] == seen[1] || seen[0] == target || seen[1] == target {
		t.Fatalf("pages %v (archived %d)", seen, target)
	}
}

func fxUpdatesIn(u api.UpdatesClass) []api.UpdateClass {
	switch x := u.(type) {
	case *api.Updates:
		return x.Updates
	case *api.UpdatesCombined:
		return x.Updates
	case *api.UpdateShort:
		return []api.UpdateClass{x.Update}
	}
	return nil
}

func fxDrain(cl *client) {
	for {
		select {
		case <-cl.updates:
		case <-time.After(100 * time.Millisecond):
			return
		}
	}
}
