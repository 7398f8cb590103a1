//go:build !polygram_nohttp

package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/polygram/polygram/tl/api"
)

func postJSON(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestControlPromoteBanAndInviteLinkOverJSON(t *testing.T) {
	e := startEmu(t, Config{})
	srv := httptest.NewServer(e.ControlHandler())
	defer srv.Close()
	a, _ := e.CreateUser("9996620820", "A", "", "")
	b, _ := e.CreateUser("9996620821", "B", "", "")
	peer, _ := e.CreateChannel(a.ID, "Json", "", true, b.ID)
	_, chID := peerKind(peer)
	member := func() chMember {
		e.mu.Lock()
		defer e.mu.Unlock()
		return *e.m.channels[chID].members[b.ID]
	}
	ids := `"chat":` + strconv.FormatInt(peer, 10) + `,"user_id":` + strconv.FormatInt(b.ID, 10)

	if code, _ := postJSON(t, srv.URL+"/promote", `{`+ids+`,"rights":{"ban_users":true,"pin_messages":true}}`); code != 200 {
		t.Fatalf("promote: %d", code)
	}
	if r := member().rights; r == nil || !r.BanUsers || !r.PinMessages || r.AddAdmins {
		t.Fatalf("rights %+v", r)
	}
	if code, out := postJSON(t, srv.URL+"/promote", `{`+ids+`,"rights":{"fly":true}}`); code != 400 || !strings.Contains(out["error"].(string), "unknown right") {
		t.Fatalf("unknown right: %d %v", code, out)
	}
	if code, _ := postJSON(t, srv.URL+"/ban", `{`+ids+`,"rights":{"send_messages":true,"until_date":0}}`); code != 200 {
		t.Fatalf("ban: %d", code)
	}
	if m := member(); m.rights != nil || m.banned == nil || !m.banned.SendMessages || m.left {
		t.Fatalf("restricted %+v", m)
	}
	if code, _ := postJSON(t, srv.URL+"/ban", `{`+ids+`}`); code != 200 {
		t.Fatalf("kick: %d", code)
	}
	if m := member(); !m.left || !m.banned.ViewMessages {
		t.Fatalf("kicked %+v", m)
	}
	if code, _ := postJSON(t, srv.URL+"/ban", `{`+ids+`,"rights":{}}`); code != 200 || member().banned != nil {
		t.Fatalf("unban: %d", code)
	}
	if code, out := postJSON(t, srv.URL+"/ban", `{"chat":`+strconv.FormatInt(peer, 10)+`,"user_id":`+strconv.FormatInt(a.ID, 10)+`}`); code != 400 || !strings.Contains(out["error"].(string), "USER_ADMIN_INVALID") {
		t.Fatalf("banning the creator: %d %v", code, out)
	}

	resp, err := http.Get(srv.URL + "/invite_link?chat=" + strconv.FormatInt(peer, 10))
	if err != nil {
		t.Fatal(err)
	}
	var link struct{ Link string }
	json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	if link.Link == "" || link.Link != e.InviteLink(peer) {
		t.Fatalf("link %q", link.Link)
	}
	if resp, _ := http.Get(srv.URL + "/invite_link?chat=-77"); resp.StatusCode != 400 {
		t.Fatalf("unknown chat answered %d", resp.StatusCode)
	}

	// Basic groups: admin or not, and removal.
	chat, _ := e.CreateChat(a.ID, "Small", b.ID)
	_, cid := peerKind(chat)
	if err := e.Promote(chat, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	chatState := func() (admin, member bool) {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.m.chats[cid].admins[b.ID], e.m.chats[cid].isMember(b.ID)
	}
	if admin, _ := chatState(); !admin {
		t.Fatal("not an admin")
	}
	if err := e.Ban(chat, b.ID, &api.ChatBannedRights{SendMessages: true}); err == nil {
		t.Fatal("per-user restrictions in a basic group")
	}
	if err := e.Ban(chat, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, member := chatState(); member {
		t.Fatal("still a member")
	}
	if err := e.Promote(chat, b.ID, nil); err == nil || !strings.Contains(err.Error(), "USER_NOT_PARTICIPANT") {
		t.Fatalf("promoting a non-member of a basic group: %v", err)
	}
}
