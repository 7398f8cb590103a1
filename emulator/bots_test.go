package emulator

import (
	"testing"
	"time"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func TestCallbackQueryRoundTrip(t *testing.T) {
	e := startEmu(t, Config{})
	bot, token, _ := e.CreateBot("button_bot", "Buttons")
	u, cu := newUserClient(t, e, "9996620600", "U")
	cb := dialDC(t, e, bot.DC)
	cb.loginBot(token)
	cb.must(&api.UpdatesGetStateRequest{})
	markup := &api.ReplyInlineMarkup{Rows: []api.KeyboardInlineButtonRowClass{&api.KeyboardInlineButtonRow{
		Buttons: []api.KeyboardInlineButtonClass{&api.KeyboardInlineButton{Text: "Yes", Type: &api.InlineButtonTypeCallback{Data: []byte("yes")}}}}}}
	cb.must(&api.MessagesSendMessageRequest{Peer: e.testInputPeer(bot.ID, u.ID), Message: "ok?", RandomID: nextRandom(), ReplyMarkup: markup})
	msg := nextOf[*api.Updates](cu).Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)

	peer := e.testInputPeer(u.ID, bot.ID)
	if got := cu.rpcErr(&api.MessagesGetBotCallbackAnswerRequest{Peer: peer, MsgID: msg.ID, Data: []byte("no")}); got != "400 DATA_INVALID" {
		t.Fatalf("unknown data: %q", got)
	}
	done := make(chan any, 1)
	go func() {
		res, err := cu.call(&api.MessagesGetBotCallbackAnswerRequest{Peer: peer, MsgID: msg.ID, Data: []byte("yes")})
		if err != nil {
			done <- err
			return
		}
		done <- res
	}()
	var q *api.UpdateBotCallbackQuery
	for q == nil {
		for _, up := range nextOf[*api.Updates](cb).Updates {
			if x, ok := up.(*api.UpdateBotCallbackQuery); ok {
				q = x
			}
		}
	}
	if q.UserID != u.ID || string(q.Data) != "yes" || q.MsgID != 1 || markedOf(q.Peer) != u.ID {
		t.Fatalf("bot got %+v", q)
	}
	cb.must(&api.MessagesSetBotCallbackAnswerRequest{QueryID: q.QueryID, Message: tl.Some("done"), Alert: true})
	switch r := (<-done).(type) {
	case *api.MessagesBotCallbackAnswer:
		if !r.Alert || r.Message.Val != "done" {
			t.Fatalf("answer %+v", r)
		}
	default:
		t.Fatalf("got %v", r)
	}
	if got := cb.rpcErr(&api.MessagesSetBotCallbackAnswerRequest{QueryID: q.QueryID}); got != "400 QUERY_ID_INVALID" {
		t.Fatalf("answered twice: %q", got)
	}

	// A bot that never answers.
	e.mu.Lock()
	e.botTimeout = 150 * time.Millisecond
	e.mu.Unlock()
	if got := cu.rpcErr(&api.MessagesGetBotCallbackAnswerRequest{Peer: peer, MsgID: msg.ID, Data: []byte("yes")}); got != "400 BOT_RESPONSE_TIMEOUT" {
		t.Fatalf("silent bot: %q", got)
	}
}

func TestInlineQueryAndSendingAResult(t *testing.T) {
	e := startEmu(t, Config{})
	bot, token, _ := e.CreateBot("inline_bot", "Inline")
	u, cu := newUserClient(t, e, "9996620610", "U")
	f, cf := newUserClient(t, e, "9996620611", "F")
	cb := dialDC(t, e, bot.DC)
	cb.loginBot(token)
	cb.must(&api.UpdatesGetStateRequest{})
	done := make(chan any, 1)
	go func() {
		res, err := cu.call(&api.MessagesGetInlineBotResultsRequest{Bot: e.testInputUser(u.ID, bot.ID), Peer: e.testInputPeer(u.ID, f.ID), Query: "cats"})
		if err != nil {
			done <- err
			return
		}
		done <- res
	}()
	q := nextOf[*api.Updates](cb).Updates[0].(*api.UpdateBotInlineQuery)
	if q.Query != "cats" || q.UserID != u.ID {
		t.Fatalf("bot got %+v", q)
	}
	if _, ok := q.PeerType.(*api.InlineQueryPeerTypePM); !ok {
		t.Fatalf("peer type %T", q.PeerType)
	}
	cb.must(&api.MessagesSetInlineBotResultsRequest{QueryID: q.QueryID, CacheTime: 5, Results: []api.InputBotInlineResultClass{
		&api.InputBotInlineResult{ID: "1", Type: "article", Title: tl.Some("Cat"), SendMessage: &api.InputBotInlineMessageText{Message: "meow"}}}})
	res, ok := (<-done).(*api.MessagesBotResults)
	if !ok || len(res.Results) != 1 || res.QueryID != q.QueryID {
		t.Fatalf("results %+v", res)
	}
	cu.must(&api.MessagesSendInlineBotResultRequest{Peer: e.testInputPeer(u.ID, f.ID), RandomID: nextRandom(), QueryID: res.QueryID, ID: "1"})
	got := nextOf[*api.Updates](cf).Updates[0].(*api.UpdateNewMessage).Message.(*api.Message)
	if got.Message != "meow" || got.ViaBotID.Val != bot.ID {
		t.Fatalf("friend got %+v", got)
	}
}
