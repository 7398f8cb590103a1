package emulator

import (
	"testing"

	"github.com/polygram/polygram/tl/api"
)

func channelOf(t *testing.T, u *api.Updates) *api.Channel {
	t.Helper()
	for _, c := range u.Chats {
		if ch, ok := c.(*api.Channel); ok {
			return ch
		}
	}
	t.Fatal("no channel in the updates")
	return nil
}

func newChannelMessage(t *testing.T, u api.UpdatesClass) (*api.UpdateNewChannelMessage, *api.Updates) {
	t.Helper()
	up, ok := u.(*api.Updates)
	if !ok {
		t.Fatalf("got %T", u)
	}
	for _, x := range up.Updates {
		if nm, ok := x.(*api.UpdateNewChannelMessage); ok {
			return nm, up
		}
	}
	t.Fatalf("no updateNewChannelMessage in %+v", up.Updates)
	return nil, nil
}

// waitChannelText waits for a pushed channel message with the given text.
func waitChannelText(t *testing.T, cl *client, text string) (*api.Message, *api.Updates) {
	t.Helper()
	for {
		up := nextOf[*api.Updates](cl)
		for _, x := range up.Updates {
			if nm, ok := x.(*api.UpdateNewChannelMessage); ok {
				if msg, ok := nm.Message.(*api.Message); ok && msg.Message == text {
					return msg, up
				}
			}
		}
	}
}

func TestSupergroupMessagingAndChannelDifference(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620300", "A")
	b, cb := newUserClient(t, e, "9996620301", "B")
	c, cc := newUserClient(t, e, "9996620302", "C")
	created := ca.must(&api.ChannelsCreateChannelRequest{Megagroup: true, Title: "Super", About: "x"}).(*api.Updates)
	ch := channelOf(t, created)
	if !ch.Megagroup || !ch.Creator || ch.AccessHash.Val == 0 {
		t.Fatalf("channel %+v", ch)
	}
	inA := &api.InputChannel{ChannelID: ch.ID, AccessHash: ch.AccessHash.Val}
	ca.must(&api.ChannelsInviteToChannelRequest{Channel: inA, Users: []api.InputUserClass{e.testInputUser(a.ID, b.ID), e.testInputUser(a.ID, c.ID)}})
	nextOf[*api.Updates](cb)
	inB := e.testInputChannel(b.ID, channelPeer(ch.ID))
	full := cb.must(&api.ChannelsGetFullChannelRequest{Channel: inB}).(*api.MessagesChatFull)
	pts := full.FullChat.(*api.ChannelFull).Pts

	peerA := &api.InputPeerChannel{ChannelID: ch.ID, AccessHash: ch.AccessHash.Val}
	res := ca.must(sendReq(peerA, "hello super"))
	nm, _ := newChannelMessage(t, res.(api.UpdatesClass))
	if nm.Message.(*api.Message).Message != "hello super" {
		t.Fatalf("answer %+v", nm)
	}
	// B gets it in a container, with pts of the channel.
	msg, up := waitChannelText(t, cb, "hello super")
	if msg.ID != nm.Message.(*api.Message).ID || msg.Out || markedOf(msg.FromID) != a.ID {
		t.Fatalf("b got %+v", msg)
	}
	if len(up.Chats) == 0 || len(up.Users) == 0 {
		t.Fatal("no entities")
	}
	// C has not met A: a min user.
	_, upC := waitChannelText(t, cc, "hello super")
	for _, uc := range upC.Users {
		if u := uc.(*api.User); u.ID == a.ID && !u.Min {
			t.Fatalf("c sees A as %+v", u)
		}
	}

	e.HoldUpdates(b.ID, true)
	ca.must(sendReq(peerA, "two"))
	ca.must(sendReq(peerA, "three"))
	diff := cb.must(&api.UpdatesGetChannelDifferenceRequest{Channel: inB, Filter: &api.ChannelMessagesFilterEmpty{}, Pts: pts, Limit: 100}).(*api.UpdatesChannelDifference)
	if !diff.Final || len(diff.NewMessages) != 3 || diff.Pts != nm.Pts+2 {
		t.Fatalf("difference final=%v %d messages pts %d", diff.Final, len(diff.NewMessages), diff.Pts)
	}
	empty := cb.must(&api.UpdatesGetChannelDifferenceRequest{Channel: inB, Filter: &api.ChannelMessagesFilterEmpty{}, Pts: diff.Pts, Limit: 100})
	if _, ok := empty.(*api.UpdatesChannelDifferenceEmpty); !ok {
		t.Fatalf("got %T", empty)
	}
	// The common difference points at the channel.
	st := api.UpdatesState{Pts: 1, Date: 1}
	common := cb.must(&api.UpdatesGetDifferenceRequest{Pts: st.Pts, Date: st.Date})
	if d, ok := common.(*api.UpdatesDifference); ok {
		found := false
		for _, u := range d.OtherUpdates {
			if tl, ok := u.(*api.UpdateChannelTooLong); ok && tl.ChannelID == ch.ID {
				found = true
			}
		}
		if !found {
			t.Fatalf("common difference %+v", d.OtherUpdates)
		}
	}
	e.HoldUpdates(b.ID, false)

	hist := cb.must(&api.MessagesGetHistoryRequest{Peer: &api.InputPeerChannel{ChannelID: ch.ID, AccessHash: inB.AccessHash}, Limit: 10}).(*api.MessagesChannelMessages)
	if hist.Count != 5 || hist.Pts != diff.Pts { // created, added, three texts
		t.Fatalf("history count %d pts %d", hist.Count, hist.Pts)
	}
	parts := cb.must(&api.ChannelsGetParticipantsRequest{Channel: inB, Filter: &api.ChannelParticipantsRecent{}, Limit: 10}).(*api.ChannelsChannelParticipants)
	if parts.Count != 3 {
		t.Fatalf("participants %d", parts.Count)
	}
	if !cb.must(&api.ChannelsReadHistoryRequest{Channel: inB, MaxID: 5}).(bool) {
		t.Fatal("readHistory")
	}
	del := ca.must(&api.ChannelsDeleteMessagesRequest{Channel: inA, ID: []int32{5}}).(*api.MessagesAffectedMessages)
	if del.PtsCount != 1 {
		t.Fatalf("delete %+v", del)
	}
	if got := cb.rpcErr(&api.ChannelsDeleteMessagesRequest{Channel: inB, ID: []int32{4}}); got != "403 MESSAGE_DELETE_FORBIDDEN" {
		t.Fatalf("delete someone else's: %q", got)
	}
	cc.must(&api.ChannelsLeaveChannelRequest{Channel: e.testInputChannel(c.ID, channelPeer(ch.ID))})
	if got := cc.rpcErr(sendReq(&api.InputPeerChannel{ChannelID: ch.ID, AccessHash: e.testInputChannel(c.ID, channelPeer(ch.ID)).AccessHash}, "x")); got != "400 CHANNEL_PRIVATE" {
		t.Fatalf("after leaving: %q", got)
	}
	h, err := e.History(a.ID, channelPeer(ch.ID))
	if err != nil || len(h) != 5 || h[2].Text != "hello super" {
		t.Fatalf("history %+v %v", h, err)
	}
}

func TestPublicBroadcastChannel(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620310", "A")
	_, cb := newUserClient(t, e, "9996620311", "B")
	peer, err := e.CreateChannel(a.ID, "News", "news_chan", false)
	if err != nil {
		t.Fatal(err)
	}
	res := cb.must(&api.ContactsResolveUsernameRequest{Username: "news_chan"}).(*api.ContactsResolvedPeer)
	ch := res.Chats[0].(*api.Channel)
	if markedOf(res.Peer) != peer || !ch.Broadcast || !ch.Left {
		t.Fatalf("resolved %+v", ch)
	}
	in := &api.InputChannel{ChannelID: ch.ID, AccessHash: ch.AccessHash.Val}
	join := cb.must(&api.ChannelsJoinChannelRequest{Channel: in}).(*api.MessagesChatInviteJoinResultOk)
	if len(join.Updates.(*api.Updates).Updates) == 0 {
		t.Fatal("join answered nothing")
	}
	if got := cb.rpcErr(sendReq(&api.InputPeerChannel{ChannelID: ch.ID, AccessHash: ch.AccessHash.Val}, "spam")); got != "403 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("member posting: %q", got)
	}
	if _, err := e.SendMessage(a.ID, peer, "breaking"); err != nil {
		t.Fatal(err)
	}
	msg, _ := waitChannelText(t, cb, "breaking")
	if !msg.Post || msg.FromID != nil || msg.Message != "breaking" {
		t.Fatalf("post %+v", msg)
	}
	_ = ca
}
