package emulator

import (
	"bytes"
	"strconv"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Bot queries: a user's callback-button press or inline query is pushed to
// the bot as an update, and the user's call waits (without holding the
// model) for the bot's answer, or answers BOT_RESPONSE_TIMEOUT.

func init() {
	on(needUser, messagesGetBotCallbackAnswer)
	on(needUser, messagesSetBotCallbackAnswer)
	on(needUser, messagesGetInlineBotResults)
	on(needUser, messagesSetInlineBotResults)
	on(needUser, messagesSendInlineBotResult)
	on(needUser, messagesEditInlineBotMessage)
}

// botAnswerTimeout is how long a user's call waits for the bot.
const botAnswerTimeout = 10 * time.Second

// botQuery is a query waiting for a bot's answer.
type botQuery struct {
	bot    int64
	user   int64
	inline bool
	answer chan tl.Object
}

// pending is what a handler returns to answer later: the dispatcher waits
// on answer, outside the emulator's lock.
type pending struct {
	answer  chan tl.Object
	timeout time.Duration
	cleanup func()
}

func (*pending) TypeID() uint32         { return 0 }
func (*pending) TypeName() string       { return "pending" }
func (*pending) EncodeBare(*tl.Encoder) {}
func (*pending) DecodeBare(*tl.Decoder) {}

// inlineResult is a result a bot gave for an inline query, kept for
// messages.sendInlineBotResult.
type inlineResult struct {
	bot      int64
	user     int64
	text     string
	entities []api.MessageEntityClass
	markup   api.ReplyMarkupClass
	expires  time.Time
}

func (m *model) newQuery(bot, usr *user, inline bool) (int64, *botQuery) {
	id := randInt64() & (1<<63 - 1)
	q := &botQuery{bot: bot.ID, user: usr.ID, inline: inline, answer: make(chan tl.Object, 1)}
	m.queries[id] = q
	return id, q
}

// hasCallback reports whether an inline keyboard has a callback button
// with data.
func hasCallback(markup api.ReplyMarkupClass, data []byte) bool {
	rm, ok := markup.(*api.ReplyInlineMarkup)
	if !ok {
		return false
	}
	for _, row := range rm.Rows {
		r, ok := row.(*api.KeyboardInlineButtonRow)
		if !ok {
			continue
		}
		for _, b := range r.Buttons {
			if kb, ok := b.(*api.KeyboardInlineButton); ok {
				if cb, ok := kb.Type.(*api.InlineButtonTypeCallback); ok && bytes.Equal(cb.Data, data) {
					return true
				}
			}
		}
	}
	return false
}

func messagesGetBotCallbackAnswer(c *call, q *api.MessagesGetBotCallbackAnswerRequest) (tl.Object, error) {
	m := c.e.m
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	p := m.sourcePost(c.u, peer, q.MsgID)
	if p == nil {
		return nil, errMsgIDInvalid
	}
	botID := p.from
	if p.viaBot != 0 {
		botID = p.viaBot
	}
	bot := m.users[botID]
	if bot == nil || !bot.Bot {
		return nil, errf(400, "BOT_RESPONSE_TIMEOUT")
	}
	if !hasCallback(p.markup, q.Data) {
		return nil, errf(400, "DATA_INVALID")
	}
	// The bot sees the chat and message in its own box, except a message
	// sent through its inline mode, which it knows by an inline message id
	// wherever it is (as Telegram does).
	var botPeer int64
	var botMsg int32
	switch k, _ := peerKind(peer); {
	case p.viaBot == bot.ID: // botPeer stays 0: the inline message id below
	case k == 'c':
		botPeer, botMsg = peer, p.id
	default:
		botMsg = p.copies[bot.ID]
		if bm := bot.msgs[botMsg]; bm != nil {
			botPeer = bm.peer
		}
	}
	var upd api.UpdateClass
	var users, chats map[int64]bool
	id, bq := m.newQuery(bot, c.u, false)
	switch {
	case botPeer != 0:
		users, chats = peerRefs(botPeer)
		upd = &api.UpdateBotCallbackQuery{QueryID: id, UserID: c.u.ID, Peer: peerOf(botPeer), MsgID: botMsg,
			ChatInstance: m.mac("chat", c.u.ID, peer), Data: q.Data}
	case p.viaBot == bot.ID:
		// A message sent through inline mode to a chat the bot is not in:
		// the bot knows it by an inline message id.
		users, chats = map[int64]bool{}, map[int64]bool{}
		upd = &api.UpdateInlineBotCallbackQuery{QueryID: id, UserID: c.u.ID, MsgID: m.inlineMessageID(bot, p),
			ChatInstance: m.mac("chat", c.u.ID, peer), Data: q.Data}
	default:
		delete(m.queries, id)
		return nil, errMsgIDInvalid
	}
	users[c.u.ID] = true
	m.push(bot, keyRef{}, m.updatesOf(bot, []api.UpdateClass{upd}, users, chats, 0))
	return &pending{answer: bq.answer, timeout: c.e.botTimeout, cleanup: func() { delete(m.queries, id) }}, nil
}

func messagesSetBotCallbackAnswer(c *call, q *api.MessagesSetBotCallbackAnswerRequest) (tl.Object, error) {
	m := c.e.m
	bq := m.queries[q.QueryID]
	if bq == nil || bq.bot != c.u.ID || bq.inline {
		return nil, errf(400, "QUERY_ID_INVALID")
	}
	delete(m.queries, q.QueryID)
	ans := &api.MessagesBotCallbackAnswer{Alert: q.Alert, Message: q.Message, URL: q.URL, CacheTime: q.CacheTime}
	ans.HasURL = q.URL.Set
	bq.answer <- ans
	return boolResult(true), nil
}

func inlinePeerType(m *model, u, bot *user, peer int64) api.InlineQueryPeerTypeClass {
	switch k, id := peerKind(peer); k {
	case 'u':
		switch {
		case id == bot.ID:
			return &api.InlineQueryPeerTypeSameBotPM{}
		case m.users[id] != nil && m.users[id].Bot:
			return &api.InlineQueryPeerTypeBotPM{}
		}
		return &api.InlineQueryPeerTypePM{}
	case 'g':
		return &api.InlineQueryPeerTypeChat{}
	case 'c':
		if ch := m.channels[id]; ch != nil && ch.Broadcast {
			return &api.InlineQueryPeerTypeBroadcast{}
		}
		return &api.InlineQueryPeerTypeMegagroup{}
	}
	return nil
}

func messagesGetInlineBotResults(c *call, q *api.MessagesGetInlineBotResultsRequest) (tl.Object, error) {
	m := c.e.m
	bot, err := m.inputUser(c.u, q.Bot)
	if err != nil {
		return nil, err
	}
	if !bot.Bot {
		return nil, errf(400, "BOT_INVALID")
	}
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	id, bq := m.newQuery(bot, c.u, true)
	upd := &api.UpdateBotInlineQuery{QueryID: id, UserID: c.u.ID, Query: q.Query, Offset: q.Offset,
		PeerType: inlinePeerType(m, c.u, bot, peer)}
	m.push(bot, keyRef{}, m.updatesOf(bot, []api.UpdateClass{upd}, map[int64]bool{c.u.ID: true}, nil, 0))
	return &pending{answer: bq.answer, timeout: c.e.botTimeout, cleanup: func() { delete(m.queries, id) }}, nil
}

func messagesSetInlineBotResults(c *call, q *api.MessagesSetInlineBotResultsRequest) (tl.Object, error) {
	m := c.e.m
	bq := m.queries[q.QueryID]
	if bq == nil || bq.bot != c.u.ID || !bq.inline {
		return nil, errf(400, "QUERY_ID_INVALID")
	}
	if len(q.Results) > 50 {
		return nil, errf(400, "RESULTS_TOO_MUCH")
	}
	var results []api.BotInlineResultClass
	for _, in := range q.Results {
		r, ok := in.(*api.InputBotInlineResult)
		if !ok {
			return nil, errf(400, "RESULT_TYPE_INVALID")
		}
		msg, ok := r.SendMessage.(*api.InputBotInlineMessageText)
		if !ok {
			return nil, errf(400, "SEND_MESSAGE_TYPE_INVALID")
		}
		if r.ID == "" {
			return nil, errf(400, "RESULT_ID_EMPTY")
		}
		ents, err := m.resolveEntities(c.u, msg.Entities)
		if err != nil {
			return nil, err
		}
		m.inline[inlineKey(q.QueryID, r.ID)] = &inlineResult{bot: c.u.ID, user: bq.user, text: msg.Message,
			entities: ents, markup: msg.ReplyMarkup, expires: m.now().Add(10 * time.Minute)}
		results = append(results, &api.BotInlineResult{ID: r.ID, Type: r.Type, Title: r.Title, Description: r.Description,
			URL: r.URL, SendMessage: &api.BotInlineMessageText{NoWebpage: msg.NoWebpage, Message: msg.Message,
				Entities: ents, ReplyMarkup: msg.ReplyMarkup}})
	}
	delete(m.queries, q.QueryID)
	usr := m.users[bq.user]
	bq.answer <- &api.MessagesBotResults{Gallery: q.Gallery, QueryID: q.QueryID, NextOffset: q.NextOffset,
		Results: results, CacheTime: q.CacheTime, Users: m.renderUsers(usr, map[int64]bool{c.u.ID: true})}
	return boolResult(true), nil
}

func inlineKey(queryID int64, id string) string { return strconv.FormatInt(queryID, 10) + ":" + id }

func messagesSendInlineBotResult(c *call, q *api.MessagesSendInlineBotResultRequest) (tl.Object, error) {
	m := c.e.m
	if q.RandomID == 0 {
		return nil, errf(400, "RANDOM_ID_EMPTY")
	}
	peer, err := m.inputPeer(c.u, q.Peer)
	if err != nil {
		return nil, err
	}
	if c.u.random[q.RandomID] != nil {
		return m.send(c.u, peer, sendOpts{randomID: q.RandomID}, c.ks.ref)
	}
	r := m.inline[inlineKey(q.QueryID, q.ID)]
	if r == nil || r.user != c.u.ID || m.now().After(r.expires) {
		return nil, errf(400, "RESULT_ID_INVALID")
	}
	o := sendOpts{text: r.text, entities: r.entities, markup: r.markup, replyTo: q.ReplyTo, silent: q.Silent,
		randomID: q.RandomID}
	if !q.HideVia {
		o.viaBot = r.bot
	}
	return m.send(c.u, peer, o, c.ks.ref)
}

// inlineMessageID names a message sent through a bot's inline mode, for
// that bot: in a private chat or basic group by its sender and the sender's
// message id, in a channel or supergroup by the channel and the post's id
// (inputBotInlineMessageID64, as Telegram does there).
func (m *model) inlineMessageID(bot *user, p *post) api.InputBotInlineMessageIDClass {
	if p.channel != 0 {
		return &api.InputBotInlineMessageID64{DCID: int32(bot.DC), OwnerID: p.channel, ID: p.id,
			AccessHash: m.mac("inline64", bot.ID, p.channel, int64(p.id))}
	}
	id := p.from<<32 | int64(p.copies[p.from])
	return &api.InputBotInlineMessageID{DCID: int32(bot.DC), ID: id, AccessHash: m.mac("inline", bot.ID, id)}
}

// inlinePost finds the message an inline message id names for bot, with the
// sender's copy (private chats and basic groups) or the channel.
func (m *model) inlinePost(bot *user, id api.InputBotInlineMessageIDClass) (*post, *boxMsg, *channel) {
	switch x := id.(type) {
	case *api.InputBotInlineMessageID:
		if x.AccessHash != m.mac("inline", bot.ID, x.ID) {
			return nil, nil, nil
		}
		if from := m.users[x.ID>>32]; from != nil {
			if bm := from.msgs[int32(x.ID&0xffffffff)]; bm != nil && bm.p.viaBot == bot.ID && !bm.p.deleted {
				return bm.p, bm, nil
			}
		}
	case *api.InputBotInlineMessageID64:
		if x.AccessHash != m.mac("inline64", bot.ID, x.OwnerID, int64(x.ID)) {
			return nil, nil, nil
		}
		if ch := m.channels[x.OwnerID]; ch != nil {
			if p := ch.msgs[x.ID]; p != nil && p.viaBot == bot.ID && !p.deleted {
				return p, nil, ch
			}
		}
	}
	return nil, nil, nil
}

// messagesEditInlineBotMessage: the bot a message was sent through edits
// its text or buttons, wherever it is, without being in that chat.
func messagesEditInlineBotMessage(c *call, q *api.MessagesEditInlineBotMessageRequest) (tl.Object, error) {
	m := c.e.m
	if !c.u.Bot {
		return nil, errf(400, "USER_BOT_REQUIRED")
	}
	if q.Media != nil {
		return nil, errf(400, "MEDIA_INVALID")
	}
	p, bm, ch := m.inlinePost(c.u, q.ID)
	if p == nil {
		return nil, errMsgIDInvalid
	}
	if err := m.applyEdit(c.u, p, q.Message, q.Entities, q.ReplyMarkup); err != nil {
		return nil, err
	}
	// Everyone who has the message sees the edit; the bot is not among them.
	if ch != nil {
		m.editChannel(c.u, ch, p, keyRef{})
	} else {
		m.editBox(c.u, bm, keyRef{})
	}
	return boolResult(true), nil
}
