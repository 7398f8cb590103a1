package emulator

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func init() {
	// A method whose handler panics, for the recovery test.
	on(anyKey, func(c *call, q *api.HelpGetSupportNameRequest) (tl.Object, error) { panic("boom") })
}

func sendReq(peer api.InputPeerClass, text string) *api.MessagesSendMessageRequest {
	return &api.MessagesSendMessageRequest{Peer: peer, Message: text, RandomID: nextRandom()}
}

func TestPrivateMessageIsPushedToTheRecipient(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620010", "Alice")
	b, cb := newUserClient(t, e, "9996620011", "Bob")
	cb.must(&api.UpdatesGetStateRequest{})
	sent := ca.must(sendReq(e.testInputPeer(a.ID, b.ID), "hello bob")).(*api.UpdateShortSentMessage)
	if !sent.Out || sent.ID != 1 || sent.PtsCount != 1 {
		t.Fatalf("sender got %+v", sent)
	}
	// Bob has never seen Alice: the first message comes with her user.
	full := nextOf[*api.Updates](cb)
	nm := full.Updates[0].(*api.UpdateNewMessage)
	msg := nm.Message.(*api.Message)
	if msg.Message != "hello bob" || msg.Out || msg.ID != 1 || markedOf(msg.PeerID) != a.ID || msg.FromID != nil {
		t.Fatalf("bob got %+v", msg)
	}
	if len(full.Users) == 0 || full.Users[0].(*api.User).AccessHash.Val == 0 {
		t.Fatalf("users %+v", full.Users)
	}
	// Now he knows her: the short form.
	ca.must(sendReq(e.testInputPeer(a.ID, b.ID), "again"))
	short := nextOf[*api.UpdateShortMessage](cb)
	if short.UserID != a.ID || short.Message != "again" || short.ID != 2 || short.Pts != nm.Pts+1 {
		t.Fatalf("short %+v (previous pts %d)", short, nm.Pts)
	}
	// A reply: ids are per box.
	cb.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(b.ID, a.ID), Message: "hi alice", RandomID: nextRandom(),
		ReplyTo: &api.InputReplyToMessage{ReplyToMsgID: 1}})
	got := nextOf[*api.UpdateShortMessage](ca)
	if got.UserID != b.ID || got.ReplyTo.(*api.MessageReplyHeader).ReplyToMsgID.Val != 1 {
		t.Fatalf("alice got %+v", got)
	}
	hist, err := e.History(a.ID, b.ID)
	if err != nil || len(hist) != 3 || hist[2].Text != "hi alice" || hist[2].Out || hist[2].ReplyTo != 1 || hist[0].FromID != a.ID {
		t.Fatalf("history %+v %v", hist, err)
	}
}

func TestEveryConnectionOfTheUserGetsThePush(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620020", "A")
	b, err := e.CreateUser("9996620021", "B", "", "")
	if err != nil {
		t.Fatal(err)
	}
	b1 := dialDC(t, e, 2)
	b1.login(b)
	b2 := dialDC(t, e, 2)
	b2.login(b)
	e.AddContact(b.ID, a.ID)
	ca.must(sendReq(e.testInputPeer(a.ID, b.ID), "to both"))
	for _, cl := range []*client{b1, b2} {
		if u := cl.next(); u == nil {
			t.Fatal("no push")
		}
	}
	// The sender's other connection hears of the message too, the sender's
	// own one only gets the answer.
	a2 := dialDC(t, e, 2)
	a2.login(&User{ID: a.ID, Phone: "9996620020"})
	ca.must(sendReq(e.testInputPeer(a.ID, b.ID), "mirror"))
	m := nextOf[*api.UpdateShortMessage](a2)
	if !m.Out || m.Message != "mirror" || m.UserID != b.ID {
		t.Fatalf("mirror %+v", m)
	}
	ca.quiet(100 * time.Millisecond)
}

func TestControlSendMessagePushesToEverySide(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620030", "A")
	b, cb := newUserClient(t, e, "9996620031", "B")
	id, err := e.SendMessage(a.ID, b.ID, "from the test")
	if err != nil || id != 1 {
		t.Fatalf("SendMessage = %d, %v", id, err)
	}
	nextOf[*api.Updates](cb)
	nextOf[*api.Updates](ca) // the sender's connections are told too
	if _, err := e.SendMessage(a.ID, 424242, "x"); err == nil {
		t.Fatal("sent to nobody")
	}
}

func TestRandomIDDeduplication(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620040", "A")
	b, _ := newUserClient(t, e, "9996620041", "B")
	req := sendReq(e.testInputPeer(a.ID, b.ID), "once")
	first := ca.must(req).(*api.UpdateShortSentMessage)
	again := ca.must(req).(*api.UpdateShortSentMessage)
	if first.ID != again.ID || first.Pts != again.Pts {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	if h, _ := e.History(b.ID, a.ID); len(h) != 1 {
		t.Fatalf("bob has %d messages", len(h))
	}
	other := *req
	other.Peer = &api.InputPeerSelf{}
	if got := ca.rpcErr(&other); got != "500 RANDOM_ID_DUPLICATE" {
		t.Fatalf("same random_id elsewhere: %q", got)
	}
}

func TestAccessHashesArePerViewer(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620050", "A")
	b, _ := newUserClient(t, e, "9996620051", "B")
	c, _ := newUserClient(t, e, "9996620052", "C")
	// C's hash of B does not work for A.
	wrong := e.testInputPeer(c.ID, b.ID)
	if got := ca.rpcErr(sendReq(wrong, "x")); got != "400 PEER_ID_INVALID" {
		t.Fatalf("foreign hash: %q", got)
	}
	if got := ca.rpcErr(&api.UsersGetFullUserRequest{ID: &api.InputUser{UserID: b.ID, AccessHash: 1}}); got != "400 USER_ID_INVALID" {
		t.Fatalf("bad hash: %q", got)
	}
	full := ca.must(&api.UsersGetFullUserRequest{ID: e.testInputUser(a.ID, b.ID)}).(*api.UsersUserFull)
	if full.FullUser.(*api.UserFull).ID != b.ID {
		t.Fatal("wrong user")
	}
}

func TestResolveUsernameAndContacts(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620060", "A")
	b, err := e.CreateUser("9996620061", "Bea", "Bee", "bea_bee")
	if err != nil {
		t.Fatal(err)
	}
	if got := ca.rpcErr(&api.ContactsResolveUsernameRequest{Username: "nobody_here"}); got != "400 USERNAME_NOT_OCCUPIED" {
		t.Fatalf("unknown username: %q", got)
	}
	res := ca.must(&api.ContactsResolveUsernameRequest{Username: "Bea_Bee"}).(*api.ContactsResolvedPeer)
	bu := res.Users[0].(*api.User)
	if markedOf(res.Peer) != b.ID || bu.Contact || bu.Phone.Set {
		t.Fatalf("resolved %+v", bu)
	}
	// The hash from the resolve works.
	ca.must(sendReq(&api.InputPeerUser{UserID: b.ID, AccessHash: bu.AccessHash.Val}, "hi"))
	imp := ca.must(&api.ContactsImportContactsRequest{Contacts: []api.InputContactClass{
		&api.InputPhoneContact{ClientID: 7, Phone: "+999 662 0061", FirstName: "B"},
		&api.InputPhoneContact{ClientID: 8, Phone: "5550000", FirstName: "Nobody"},
	}}).(*api.ContactsImportedContacts)
	if len(imp.Imported) != 1 || imp.Imported[0].(*api.ImportedContact).ClientID != 7 {
		t.Fatalf("imported %+v", imp.Imported)
	}
	if u := imp.Users[0].(*api.User); !u.Contact || u.MutualContact || u.Phone.Val != "9996620061" {
		t.Fatalf("contact %+v", u)
	}
	if err := e.AddContact(b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	cs := ca.must(&api.ContactsGetContactsRequest{}).(*api.ContactsContacts)
	if len(cs.Contacts) != 1 || !cs.Contacts[0].(*api.Contact).Mutual || !cs.Users[0].(*api.User).MutualContact {
		t.Fatalf("contacts %+v", cs)
	}
}

func TestHistoryPaging(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620070", "A")
	b, _ := newUserClient(t, e, "9996620071", "B")
	for i := 1; i <= 30; i++ {
		if _, err := e.SendMessage(a.ID, b.ID, "m"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	peer := e.testInputPeer(a.ID, b.ID)
	ids := func(res any) []int32 {
		var out []int32
		var msgs []api.MessageClass
		switch r := res.(type) {
		case *api.MessagesMessages:
			msgs = r.Messages
		case *api.MessagesMessagesSlice:
			msgs = r.Messages
			if r.Count != 30 {
				t.Fatalf("count %d", r.Count)
			}
		}
		for _, m := range msgs {
			out = append(out, m.(*api.Message).ID)
		}
		return out
	}
	hist := func(offsetID, addOffset, limit, maxID, minID int32) []int32 {
		return ids(ca.must(&api.MessagesGetHistoryRequest{Peer: peer, OffsetID: offsetID, AddOffset: addOffset, Limit: limit, MaxID: maxID, MinID: minID}))
	}
	check := func(name string, got []int32, want ...int32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
	}
	check("newest", hist(0, 0, 3, 0, 0), 30, 29, 28)
	check("below 10", hist(10, 0, 3, 0, 0), 9, 8, 7)
	check("around 10", hist(10, -2, 4, 0, 0), 11, 10, 9, 8)
	check("newer than 27", hist(0, 0, 10, 0, 27), 30, 29, 28)
	check("below max", hist(0, 0, 2, 5, 0), 4, 3)
	check("past the end", hist(2, 0, 5, 0, 0), 1)
	if all := ca.must(&api.MessagesGetHistoryRequest{Peer: peer, Limit: 100}); len(ids(all)) != 30 {
		t.Fatal("not everything")
	}
	if _, ok := ca.must(&api.MessagesGetHistoryRequest{Peer: peer, Limit: 100}).(*api.MessagesMessages); !ok {
		t.Fatal("a complete answer is not messages.messages")
	}
	found := ca.must(&api.MessagesSearchRequest{Peer: peer, Q: "M2", Filter: &api.InputMessagesFilterEmpty{}, Limit: 100}).(*api.MessagesMessagesSlice)
	if found.Count != 11 { // m2, m20..m29
		t.Fatalf("search found %d", found.Count)
	}
	dialogs := ca.must(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 10}).(*api.MessagesDialogs)
	if len(dialogs.Dialogs) != 1 || dialogs.Dialogs[0].(*api.Dialog).TopMessage != 30 {
		t.Fatalf("dialogs %+v", dialogs.Dialogs)
	}
}

func TestEditDeleteReadAndForward(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620080", "A")
	b, cb := newUserClient(t, e, "9996620081", "B")
	e.AddContact(b.ID, a.ID)
	pa := e.testInputPeer(a.ID, b.ID)
	ca.must(sendReq(pa, "one"))
	nextOf[*api.Updates](cb)
	ca.must(sendReq(pa, "two"))
	nextOf[*api.UpdateShortMessage](cb)

	ed := ca.must(&api.MessagesEditMessageRequest{Peer: pa, ID: 1, Message: tl.Some("one!")}).(*api.Updates)
	if em := ed.Updates[0].(*api.UpdateEditMessage).Message.(*api.Message); em.Message != "one!" || !em.EditDate.Set {
		t.Fatalf("edit %+v", em)
	}
	got := nextOf[*api.Updates](cb).Updates[0].(*api.UpdateEditMessage).Message.(*api.Message)
	if got.Message != "one!" || got.ID != 1 {
		t.Fatalf("bob's edit %+v", got)
	}
	if e := ca.rpcErr(&api.MessagesEditMessageRequest{Peer: pa, ID: 1, Message: tl.Some("one!")}); e != "400 MESSAGE_NOT_MODIFIED" {
		t.Fatalf("same text: %q", e)
	}
	if e := cb.rpcErr(&api.MessagesEditMessageRequest{Peer: e.testInputPeer(b.ID, a.ID), ID: 1, Message: tl.Some("hack")}); e != "403 MESSAGE_AUTHOR_REQUIRED" {
		t.Fatalf("not the author: %q", e)
	}

	read := cb.must(&api.MessagesReadHistoryRequest{Peer: e.testInputPeer(b.ID, a.ID), MaxID: 2}).(*api.MessagesAffectedMessages)
	if read.PtsCount != 1 {
		t.Fatalf("read %+v", read)
	}
	out := nextOf[*api.Updates](ca).Updates[0].(*api.UpdateReadHistoryOutbox)
	if out.MaxID != 2 || markedOf(out.Peer) != b.ID {
		t.Fatalf("read outbox %+v", out)
	}

	fw := ca.must(&api.MessagesForwardMessagesRequest{FromPeer: pa, ID: []int32{2}, RandomID: []int64{nextRandom()}, ToPeer: &api.InputPeerSelf{}}).(*api.Updates)
	fm := fw.Updates[1].(*api.UpdateNewMessage).Message.(*api.Message)
	if fm.Message != "two" || fm.FwdFrom == nil || markedOf(fm.FwdFrom.(*api.MessageFwdHeader).FromID) != a.ID {
		t.Fatalf("forward %+v", fm)
	}

	del := ca.must(&api.MessagesDeleteMessagesRequest{ID: []int32{1}, Revoke: true}).(*api.MessagesAffectedMessages)
	if del.PtsCount != 1 {
		t.Fatalf("delete %+v", del)
	}
	gone := nextOf[*api.Updates](cb).Updates[0].(*api.UpdateDeleteMessages)
	if len(gone.Messages) != 1 || gone.Messages[0] != 1 {
		t.Fatalf("bob's delete %+v", gone)
	}
	if h, _ := e.History(b.ID, a.ID); len(h) != 1 || h[0].Text != "two" {
		t.Fatalf("bob's history %+v", h)
	}
}

func TestBasicGroup(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620090", "A")
	b, cb := newUserClient(t, e, "9996620091", "B")
	c, cc := newUserClient(t, e, "9996620092", "C")
	inv := ca.must(&api.MessagesCreateChatRequest{Title: "Team", Users: []api.InputUserClass{e.testInputUser(a.ID, b.ID)}}).(*api.MessagesInvitedUsers)
	upd := inv.Updates.(*api.Updates)
	chat := upd.Chats[0].(*api.Chat)
	if chat.Title != "Team" || !chat.Creator || chat.ParticipantsCount != 2 {
		t.Fatalf("chat %+v", chat)
	}
	svc := nextOf[*api.Updates](cb).Updates[0].(*api.UpdateNewMessage).Message.(*api.MessageService)
	if _, ok := svc.Action.(*api.MessageActionChatCreate); !ok {
		t.Fatalf("bob got %+v", svc)
	}
	peer := &api.InputPeerChat{ChatID: chat.ID}
	ca.must(sendReq(peer, "hello team"))
	got := nextOf[*api.UpdateShortChatMessage](cb)
	if got.ChatID != chat.ID || got.FromID != a.ID || got.Message != "hello team" {
		t.Fatalf("bob got %+v", got)
	}
	ca.must(&api.MessagesAddChatUserRequest{ChatID: chat.ID, UserID: e.testInputUser(a.ID, c.ID)})
	nextOf[*api.Updates](cc)
	cb.must(sendReq(peer, "welcome C"))
	// C has not met B: a full updates with B.
	full := nextOf[*api.Updates](cc)
	if full.Updates[0].(*api.UpdateNewMessage).Message.(*api.Message).Message != "welcome C" {
		t.Fatal("C missed the message")
	}
	fc := cc.must(&api.MessagesGetFullChatRequest{ChatID: chat.ID}).(*api.MessagesChatFull)
	if n := len(fc.FullChat.(*api.ChatFull).Participants.(*api.ChatParticipants).Participants); n != 3 {
		t.Fatalf("%d participants", n)
	}
	if got := ca.rpcErr(&api.MessagesAddChatUserRequest{ChatID: chat.ID, UserID: e.testInputUser(a.ID, c.ID)}); got != "400 USER_ALREADY_PARTICIPANT" {
		t.Fatalf("added twice: %q", got)
	}
	// Each member has its own ids.
	ha, _ := e.History(a.ID, -chat.ID)
	hc, _ := e.History(c.ID, -chat.ID)
	if len(ha) != 4 || len(hc) != 2 || hc[1].Text != "welcome C" {
		t.Fatalf("a %+v\nc %+v", ha, hc)
	}
}

func TestFailNextAndSlowDC(t *testing.T) {
	e := startEmu(t, Config{})
	_, ca := newUserClient(t, e, "9996620100", "A")
	e.FailNext("messages.sendMessage", 2, "FLOOD_WAIT_3")
	e.FailNext("help.getConfig", 1, "INTERNAL")
	e.FailNext("help.getNearestDc", 1, "PHONE_MIGRATE_3")
	self := &api.InputPeerSelf{}
	for i := 0; i < 2; i++ {
		if got := ca.rpcErr(sendReq(self, "x")); got != "420 FLOOD_WAIT_3" {
			t.Fatalf("try %d: %q", i, got)
		}
	}
	if got := ca.rpcErr(sendReq(self, "x")); got != "" {
		t.Fatalf("third try: %q", got)
	}
	if got := ca.rpcErr(&api.HelpGetConfigRequest{}); got != "500 INTERNAL" {
		t.Fatalf("getConfig: %q", got)
	}
	if got := ca.rpcErr(&api.HelpGetNearestDCRequest{}); got != "303 PHONE_MIGRATE_3" {
		t.Fatalf("getNearestDc: %q", got)
	}
	e.SlowDC(2, 150*time.Millisecond)
	start := time.Now()
	ca.must(&api.HelpGetNearestDCRequest{})
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered in %v", d)
	}
	e.SlowDC(2, 0)
}

func TestUnknownMethodAndPanicAreRPCErrors(t *testing.T) {
	e := startEmu(t, Config{})
	cl := dialDC(t, e, 2)
	// An id no schema knows.
	body := []byte{0x78, 0x56, 0x34, 0x12}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := cl.c.Invoke(ctx, body)
	if err == nil || err.Error() != "rpc error 400: INPUT_METHOD_INVALID_305419896" {
		t.Fatalf("unknown id: %v", err)
	}
	// A known method the emulator does not implement.
	if got := cl.rpcErr(&api.HelpGetPremiumPromoRequest{}); got != "400 INPUT_METHOD_INVALID_"+strconv.FormatUint(uint64((&api.HelpGetPremiumPromoRequest{}).TypeID()), 10) {
		t.Fatalf("not emulated: %q", got)
	}
	if got := cl.rpcErr(&api.HelpGetSupportNameRequest{}); got != "500 INTERNAL" {
		t.Fatalf("panic: %q", got)
	}
	cfg := cl.must(&api.HelpGetConfigRequest{}).(*api.Config)
	if cfg.ThisDC != 2 || len(cfg.DCOptions) != 4 || cfg.DCOptions[2].(*api.DCOption).Port != int32(e.DCs()[2].Port) {
		t.Fatalf("config %+v", cfg)
	}
	if cdn := cfg.DCOptions[3].(*api.DCOption); !cdn.CDN || cdn.ID != 201 || net.JoinHostPort(cdn.IPAddress, strconv.Itoa(int(cdn.Port))) != e.CDNAddr() {
		t.Fatalf("CDN option %+v", cdn)
	}
}

func TestDropConnectionsWithARequestInFlight(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620110", "A")
	b, cb := newUserClient(t, e, "9996620111", "B")
	e.SlowDC(2, 200*time.Millisecond)
	var wg sync.WaitGroup
	var res any
	var err error
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, err = ca.call(sendReq(e.testInputPeer(a.ID, b.ID), "survives"))
	}()
	time.Sleep(50 * time.Millisecond)
	e.DropConnections()
	wg.Wait()
	e.SlowDC(2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.(*api.UpdateShortSentMessage).ID != 1 {
		t.Fatalf("answer %+v", res)
	}
	if h, _ := e.History(b.ID, a.ID); len(h) != 1 {
		t.Fatalf("bob has %d messages", len(h))
	}
	// Both connections work after the drop and B still gets pushes.
	cb.must(&api.UpdatesGetStateRequest{})
	ca.must(sendReq(e.testInputPeer(a.ID, b.ID), "after"))
	if h, _ := e.History(b.ID, a.ID); len(h) != 2 {
		t.Fatalf("bob has %d messages", len(h))
	}
	nextOf[*api.UpdateShortMessage](cb)
}

func TestSkewedClockAndRotatedSaltKeepClientsWorking(t *testing.T) {
	e := startEmu(t, Config{})
	_, ca := newUserClient(t, e, "9996620120", "A")
	e.SkewClock(10 * time.Minute)
	st := ca.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	if d := time.Unix(int64(st.Date), 0).Sub(time.Now()); d < 9*time.Minute {
		t.Fatalf("server date only %v ahead", d)
	}
	e.RotateSalt()
	ca.must(&api.UpdatesGetStateRequest{})
	fresh := dialDC(t, e, 1)
	fresh.must(&api.HelpGetNearestDCRequest{})

	// A server clock behind the client's.
	behind := startEmu(t, Config{})
	behind.SkewClock(-10 * time.Minute)
	_, cb := newUserClient(t, behind, "9996620121", "B")
	cb.must(&api.UpdatesGetStateRequest{})
}

func TestReplyMarkupAndEntitiesNeedTheFullForm(t *testing.T) {
	e := startEmu(t, Config{})
	bot, token, _ := e.CreateBot("markup_bot", "M")
	u, cu := newUserClient(t, e, "9996620130", "U")
	cb := dialDC(t, e, bot.DC)
	cb.loginBot(token)
	cb.must(&api.UpdatesGetStateRequest{})
	cu.must(sendReq(e.testInputPeer(u.ID, bot.ID), "/start"))
	first := nextOf[*api.Updates](cb)
	if first.Users[0].(*api.User).ID != u.ID {
		t.Fatal("the bot did not get the user")
	}
	res := cb.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(bot.ID, u.ID), Message: "pick", RandomID: nextRandom(),
		ReplyMarkup: &api.ReplyKeyboardForceReply{Placeholder: tl.Some("answer")},
		Entities:    []api.MessageEntityClass{&api.InputMessageEntityMentionName{Offset: 0, Length: 4, UserID: e.testInputUser(bot.ID, u.ID)}}}).(*api.Updates)
	if id := res.Updates[0].(*api.UpdateMessageID); id.ID != 2 {
		t.Fatalf("answer %+v", res.Updates)
	}
	got := nextOf[*api.Updates](cu).Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)
	if got.ReplyMarkup == nil || got.Entities[0].(*api.MessageEntityMentionName).UserID != u.ID {
		t.Fatalf("user got %+v", got)
	}
	if h, _ := e.History(u.ID, bot.ID); !h[1].HasMarkup {
		t.Fatal("markup not stored")
	}
}
