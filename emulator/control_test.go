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

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestControlNewerEndpointsOverJSON(t *testing.T) {
	e := startEmu(t, Config{})
	srv := httptest.NewServer(e.ControlHandler())
	defer srv.Close()
	a, _ := e.CreateUser("9996620830", "A", "", "")
	b, _ := e.CreateUser("9996620831", "B", "", "")
	bot, token, _ := e.CreateBot("jsonbot", "Json")
	id := func(v int64) string { return strconv.FormatInt(v, 10) }

	if code, u := getJSON(t, srv.URL+"/users?id="+id(b.ID)); code != 200 || u["first_name"] != "B" || int64(u["id"].(float64)) != b.ID {
		t.Fatalf("lookup: %d %v", code, u)
	}
	if code, out := getJSON(t, srv.URL+"/users?id=12345"); code != 400 || !strings.Contains(out["error"].(string), "no user") {
		t.Fatalf("unknown user: %d %v", code, out)
	}
	if code, out := getJSON(t, srv.URL+"/users?id=x"); code != 400 || !strings.Contains(out["error"].(string), "integer") {
		t.Fatalf("bad id: %d %v", code, out)
	}
	if code, out := getJSON(t, srv.URL+"/bot_token?bot_id="+id(bot.ID)); code != 200 || out["token"] != token {
		t.Fatalf("bot token: %d %v, want %s", code, out, token)
	}
	if code, _ := getJSON(t, srv.URL+"/bot_token?bot_id="+id(a.ID)); code != 400 {
		t.Fatalf("token of a user answered %d", code)
	}

	// An album: its ids come back, the history holds it, the pts moved.
	code, out := postJSON(t, srv.URL+"/albums", `{"from":`+id(a.ID)+`,"peer":`+id(b.ID)+`,"captions":["one","two","three"]}`)
	if code != 200 || len(out["ids"].([]any)) != 3 {
		t.Fatalf("album: %d %v", code, out)
	}
	hist, err := e.History(b.ID, a.ID)
	if err != nil || len(hist) != 3 || hist[0].Text != "three" && hist[2].Text != "three" {
		t.Fatalf("history after the album: %v %+v", err, hist)
	}
	if code, out := postJSON(t, srv.URL+"/albums", `{"from":`+id(a.ID)+`,"peer":`+id(b.ID)+`,"captions":["alone"]}`); code != 400 || !strings.Contains(out["error"].(string), "2 to 10") {
		t.Fatalf("one-photo album: %d %v", code, out)
	}
	pts, qts, seq, _ := e.UpdateState(b.ID)
	if code, st := getJSON(t, srv.URL+"/update_state?user_id="+id(b.ID)); code != 200 || int32(st["pts"].(float64)) != pts || pts < 3 ||
		int32(st["qts"].(float64)) != qts || int32(st["seq"].(float64)) != seq {
		t.Fatalf("update state: %d %v, want pts %d qts %d seq %d", code, st, pts, qts, seq)
	}

	// Faults: the next difference of b is too long; a channel's too.
	if code, _ := postJSON(t, srv.URL+"/faults/difference_too_long", `{"user_id":`+id(b.ID)+`}`); code != 200 {
		t.Fatalf("difference_too_long: %d", code)
	}
	if code, _ := postJSON(t, srv.URL+"/faults/difference_too_long", `{"user_id":777}`); code != 400 {
		t.Fatalf("difference_too_long of no user answered %d", code)
	}
	ch, _ := e.CreateChannel(a.ID, "Long", "", false, b.ID)
	if code, _ := postJSON(t, srv.URL+"/faults/channel_difference_too_long", `{"user_id":`+id(b.ID)+`,"channel":`+id(ch)+`}`); code != 200 {
		t.Fatalf("channel_difference_too_long: %d", code)
	}
	if code, out := postJSON(t, srv.URL+"/faults/channel_difference_too_long", `{"user_id":`+id(b.ID)+`,"channel":`+id(b.ID)+`}`); code != 400 || !strings.Contains(out["error"].(string), "not a marked channel") {
		t.Fatalf("channel_difference_too_long on a user: %d %v", code, out)
	}
	_, chID := peerKind(ch)
	e.faults.mu.Lock()
	tooLong, chTooLong := e.faults.tooLong[b.ID], e.faults.chTooLong[[2]int64{b.ID, chID}]
	e.faults.mu.Unlock()
	if !tooLong || !chTooLong {
		t.Fatalf("faults not armed: difference %v, channel %v", tooLong, chTooLong)
	}
	if code, _ := postJSON(t, srv.URL+"/faults/expire_file_references", ``); code != 200 {
		t.Fatalf("expire_file_references: %d", code)
	}
	if code, _ := postJSON(t, srv.URL+"/cdn", `{"redirects":true,"tamper":true}`); code != 200 {
		t.Fatalf("cdn: %d", code)
	}
	e.mu.Lock()
	on, tamper := e.cdn.redirects, e.cdn.tamper
	e.mu.Unlock()
	if code, _ := postJSON(t, srv.URL+"/cdn", `{"redirects":false}`); code != 200 || !on || !tamper || e.cdn.redirects {
		t.Fatalf("cdn: %d, redirects %v tamper %v, then %v", code, on, tamper, e.cdn.redirects)
	}

	// Auth keys: registered, or registered and logged in.
	key := strings.Repeat("ab", 256)
	if code, _ := postJSON(t, srv.URL+"/auth_keys", `{"dc":2,"key":"`+key+`","user_id":`+id(a.ID)+`}`); code != 200 {
		t.Fatalf("auth_keys: %d", code)
	}
	e.mu.Lock()
	logged := len(e.userKeys[a.ID])
	e.mu.Unlock()
	if logged != 1 {
		t.Fatalf("user %d has %d keys after /auth_keys, want 1", a.ID, logged)
	}
	if code, out := postJSON(t, srv.URL+"/auth_keys", `{"dc":2,"key":"abcd"}`); code != 400 || !strings.Contains(out["error"].(string), "256 bytes") {
		t.Fatalf("short key: %d %v", code, out)
	}
	if code, _ := postJSON(t, srv.URL+"/auth_keys", `{"dc":9,"key":"`+strings.Repeat("cd", 256)+`"}`); code != 400 {
		t.Fatalf("key on no DC answered %d", code)
	}
}
