//go:build !polygram_nohttp

// The JSON-over-HTTP control server is left out of the shared library
// (built with -tags polygram_nohttp): bindings drive the emulator through
// the C API, and net/http would add ~0.6 MB to libpolygram.so.

package emulator

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/polygram/polygram/tl/api"
)

// ControlHandler returns an HTTP handler that exposes the control API as
// JSON, so that tests written in other languages can script the emulator
// (cmd/polygram-emulator serves it on loopback). Requests and answers are
// JSON objects; errors answer status 400 with {"error": "..."}.
//
//	GET  /dcs                      {"dcs":[{"id","host","port"}],"public_key_pem","fingerprint"}
//	POST /users                    {"phone","first_name","last_name","username"} → user
//	POST /bots                     {"username","first_name"} → {"user":…,"token"}
//	GET  /login_code?phone=…       {"code"}
//	POST /password                 {"user_id","password","hint"}
//	POST /contacts                 {"owner","contact"}
//	POST /messages                 {"from","peer","text"} → {"id"}
//	GET  /history?viewer=…&peer=…  {"messages":[…]}
//	POST /chats                    {"creator","title","members":[…]} → {"peer"}
//	POST /channels                 {"creator","title","username","megagroup","members":[…]} → {"peer"}
//	POST /promote                  {"chat","user_id","rights":{"ban_users":true,…}}
//	POST /ban                      {"chat","user_id","rights":{"send_messages":true,…,"until_date"}}
//	GET  /invite_link?chat=…       {"link"}
//	POST /faults/drop_connections
//	POST /faults/skew_clock        {"seconds"}
//	POST /faults/rotate_salt
//	POST /faults/hold_updates      {"user_id","hold"}
//	POST /faults/lose_updates      {"user_id","n"}
//	POST /faults/fail_next         {"method","n","error"}
//	POST /faults/slow_dc           {"dc","delay_ms"}
//	GET  /users?id=…               user (LookupUser; 400 when there is none)
//	GET  /bot_token?bot_id=…       {"token"}
//	GET  /update_state?user_id=…   {"pts","qts","seq"} as updates.getState would answer
//	POST /albums                   {"from","peer","captions":[…]} → {"ids":[…]} (SendAlbum: 2 to 10 photos)
//	POST /auth_keys                {"dc","key","user_id"}: key is 256 bytes in hex; with user_id it is
//	                               also logged in as that user (AuthorizeKey), else only registered (AddAuthKey)
//	POST /faults/difference_too_long          {"user_id"} (ForceDifferenceTooLong)
//	POST /faults/channel_difference_too_long  {"user_id","channel"} (ForceChannelDifferenceTooLong; -100… id)
//	POST /faults/expire_file_references       (ExpireFileReferences)
//	POST /cdn {redirects, tamper}              (SetCDNRedirects, SetCDNTamper)
//
// User objects are {"id","phone","first_name","last_name","username","bot","dc"};
// ids are JSON numbers (64-bit integers). Rights are the flags of
// chatAdminRights and chatBannedRights by their TL names; without "rights",
// /promote grants every right and /ban kicks, and {} demotes or unbans (see
// Promote and Ban).
func (e *Emulator) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, f func(r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			res, err := f(r)
			w.Header().Set("Content-Type", "application/json")
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
				return
			}
			if res == nil {
				res = map[string]bool{"ok": true}
			}
			json.NewEncoder(w).Encode(res)
		})
	}
	handle("GET /dcs", func(*http.Request) (any, error) { return e.Info(), nil })
	handle("POST /users", func(r *http.Request) (any, error) {
		var q struct {
			Phone     string `json:"phone"`
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
			Username  string `json:"username"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		u, err := e.CreateUser(q.Phone, q.FirstName, q.LastName, q.Username)
		if err != nil {
			return nil, err
		}
		return jsonUser(u), nil
	})
	handle("POST /bots", func(r *http.Request) (any, error) {
		var q struct {
			Username  string `json:"username"`
			FirstName string `json:"first_name"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		u, token, err := e.CreateBot(q.Username, q.FirstName)
		if err != nil {
			return nil, err
		}
		return map[string]any{"user": jsonUser(u), "token": token}, nil
	})
	handle("GET /login_code", func(r *http.Request) (any, error) {
		phone := r.URL.Query().Get("phone")
		if normPhone(phone) == "" {
			return nil, fmt.Errorf("phone %q is not a phone number", phone)
		}
		return map[string]string{"code": e.LoginCode(phone)}, nil
	})
	handle("POST /password", func(r *http.Request) (any, error) {
		var q struct {
			UserID   int64  `json:"user_id"`
			Password string `json:"password"`
			Hint     string `json:"hint"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		return nil, e.SetPassword(q.UserID, q.Password, q.Hint)
	})
	handle("POST /contacts", func(r *http.Request) (any, error) {
		var q struct {
			Owner   int64 `json:"owner"`
			Contact int64 `json:"contact"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		return nil, e.AddContact(q.Owner, q.Contact)
	})
	handle("POST /messages", func(r *http.Request) (any, error) {
		var q struct {
			From int64  `json:"from"`
			Peer int64  `json:"peer"`
			Text string `json:"text"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		id, err := e.SendMessage(q.From, q.Peer, q.Text)
		if err != nil {
			return nil, err
		}
		return map[string]int32{"id": id}, nil
	})
	handle("GET /history", func(r *http.Request) (any, error) {
		viewer, err1 := strconv.ParseInt(r.URL.Query().Get("viewer"), 10, 64)
		peer, err2 := strconv.ParseInt(r.URL.Query().Get("peer"), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, errors.New("viewer and peer must be integers")
		}
		msgs, err := e.History(viewer, peer)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, 0, len(msgs))
		for _, m := range msgs {
			jm := map[string]any{"id": m.ID, "from_id": m.FromID, "peer_id": m.PeerID, "out": m.Out, "text": m.Text,
				"date": m.Date.Unix(), "reply_to": m.ReplyTo, "service": m.Service}
			if !m.EditDate.IsZero() {
				jm["edit_date"] = m.EditDate.Unix()
			}
			if m.FwdFromID != 0 {
				jm["fwd_from_id"] = m.FwdFromID
			}
			out = append(out, jm)
		}
		return map[string]any{"messages": out}, nil
	})
	handle("POST /chats", func(r *http.Request) (any, error) {
		var q struct {
			Creator int64   `json:"creator"`
			Title   string  `json:"title"`
			Members []int64 `json:"members"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		peer, err := e.CreateChat(q.Creator, q.Title, q.Members...)
		if err != nil {
			return nil, err
		}
		return map[string]int64{"peer": peer}, nil
	})
	handle("POST /channels", func(r *http.Request) (any, error) {
		var q struct {
			Creator   int64   `json:"creator"`
			Title     string  `json:"title"`
			Username  string  `json:"username"`
			Megagroup bool    `json:"megagroup"`
			Members   []int64 `json:"members"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		peer, err := e.CreateChannel(q.Creator, q.Title, q.Username, q.Megagroup, q.Members...)
		if err != nil {
			return nil, err
		}
		return map[string]int64{"peer": peer}, nil
	})
	handle("POST /promote", func(r *http.Request) (any, error) {
		chat, user, rights, err := rightsRequest[api.ChatAdminRights](r)
		if err != nil {
			return nil, err
		}
		return nil, e.Promote(chat, user, rights)
	})
	handle("POST /ban", func(r *http.Request) (any, error) {
		chat, user, rights, err := rightsRequest[api.ChatBannedRights](r)
		if err != nil {
			return nil, err
		}
		return nil, e.Ban(chat, user, rights)
	})
	handle("GET /invite_link", func(r *http.Request) (any, error) {
		chat, err := strconv.ParseInt(r.URL.Query().Get("chat"), 10, 64)
		if err != nil {
			return nil, errors.New("chat must be an integer")
		}
		link := e.InviteLink(chat)
		if link == "" {
			return nil, fmt.Errorf("no chat or channel %d", chat)
		}
		return map[string]string{"link": link}, nil
	})
	handle("POST /faults/drop_connections", func(*http.Request) (any, error) { e.DropConnections(); return nil, nil })
	handle("POST /faults/rotate_salt", func(*http.Request) (any, error) { e.RotateSalt(); return nil, nil })
	handle("POST /faults/skew_clock", func(r *http.Request) (any, error) {
		var q struct {
			Seconds float64 `json:"seconds"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		e.SkewClock(time.Duration(q.Seconds * float64(time.Second)))
		return nil, nil
	})
	handle("POST /faults/hold_updates", func(r *http.Request) (any, error) {
		var q struct {
			UserID int64 `json:"user_id"`
			Hold   bool  `json:"hold"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		e.HoldUpdates(q.UserID, q.Hold)
		return nil, nil
	})
	handle("POST /faults/lose_updates", func(r *http.Request) (any, error) {
		var q struct {
			UserID int64 `json:"user_id"`
			N      int   `json:"n"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		e.LoseUpdates(q.UserID, q.N)
		return nil, nil
	})
	handle("POST /faults/fail_next", func(r *http.Request) (any, error) {
		var q struct {
			Method string `json:"method"`
			N      int    `json:"n"`
			Error  string `json:"error"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		if q.Method == "" || q.Error == "" {
			return nil, errors.New("method and error are required")
		}
		if q.N == 0 {
			q.N = 1
		}
		e.FailNext(q.Method, q.N, q.Error)
		return nil, nil
	})
	handle("POST /faults/slow_dc", func(r *http.Request) (any, error) {
		var q struct {
			DC      int     `json:"dc"`
			DelayMs float64 `json:"delay_ms"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		e.SlowDC(q.DC, time.Duration(q.DelayMs*float64(time.Millisecond)))
		return nil, nil
	})
	handle("GET /users", func(r *http.Request) (any, error) {
		id, err := queryInt(r, "id")
		if err != nil {
			return nil, err
		}
		u := e.LookupUser(id)
		if u == nil {
			return nil, fmt.Errorf("no user %d", id)
		}
		return jsonUser(u), nil
	})
	handle("GET /bot_token", func(r *http.Request) (any, error) {
		id, err := queryInt(r, "bot_id")
		if err != nil {
			return nil, err
		}
		token, err := e.BotToken(id)
		if err != nil {
			return nil, err
		}
		return map[string]string{"token": token}, nil
	})
	handle("GET /update_state", func(r *http.Request) (any, error) {
		id, err := queryInt(r, "user_id")
		if err != nil {
			return nil, err
		}
		pts, qts, seq, err := e.UpdateState(id)
		if err != nil {
			return nil, err
		}
		return map[string]int32{"pts": pts, "qts": qts, "seq": seq}, nil
	})
	handle("POST /albums", func(r *http.Request) (any, error) {
		var q struct {
			From     int64    `json:"from"`
			Peer     int64    `json:"peer"`
			Captions []string `json:"captions"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		ids, err := e.SendAlbum(q.From, q.Peer, q.Captions...)
		if err != nil {
			return nil, err
		}
		return map[string][]int32{"ids": ids}, nil
	})
	handle("POST /auth_keys", func(r *http.Request) (any, error) {
		var q struct {
			DC     int    `json:"dc"`
			Key    string `json:"key"`
			UserID int64  `json:"user_id"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		key, err := hex.DecodeString(q.Key)
		if err != nil || len(key) != 256 {
			return nil, errors.New("key must be 256 bytes in hex (512 hex digits)")
		}
		if q.UserID != 0 {
			return nil, e.AuthorizeKey(q.DC, key, q.UserID)
		}
		return nil, e.AddAuthKey(q.DC, key)
	})
	handle("POST /faults/difference_too_long", func(r *http.Request) (any, error) {
		var q struct {
			UserID int64 `json:"user_id"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		if e.LookupUser(q.UserID) == nil {
			return nil, fmt.Errorf("no user %d", q.UserID)
		}
		e.ForceDifferenceTooLong(q.UserID)
		return nil, nil
	})
	handle("POST /faults/channel_difference_too_long", func(r *http.Request) (any, error) {
		var q struct {
			UserID  int64 `json:"user_id"`
			Channel int64 `json:"channel"`
		}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		if e.LookupUser(q.UserID) == nil {
			return nil, fmt.Errorf("no user %d", q.UserID)
		}
		return nil, e.ForceChannelDifferenceTooLong(q.UserID, q.Channel)
	})
	handle("POST /faults/expire_file_references", func(*http.Request) (any, error) { e.ExpireFileReferences(); return nil, nil })
	handle("POST /cdn", func(r *http.Request) (any, error) {
		q := struct {
			Redirects bool `json:"redirects"`
			Tamper    bool `json:"tamper"`
		}{Redirects: true}
		if err := decodeJSON(r, &q); err != nil {
			return nil, err
		}
		e.SetCDNRedirects(q.Redirects)
		e.SetCDNTamper(q.Tamper)
		return nil, nil
	})
	return mux
}

// queryInt reads a 64-bit integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer", name)
	}
	return v, nil
}

func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

// setRights sets the fields of a chatAdminRights or chatBannedRights from
// their TL names: true flags, and until_date.
func setRights(dst any, src map[string]any) error {
	v := reflect.ValueOf(dst).Elem()
	for name, val := range src {
		var field strings.Builder
		for _, part := range strings.Split(name, "_") {
			if part != "" {
				field.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
		f := v.FieldByName(field.String())
		if !f.IsValid() || strings.ToLower(name) != name {
			return fmt.Errorf("unknown right %q", name)
		}
		switch f.Kind() {
		case reflect.Bool:
			b, ok := val.(bool)
			if !ok {
				return fmt.Errorf("right %q must be true or false", name)
			}
			f.SetBool(b)
		case reflect.Int32:
			n, ok := val.(float64)
			if !ok || n != float64(int32(n)) {
				return fmt.Errorf("%q must be a 32-bit integer", name)
			}
			f.SetInt(int64(n))
		default:
			return fmt.Errorf("unknown right %q", name)
		}
	}
	return nil
}

func jsonUser(u *User) map[string]any {
	return map[string]any{"id": u.ID, "phone": u.Phone, "first_name": u.FirstName, "last_name": u.LastName,
		"username": u.Username, "bot": u.Bot, "dc": u.DC}
}

// Info describes a running emulator for other processes: what the command
// prints and GET /dcs answers.
type Info struct {
	DCs []struct {
		ID   int    `json:"id"`
		Host string `json:"host"`
		Port int    `json:"port"`
	} `json:"dcs"`
	PublicKeyPEM     string `json:"public_key_pem"`
	Fingerprint      int64  `json:"fingerprint"`
	FingerprintHex   string `json:"fingerprint_hex"` // for JSON readers without 64-bit integers
	TestPhonePattern string `json:"test_phone_pattern"`
	LoginCode        string `json:"login_code"`
	CreateBot        string `json:"create_bot"`
	Control          string `json:"control,omitempty"`
}

// Info returns the description of the emulator (Control is left empty).
func (e *Emulator) Info() *Info {
	in := &Info{PublicKeyPEM: e.PublicKeyPEM(), Fingerprint: e.pub.Fingerprint,
		FingerprintHex:   fmt.Sprintf("%016x", uint64(e.pub.Fingerprint)),
		TestPhonePattern: "99966XYYYY",
		LoginCode:        "the DC digit X repeated 5 times (99966X… lives on DC X; other phones on DC 2)",
		CreateBot:        `POST {"username":"…bot","first_name":"…"} to the control address /bots; the answer has the token for auth.importBotAuthorization`,
	}
	for _, d := range e.DCs() {
		in.DCs = append(in.DCs, struct {
			ID   int    `json:"id"`
			Host string `json:"host"`
			Port int    `json:"port"`
		}{d.ID, d.Host, d.Port})
	}
	return in
}

// rightsRequest decodes {"chat", "user_id", "rights"} with the rights (by
// their Telegram field names) into a fresh T, or nil when absent.
func rightsRequest[T any](r *http.Request) (chat, user int64, rights *T, err error) {
	var q struct {
		Chat   int64          `json:"chat"`
		UserID int64          `json:"user_id"`
		Rights map[string]any `json:"rights"`
	}
	if err := decodeJSON(r, &q); err != nil {
		return 0, 0, nil, err
	}
	if q.Rights != nil {
		rights = new(T)
		if err := setRights(rights, q.Rights); err != nil {
			return 0, 0, nil, err
		}
	}
	return q.Chat, q.UserID, rights, nil
}
