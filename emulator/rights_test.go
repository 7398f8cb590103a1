package emulator

import (
	"testing"

	"github.com/polygram/polygram/tl/api"
)

// updatesOfPush returns the updates, users and chats of a pushed or
// answered Updates value of any form.
func updatesOfPush(u any) (ups []api.UpdateClass, users []api.UserClass, chats []api.ChatClass) {
	switch x := u.(type) {
	case *api.Updates:
		return x.Updates, x.Users, x.Chats
	case *api.UpdatesCombined:
		return x.Updates, x.Users, x.Chats
	case *api.UpdateShort:
		return []api.UpdateClass{x.Update}, nil, nil
	case *api.MessagesChatInviteJoinResultOk:
		return updatesOfPush(x.Updates)
	}
	return nil, nil, nil
}

// findUpdate returns the first update of type T in an Updates value.
func findUpdate[T api.UpdateClass](u any) (T, bool) {
	ups, _, _ := updatesOfPush(u)
	for _, x := range ups {
		if v, ok := x.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// waitUpdate waits for a push carrying an update of type T, skipping
// others; it returns the update and the push.
func waitUpdate[T api.UpdateClass](cl *client) (T, api.UpdatesClass) {
	cl.t.Helper()
	for {
		u := cl.next()
		if v, ok := findUpdate[T](u); ok {
			return v, u
		}
	}
}

// serviceAction returns the action of the service message an Updates value
// carries (nil: none).
func serviceAction(u any) api.MessageActionClass {
	ups, _, _ := updatesOfPush(u)
	for _, x := range ups {
		var msg api.MessageClass
		switch y := x.(type) {
		case *api.UpdateNewChannelMessage:
			msg = y.Message
		case *api.UpdateNewMessage:
			msg = y.Message
		}
		if s, ok := msg.(*api.MessageService); ok {
			return s.Action
		}
	}
	return nil
}

// waitChat waits for a push whose chats carry the chat or channel (marked
// id) in a state ok accepts, and returns it as pushed.
func waitChat(cl *client, marked int64, ok func(api.ChatClass) bool) api.ChatClass {
	cl.t.Helper()
	for {
		_, _, chats := updatesOfPush(cl.next())
		for _, c := range chats {
			if chatIDOf(c) == marked && ok(c) {
				return c
			}
		}
	}
}

// waitAction waits for a push with a service message of action T.
func waitAction[T api.MessageActionClass](cl *client) T {
	cl.t.Helper()
	for {
		if a, ok := serviceAction(cl.next()).(T); ok {
			return a
		}
	}
}

func chatOfPush(u any, id int64) api.ChatClass {
	_, _, chats := updatesOfPush(u)
	for _, c := range chats {
		if chatIDOf(c) == channelPeer(id) || chatIDOf(c) == chatPeer(id) {
			return c
		}
	}
	return nil
}

func (e *Emulator) testInputPeerChannel(viewer, marked int64) *api.InputPeerChannel {
	in := e.testInputChannel(viewer, marked)
	return &api.InputPeerChannel{ChannelID: in.ChannelID, AccessHash: in.AccessHash}
}

func TestChannelAdminRights(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620700", "A")
	b, cb := newUserClient(t, e, "9996620701", "B")
	c, cc := newUserClient(t, e, "9996620702", "C")
	d, cd := newUserClient(t, e, "9996620703", "D")
	peer, err := e.CreateChannel(a.ID, "Mods", "", true, b.ID, c.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	inA, inB, inC := e.testInputChannel(a.ID, peer), e.testInputChannel(b.ID, peer), e.testInputChannel(c.ID, peer)
	editAdmin := func(in *api.InputChannel, viewer, target int64, r *api.ChatAdminRights, rank string) *api.ChannelsEditAdminRequest {
		q := &api.ChannelsEditAdminRequest{Channel: in, UserID: e.testInputUser(viewer, target), AdminRights: r}
		if rank != "" {
			q.Rank = optStr(rank)
		}
		return q
	}

	if got := cb.rpcErr(editAdmin(inB, b.ID, c.ID, &api.ChatAdminRights{PinMessages: true}, "")); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member promoting: %q", got)
	}
	if got := ca.rpcErr(editAdmin(inA, a.ID, a.ID, &api.ChatAdminRights{PinMessages: true}, "")); got != "400 USER_CREATOR" {
		t.Fatalf("editing the creator: %q", got)
	}
	if got := ca.rpcErr(editAdmin(inA, a.ID, b.ID, &api.ChatAdminRights{BanUsers: true}, "a rank far too long")); got != "400 ADMIN_RANK_INVALID" {
		t.Fatalf("long rank: %q", got)
	}
	modRights := &api.ChatAdminRights{BanUsers: true, DeleteMessages: true, InviteUsers: true, AddAdmins: true}
	res := ca.must(editAdmin(inA, a.ID, b.ID, modRights, "mod")).(*api.Updates)
	if _, ok := findUpdate[*api.UpdateChannel](res); !ok {
		t.Fatalf("editAdmin answered %+v", res.Updates)
	}
	// B's sessions learn their new rights from the channel updateChannel brings.
	waitChat(cb, peer, func(c api.ChatClass) bool {
		ch, ok := c.(*api.Channel)
		return ok && ch.AdminRights != nil && ch.AdminRights.(*api.ChatAdminRights).BanUsers
	})

	// An admin gives no more than they have, and edits only whom they promoted.
	if got := cb.rpcErr(editAdmin(inB, b.ID, c.ID, &api.ChatAdminRights{PinMessages: true}, "")); got != "403 RIGHT_FORBIDDEN" {
		t.Fatalf("granting a right one lacks: %q", got)
	}
	cb.must(editAdmin(inB, b.ID, c.ID, &api.ChatAdminRights{DeleteMessages: true}, ""))
	if got := cc.rpcErr(editAdmin(inC, c.ID, d.ID, &api.ChatAdminRights{DeleteMessages: true}, "")); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("an admin without add_admins: %q", got)
	}

	part := ca.must(&api.ChannelsGetParticipantRequest{Channel: inA, Participant: e.testInputPeer(a.ID, b.ID)}).(*api.ChannelsChannelParticipant)
	adm, ok := part.Participant.(*api.ChannelParticipantAdmin)
	if !ok || adm.PromotedBy != a.ID || adm.Rank.Val != "mod" || !adm.CanEdit || adm.Self || !adm.AdminRights.(*api.ChatAdminRights).AddAdmins {
		t.Fatalf("participant %+v", part.Participant)
	}
	self := cb.must(&api.ChannelsGetParticipantRequest{Channel: inB, Participant: &api.InputPeerSelf{}}).(*api.ChannelsChannelParticipant)
	if adm, ok := self.Participant.(*api.ChannelParticipantAdmin); !ok || !adm.Self || !adm.InviterID.Set {
		t.Fatalf("self %+v", self.Participant)
	}
	admins := cd.must(&api.ChannelsGetParticipantsRequest{Channel: e.testInputChannel(d.ID, peer), Filter: &api.ChannelParticipantsAdmins{}, Limit: 10}).(*api.ChannelsChannelParticipants)
	if admins.Count != 3 {
		t.Fatalf("%d admins", admins.Count)
	}
	if _, ok := admins.Participants[0].(*api.ChannelParticipantCreator); !ok {
		t.Fatalf("first admin %+v", admins.Participants[0])
	}

	// delete_messages lets C delete D's message; D may not delete B's.
	pd := e.testInputPeerChannel(d.ID, peer)
	dm, _ := newChannelMessage(t, cd.must(sendReq(pd, "from d")).(api.UpdatesClass))
	bm, _ := newChannelMessage(t, cb.must(sendReq(e.testInputPeerChannel(b.ID, peer), "from b")).(api.UpdatesClass))
	if got := cd.rpcErr(&api.ChannelsDeleteMessagesRequest{Channel: e.testInputChannel(d.ID, peer), ID: []int32{messageID(bm.Message)}}); got != "403 MESSAGE_DELETE_FORBIDDEN" {
		t.Fatalf("deleting another's message: %q", got)
	}
	cc.must(&api.ChannelsDeleteMessagesRequest{Channel: inC, ID: []int32{messageID(dm.Message)}})

	// Demoting: empty rights, by the promoter.
	cb.must(editAdmin(inB, b.ID, c.ID, &api.ChatAdminRights{}, ""))
	pc := ca.must(&api.ChannelsGetParticipantRequest{Channel: inA, Participant: e.testInputPeer(a.ID, c.ID)}).(*api.ChannelsChannelParticipant)
	if _, ok := pc.Participant.(*api.ChannelParticipant); !ok {
		t.Fatalf("demoted %+v", pc.Participant)
	}
	if got := ca.rpcErr(&api.ChannelsGetParticipantRequest{Channel: inA, Participant: &api.InputPeerUser{UserID: 1}}); got != "400 PEER_ID_INVALID" {
		t.Fatalf("unknown participant: %q", got)
	}

	// Promoting a non-member adds them (the promoter may invite).
	x, cx := newUserClient(t, e, "9996620704", "X")
	res = ca.must(editAdmin(inA, a.ID, x.ID, &api.ChatAdminRights{PinMessages: true}, "")).(*api.Updates)
	if act, ok := serviceAction(res).(*api.MessageActionChatAddUser); !ok || act.Users[0] != x.ID {
		t.Fatalf("promoting a non-member answered %+v", res.Updates)
	}
	waitUpdate[*api.UpdateChannel](cx)
}

func TestChannelBansAndParticipantFilters(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620710", "Ann")
	b, cb := newUserClient(t, e, "9996620711", "Bob")
	c, cc := newUserClient(t, e, "9996620712", "Cid")
	d, _ := newUserClient(t, e, "9996620713", "Dan")
	peer, err := e.CreateChannel(a.ID, "Strict", "", true, b.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, chID := peerKind(peer)
	inA, inB := e.testInputChannel(a.ID, peer), e.testInputChannel(b.ID, peer)
	ban := func(in *api.InputChannel, viewer, target int64, r *api.ChatBannedRights) *api.ChannelsEditBannedRequest {
		return &api.ChannelsEditBannedRequest{Channel: in, Participant: e.testInputPeer(viewer, target), BannedRights: r}
	}

	if got := cb.rpcErr(ban(inB, b.ID, c.ID, &api.ChatBannedRights{SendMessages: true})); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member banning: %q", got)
	}
	// Restricted: still a member, may not post.
	ca.must(ban(inA, a.ID, b.ID, &api.ChatBannedRights{SendMessages: true}))
	waitChat(cb, peer, func(c api.ChatClass) bool {
		ch, ok := c.(*api.Channel)
		return ok && ch.BannedRights != nil && ch.BannedRights.(*api.ChatBannedRights).SendMessages
	})
	if got := cb.rpcErr(sendReq(e.testInputPeerChannel(b.ID, peer), "muted")); got != "400 USER_BANNED_IN_CHANNEL" {
		t.Fatalf("restricted member posting: %q", got)
	}
	// Default rights restrict every member but admins.
	pa := e.testInputPeerChannel(a.ID, peer)
	ca.must(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: pa, BannedRights: &api.ChatBannedRights{SendMessages: true}})
	if got := cc.rpcErr(sendReq(e.testInputPeerChannel(c.ID, peer), "quiet")); got != "403 CHAT_WRITE_FORBIDDEN" {
		t.Fatalf("posting against default rights: %q", got)
	}
	ca.must(sendReq(pa, "admins still post"))
	if got := ca.rpcErr(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: pa, BannedRights: &api.ChatBannedRights{ViewMessages: true}}); got != "400 BANNED_RIGHTS_INVALID" {
		t.Fatalf("view_messages as a default: %q", got)
	}
	ca.must(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: pa, BannedRights: &api.ChatBannedRights{InviteUsers: true}})
	cc.must(sendReq(e.testInputPeerChannel(c.ID, peer), "talking again"))
	if got := cc.rpcErr(&api.ChannelsInviteToChannelRequest{Channel: e.testInputChannel(c.ID, peer), Users: []api.InputUserClass{e.testInputUser(c.ID, d.ID)}}); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("inviting against default rights: %q", got)
	}

	// Kicked: out, and the channel is forbidden to them.
	res := ca.must(ban(inA, a.ID, c.ID, &api.ChatBannedRights{ViewMessages: true})).(*api.Updates)
	if act, ok := serviceAction(res).(*api.MessageActionChatDeleteUser); !ok || act.UserID != c.ID {
		t.Fatalf("kick answered %+v", res.Updates)
	}
	forbidden := waitChat(cc, peer, func(c api.ChatClass) bool { _, ok := c.(*api.ChannelForbidden); return ok })
	if f := forbidden.(*api.ChannelForbidden); !f.Megagroup || f.UntilDate.Set || f.ID != chID {
		t.Fatalf("c sees %+v", f)
	}
	inC := e.testInputChannel(c.ID, peer)
	if got := cc.rpcErr(sendReq(e.testInputPeerChannel(c.ID, peer), "still here?")); got != "400 CHANNEL_PRIVATE" {
		t.Fatalf("kicked posting: %q", got)
	}
	if got := cc.rpcErr(&api.ChannelsJoinChannelRequest{Channel: inC}); got != "400 CHANNEL_PRIVATE" {
		t.Fatalf("kicked joining: %q", got)
	}
	if got := ca.rpcErr(ban(inA, a.ID, a.ID, &api.ChatBannedRights{SendMessages: true})); got != "400 USER_ADMIN_INVALID" {
		t.Fatalf("banning the creator: %q", got)
	}

	list := func(f api.ChannelParticipantsFilterClass) *api.ChannelsChannelParticipants {
		return ca.must(&api.ChannelsGetParticipantsRequest{Channel: inA, Filter: f, Limit: 50}).(*api.ChannelsChannelParticipants)
	}
	kicked := list(&api.ChannelParticipantsKicked{})
	if kicked.Count != 1 {
		t.Fatalf("kicked %+v", kicked)
	}
	if p := kicked.Participants[0].(*api.ChannelParticipantBanned); !p.Left || markedOf(p.Peer) != c.ID || p.KickedBy != a.ID {
		t.Fatalf("kicked %+v", p)
	}
	banned := list(&api.ChannelParticipantsBanned{})
	if banned.Count != 1 || markedOf(banned.Participants[0].(*api.ChannelParticipantBanned).Peer) != b.ID {
		t.Fatalf("banned %+v", banned)
	}
	if n := list(&api.ChannelParticipantsRecent{}).Count; n != 2 {
		t.Fatalf("%d recent", n)
	}
	if s := list(&api.ChannelParticipantsSearch{Q: "bo"}); s.Count != 1 || len(s.Users) != 2 { // Bob, and who restricted him
		t.Fatalf("search %+v", s)
	}
	if got := cb.rpcErr(&api.ChannelsGetParticipantsRequest{Channel: inB, Filter: &api.ChannelParticipantsKicked{}, Limit: 5}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member listing the kicked: %q", got)
	}
	full := ca.must(&api.ChannelsGetFullChannelRequest{Channel: inA}).(*api.MessagesChatFull).FullChat.(*api.ChannelFull)
	if full.KickedCount.Val != 1 || full.BannedCount.Val != 1 || full.AdminsCount.Val != 1 {
		t.Fatalf("full %+v", full)
	}

	// Unbanning lifts the ban; the kicked stay out until they join again.
	ca.must(ban(inA, a.ID, c.ID, &api.ChatBannedRights{}))
	if got := ca.rpcErr(&api.ChannelsGetParticipantRequest{Channel: inA, Participant: e.testInputPeer(a.ID, c.ID)}); got != "400 USER_NOT_PARTICIPANT" {
		t.Fatalf("unbanned: %q", got)
	}
	cc.must(&api.ChannelsJoinChannelRequest{Channel: inC})
	ca.must(ban(inA, a.ID, b.ID, &api.ChatBannedRights{}))
	cb.must(sendReq(e.testInputPeerChannel(b.ID, peer), "free"))
}

func TestChannelParticipantUpdatesReachBotsWithQts(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620720", "A")
	b, _ := newUserClient(t, e, "9996620721", "B")
	bot, token, err := e.CreateBot("watch_bot", "Watch")
	if err != nil {
		t.Fatal(err)
	}
	cbot := dialDC(t, e, bot.DC)
	cbot.loginBot(token)
	st := cbot.must(&api.UpdatesGetStateRequest{}).(*api.UpdatesState)
	peer, _ := e.CreateChannel(a.ID, "Watched", "", true, bot.ID)
	// The bot's own membership.
	up, _ := waitUpdate[*api.UpdateChannelParticipant](cbot)
	if up.UserID != bot.ID || up.PrevParticipant != nil || up.Qts != st.Qts+1 {
		t.Fatalf("bot joined: %+v", up)
	}
	if err := e.Promote(peer, bot.ID, &api.ChatAdminRights{BanUsers: true}); err != nil {
		t.Fatal(err)
	}
	up, _ = waitUpdate[*api.UpdateChannelParticipant](cbot)
	if _, ok := up.NewParticipant.(*api.ChannelParticipantAdmin); !ok || up.ActorID != a.ID || up.Qts != st.Qts+2 {
		t.Fatalf("bot promoted: %+v", up)
	}
	// An admin bot sees the others.
	ca.must(&api.ChannelsInviteToChannelRequest{Channel: e.testInputChannel(a.ID, peer), Users: []api.InputUserClass{e.testInputUser(a.ID, b.ID)}})
	up, _ = waitUpdate[*api.UpdateChannelParticipant](cbot)
	if up.UserID != b.ID || up.PrevParticipant != nil || up.Qts != st.Qts+3 {
		t.Fatalf("b added: %+v", up)
	}
	if err := e.Ban(peer, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	up, _ = waitUpdate[*api.UpdateChannelParticipant](cbot)
	if p, ok := up.NewParticipant.(*api.ChannelParticipantBanned); !ok || !p.Left || !p.BannedRights.(*api.ChatBannedRights).ViewMessages || up.Qts != st.Qts+4 {
		t.Fatalf("b kicked: %+v", up)
	}
	if _, qts, _, _ := e.UpdateState(bot.ID); qts != st.Qts+4 {
		t.Fatalf("server qts %d", qts)
	}
	// A bot that missed them catches up with getDifference from its qts.
	d := cbot.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date, Qts: st.Qts + 2}).(*api.UpdatesDifference)
	var got []int32
	for _, u := range d.OtherUpdates {
		if x, ok := u.(*api.UpdateChannelParticipant); ok {
			got = append(got, x.Qts)
		}
	}
	if len(got) != 2 || got[0] != st.Qts+3 || got[1] != st.Qts+4 || d.State.(*api.UpdatesState).Qts != st.Qts+4 {
		t.Fatalf("difference qts %v state %+v", got, d.State)
	}
	if len(d.Users) < 2 || len(d.Chats) == 0 {
		t.Fatalf("difference without entities: %d users %d chats", len(d.Users), len(d.Chats))
	}
	if _, ok := cbot.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: d.State.(*api.UpdatesState).Date, Qts: st.Qts + 4}).(*api.UpdatesDifferenceEmpty); !ok {
		t.Fatal("a bot up to date gets more")
	}
}

func TestEditTitleNeedsTheRight(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620730", "A")
	b, cb := newUserClient(t, e, "9996620731", "B")
	peer, _ := e.CreateChannel(a.ID, "News", "", false, b.ID)
	if got := cb.rpcErr(&api.ChannelsEditTitleRequest{Channel: e.testInputChannel(b.ID, peer), Title: "Mine"}); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a subscriber renaming: %q", got)
	}
	res := ca.must(&api.ChannelsEditTitleRequest{Channel: e.testInputChannel(a.ID, peer), Title: " Daily News "}).(*api.Updates)
	if act, ok := serviceAction(res).(*api.MessageActionChatEditTitle); !ok || act.Title != "Daily News" {
		t.Fatalf("editTitle answered %+v", res.Updates)
	}
	_, push := waitUpdate[*api.UpdateNewChannelMessage](cb)
	if act, ok := serviceAction(push).(*api.MessageActionChatEditTitle); !ok || act.Title != "Daily News" {
		t.Fatalf("b got %+v", push)
	}
	_, chID := peerKind(peer)
	if ch := chatOfPush(push, chID).(*api.Channel); ch.Title != "Daily News" {
		t.Fatalf("title %q", ch.Title)
	}
	if got := ca.rpcErr(&api.ChannelsEditTitleRequest{Channel: e.testInputChannel(a.ID, peer), Title: "Daily News"}); got != "400 CHAT_NOT_MODIFIED" {
		t.Fatalf("same title: %q", got)
	}

	// Basic groups: members may, unless the default rights say otherwise.
	chat, _ := e.CreateChat(a.ID, "Team", b.ID)
	_, cid := peerKind(chat)
	cb.must(&api.MessagesEditChatTitleRequest{ChatID: cid, Title: "Team B"})
	ca.must(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: &api.InputPeerChat{ChatID: cid}, BannedRights: &api.ChatBannedRights{ChangeInfo: true}})
	if got := cb.rpcErr(&api.MessagesEditChatTitleRequest{ChatID: cid, Title: "Team C"}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("renaming against default rights: %q", got)
	}
	if !ca.must(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(a.ID, b.ID), IsAdmin: true}).(bool) {
		t.Fatal("editChatAdmin")
	}
	res2 := cb.must(&api.MessagesEditChatTitleRequest{ChatID: cid, Title: "Team C"})
	if act, ok := serviceAction(res2).(*api.MessageActionChatEditTitle); !ok || act.Title != "Team C" {
		t.Fatalf("admin renaming answered %+v", res2)
	}
	h, _ := e.History(a.ID, chat)
	if last := h[len(h)-1]; !last.Service || last.Action.(*api.MessageActionChatEditTitle).Title != "Team C" {
		t.Fatalf("history %+v", last)
	}
}

func TestBasicGroupAdminsAndRemoval(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620740", "A")
	b, cb := newUserClient(t, e, "9996620741", "B")
	c, cc := newUserClient(t, e, "9996620742", "C")
	chat, _ := e.CreateChat(a.ID, "Club", b.ID, c.ID)
	_, cid := peerKind(chat)
	if got := cb.rpcErr(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(b.ID, c.ID), IsAdmin: true}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member promoting: %q", got)
	}
	ca.must(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(a.ID, b.ID), IsAdmin: true})
	up, _ := waitUpdate[*api.UpdateChatParticipantAdmin](cc)
	if up.UserID != b.ID || !up.IsAdmin || up.ChatID != cid {
		t.Fatalf("c got %+v", up)
	}
	full := cc.must(&api.MessagesGetFullChatRequest{ChatID: cid}).(*api.MessagesChatFull)
	parts := full.FullChat.(*api.ChatFull).Participants.(*api.ChatParticipants)
	if _, ok := parts.Participants[1].(*api.ChatParticipantAdmin); !ok || parts.Version != up.Version {
		t.Fatalf("participants %+v", parts)
	}
	if _, ok := full.FullChat.(*api.ChatFull).ExportedInvite.(*api.ChatInviteExported); ok {
		t.Fatal("a member sees the invite link")
	}
	if ch := full.Chats[0].(*api.Chat); ch.AdminRights != nil {
		t.Fatalf("c has rights %+v", ch.AdminRights)
	}
	// C did not add B, and is no admin.
	if got := cc.rpcErr(&api.MessagesDeleteChatUserRequest{ChatID: cid, UserID: e.testInputUser(c.ID, b.ID)}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member removing another: %q", got)
	}
	cc.must(sendReq(&api.InputPeerChat{ChatID: cid}, "bye soon"))
	// The admin removes C, and their messages with them.
	res := cb.must(&api.MessagesDeleteChatUserRequest{ChatID: cid, UserID: e.testInputUser(b.ID, c.ID), RevokeHistory: true})
	if act, ok := serviceAction(res).(*api.MessageActionChatDeleteUser); !ok || act.UserID != c.ID {
		t.Fatalf("deleteChatUser answered %+v", res)
	}
	if h, _ := e.History(a.ID, chat); func() bool {
		for _, m := range h {
			if m.Text == "bye soon" {
				return true
			}
		}
		return false
	}() {
		t.Fatal("revoke_history left C's message")
	}
	if got := cb.rpcErr(&api.MessagesDeleteChatUserRequest{ChatID: cid, UserID: e.testInputUser(b.ID, c.ID)}); got != "400 USER_NOT_PARTICIPANT" {
		t.Fatalf("removing a non-member: %q", got)
	}
	if got := cb.rpcErr(&api.MessagesDeleteChatUserRequest{ChatID: cid, UserID: e.testInputUser(b.ID, a.ID)}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("an admin removing the creator: %q", got)
	}
	if got := cc.rpcErr(sendReq(&api.InputPeerChat{ChatID: cid}, "let me in")); got != "403 CHAT_WRITE_FORBIDDEN" {
		t.Fatalf("removed member posting: %q", got)
	}
	// Default rights and admins: admins post, members do not.
	ca.must(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: &api.InputPeerChat{ChatID: cid}, BannedRights: &api.ChatBannedRights{SendMessages: true}})
	cb.must(sendReq(&api.InputPeerChat{ChatID: cid}, "admin speaking"))
	ca.must(&api.MessagesEditChatAdminRequest{ChatID: cid, UserID: e.testInputUser(a.ID, b.ID), IsAdmin: false})
	if got := cb.rpcErr(sendReq(&api.InputPeerChat{ChatID: cid}, "demoted")); got != "403 CHAT_WRITE_FORBIDDEN" {
		t.Fatalf("member posting against default rights: %q", got)
	}
	if got := ca.rpcErr(&api.MessagesEditChatDefaultBannedRightsRequest{Peer: &api.InputPeerChat{ChatID: cid}, BannedRights: &api.ChatBannedRights{SendMessages: true}}); got != "400 CHAT_NOT_MODIFIED" {
		t.Fatalf("same default rights: %q", got)
	}
}

func TestResolvePhone(t *testing.T) {
	e := startEmu(t, Config{})
	_, ca := newUserClient(t, e, "9996620750", "A")
	b, err := e.CreateUser("9996620751", "B", "", "")
	if err != nil {
		t.Fatal(err)
	}
	res := ca.must(&api.ContactsResolvePhoneRequest{Phone: "+999 662 0751"}).(*api.ContactsResolvedPeer)
	u := res.Users[0].(*api.User)
	if markedOf(res.Peer) != b.ID || u.Phone.Val != "9996620751" || !u.AccessHash.Set {
		t.Fatalf("resolved %+v %+v", res.Peer, u)
	}
	ca.must(sendReq(&api.InputPeerUser{UserID: b.ID, AccessHash: u.AccessHash.Val}, "found you"))
	if got := ca.rpcErr(&api.ContactsResolvePhoneRequest{Phone: "9996620759"}); got != "400 PHONE_NOT_OCCUPIED" {
		t.Fatalf("unknown phone: %q", got)
	}
	if got := ca.rpcErr(&api.ContactsResolvePhoneRequest{Phone: "call me"}); got != "400 PHONE_NUMBER_INVALID" {
		t.Fatalf("not a phone: %q", got)
	}
	// Supergroups resolve by username too.
	peer, _ := e.CreateChannel(b.ID, "Public group", "public_group", true)
	r := ca.must(&api.ContactsResolveUsernameRequest{Username: "@Public_Group"}).(*api.ContactsResolvedPeer)
	if ch := r.Chats[0].(*api.Channel); markedOf(r.Peer) != peer || !ch.Megagroup || !ch.Left || !ch.AccessHash.Set {
		t.Fatalf("resolved %+v", r.Chats[0])
	}
}
