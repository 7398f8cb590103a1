package core

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/polygram/polygram/core/parse"
	"github.com/polygram/polygram/tl"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// SendOptions are the optional parts of SendMessage (and, where they
// apply, EditMessage, SendFile and SendInlineResult).
type SendOptions struct {
	// ReplyTo is the id of the message replied to (0: none).
	ReplyTo int32
	// Silent sends without a notification sound.
	Silent bool
	// NoWebpage turns the link preview off.
	NoWebpage bool
	// Entities format the text. They win over ParseMode.
	Entities []api.MessageEntityClass
	// ParseMode formats the text from markup: "markdown" (or "md") or
	// "html"; "" sends the text as is.
	ParseMode string
	// Buttons is the reply markup: build it with InlineKeyboard,
	// ReplyKeyboard, ForceReply or ClearKeyboard.
	Buttons api.ReplyMarkupClass
	// Schedule, when set in the future, makes Telegram keep the message
	// and send it at that time; SendMessage then returns the id of the
	// scheduled message (see GetScheduledMessages).
	Schedule time.Time
}

// ErrParseMode is returned (wrapped) for an unknown SendOptions.ParseMode.
var ErrParseMode = errors.New("core: unknown parse mode")

// format applies the parse mode to a text and checks the buttons.
func (o SendOptions) format(text string) (string, []api.MessageEntityClass, error) {
	if err := checkMarkup(o.Buttons); err != nil {
		return "", nil, err
	}
	if o.Entities != nil {
		return text, o.Entities, nil
	}
	switch strings.ToLower(o.ParseMode) {
	case "":
		return text, nil, nil
	case "markdown", "md":
		t, e := parse.ParseMarkdown(text)
		return t, e, nil
	case "html":
		t, e := parse.ParseHTML(text)
		return t, e, nil
	}
	return "", nil, fmt.Errorf("%w %q: use \"markdown\", \"html\" or \"\"", ErrParseMode, o.ParseMode)
}

func (o SendOptions) scheduleDate() tl.Opt[int32] {
	if o.Schedule.IsZero() {
		return tl.Opt[int32]{}
	}
	return tl.Some(int32(o.Schedule.Unix()))
}

func (o SendOptions) replyTo() api.InputReplyToClass {
	if o.ReplyTo == 0 {
		return nil
	}
	return &api.InputReplyToMessage{ReplyToMsgID: o.ReplyTo}
}

// randomID returns a random_id for sends (deduplicated by the server).
func randomID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]))
}

// SendMessage sends a text message to a peer (see ResolvePeer for how peers
// can be named) and returns the new message's id.
func (c *Client) SendMessage(ctx context.Context, to session.Peer, text string, o SendOptions) (int32, error) {
	text, ents, err := o.format(text)
	if err != nil {
		return 0, err
	}
	req := &api.MessagesSendMessageRequest{Peer: InputPeer(to), Message: text, RandomID: randomID(),
		Silent: o.Silent, NoWebpage: o.NoWebpage, Entities: ents, ReplyMarkup: o.Buttons,
		ReplyTo: o.replyTo(), ScheduleDate: o.scheduleDate()}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return 0, err
	}
	return sentMessageID(res, req.RandomID)
}

// sentMessageID finds the id of a message just sent in the Updates answer.
func sentMessageID(res any, random int64) (int32, error) {
	switch x := res.(type) {
	case *api.UpdateShortSentMessage:
		return x.ID, nil
	case *api.Updates:
		return idInUpdates(x.Updates, random)
	case *api.UpdatesCombined:
		return idInUpdates(x.Updates, random)
	case *api.UpdateShort:
		return idInUpdates([]api.UpdateClass{x.Update}, random)
	}
	return 0, fmt.Errorf("core: unexpected answer %T to a send", res)
}

func idInUpdates(ups []api.UpdateClass, random int64) (int32, error) {
	for _, u := range ups {
		if x, ok := u.(*api.UpdateMessageID); ok && x.RandomID == random {
			return x.ID, nil
		}
	}
	for _, u := range ups {
		switch x := u.(type) {
		case *api.UpdateNewMessage:
			if m, ok := x.Message.(*api.Message); ok {
				return m.ID, nil
			}
		case *api.UpdateNewChannelMessage:
			if m, ok := x.Message.(*api.Message); ok {
				return m.ID, nil
			}
		case *api.UpdateNewScheduledMessage:
			if m, ok := x.Message.(*api.Message); ok {
				return m.ID, nil
			}
		}
	}
	return 0, fmt.Errorf("core: the answer to a send names no message")
}
