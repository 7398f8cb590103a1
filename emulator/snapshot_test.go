package emulator

import (
	"path/filepath"
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func TestSnapshotKeepsTheModelAndSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, err := Start(Config{Snapshot: path})
	if err != nil {
		t.Fatal(err)
	}
	a, ca := newUserClient(t, e, "9996620400", "A")
	b, err := e.CreateUser("9996620401", "B", "", "bee_user")
	if err != nil {
		t.Fatal(err)
	}
	bot, token, _ := e.CreateBot("snap_bot", "Snap")
	e.SetPassword(b.ID, "pw", "")
	ca.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(a.ID, b.ID), Message: "bold", RandomID: 1,
		Entities: []api.MessageEntityClass{&api.MessageEntityBold{Offset: 0, Length: 4}}})
	ca.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(a.ID, b.ID), Message: "reply", RandomID: 2,
		ReplyTo: &api.InputReplyToMessage{ReplyToMsgID: 1}})
	chatPeerID, _ := e.CreateChat(a.ID, "G", b.ID)
	chanPeer, _ := e.CreateChannel(a.ID, "C", "snap_chan", true, b.ID)
	e.SendMessage(b.ID, chanPeer, "in channel")
	key := ca.c.AuthKey()
	st := ca.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	ca.c.Close()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := startEmu(t, Config{Snapshot: path})
	hist, err := e2.History(b.ID, a.ID)
	if err != nil || len(hist) != 2 || hist[1].ReplyTo != 1 || len(hist[0].Entities) != 1 {
		t.Fatalf("history %+v %v", hist, err)
	}
	if h, _ := e2.History(b.ID, chatPeerID); len(h) != 1 || !h[0].Service {
		t.Fatalf("chat %+v", h)
	}
	if h, _ := e2.History(a.ID, chanPeer); len(h) != 3 || h[2].Text != "in channel" {
		t.Fatalf("channel %+v", h)
	}
	// The client's key is still logged in; its state continues.
	ca2 := dialDC(t, e2, 2, withKey(key))
	st2 := ca2.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	if st2.Pts != st.Pts {
		t.Fatalf("pts %d, was %d", st2.Pts, st.Pts)
	}
	ca2.must(&api.MessagesSendMessageRequest{Peer: e2.testInputPeer(a.ID, b.ID), Message: "after restart", RandomID: 3})
	if h, _ := e2.History(b.ID, a.ID); len(h) != 3 {
		t.Fatalf("%d messages", len(h))
	}
	if u := e2.LookupUser(b.ID); u == nil || u.Username != "bee_user" {
		t.Fatalf("user %+v", u)
	}
	botc := dialDC(t, e2, bot.DC)
	botc.loginBot(token)
	res := ca2.must(&api.ContactsResolveUsernameRequest{Username: "snap_chan"}).(*api.ContactsResolvedPeer)
	if markedOf(res.Peer) != chanPeer {
		t.Fatal("channel username lost")
	}
	// New ids do not collide with restored ones.
	c, err := e2.CreateUser("9996620402", "C", "", "")
	if err != nil || c.ID <= b.ID {
		t.Fatalf("new user %+v %v", c, err)
	}
	bc := dialDC(t, e2, 2)
	sent := bc.must(&api.AuthSendCodeRequest{PhoneNumber: b.Phone, APIID: testAPIID, APIHash: testAPIHash, Settings: &api.CodeSettings{}}).(*api.AuthSentCode)
	if got := bc.rpcErr(&api.AuthSignInRequest{PhoneNumber: b.Phone, PhoneCodeHash: sent.PhoneCodeHash, PhoneCode: tl.Some("22222")}); got != "401 SESSION_PASSWORD_NEEDED" {
		t.Fatalf("password lost: %q", got)
	}
}
