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

func TestSnapshotKeepsRightsBansAndInvites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e, err := Start(Config{Snapshot: path})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := e.CreateUser("9996620410", "A", "", "")
	b, _ := e.CreateUser("9996620411", "B", "", "")
	c, _ := e.CreateUser("9996620412", "C", "", "")
	bot, _, _ := e.CreateBot("snaprights_bot", "")
	peer, _ := e.CreateChannel(a.ID, "Kept", "", true, b.ID, c.ID, bot.ID)
	chat, _ := e.CreateChat(a.ID, "Kept too", b.ID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.Promote(peer, b.ID, &api.ChatAdminRights{BanUsers: true}))
	must(e.Promote(peer, bot.ID, nil))
	must(e.Ban(peer, c.ID, &api.ChatBannedRights{SendMedia: true}))
	must(e.Promote(chat, b.ID, nil))
	link, chatLink := e.InviteLink(peer), e.InviteLink(chat)
	e.mu.Lock()
	e.m.channels[-peer-channelMark].defaultBanned = &api.ChatBannedRights{PinMessages: true}
	botQts := e.m.users[bot.ID].qts
	e.mu.Unlock()
	must(e.Close())

	e2 := startEmu(t, Config{Snapshot: path})
	if e2.InviteLink(peer) != link || e2.InviteLink(chat) != chatLink {
		t.Fatal("invite links lost")
	}
	e2.mu.Lock()
	defer e2.mu.Unlock()
	ch := e2.m.channels[-peer-channelMark]
	if r := ch.rightsOf(b.ID); r == nil || !r.BanUsers || r.AddAdmins || ch.members[b.ID].promotedBy != a.ID {
		t.Fatalf("admin rights %+v", r)
	}
	if f, own := ch.forbids(c.ID, banMedia); !f || !own {
		t.Fatal("restriction lost")
	}
	if f, own := ch.forbids(c.ID, banPin); !f || own {
		t.Fatal("default rights lost")
	}
	if !e2.m.chats[-chat].admins[b.ID] {
		t.Fatal("basic group admin lost")
	}
	if u := e2.m.users[bot.ID]; u.qts != botQts || u.qts < 2 || u.journal[len(u.journal)-1].kind != evQts {
		t.Fatalf("bot qts %d, was %d", u.qts, botQts)
	}
	if d := e2.m.difference(e2.m.users[bot.ID], e2.m.users[bot.ID].pts, 0, 0, 0).(*api.UpdatesDifference); len(d.OtherUpdates) < 2 {
		t.Fatalf("qts journal %+v", d.OtherUpdates)
	}
}
