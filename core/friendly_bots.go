package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// CallbackAnswer is a bot's answer to a callback query, shown to the user.
type CallbackAnswer struct {
	// Message is shown as a notification (or an alert); "" shows nothing.
	Message string
	// Alert shows Message in a dialog instead of a toast.
	Alert bool
	// URL is opened by the user's app (game and t.me links).
	URL string
	// CacheTime lets apps reuse the answer for the same button.
	CacheTime time.Duration
}

// AnswerCallbackQuery answers a callback query as a bot.
func (c *Client) AnswerCallbackQuery(ctx context.Context, queryID int64, a CallbackAnswer) error {
	req := &api.MessagesSetBotCallbackAnswerRequest{QueryID: queryID, Alert: a.Alert, CacheTime: int32(a.CacheTime / time.Second)}
	if a.Message != "" {
		req.Message = tl.Some(a.Message)
	}
	if a.URL != "" {
		req.URL = tl.Some(a.URL)
	}
	_, err := c.Invoke(ctx, req)
	return err
}

// InlineResult is one result of a bot's answer to an inline query.
// InlineArticle is the one kind so far.
type InlineResult interface {
	inputResult() (api.InputBotInlineResultClass, error)
}

// InlineArticle is a text result: choosing it sends Text (formatted per
// ParseMode or Entities) with optional buttons.
type InlineArticle struct {
	// ID identifies the result within the answer (1 to 64 bytes).
	ID          string
	Title       string
	Description string
	URL         string
	Text        string
	ParseMode   string
	Entities    []api.MessageEntityClass
	NoWebpage   bool
	Buttons     api.ReplyMarkupClass
}

func (a InlineArticle) inputResult() (api.InputBotInlineResultClass, error) {
	if a.ID == "" || len(a.ID) > 64 {
		return nil, fmt.Errorf("%w: an inline result id must be 1 to 64 bytes, not %q", ErrBadOptions, a.ID)
	}
	text, ents, err := SendOptions{ParseMode: a.ParseMode, Entities: a.Entities, Buttons: a.Buttons}.format(a.Text)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, fmt.Errorf("%w: inline article %q has no text", ErrBadOptions, a.ID)
	}
	r := &api.InputBotInlineResult{ID: a.ID, Type: "article", SendMessage: &api.InputBotInlineMessageText{
		NoWebpage: a.NoWebpage, Message: text, Entities: ents, ReplyMarkup: a.Buttons}}
	if a.Title != "" {
		r.Title = tl.Some(a.Title)
	}
	if a.Description != "" {
		r.Description = tl.Some(a.Description)
	}
	if a.URL != "" {
		r.URL = tl.Some(a.URL)
	}
	return r, nil
}

// InlineAnswerOptions tune AnswerInlineQuery.
type InlineAnswerOptions struct {
	// CacheTime lets Telegram reuse the answer for the same query.
	CacheTime time.Duration
	// NextOffset is passed back as InlineQuery.Offset when the user
	// scrolls for more ("": no more results).
	NextOffset string
	// Gallery shows the results as a grid.
	Gallery bool
	// Private caches the answer for this user only.
	Private bool
}

// AnswerInlineQuery answers an inline query as a bot.
func (c *Client) AnswerInlineQuery(ctx context.Context, queryID int64, results []InlineResult, o InlineAnswerOptions) error {
	req := &api.MessagesSetInlineBotResultsRequest{QueryID: queryID, CacheTime: int32(o.CacheTime / time.Second),
		Gallery: o.Gallery, Private: o.Private}
	if o.NextOffset != "" {
		req.NextOffset = tl.Some(o.NextOffset)
	}
	for _, r := range results {
		in, err := r.inputResult()
		if err != nil {
			return err
		}
		req.Results = append(req.Results, in)
	}
	_, err := c.Invoke(ctx, req)
	return err
}

// InlineResults is a bot's answer to InlineQuery.
type InlineResults struct {
	QueryID int64
	// Bot is the bot that answered.
	Bot session.Peer
	// NextOffset asks for more results when passed to InlineQuery ("":
	// none).
	NextOffset string
	Gallery    bool
	Results    []InlineResultItem
}

// InlineResultItem is one result of an inline query, as the user sees it.
type InlineResultItem struct {
	ID, Type, Title, Description, URL string
	// Text is the message choosing it sends (for text results).
	Text string
	Raw  api.BotInlineResultClass
}

// InlineQuery asks a bot for inline results as a user would by typing
// "@bot query" in chat; offset is "" or a NextOffset.
func (c *Client) InlineQuery(ctx context.Context, bot, chat session.Peer, query, offset string) (*InlineResults, error) {
	in, err := InputUser(bot)
	if err != nil {
		return nil, err
	}
	res, err := c.Invoke(ctx, &api.MessagesGetInlineBotResultsRequest{Bot: in, Peer: InputPeer(chat), Query: query, Offset: offset})
	if err != nil {
		return nil, err
	}
	r := res.(*api.MessagesBotResults)
	out := &InlineResults{QueryID: r.QueryID, Bot: bot, NextOffset: r.NextOffset.Val, Gallery: r.Gallery}
	for _, rc := range r.Results {
		item := InlineResultItem{Raw: rc}
		switch x := rc.(type) {
		case *api.BotInlineResult:
			item.ID, item.Type, item.Title, item.Description, item.URL = x.ID, x.Type, x.Title.Val, x.Description.Val, x.URL.Val
			if t, ok := x.SendMessage.(*api.BotInlineMessageText); ok {
				item.Text = t.Message
			}
		case *api.BotInlineMediaResult:
			item.ID, item.Type, item.Title, item.Description = x.ID, x.Type, x.Title.Val, x.Description.Val
		}
		out.Results = append(out.Results, item)
	}
	return out, nil
}

// ErrNoSuchResult is returned (wrapped) by SendInlineResult for an id the
// results do not hold.
var ErrNoSuchResult = errors.New("core: no such inline result")

// SendInlineResult sends one of a bot's inline results to a chat (ReplyTo,
// Silent and Schedule of o apply) and returns the new message's id.
func (c *Client) SendInlineResult(ctx context.Context, chat session.Peer, r *InlineResults, id string, o SendOptions) (int32, error) {
	found := false
	for _, it := range r.Results {
		found = found || it.ID == id
	}
	if !found {
		return 0, fmt.Errorf("%w: %q (query %d)", ErrNoSuchResult, id, r.QueryID)
	}
	req := &api.MessagesSendInlineBotResultRequest{Peer: InputPeer(chat), RandomID: randomID(), QueryID: r.QueryID,
		ID: id, Silent: o.Silent, ReplyTo: o.replyTo(), ScheduleDate: o.scheduleDate()}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return 0, err
	}
	return sentMessageID(res, req.RandomID)
}

// EditInlineMessage edits, as a bot, a message that was sent through its
// inline mode, named by the id its callback queries carry
// (CallbackQuery.InlineMessageID). The bot need not be in that chat. As
// EditMessage, text replaces the text (with o's parse mode and entities)
// and o.Buttons the keyboard; text may be empty when only the buttons
// change. The request goes to the DC the id names, as Telegram requires.
func (c *Client) EditInlineMessage(ctx context.Context, id api.InputBotInlineMessageIDClass, text string, o SendOptions) error {
	var dc int32
	switch x := id.(type) {
	case *api.InputBotInlineMessageID:
		dc = x.DCID
	case *api.InputBotInlineMessageID64:
		dc = x.DCID
	default:
		return fmt.Errorf("%w: an inline message id (inputBotInlineMessageID or inputBotInlineMessageID64) is needed, got %T", ErrBadOptions, id)
	}
	text, ents, err := o.format(text)
	if err != nil {
		return err
	}
	req := &api.MessagesEditInlineBotMessageRequest{ID: id, NoWebpage: o.NoWebpage, Entities: ents,
		ReplyMarkup: o.Buttons}
	if text != "" || o.Buttons == nil {
		req.Message.Val, req.Message.Set = text, true
	}
	if dc <= 0 {
		_, err = c.Invoke(ctx, req)
	} else {
		_, err = c.InvokeOnDC(ctx, int(dc), req)
	}
	return err
}

// ButtonRef picks an inline button of a message: by Text when set, else
// by Data when set, else by Row and Col (from 0).
type ButtonRef struct {
	Row, Col int
	Text     string
	Data     []byte
}

// ButtonNotFoundError is returned by Click when the message has no such
// button.
type ButtonNotFoundError struct {
	MsgID int32
	Ref   ButtonRef
}

func (e *ButtonNotFoundError) Error() string {
	switch {
	case e.Ref.Text != "":
		return fmt.Sprintf("core: message %d has no inline button %q", e.MsgID, e.Ref.Text)
	case e.Ref.Data != nil:
		return fmt.Sprintf("core: message %d has no inline button with data %q", e.MsgID, e.Ref.Data)
	}
	return fmt.Sprintf("core: message %d has no inline button at row %d, column %d", e.MsgID, e.Ref.Row, e.Ref.Col)
}

// ClickResult is what pressing a button did.
type ClickResult struct {
	Button *api.KeyboardInlineButton
	// Answer is the bot's answer to a callback button.
	Answer *CallbackAnswer
	// URL is the link of a URL button (nothing is sent to Telegram).
	URL string
	// SwitchInline is the query of a switch-inline button; when the
	// button keeps the current chat, Results holds the bot's answer to it
	// in this chat.
	SwitchInline *SwitchInline
}

// SwitchInline is a switch-inline button's query.
type SwitchInline struct {
	Bot      session.Peer
	Query    string
	SamePeer bool
	Results  *InlineResults
}

// Click presses an inline button of a message in chat: a callback button
// asks the bot (messages.getBotCallbackAnswer) and returns its answer, a
// URL button returns its link, a switch-inline button returns its query
// (and runs it in this chat when the button says so).
func (c *Client) Click(ctx context.Context, chat session.Peer, msg *api.Message, ref ButtonRef) (*ClickResult, error) {
	b := findButton(msg, ref)
	if b == nil {
		id := int32(0)
		if msg != nil {
			id = msg.ID
		}
		return nil, &ButtonNotFoundError{MsgID: id, Ref: ref}
	}
	out := &ClickResult{Button: b}
	switch t := b.Type.(type) {
	case *api.InlineButtonTypeCallback:
		res, err := c.Invoke(ctx, &api.MessagesGetBotCallbackAnswerRequest{Peer: InputPeer(chat), MsgID: msg.ID, Data: t.Data})
		if err != nil {
			return nil, err
		}
		a := res.(*api.MessagesBotCallbackAnswer)
		out.Answer = &CallbackAnswer{Message: a.Message.Val, Alert: a.Alert, URL: a.URL.Val,
			CacheTime: time.Duration(a.CacheTime) * time.Second}
	case *api.InlineButtonTypeURL:
		out.URL = t.URL
	case *api.InlineButtonTypeSwitchInline:
		bot, err := c.ResolveID(ctx, messageBot(msg))
		if err != nil {
			return nil, err
		}
		out.SwitchInline = &SwitchInline{Bot: bot, Query: t.Query, SamePeer: t.SamePeer}
		if t.SamePeer {
			if out.SwitchInline.Results, err = c.InlineQuery(ctx, bot, chat, t.Query, ""); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("core: clicking a %s button is not supported", tl.Name(b.Type))
	}
	return out, nil
}

func findButton(msg *api.Message, ref ButtonRef) *api.KeyboardInlineButton {
	rows := InlineButtons(msg)
	for i, row := range rows {
		for j, b := range row {
			switch {
			case ref.Text != "":
				if b.Text == ref.Text {
					return b
				}
			case ref.Data != nil:
				if cb, ok := b.Type.(*api.InlineButtonTypeCallback); ok && bytes.Equal(cb.Data, ref.Data) {
					return b
				}
			case i == ref.Row && j == ref.Col:
				return b
			}
		}
	}
	return nil
}

// messageBot returns the bot behind a message: the bot it came via, else
// its sender.
func messageBot(m *api.Message) int64 {
	if id, ok := m.ViaBotID.Get(); ok {
		return id
	}
	if m.FromID != nil {
		return MarkedPeerID(m.FromID)
	}
	return MarkedPeerID(m.PeerID)
}
