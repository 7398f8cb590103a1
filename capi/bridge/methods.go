package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/core/parse"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// Friendly calls: {"method": name, "args": {...}}. Each method reads and
// checks its arguments at once (wrong types and unknown names fail
// polygram_send) and returns the job that does the work. Results are msgpack
// maps; methods returning a Telegram object return its TL map.
type method func(a *fields) *job

// methods is the friendly method table. Files of this package add theirs
// with register from an init function.
var methods = map[string]method{}

// register adds a friendly method; a name registered twice is a bug.
func register(name string, m method) {
	if _, dup := methods[name]; dup {
		panic("bridge: friendly method " + name + " registered twice")
	}
	methods[name] = m
}

func init() {
	for name, m := range map[string]method{
		"ping_local":            pingLocal,
		"get_state":             getState,
		"connect":               simple(func(ctx context.Context, c *Client) error { return c.core.Connect(ctx) }),
		"start_updates":         startUpdates,
		"get_me":                getMe,
		"get_entity":            getEntity,
		"resolve_peer":          resolvePeer,
		"send_message":          sendMessage,
		"edit_message":          editMessage,
		"delete_messages":       deleteMessages,
		"forward_messages":      forwardMessages,
		"get_messages":          getMessages,
		"send_file":             sendFile,
		"download_media":        downloadMedia,
		"get_history":           getHistory,
		"get_dialogs":           getDialogs,
		"send_read_acknowledge": sendReadAcknowledge,
		"typing":                typing,
		"pin_message":           pinMessage,
		"send_code":             sendCode,
		"sign_in":               signIn,
		"sign_up":               signUp,
		"check_password":        checkPassword,
		"password_hint":         passwordHint,
		"sign_in_bot":           signInBot,
		"qr_login":              qrLogin,
		"accept_qr_login":       acceptQRLogin,
		"log_out":               logOut,
		"is_authorized":         isAuthorized,
		"login":                 login,
		"export_session":        exportSession,
	} {
		register(name, m)
	}
}

// methodNames lists the friendly methods, sorted.
func methodNames() []string {
	names := make([]string, 0, len(methods))
	for n := range methods {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func prepareCall(data []byte) (*job, *Error) {
	v, err := decodeMsgpack(data)
	if err != nil {
		return nil, errorf(statusDecode, "call: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errorf(statusInvalidArgument, `call: must be a map {"method": str, "args": map}, got %s`, typeName(v))
	}
	top := newFields("call", "key", v)
	name := top.reqStr("method")
	args := top.value("args")
	if e := top.finish(); e != nil {
		return nil, e
	}
	m := methods[name]
	if m == nil {
		return nil, errorf(statusUnknownMethod, "unknown method %q; the friendly methods are: %s", name,
			strings.Join(methodNames(), ", "))
	}
	a := newFields(name, "argument", args)
	j := m(a)
	if e := a.finish(); e != nil {
		return nil, e
	}
	j.enc = encMsgpack
	return j, nil
}

var emptyMap = []byte{0x80}

// simple wraps an action without a result.
func simple(f func(ctx context.Context, c *Client) error) method {
	return func(*fields) *job {
		return &job{run: func(ctx context.Context, c *Client) ([]byte, error) { return emptyMap, f(ctx, c) }}
	}
}

// pingLocal answers its arguments without the network: it measures the
// boundary alone.
func pingLocal(a *fields) *job {
	for k := range a.m {
		a.used[k] = true
	}
	m := a.m
	return &job{local: true, run: func(context.Context, *Client) ([]byte, error) {
		if len(m) == 0 {
			return emptyMap, nil
		}
		return mp(nil).any(m), nil
	}}
}

// getState reports the client's states without the network.
func getState(*fields) *job {
	return &job{local: true, run: func(_ context.Context, c *Client) ([]byte, error) {
		c.mu.Lock()
		auth, conn := c.authState, c.connState
		c.mu.Unlock()
		if conn == "" {
			conn = "idle"
		}
		return kv{"main_dc", c.core.MainDC(), "auth_state", auth, "connection_state", conn}.encode(), nil
	}}
}

func startUpdates(a *fields) *job {
	catchUp := a.bool("catch_up", false)
	return simple(func(ctx context.Context, c *Client) error { return c.core.StartUpdates(ctx, catchUp) })(a)
}

// peerRef is a peer as a call names it; it is resolved when the job runs.
type peerRef struct {
	query  string        // anything core.ResolvePeer takes
	marked int64         // a marked id
	direct *session.Peer // a peer map as resolve_peer returns it
}

// peer reads a required peer argument: a marked id (int), a string, or a
// peer map.
func (a *fields) peer(k string) peerRef {
	if !a.required(k) {
		return peerRef{}
	}
	switch x := a.value(k).(type) {
	case string:
		return peerRef{query: x}
	case int64:
		if x == 0 {
			a.fail("%s: argument %q: 0 is not a peer id", a.what, k)
		}
		return peerRef{marked: x}
	case map[string]any:
		pf := newFields(a.what+": "+k, "key", x)
		marked := pf.reqInt("marked_id")
		hash := pf.int("access_hash", 0)
		for _, ignored := range []string{"id", "kind", "username", "name", "phone", "bot"} {
			pf.value(ignored)
		}
		if e := pf.finish(); e != nil {
			a.err = e
			return peerRef{}
		}
		id, kind := session.SplitMarkedID(marked)
		if kind == 0 {
			a.fail("%s: argument %q: marked_id %d names no peer", a.what, k, marked)
		}
		return peerRef{direct: &session.Peer{ID: id, Kind: kind, AccessHash: hash}}
	default:
		a.wrongType(k, "a marked id (int), a str or a peer map", x)
	}
	return peerRef{}
}

func (c *Client) resolve(ctx context.Context, r peerRef) (session.Peer, error) {
	switch {
	case r.direct != nil:
		return *r.direct, nil
	case r.marked != 0:
		return c.core.ResolveID(ctx, r.marked)
	}
	return c.core.ResolvePeer(ctx, r.query)
}

func peerMap(p session.Peer) kv {
	return kv{"id", p.ID, "marked_id", p.MarkedID(), "kind", p.Kind.String(), "access_hash", p.AccessHash,
		"username", p.Username, "name", p.Name, "phone", p.Phone, "bot", p.Bot}
}

// withPeer is a job on one resolved peer.
func withPeer(r peerRef, f func(ctx context.Context, c *Client, p session.Peer) ([]byte, error)) *job {
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		p, err := c.resolve(ctx, r)
		if err != nil {
			return nil, err
		}
		return f(ctx, c, p)
	}}
}

func objectResult(o tl.Object, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	b, err := marshal(o)
	return b, err
}

func getMe(*fields) *job {
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return objectResult(c.core.GetMe(ctx))
	}}
}

func getEntity(a *fields) *job {
	return withPeer(a.peer("peer"), func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		res, err := c.core.GetEntity(ctx, p)
		if err != nil {
			return nil, err
		}
		o, ok := res.(tl.Object)
		if !ok {
			return nil, fmt.Errorf("get_entity: unexpected answer %T", res)
		}
		return objectResult(o, nil)
	})
}

func resolvePeer(a *fields) *job {
	return withPeer(a.peer("peer"), func(_ context.Context, _ *Client, p session.Peer) ([]byte, error) {
		return peerMap(p).encode(), nil
	})
}

// text reads text with its formatting: parse_mode "markdown" or "html", or
// explicit entities (TL maps).
func (a *fields) text(k string, required bool) (string, []api.MessageEntityClass) {
	var text string
	if required {
		text = a.reqStr(k)
	} else {
		text = a.str(k, "")
	}
	var ents []api.MessageEntityClass
	for i, v := range a.list("entities") {
		o, err := tlObject(v)
		e, ok := o.(api.MessageEntityClass)
		if err != nil || !ok {
			a.fail("%s: entities[%d] must be a messageEntity* map: %v", a.what, i, err)
			return "", nil
		}
		ents = append(ents, e)
	}
	switch mode := a.str("parse_mode", ""); mode {
	case "":
	case "markdown", "md":
		text, ents = parse.ParseMarkdown(text)
	case "html":
		text, ents = parse.ParseHTML(text)
	default:
		a.fail("%s: parse_mode %q is none of markdown, html", a.what, mode)
	}
	return text, ents
}

// unixTime reads an optional time as Unix seconds (0 or absent: zero time).
func (a *fields) unixTime(k string) time.Time {
	if n := a.int(k, 0); n != 0 {
		return time.Unix(n, 0)
	}
	return time.Time{}
}

// tlObject builds a TL object from its decoded msgpack map.
func tlObject(v any) (tl.Object, error) {
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("got %s", typeName(v))
	}
	return tlpack.Unmarshal(mp(nil).any(v))
}

func sendMessage(a *fields) *job {
	r := a.peer("peer")
	text, ents := a.text("text", true)
	o := core.SendOptions{ReplyTo: a.int32("reply_to", 0), Silent: a.bool("silent", false),
		NoWebpage: a.bool("no_webpage", false), Entities: ents, Buttons: a.markupArg("buttons"),
		Schedule: a.unixTime("schedule")}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		id, err := c.core.SendMessage(ctx, p, text, o)
		if err != nil {
			return nil, err
		}
		return kv{"id", id}.encode(), nil
	})
}

func editMessage(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("id")
	text, ents := a.text("text", true)
	o := core.SendOptions{NoWebpage: a.bool("no_webpage", false), Entities: ents, Buttons: a.markupArg("buttons")}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.EditMessage(ctx, p, id, text, o)
	})
}

func deleteMessages(a *fields) *job {
	r := a.peer("peer")
	ids := a.reqInts32("ids")
	revoke := a.bool("revoke", true)
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.DeleteMessages(ctx, p, ids, revoke)
	})
}

func forwardMessages(a *fields) *job {
	from, to := a.peer("from_peer"), a.peer("to_peer")
	ids := a.reqInts32("ids")
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		fp, err := c.resolve(ctx, from)
		if err != nil {
			return nil, err
		}
		tp, err := c.resolve(ctx, to)
		if err != nil {
			return nil, err
		}
		out, err := c.core.ForwardMessages(ctx, fp, ids, tp)
		if err != nil {
			return nil, err
		}
		return kv{"ids", out}.encode(), nil
	}}
}

func messagesResult(msgs []*api.Message, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	list := make([]raw, 0, len(msgs))
	for _, m := range msgs {
		b, err := marshal(m)
		if err != nil {
			return nil, err
		}
		list = append(list, b)
	}
	return kv{"messages", list}.encode(), nil
}

func getMessages(a *fields) *job {
	r := a.peer("peer")
	ids := a.reqInts32("ids")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return messagesResult(c.core.GetMessages(ctx, p, ids))
	})
}

func getHistory(a *fields) *job {
	r := a.peer("peer")
	o := core.HistoryOptions{Limit: int(a.int32("limit", 0)), OffsetID: a.int32("offset_id", 0),
		MinID: a.int32("min_id", 0), MaxID: a.int32("max_id", 0), Search: a.str("search", "")}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return messagesResult(c.core.GetHistory(ctx, p, o))
	})
}

func getDialogs(a *fields) *job {
	limit := int(a.int32("limit", 0))
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		ds, err := c.core.GetDialogs(ctx, limit)
		if err != nil {
			return nil, err
		}
		list := make([]any, 0, len(ds))
		for _, d := range ds {
			var m any // nil when the top message is unknown or a service message
			if d.Message != nil {
				b, err := marshal(d.Message)
				if err != nil {
					return nil, err
				}
				m = b
			}
			list = append(list, kv{"peer", peerMap(d.Peer), "name", d.Name, "unread", d.Unread, "top_id", d.TopID,
				"pinned", d.Pinned, "message", m})
		}
		return kv{"dialogs", list}.encode(), nil
	}}
}

func sendReadAcknowledge(a *fields) *job {
	r := a.peer("peer")
	maxID := a.int32("max_id", 0)
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.SendReadAcknowledge(ctx, p, maxID)
	})
}

func typing(a *fields) *job {
	r := a.peer("peer")
	cancel := a.bool("cancel", false)
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.Typing(ctx, p, cancel)
	})
}

func pinMessage(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("id")
	unpin, silent := a.bool("unpin", false), a.bool("silent", false)
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.PinMessage(ctx, p, id, unpin, silent)
	})
}

// Login methods: each reports the auth state it leads to.

// authAfter sets the auth state a login step reached.
func authAfter(ok core.AuthState) func(c *Client, err error) {
	return func(c *Client, err error) {
		switch {
		case err == nil:
			c.setAuth(string(ok), nil)
		case errors.Is(err, core.ErrPasswordNeeded):
			c.setAuth(string(core.AuthWaitPassword), nil)
		case errors.Is(err, core.ErrSignUpRequired):
			c.setAuth(string(core.AuthWaitRegistration), nil)
		}
	}
}

func userResult(u *api.User, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return objectResult(u, nil)
}

func sendCode(a *fields) *job {
	phone := a.reqStr("phone")
	return &job{after: authAfter(core.AuthWaitCode), run: func(ctx context.Context, c *Client) ([]byte, error) {
		s, err := c.core.SendCode(ctx, phone)
		if err != nil {
			return nil, err
		}
		return kv{"phone", s.Phone, "hash", s.Hash, "type", s.Type, "length", s.Length,
			"timeout", int64(s.Timeout / time.Second)}.encode(), nil
	}}
}

func signIn(a *fields) *job {
	phone, hash, code := a.reqStr("phone"), a.reqStr("hash"), a.reqStr("code")
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return userResult(c.core.SignIn(ctx, phone, hash, code))
	}}
}

func signUp(a *fields) *job {
	phone, hash, first, last := a.reqStr("phone"), a.reqStr("hash"), a.reqStr("first_name"), a.str("last_name", "")
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return userResult(c.core.SignUp(ctx, phone, hash, first, last))
	}}
}

func checkPassword(a *fields) *job {
	pw := a.reqStr("password")
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return userResult(c.core.CheckPassword(ctx, pw))
	}}
}

func passwordHint(*fields) *job {
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		h, err := c.core.PasswordHint(ctx)
		if err != nil {
			return nil, err
		}
		return kv{"hint", h}.encode(), nil
	}}
}

func signInBot(a *fields) *job {
	token := a.reqStr("token")
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return userResult(c.core.SignInBot(ctx, token))
	}}
}

// qrLogin shows each tg://login URL as an AUTH_STATE "wait_qr" event with
// "url" and "expires", and completes when another session accepts it.
func qrLogin(*fields) *job {
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return userResult(c.core.QRLogin(ctx, func(url string, expires time.Time) error {
			c.setAuth(string(core.AuthWaitQR), kv{"url", url, "expires", expires.Unix()})
			return nil
		}))
	}}
}

func acceptQRLogin(a *fields) *job {
	url := a.reqStr("url")
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return emptyMap, c.core.AcceptQRLogin(ctx, url)
	}}
}

func logOut(*fields) *job {
	return &job{after: authAfter(core.AuthWaitPhone), run: func(ctx context.Context, c *Client) ([]byte, error) {
		return emptyMap, c.core.LogOut(ctx)
	}}
}

func isAuthorized(*fields) *job {
	var ok bool
	return &job{
		after: func(c *Client, err error) {
			if err == nil && ok {
				c.setAuth(string(core.AuthReady), nil)
			} else if err == nil {
				c.setAuth(string(core.AuthWaitPhone), nil)
			}
		},
		run: func(ctx context.Context, c *Client) ([]byte, error) {
			var err error
			ok, err = c.core.IsAuthorized(ctx)
			if err != nil {
				return nil, err
			}
			return kv{"authorized", ok}.encode(), nil
		}}
}

// login drives a whole login when everything is known up front: a bot token,
// or a phone with its code (and password for 2FA accounts, first_name to
// register a new number). Interactive logins use send_code and sign_in.
func login(a *fields) *job {
	token := a.str("bot_token", "")
	phone, code := a.str("phone", ""), a.str("code", "")
	pw := a.str("password", "")
	first, last := a.str("first_name", ""), a.str("last_name", "")
	if token == "" && (phone == "" || code == "") && a.err == nil {
		a.fail("login: give bot_token, or phone and code (for interactive logins use send_code and sign_in)")
	}
	o := core.LoginOptions{BotToken: token, FirstName: first, LastName: last}
	if token == "" {
		o.Phone = func(context.Context) (string, error) { return phone, nil }
		o.Code = func(context.Context, *core.SentCode) (string, error) { return code, nil }
		if pw != "" {
			o.Password = func(context.Context, string) (string, error) { return pw, nil }
		}
	}
	return &job{after: authAfter(core.AuthReady), run: func(ctx context.Context, c *Client) ([]byte, error) {
		o := o
		o.OnState = func(s core.AuthState) { c.setAuth(string(s), nil) }
		return userResult(c.core.Login(ctx, o))
	}}
}

func exportSession(*fields) *job {
	return &job{run: func(_ context.Context, c *Client) ([]byte, error) {
		s, err := session.Export(c.store)
		if err != nil {
			return nil, err
		}
		return kv{"string", s}.encode(), nil
	}}
}

// sendFile sends a file given as a path or as bytes ("data").
func sendFile(a *fields) *job {
	r := a.peer("peer")
	path := a.str("path", "")
	data, _ := a.value("data").([]byte)
	if a.has("data") && data == nil {
		a.wrongType("data", "bin", a.value("data"))
	}
	if path == "" && !a.has("data") {
		a.fail(`send_file: give "path" or "data"`)
	}
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			a.fail("send_file: %v", err)
		}
	}
	caption, captionEnts := a.text("caption", false)
	o := core.SendFileOptions{Caption: caption, Entities: captionEnts, Name: a.str("name", filepath.Base(path)),
		MimeType: a.str("mime_type", ""), AsPhoto: a.bool("as_photo", false), ReplyTo: a.int32("reply_to", 0)}
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		o := o
		o.Transfer = transfer(ctx)
		var rd io.Reader = bytes.NewReader(data)
		size := int64(len(data))
		if path != "" {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return nil, err
			}
			rd, size = f, st.Size()
		}
		id, err := c.core.SendFile(ctx, p, rd, size, o)
		if err != nil {
			return nil, err
		}
		return kv{"id", id}.encode(), nil
	}))
}

// downloadMedia downloads a message's media to "path", or returns it as
// bytes ("data") when no path is given.
func downloadMedia(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("message_id")
	path := a.str("path", "")
	return a.withProgress(withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		msgs, err := c.core.GetMessages(ctx, p, []int32{id})
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			return nil, fmt.Errorf("message %d not found", id)
		}
		if path != "" {
			n, err := core.SaveFile(path, func(w io.Writer) (int64, error) {
				return c.core.DownloadMedia(ctx, p, msgs[0], w, transfer(ctx))
			})
			if err != nil {
				return nil, err
			}
			return kv{"path", path, "size", n}.encode(), nil
		}
		var buf bytes.Buffer
		n, err := c.core.DownloadMedia(ctx, p, msgs[0], &buf, transfer(ctx))
		if err != nil {
			return nil, err
		}
		return kv{"data", buf.Bytes(), "size", n}.encode(), nil
	}))
}
