package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// onEvent turns core's high-level events into UPDATE events. It runs on
// core's update goroutine and never blocks: the queue drops the oldest
// update when the consumer falls behind.
func (c *Client) onEvent(_ context.Context, ev core.Event) {
	data, err := encodeCoreEvent(ev)
	if err != nil {
		c.log(logError, "an update could not be converted: "+err.Error(), nil)
		return
	}
	c.q.push(Event{typ: evUpdate, enc: encMsgpack, data: data})
}

// encodeCoreEvent is the msgpack map of one core event.
func encodeCoreEvent(ev core.Event) ([]byte, error) {
	switch x := ev.(type) {
	case *core.NewMessage:
		m, err := marshal(x.Message)
		if err != nil {
			return nil, err
		}
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, err
		}
		return kv{"type", "new_message", "chat_id", x.ChatID, "sender_id", x.SenderID, "out", x.Out,
			"message", m, "users", users, "chats", chats}.encode(), nil
	case *core.MessageEdited:
		m, err := marshal(x.Message)
		if err != nil {
			return nil, err
		}
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, err
		}
		return kv{"type", "message_edited", "chat_id", x.ChatID, "sender_id", x.SenderID, "out", x.Message.Out,
			"message", m, "users", users, "chats", chats}.encode(), nil
	case *core.MessageDeleted:
		return kv{"type", "message_deleted", "ids", x.IDs, "channel_id", x.ChannelID}.encode(), nil
	case *core.RawUpdate:
		u, err := marshal(x.Update)
		if err != nil {
			return nil, err
		}
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, err
		}
		return kv{"type", "raw", "update", u, "users", users, "chats", chats}.encode(), nil
	}
	if b, ok, err := encodeUpdateEvent(ev); ok { // message_read, chat_action, user_update, album (events_updates.go)
		return b, err
	}
	if b, ok, err := encodeBotEvent(ev); ok { // callback_query, inline_query (methods_friendly.go)
		return b, err
	}
	return nil, fmt.Errorf("unknown event %T", ev)
}

// marshal is the msgpack form of a TL object.
func marshal(o tl.Object) (raw, error) {
	if o == nil {
		return raw{0xc0}, nil
	}
	b, err := tlpack.Marshal(o)
	return raw(b), err
}

func entities(users []api.UserClass, chats []api.ChatClass) ([]raw, []raw, error) {
	us := make([]raw, 0, len(users))
	for _, u := range users {
		b, err := marshal(u)
		if err != nil {
			return nil, nil, err
		}
		us = append(us, b)
	}
	cs := make([]raw, 0, len(chats))
	for _, ch := range chats {
		b, err := marshal(ch)
		if err != nil {
			return nil, nil, err
		}
		cs = append(cs, b)
	}
	return us, cs, nil
}

// onConnState turns the main DC's connection states, as the connection
// layer reports them, into CONNECTION_STATE events. Other DCs (files,
// exported logins) are not the client's connection; "closed" comes from
// the client's own close, not from a DC's connection closing (migration).
func (c *Client) onConnState(dc int, st conn.State) {
	if cc := c.core; cc == nil || dc != cc.MainDC() || st == conn.Closed {
		return
	}
	c.setConn(st.String())
}

// onUpdates sees every updates object a DC pushes: the raw_updates events
// when asked for.
func (c *Client) onUpdates(dc int, body []byte) {
	if !c.rawUpdates {
		return
	}
	m, err := tlpack.API().ToMsgpack(nil, body, "Updates")
	if err != nil {
		c.log(logDebug, "a pushed updates object could not be converted: "+err.Error(), nil)
		return
	}
	c.q.push(Event{typ: evUpdate, enc: encMsgpack, data: kv{"type", "raw_updates", "dc", dc, "updates", raw(m)}.encode()})
}

// logHandler is the slog.Handler given to core: records at or above the
// client's level become LOG events.
type logHandler struct {
	c     *Client
	attrs []slog.Attr
	group string
}

func newLogger(c *Client) *slog.Logger { return slog.New(&logHandler{c: c}) }

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return levelOf(l) >= int(h.c.logLevel.Load()) || l == slog.LevelDebug
}

func levelOf(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return logError
	case l >= slog.LevelWarn:
		return logWarn
	case l >= slog.LevelInfo:
		return logInfo
	}
	return logDebug
}

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	lvl := levelOf(r.Level)
	if lvl < int(h.c.logLevel.Load()) {
		return nil
	}
	attrs := make(map[string]string, len(h.attrs)+r.NumAttrs())
	add := func(a slog.Attr) {
		k := a.Key
		if h.group != "" {
			k = h.group + "." + k
		}
		attrs[k] = a.Value.Resolve().String()
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool { add(a); return true })
	h.c.pushLog(lvl, r.Message, r.Time, attrs)
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{c: h.c, attrs: append(append([]slog.Attr(nil), h.attrs...), as...), group: h.group}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	g := name
	if h.group != "" {
		g = h.group + "." + name
	}
	return &logHandler{c: h.c, attrs: h.attrs, group: g}
}

// log emits a LOG event from the C API itself.
func (c *Client) log(level int, msg string, attrs map[string]string) {
	if level < int(c.logLevel.Load()) {
		return
	}
	c.pushLog(level, msg, time.Now(), attrs)
}

func (c *Client) pushLog(level int, msg string, t time.Time, attrs map[string]string) {
	if attrs == nil {
		attrs = map[string]string{}
	}
	if t.IsZero() {
		t = time.Now()
	}
	c.q.push(Event{typ: evLog, enc: encMsgpack, data: kv{"type", "log", "level", logLevelNames[level],
		"message", msg, "time", t.UnixMilli(), "attrs", attrs}.encode()})
}
