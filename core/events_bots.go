package core

import (
	"context"

	"github.com/polygram/polygram/tl/api"
)

// CallbackQuery is a press of an inline callback button, received by the
// bot that sent the message. Answer it (AnswerCallbackQuery or Answer)
// within a few seconds: the user's app waits for it.
type CallbackQuery struct {
	QueryID int64
	// UserID is the user who pressed the button.
	UserID int64
	// ChatID is the marked id of the chat of the message (0 for a message
	// sent through inline mode, see InlineMessageID).
	ChatID int64
	// MsgID is the message's id as the bot sees it.
	MsgID int32
	// InlineMessageID names a message sent through inline mode.
	InlineMessageID api.InputBotInlineMessageIDClass
	// Data is the button's callback data.
	Data []byte
	// ChatInstance identifies the chat the message was sent to, the same
	// for every user.
	ChatInstance int64
	// GameShortName is set for game buttons.
	GameShortName string
	Users         []api.UserClass
	Chats         []api.ChatClass
	Update        api.UpdateClass
}

// Answer answers the query through client c (which must be the bot's).
func (q *CallbackQuery) Answer(ctx context.Context, c *Client, a CallbackAnswer) error {
	return c.AnswerCallbackQuery(ctx, q.QueryID, a)
}

// InlineQuery is an inline query ("@bot text" typed in any chat), received
// by the bot.
type InlineQuery struct {
	QueryID int64
	// UserID is the user typing.
	UserID int64
	// Query is the text after the bot's username.
	Query string
	// Offset is the NextOffset of the previous answer when the user
	// scrolls for more.
	Offset string
	// PeerType is the kind of chat the query is typed in: "pm",
	// "bot_pm", "same_bot_pm", "chat", "megagroup", "broadcast" or ""
	// when unknown.
	PeerType string
	Users    []api.UserClass
	Update   api.UpdateClass
}

// Answer answers the query through client c (which must be the bot's).
func (q *InlineQuery) Answer(ctx context.Context, c *Client, results []InlineResult, o InlineAnswerOptions) error {
	return c.AnswerInlineQuery(ctx, q.QueryID, results, o)
}

func (*CallbackQuery) isEvent() {}
func (*InlineQuery) isEvent()   {}

// botEvent turns a bot update into its event (nil for other updates).
func botEvent(up api.UpdateClass, users []api.UserClass, chats []api.ChatClass) Event {
	switch x := up.(type) {
	case *api.UpdateBotCallbackQuery:
		return &CallbackQuery{QueryID: x.QueryID, UserID: x.UserID, ChatID: MarkedPeerID(x.Peer), MsgID: x.MsgID,
			Data: x.Data, ChatInstance: x.ChatInstance, GameShortName: x.GameShortName.Val,
			Users: users, Chats: chats, Update: up}
	case *api.UpdateInlineBotCallbackQuery:
		return &CallbackQuery{QueryID: x.QueryID, UserID: x.UserID, InlineMessageID: x.MsgID, Data: x.Data,
			ChatInstance: x.ChatInstance, GameShortName: x.GameShortName.Val, Users: users, Chats: chats, Update: up}
	case *api.UpdateBotInlineQuery:
		return &InlineQuery{QueryID: x.QueryID, UserID: x.UserID, Query: x.Query, Offset: x.Offset,
			PeerType: inlinePeerType(x.PeerType), Users: users, Update: up}
	}
	return nil
}

func inlinePeerType(t api.InlineQueryPeerTypeClass) string {
	switch t.(type) {
	case *api.InlineQueryPeerTypePM:
		return "pm"
	case *api.InlineQueryPeerTypeBotPM:
		return "bot_pm"
	case *api.InlineQueryPeerTypeSameBotPM:
		return "same_bot_pm"
	case *api.InlineQueryPeerTypeChat:
		return "chat"
	case *api.InlineQueryPeerTypeMegagroup:
		return "megagroup"
	case *api.InlineQueryPeerTypeBroadcast:
		return "broadcast"
	}
	return ""
}
