package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

type info struct {
	DCs []struct {
		ID   int    `json:"id"`
		Host string `json:"host"`
		Port int    `json:"port"`
	} `json:"dcs"`
	PublicKeyPEM string `json:"public_key_pem"`
	Fingerprint  int64  `json:"fingerprint"`
	Control      string `json:"control"`
}

func post(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, out)
	}
	return out
}

func TestCommandPrintsInfoAndServesControlAndMTProto(t *testing.T) {
	pr, pw := io.Pipe()
	stop := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- run([]string{"-dcs", "2"}, pw, stop) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var in info
	if err := json.Unmarshal([]byte(line), &in); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if len(in.DCs) != 2 || in.DCs[1].ID != 2 || !strings.HasPrefix(in.Control, "http://127.0.0.1:") {
		t.Fatalf("info %+v", in)
	}
	pub, err := crypto.ParsePublicKeyPEM([]byte(in.PublicKeyPEM))
	if err != nil || pub.Fingerprint != in.Fingerprint {
		t.Fatalf("key %v %d/%d", err, pub.Fingerprint, in.Fingerprint)
	}

	user := post(t, in.Control+"/users", map[string]any{"phone": "9996621111", "first_name": "Cli"})
	bot := post(t, in.Control+"/bots", map[string]any{"username": "cli_bot", "first_name": "Cli bot"})
	token := bot["token"].(string)
	post(t, in.Control+"/faults/fail_next", map[string]any{"method": "help.getNearestDc", "n": 1, "error": "FLOOD_WAIT_1"})

	c, err := conn.Dial(context.Background(), conn.Config{Addr: in.DCs[1].Host + ":" + strconv.Itoa(in.DCs[1].Port), DC: 2, Keys: []crypto.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	invoke := func(f tl.Function) (any, error) {
		b, _ := tl.Encode(f)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := c.Invoke(ctx, b)
		if err != nil {
			return nil, err
		}
		return f.DecodeResult(tl.NewDecoder(res))
	}
	if _, err := invoke(&api.HelpGetNearestDCRequest{}); err == nil || !strings.Contains(err.Error(), "FLOOD_WAIT_1") {
		t.Fatalf("fault: %v", err)
	}
	a, err := invoke(&api.AuthImportBotAuthorizationRequest{APIID: 1, APIHash: "x", BotAuthToken: token})
	if err != nil {
		t.Fatal(err)
	}
	if a.(*api.AuthAuthorization).User.(*api.User).Username.Val != "cli_bot" {
		t.Fatal("wrong bot")
	}
	uid := int64(user["id"].(float64))
	botID := int64(bot["user"].(map[string]any)["id"].(float64))
	post(t, in.Control+"/messages", map[string]any{"from": uid, "peer": botID, "text": "/start"})
	resp, err := http.Get(in.Control + "/history?viewer=" + strconv.FormatInt(botID, 10) + "&peer=" + strconv.FormatInt(uid, 10))
	if err != nil {
		t.Fatal(err)
	}
	var hist struct {
		Messages []struct {
			Text string `json:"text"`
		} `json:"messages"`
	}
	json.NewDecoder(resp.Body).Decode(&hist)
	resp.Body.Close()
	if len(hist.Messages) != 1 || hist.Messages[0].Text != "/start" {
		t.Fatalf("history %+v", hist)
	}
	// Admin rights, bans and invite links.
	ch := post(t, in.Control+"/channels", map[string]any{"creator": uid, "title": "Cmd group", "megagroup": true, "members": []int64{botID}})
	chPeer := int64(ch["peer"].(float64))
	post(t, in.Control+"/promote", map[string]any{"chat": chPeer, "user_id": botID, "rights": map[string]bool{"ban_users": true}})
	resp, err = http.Get(in.Control + "/invite_link?chat=" + strconv.FormatInt(chPeer, 10))
	if err != nil {
		t.Fatal(err)
	}
	var link struct {
		Link string `json:"link"`
	}
	json.NewDecoder(resp.Body).Decode(&link)
	resp.Body.Close()
	if !strings.HasPrefix(link.Link, "https://t.me/+") {
		t.Fatalf("invite link %q", link.Link)
	}
	post(t, in.Control+"/ban", map[string]any{"chat": chPeer, "user_id": botID, "rights": map[string]bool{"send_messages": true}})

	bad, _ := http.Post(in.Control+"/users", "application/json", strings.NewReader(`{"phone":"x"}`))
	if bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad request answered %d", bad.StatusCode)
	}
	bad.Body.Close()

	stop <- os.Interrupt
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestControlMustBeLoopback(t *testing.T) {
	if _, err := listenLoopback("0.0.0.0:0"); err == nil {
		t.Fatal("listened on every interface")
	}
}
