package emulator

import (
	"strings"
	"testing"

	"github.com/polygram/polygram/tl/api"
)

func TestInviteLinksOfASupergroup(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620800", "A")
	b, cb := newUserClient(t, e, "9996620801", "B")
	_, cc := newUserClient(t, e, "9996620802", "C")
	peer, _ := e.CreateChannel(a.ID, "Hidden", "", true)
	pa := e.testInputPeerChannel(a.ID, peer)

	inv := ca.must(&api.MessagesExportChatInviteRequest{Peer: pa, UsageLimit: optInt(1), Title: optStr("one-off")}).(*api.ChatInviteExported)
	if !strings.HasPrefix(inv.Link, "https://t.me/+") || inv.Permanent || inv.AdminID != a.ID || inv.UsageLimit.Val != 1 || inv.Title.Val != "one-off" {
		t.Fatalf("exported %+v", inv)
	}
	hash := strings.TrimPrefix(inv.Link, "https://t.me/+")
	check := cb.must(&api.MessagesCheckChatInviteRequest{Hash: hash})
	ci, ok := check.(*api.ChatInvite)
	if !ok || ci.Title != "Hidden" || !ci.Channel || !ci.Megagroup || ci.Broadcast || ci.Public || ci.ParticipantsCount != 1 || len(ci.Participants) != 1 {
		t.Fatalf("check %+v", check)
	}
	joined := cb.must(&api.MessagesImportChatInviteRequest{Hash: hash}).(*api.MessagesChatInviteJoinResultOk)
	if act, ok := serviceAction(joined).(*api.MessageActionChatJoinedByLink); !ok || act.InviterID != a.ID {
		t.Fatalf("import answered %+v", joined.Updates)
	}
	if act := waitAction[*api.MessageActionChatJoinedByLink](ca); act.InviterID != a.ID {
		t.Fatalf("a got %+v", act)
	}
	permHash := strings.TrimPrefix(e.InviteLink(peer), "https://t.me/+")
	if already, ok := cb.must(&api.MessagesCheckChatInviteRequest{Hash: permHash}).(*api.ChatInviteAlready); !ok || chatIDOf(already.Chat) != peer {
		t.Fatal("a member checking a link")
	}
	if got := cb.rpcErr(&api.MessagesImportChatInviteRequest{Hash: permHash}); got != "400 USER_ALREADY_PARTICIPANT" {
		t.Fatalf("joining twice: %q", got)
	}
	// The link was good for one use.
	if got := cc.rpcErr(&api.MessagesCheckChatInviteRequest{Hash: hash}); got != "400 INVITE_HASH_EXPIRED" {
		t.Fatalf("used up: %q", got)
	}
	if got := cc.rpcErr(&api.MessagesImportChatInviteRequest{Hash: "nosuchhash"}); got != "400 INVITE_HASH_INVALID" {
		t.Fatalf("bad hash: %q", got)
	}
	if got := cc.rpcErr(&api.MessagesCheckChatInviteRequest{Hash: ""}); got != "400 INVITE_HASH_EMPTY" {
		t.Fatalf("empty hash: %q", got)
	}
	if got := cb.rpcErr(&api.MessagesExportChatInviteRequest{Peer: e.testInputPeerChannel(b.ID, peer)}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member exporting: %q", got)
	}
	if got := ca.rpcErr(&api.MessagesExportChatInviteRequest{Peer: pa, ExpireDate: optInt(1000)}); got != "400 EXPIRE_DATE_INVALID" {
		t.Fatalf("expired at birth: %q", got)
	}

	// The permanent link: in the full channel, and the control API's.
	full := ca.must(&api.ChannelsGetFullChannelRequest{Channel: e.testInputChannel(a.ID, peer)}).(*api.MessagesChatFull)
	perm := full.FullChat.(*api.ChannelFull).ExportedInvite.(*api.ChatInviteExported)
	if !perm.Permanent || perm.Link != e.InviteLink(peer) {
		t.Fatalf("permanent %+v, control %q", perm, e.InviteLink(peer))
	}
	list := ca.must(&api.MessagesGetExportedChatInvitesRequest{Peer: pa, AdminID: &api.InputUserSelf{}, Limit: 10}).(*api.MessagesExportedChatInvites)
	if list.Count != 2 || len(list.Users) != 1 {
		t.Fatalf("invites %+v", list)
	}
	var used *api.ChatInviteExported
	for _, x := range list.Invites {
		if x.(*api.ChatInviteExported).Link == inv.Link {
			used = x.(*api.ChatInviteExported)
		}
	}
	if used == nil || used.Usage.Val != 1 {
		t.Fatalf("listed %+v", list.Invites)
	}
	imps := ca.must(&api.MessagesGetChatInviteImportersRequest{Peer: pa, Link: optStr(inv.Link), OffsetUser: &api.InputUserEmpty{}, Limit: 10}).(*api.MessagesChatInviteImporters)
	if imps.Count != 1 || imps.Importers[0].(*api.ChatInviteImporter).UserID != b.ID {
		t.Fatalf("importers %+v", imps)
	}

	// Revoking the permanent link replaces it.
	rev := ca.must(&api.MessagesEditExportedChatInviteRequest{Peer: pa, Link: perm.Link, Revoked: true})
	repl, ok := rev.(*api.MessagesExportedChatInviteReplaced)
	if !ok || !repl.Invite.(*api.ChatInviteExported).Revoked || repl.NewInvite.(*api.ChatInviteExported).Link == perm.Link {
		t.Fatalf("revoke answered %+v", rev)
	}
	if e.InviteLink(peer) != repl.NewInvite.(*api.ChatInviteExported).Link {
		t.Fatal("the control API still gives the revoked link")
	}
	if got := cc.rpcErr(&api.MessagesImportChatInviteRequest{Hash: strings.TrimPrefix(perm.Link, "https://t.me/+")}); got != "400 INVITE_HASH_EXPIRED" {
		t.Fatalf("revoked link: %q", got)
	}
	if got := ca.rpcErr(&api.MessagesEditExportedChatInviteRequest{Peer: pa, Link: repl.NewInvite.(*api.ChatInviteExported).Link, UsageLimit: optInt(5)}); got != "400 CHAT_INVITE_PERMANENT" {
		t.Fatalf("limiting the permanent link: %q", got)
	}
	revoked := ca.must(&api.MessagesGetExportedChatInvitesRequest{Peer: pa, Revoked: true, AdminID: &api.InputUserSelf{}, Limit: 10}).(*api.MessagesExportedChatInvites)
	if revoked.Count != 1 {
		t.Fatalf("revoked %+v", revoked)
	}
	if got := ca.rpcErr(&api.MessagesDeleteExportedChatInviteRequest{Peer: pa, Link: inv.Link}); got != "400 INVITE_REVOKED_MISSING" {
		t.Fatalf("deleting a live link: %q", got)
	}
	if !ca.must(&api.MessagesDeleteExportedChatInviteRequest{Peer: pa, Link: perm.Link}).(bool) {
		t.Fatal("delete")
	}

	// A link that needs approval records a join request.
	req := ca.must(&api.MessagesExportChatInviteRequest{Peer: pa, RequestNeeded: true}).(*api.ChatInviteExported)
	reqHash := strings.TrimPrefix(req.Link, "https://t.me/+")
	if ci := cc.must(&api.MessagesCheckChatInviteRequest{Hash: reqHash}).(*api.ChatInvite); !ci.RequestNeeded {
		t.Fatalf("check %+v", ci)
	}
	if got := cc.rpcErr(&api.MessagesImportChatInviteRequest{Hash: reqHash}); got != "400 INVITE_REQUEST_SENT" {
		t.Fatalf("request: %q", got)
	}
	reqs := ca.must(&api.MessagesGetChatInviteImportersRequest{Requested: true, Peer: pa, OffsetUser: &api.InputUserEmpty{}, Limit: 10}).(*api.MessagesChatInviteImporters)
	if reqs.Count != 1 || !reqs.Importers[0].(*api.ChatInviteImporter).Requested {
		t.Fatalf("requests %+v", reqs)
	}

	// The kicked cannot come back through a link.
	if err := e.Ban(peer, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := cb.rpcErr(&api.MessagesImportChatInviteRequest{Hash: strings.TrimPrefix(e.InviteLink(peer), "https://t.me/+")}); got != "400 CHANNEL_PRIVATE" {
		t.Fatalf("kicked importing: %q", got)
	}
}

func TestInviteLinkOfABasicGroup(t *testing.T) {
	e := startEmu(t, Config{})
	a, ca := newUserClient(t, e, "9996620810", "A")
	b, cb := newUserClient(t, e, "9996620811", "B")
	chat, _ := e.CreateChat(a.ID, "Book club")
	_, cid := peerKind(chat)
	link := e.InviteLink(chat)
	if !strings.HasPrefix(link, "https://t.me/+") || e.InviteLink(-424242) != "" {
		t.Fatalf("link %q", link)
	}
	// Clients may send the whole link too.
	ci := cb.must(&api.MessagesCheckChatInviteRequest{Hash: link}).(*api.ChatInvite)
	if ci.Title != "Book club" || ci.Channel || ci.ParticipantsCount != 1 {
		t.Fatalf("check %+v", ci)
	}
	res := cb.must(&api.MessagesImportChatInviteRequest{Hash: strings.TrimPrefix(link, "https://t.me/+")}).(*api.MessagesChatInviteJoinResultOk)
	if act, ok := serviceAction(res).(*api.MessageActionChatJoinedByLink); !ok || act.InviterID != a.ID {
		t.Fatalf("import answered %+v", res.Updates)
	}
	waitAction[*api.MessageActionChatJoinedByLink](ca)
	full := cb.must(&api.MessagesGetFullChatRequest{ChatID: cid}).(*api.MessagesChatFull)
	parts := full.FullChat.(*api.ChatFull).Participants.(*api.ChatParticipants).Participants
	if len(parts) != 2 || parts[1].(*api.ChatParticipant).UserID != b.ID || parts[1].(*api.ChatParticipant).InviterID != a.ID {
		t.Fatalf("participants %+v", parts)
	}
	fa := ca.must(&api.MessagesGetFullChatRequest{ChatID: cid}).(*api.MessagesChatFull).FullChat.(*api.ChatFull)
	if x := fa.ExportedInvite.(*api.ChatInviteExported); x.Link != link || x.Usage.Val != 1 {
		t.Fatalf("creator's invite %+v", x)
	}
	if got := cb.rpcErr(&api.MessagesExportChatInviteRequest{Peer: &api.InputPeerChat{ChatID: cid}}); got != "400 CHAT_ADMIN_REQUIRED" {
		t.Fatalf("a member exporting: %q", got)
	}
	// legacy_revoke_permanent replaces the permanent link.
	fresh := ca.must(&api.MessagesExportChatInviteRequest{Peer: &api.InputPeerChat{ChatID: cid}, LegacyRevokePermanent: true}).(*api.ChatInviteExported)
	if !fresh.Permanent || fresh.Link == link || e.InviteLink(chat) != fresh.Link {
		t.Fatalf("fresh %+v", fresh)
	}
}
