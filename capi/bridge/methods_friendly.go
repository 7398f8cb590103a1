package bridge

import (
	"context"
	"fmt"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Friendly calls of docs/friendly.md: iterators (collected into one
// answer), pins, scheduled messages, archive, participants and bots.

func init() {
	for name, m := range map[string]method{
		"iter_messages":             iterMessages,
		"iter_dialogs":              iterDialogs,
		"archive_dialog":            archiveDialog,
		"get_participants":          getParticipants,
		"unpin_message":             unpinMessage,
		"unpin_all_messages":        unpinAllMessages,
		"get_pinned_messages":       getPinnedMessages,
		"get_scheduled_messages":    getScheduledMessages,
		"send_scheduled_now":        sendScheduledNow,
		"delete_scheduled_messages": deleteScheduledMessages,
		"answer_callback_query":     answerCallbackQuery,
		"edit_inline_message":       editInlineMessage,
		"answer_inline_query":       answerInlineQuery,
		"inline_query":              inlineQuery,
		"send_inline_result":        sendInlineResult,
		"click":                     click,
	} {
		register(name, m)
	}
}

// optPeer reads an optional peer argument.
func (a *fields) optPeer(k string) (peerRef, bool) {
	if !a.has(k) {
		return peerRef{}, false
	}
	return a.peer(k), true
}

// iterMessages is core.IterMessages collected: peer, limit (0: 100, -1:
// all), offset_id, offset_date (unix time), min_id, max_id, search,
// from_user (a peer), pinned, reverse, ids, page_size.
func iterMessages(a *fields) *job {
	r := a.peer("peer")
	o := core.HistoryOptions{Limit: int(a.int32("limit", 0)), OffsetID: a.int32("offset_id", 0),
		MinID: a.int32("min_id", 0), MaxID: a.int32("max_id", 0), Search: a.str("search", ""),
		Pinned: a.bool("pinned", false), Reverse: a.bool("reverse", false), IDs: a.ints32("ids"),
		PageSize: int(a.int32("page_size", 0))}
	if d := a.int("offset_date", 0); d > 0 {
		o.OffsetDate = time.Unix(d, 0)
	}
	from, byUser := a.optPeer("from_user")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		if byUser {
			u, err := c.resolve(ctx, from)
			if err != nil {
				return nil, err
			}
			o.FromUser = u
		}
		return messagesResult(c.core.GetHistory(ctx, p, o))
	})
}

// iterDialogs is core.IterDialogs collected: limit (0: 100, -1: all),
// archived, exclude_pinned, page_size.
func iterDialogs(a *fields) *job {
	o := core.DialogOptions{Limit: int(a.int32("limit", 0)), Archived: a.bool("archived", false),
		ExcludePinned: a.bool("exclude_pinned", false), PageSize: int(a.int32("page_size", 0))}
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		ds, err := c.core.GetDialogsWith(ctx, o)
		if err != nil {
			return nil, err
		}
		list := make([]any, 0, len(ds))
		for _, d := range ds {
			m := raw{0xc0} // a service message or none on top
			if d.Message != nil {
				if m, err = marshal(d.Message); err != nil {
					return nil, err
				}
			}
			list = append(list, kv{"peer", peerMap(d.Peer), "name", d.Name, "unread", d.Unread, "top_id", d.TopID,
				"pinned", d.Pinned, "folder", d.Folder, "message", m})
		}
		return kv{"dialogs", list}.encode(), nil
	}}
}

func archiveDialog(a *fields) *job {
	r := a.peer("peer")
	archived := a.bool("archived", true)
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.ArchiveDialog(ctx, p, archived)
	})
}

var participantFilters = map[string]core.ParticipantFilter{
	"recent": core.ParticipantsRecent, "admins": core.ParticipantsAdmins, "bots": core.ParticipantsBots,
	"banned": core.ParticipantsBanned, "kicked": core.ParticipantsKicked,
}

// getParticipants: peer, filter (recent, admins, bots, banned, kicked),
// search, limit (0: all).
func getParticipants(a *fields) *job {
	r := a.peer("peer")
	name := a.str("filter", "recent")
	f, ok := participantFilters[name]
	if !ok {
		a.fail("%s: filter %q is none of recent, admins, bots, banned, kicked", a.what, name)
	}
	o := core.ParticipantsOptions{Filter: f, Search: a.str("search", ""), Limit: int(a.int32("limit", 0))}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		ps, err := c.core.GetParticipants(ctx, p, o)
		if err != nil {
			return nil, err
		}
		list := make([]any, 0, len(ps))
		for _, pt := range ps {
			var u raw = raw{0xc0}
			if pt.User != nil {
				if u, err = marshal(pt.User); err != nil {
					return nil, err
				}
			}
			list = append(list, kv{"user_id", pt.UserID, "user", u, "creator", pt.Creator, "admin", pt.Admin,
				"banned", pt.Banned, "kicked", pt.Kicked, "rank", pt.Rank, "inviter_id", pt.InviterID,
				"date", pt.Date.Unix()})
		}
		return kv{"participants", list}.encode(), nil
	})
}

func unpinMessage(a *fields) *job {
	r := a.peer("peer")
	id := a.reqInt32("id")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.UnpinMessage(ctx, p, id)
	})
}

func unpinAllMessages(a *fields) *job {
	return withPeer(a.peer("peer"), func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.UnpinAllMessages(ctx, p)
	})
}

func getPinnedMessages(a *fields) *job {
	return withPeer(a.peer("peer"), func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return messagesResult(c.core.GetPinnedMessages(ctx, p))
	})
}

func getScheduledMessages(a *fields) *job {
	return withPeer(a.peer("peer"), func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return messagesResult(c.core.GetScheduledMessages(ctx, p))
	})
}

func sendScheduledNow(a *fields) *job {
	r := a.peer("peer")
	ids := a.reqInts32("ids")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.SendScheduledNow(ctx, p, ids)
	})
}

func deleteScheduledMessages(a *fields) *job {
	r := a.peer("peer")
	ids := a.reqInts32("ids")
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		return emptyMap, c.core.DeleteScheduledMessages(ctx, p, ids)
	})
}

// answerCallbackQuery: query_id, message, alert, url, cache_time (seconds).
func answerCallbackQuery(a *fields) *job {
	id := a.reqInt("query_id")
	ans := core.CallbackAnswer{Message: a.str("message", ""), Alert: a.bool("alert", false), URL: a.str("url", ""),
		CacheTime: a.seconds("cache_time", 0)}
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return emptyMap, c.core.AnswerCallbackQuery(ctx, id, ans)
	}}
}

// editInlineMessage is core.EditInlineMessage: inline_message_id (the TL
// map a callback_query event carries), text (with parse_mode/entities, may
// be empty when buttons are given), no_webpage, buttons.
func editInlineMessage(a *fields) *job {
	var id api.InputBotInlineMessageIDClass
	if v := a.value("inline_message_id"); v == nil {
		if !a.has("inline_message_id") {
			a.fail("%s: argument %q is required", a.what, "inline_message_id")
		}
	} else if o, err := tlObject(v); err != nil {
		a.fail("%s: argument %q: %v", a.what, "inline_message_id", err)
	} else if id, _ = o.(api.InputBotInlineMessageIDClass); id == nil {
		a.fail("%s: argument %q must be an inputBotInlineMessageID or inputBotInlineMessageID64 map, got %s",
			a.what, "inline_message_id", tl.Name(o))
	}
	text, ents := a.text("text", false)
	o := core.SendOptions{NoWebpage: a.bool("no_webpage", false), Entities: ents, Buttons: a.markupArg("buttons")}
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return emptyMap, c.core.EditInlineMessage(ctx, id, text, o)
	}}
}

// markupArg reads an optional reply markup as a TL map
// ({"_": "replyInlineMarkup", ...}).
func (a *fields) markupArg(k string) api.ReplyMarkupClass {
	v := a.value(k)
	if v == nil {
		return nil
	}
	o, err := tlObject(v)
	mk, ok := o.(api.ReplyMarkupClass)
	if err != nil || !ok {
		a.fail("%s: argument %q must be a reply markup TL map (replyInlineMarkup, ...): %v", a.what, k, err)
		return nil
	}
	return mk
}

// answerInlineQuery: query_id, results (maps: id, title, description, url,
// text, parse_mode, no_webpage, buttons), cache_time, next_offset, gallery,
// private.
func answerInlineQuery(a *fields) *job {
	id := a.reqInt("query_id")
	var results []core.InlineResult
	for i, v := range a.list("results") {
		m, ok := v.(map[string]any)
		if !ok {
			a.fail("%s: results[%d] must be a map, got %s", a.what, i, typeName(v))
			break
		}
		rf := newFields(fmt.Sprintf("%s: results[%d]", a.what, i), "key", m)
		art := core.InlineArticle{ID: rf.reqStr("id"), Title: rf.str("title", ""), Description: rf.str("description", ""),
			URL: rf.str("url", ""), Text: rf.reqStr("text"), ParseMode: rf.str("parse_mode", ""),
			NoWebpage: rf.bool("no_webpage", false), Buttons: rf.markupArg("buttons")}
		rf.str("type", "article")
		if e := rf.finish(); e != nil {
			a.err = e
			break
		}
		results = append(results, art)
	}
	o := core.InlineAnswerOptions{CacheTime: a.seconds("cache_time", 0), NextOffset: a.str("next_offset", ""),
		Gallery: a.bool("gallery", false), Private: a.bool("private", false)}
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		return emptyMap, c.core.AnswerInlineQuery(ctx, id, results, o)
	}}
}

func inlineResultsMap(r *core.InlineResults) kv {
	list := make([]any, 0, len(r.Results))
	for _, it := range r.Results {
		list = append(list, kv{"id", it.ID, "type", it.Type, "title", it.Title, "description", it.Description,
			"url", it.URL, "text", it.Text})
	}
	return kv{"query_id", r.QueryID, "bot", peerMap(r.Bot), "next_offset", r.NextOffset, "gallery", r.Gallery,
		"results", list}
}

// inlineQuery: bot, peer, query, offset.
func inlineQuery(a *fields) *job {
	bot, chat := a.peer("bot"), a.peer("peer")
	q, off := a.str("query", ""), a.str("offset", "")
	return &job{run: func(ctx context.Context, c *Client) ([]byte, error) {
		b, err := c.resolve(ctx, bot)
		if err != nil {
			return nil, err
		}
		p, err := c.resolve(ctx, chat)
		if err != nil {
			return nil, err
		}
		r, err := c.core.InlineQuery(ctx, b, p, q, off)
		if err != nil {
			return nil, err
		}
		return inlineResultsMap(r).encode(), nil
	}}
}

// sendInlineResult: peer, query_id, id (of a result inline_query
// returned), reply_to, silent.
func sendInlineResult(a *fields) *job {
	r := a.peer("peer")
	qid, id := a.reqInt("query_id"), a.reqStr("id")
	o := core.SendOptions{ReplyTo: a.int32("reply_to", 0), Silent: a.bool("silent", false)}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		res := &core.InlineResults{QueryID: qid, Results: []core.InlineResultItem{{ID: id}}}
		mid, err := c.core.SendInlineResult(ctx, p, res, id, o)
		if err != nil {
			return nil, err
		}
		return kv{"id", mid}.encode(), nil
	})
}

// click: peer, msg_id, and text, data (bin or str), or row and col.
func click(a *fields) *job {
	r := a.peer("peer")
	msgID := a.reqInt32("msg_id")
	ref := core.ButtonRef{Text: a.str("text", ""), Row: int(a.int32("row", 0)), Col: int(a.int32("col", 0))}
	switch d := a.value("data").(type) {
	case nil:
	case []byte:
		ref.Data = d
	case string:
		ref.Data = []byte(d)
	default:
		a.wrongType("data", "bin or str", d)
	}
	return withPeer(r, func(ctx context.Context, c *Client, p session.Peer) ([]byte, error) {
		msgs, err := c.core.GetMessages(ctx, p, []int32{msgID})
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			return nil, fmt.Errorf("click: no message %d in this chat", msgID)
		}
		res, err := c.core.Click(ctx, p, msgs[0], ref)
		if err != nil {
			return nil, err
		}
		out := kv{"text", res.Button.Text}
		switch {
		case res.Answer != nil:
			out = append(out, "answer", kv{"message", res.Answer.Message, "alert", res.Answer.Alert,
				"url", res.Answer.URL, "cache_time", int64(res.Answer.CacheTime / time.Second)})
		case res.URL != "":
			out = append(out, "url", res.URL)
		case res.SwitchInline != nil:
			si := kv{"query", res.SwitchInline.Query, "same_peer", res.SwitchInline.SamePeer, "bot", peerMap(res.SwitchInline.Bot)}
			if res.SwitchInline.Results != nil {
				si = append(si, "results", inlineResultsMap(res.SwitchInline.Results))
			}
			out = append(out, "switch_inline", si)
		}
		return out.encode(), nil
	})
}

// encodeBotEvent is the UPDATE map of a bot event (ok false for other
// events).
func encodeBotEvent(ev core.Event) (data []byte, ok bool, err error) {
	switch x := ev.(type) {
	case *core.CallbackQuery:
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, true, err
		}
		var inline raw = raw{0xc0}
		if x.InlineMessageID != nil {
			if inline, err = marshal(x.InlineMessageID); err != nil {
				return nil, true, err
			}
		}
		return kv{"type", "callback_query", "query_id", x.QueryID, "user_id", x.UserID, "chat_id", x.ChatID,
			"msg_id", x.MsgID, "inline_message_id", inline, "data", x.Data, "chat_instance", x.ChatInstance,
			"game_short_name", x.GameShortName, "users", users, "chats", chats}.encode(), true, nil
	case *core.InlineQuery:
		users, _, err := entities(x.Users, nil)
		if err != nil {
			return nil, true, err
		}
		return kv{"type", "inline_query", "query_id", x.QueryID, "user_id", x.UserID, "query", x.Query,
			"offset", x.Offset, "peer_type", x.PeerType, "users", users}.encode(), true, nil
	}
	return nil, false, nil
}
