package core

import (
	"context"
	"time"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// GetMe returns the logged-in user.
func (c *Client) GetMe(ctx context.Context) (*api.User, error) {
	res, err := c.Invoke(ctx, &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}})
	if err != nil {
		return nil, err
	}
	users := res.([]api.UserClass)
	if len(users) == 0 {
		return nil, ErrUnauthorized
	}
	u, ok := users[0].(*api.User)
	if !ok {
		return nil, ErrUnauthorized
	}
	return u, nil
}

// GetEntity returns the full description of a peer in one request:
// *api.UsersUserFull, *api.MessagesChatFull for groups and channels.
func (c *Client) GetEntity(ctx context.Context, p session.Peer) (any, error) {
	switch p.Kind {
	case session.PeerUser:
		u, _ := InputUser(p)
		return c.Invoke(ctx, &api.UsersGetFullUserRequest{ID: u})
	case session.PeerChat:
		return c.Invoke(ctx, &api.MessagesGetFullChatRequest{ChatID: p.ID})
	default:
		ch, _ := InputChannel(p)
		return c.Invoke(ctx, &api.ChannelsGetFullChannelRequest{Channel: ch})
	}
}

// EditMessage replaces a message's text (formatted per o.ParseMode or
// o.Entities) and, when o.Buttons is set, its buttons. An empty text with
// buttons changes only the buttons.
func (c *Client) EditMessage(ctx context.Context, p session.Peer, id int32, text string, o SendOptions) error {
	text, ents, err := o.format(text)
	if err != nil {
		return err
	}
	req := &api.MessagesEditMessageRequest{Peer: InputPeer(p), ID: id, NoWebpage: o.NoWebpage, Entities: ents,
		ReplyMarkup: o.Buttons}
	if text != "" || o.Buttons == nil {
		req.Message.Val, req.Message.Set = text, true
	}
	_, err = c.Invoke(ctx, req)
	return err
}

// DeleteMessages deletes messages; revoke deletes them for everyone in
// private chats and groups (always so in channels).
func (c *Client) DeleteMessages(ctx context.Context, p session.Peer, ids []int32, revoke bool) error {
	var res any
	var err error
	if p.Kind == session.PeerChannel {
		ch, _ := InputChannel(p)
		res, err = c.Invoke(ctx, &api.ChannelsDeleteMessagesRequest{Channel: ch, ID: ids})
	} else {
		res, err = c.Invoke(ctx, &api.MessagesDeleteMessagesRequest{Revoke: revoke, ID: ids})
		if a, ok := res.(*api.MessagesAffectedMessages); ok && err == nil {
			c.feedPts(a.Pts, a.PtsCount)
		}
	}
	return err
}

// feedPts passes a pts carried by an RPC answer (messages.affectedMessages)
// to the updates manager, so it is not mistaken for a gap.
func (c *Client) feedPts(pts, count int32) {
	c.mu.Lock()
	d := c.disp
	c.mu.Unlock()
	if d != nil {
		d.push(ptsItem{pts, count})
	}
}

// ForwardMessages forwards messages from one chat to another and returns
// the new ids.
func (c *Client) ForwardMessages(ctx context.Context, from session.Peer, ids []int32, to session.Peer) ([]int32, error) {
	randoms := make([]int64, len(ids))
	for i := range randoms {
		randoms[i] = randomID()
	}
	res, err := c.Invoke(ctx, &api.MessagesForwardMessagesRequest{FromPeer: InputPeer(from), ID: ids,
		RandomID: randoms, ToPeer: InputPeer(to)})
	if err != nil {
		return nil, err
	}
	var out []int32
	for _, r := range randoms {
		if id, err := sentMessageID(res, r); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// GetMessages fetches messages by id.
func (c *Client) GetMessages(ctx context.Context, p session.Peer, ids []int32) ([]*api.Message, error) {
	in := make([]api.InputMessageClass, len(ids))
	for i, id := range ids {
		in[i] = &api.InputMessageID{ID: id}
	}
	var res any
	var err error
	if p.Kind == session.PeerChannel {
		ch, _ := InputChannel(p)
		res, err = c.Invoke(ctx, &api.ChannelsGetMessagesRequest{Channel: ch, ID: in})
	} else {
		res, err = c.Invoke(ctx, &api.MessagesGetMessagesRequest{ID: in})
	}
	if err != nil {
		return nil, err
	}
	msgs, _ := messagesIn(res)
	return msgs, nil
}

// messagesIn extracts the messages (and the total count when the answer is
// a slice) of a messages.Messages answer.
func messagesIn(res any) ([]*api.Message, int) {
	var list []api.MessageClass
	count := -1
	switch x := res.(type) {
	case *api.MessagesMessages:
		list = x.Messages
		count = len(list)
	case *api.MessagesMessagesSlice:
		list, count = x.Messages, int(x.Count)
	case *api.MessagesChannelMessages:
		list, count = x.Messages, int(x.Count)
	}
	out := make([]*api.Message, 0, len(list))
	for _, m := range list {
		if msg, ok := m.(*api.Message); ok {
			out = append(out, msg)
		}
	}
	return out, count
}

// HistoryOptions select messages of a chat, for IterMessages and
// GetHistory.
type HistoryOptions struct {
	// Limit bounds the messages returned (0: 100, NoLimit: every one).
	Limit int
	// OffsetID starts below this message id (0: from the newest); with
	// Reverse, above it.
	OffsetID int32
	// OffsetDate starts before this time (with Reverse: at it).
	OffsetDate time.Time
	// MinID and MaxID bound the ids (exclusive).
	MinID, MaxID int32
	// Search keeps messages containing this text (messages.search).
	Search string
	// FromUser keeps messages sent by this user (messages.search).
	FromUser session.Peer
	// Pinned keeps pinned messages (messages.search).
	Pinned bool
	// Reverse returns the oldest messages first.
	Reverse bool
	// IDs fetches these messages instead, in this order (missing ones are
	// skipped); the other options are ignored.
	IDs []int32
	// PageSize is the number of messages asked per request (0: 100, the
	// most Telegram gives).
	PageSize int
}

// GetHistory returns messages of a chat, newest first (see
// IterMessages), paginating transparently up to Limit.
func (c *Client) GetHistory(ctx context.Context, p session.Peer, o HistoryOptions) ([]*api.Message, error) {
	return collect(c.IterMessages(ctx, p, o))
}

// Dialog is one entry of the chat list.
type Dialog struct {
	Peer    session.Peer
	Name    string
	Unread  int32
	TopID   int32
	Pinned  bool
	Message *api.Message // the top message, when known
	// Folder is 1 for archived dialogs, 0 for the main list.
	Folder int32
}

// GetDialogs returns up to limit dialogs of the main list (0: 100,
// NoLimit: all), pinned first, then the most recent first.
func (c *Client) GetDialogs(ctx context.Context, limit int) ([]Dialog, error) {
	return c.GetDialogsWith(ctx, DialogOptions{Limit: limit})
}

// SendReadAcknowledge marks a chat read up to maxID (0: everything).
func (c *Client) SendReadAcknowledge(ctx context.Context, p session.Peer, maxID int32) error {
	if p.Kind == session.PeerChannel {
		ch, _ := InputChannel(p)
		_, err := c.Invoke(ctx, &api.ChannelsReadHistoryRequest{Channel: ch, MaxID: maxID})
		return err
	}
	res, err := c.Invoke(ctx, &api.MessagesReadHistoryRequest{Peer: InputPeer(p), MaxID: maxID})
	if a, ok := res.(*api.MessagesAffectedMessages); ok && err == nil {
		c.feedPts(a.Pts, a.PtsCount)
	}
	return err
}

// Typing shows "typing…" in a chat (cancel with cancel=true).
func (c *Client) Typing(ctx context.Context, p session.Peer, cancel bool) error {
	var action api.SendMessageActionClass = &api.SendMessageTypingAction{}
	if cancel {
		action = &api.SendMessageCancelAction{}
	}
	_, err := c.Invoke(ctx, &api.MessagesSetTypingRequest{Peer: InputPeer(p), Action: action})
	return err
}

// PinMessage pins (or with unpin, unpins) a message.
func (c *Client) PinMessage(ctx context.Context, p session.Peer, id int32, unpin, silent bool) error {
	_, err := c.Invoke(ctx, &api.MessagesUpdatePinnedMessageRequest{Peer: InputPeer(p), ID: id, Unpin: unpin, Silent: silent})
	return err
}

// UnpinMessage unpins a message.
func (c *Client) UnpinMessage(ctx context.Context, p session.Peer, id int32) error {
	return c.PinMessage(ctx, p, id, true, false)
}

// UnpinAllMessages unpins every pinned message of a chat.
func (c *Client) UnpinAllMessages(ctx context.Context, p session.Peer) error {
	res, err := c.Invoke(ctx, &api.MessagesUnpinAllMessagesRequest{Peer: InputPeer(p)})
	if a, ok := res.(*api.MessagesAffectedHistory); ok && err == nil && p.Kind != session.PeerChannel {
		c.feedPts(a.Pts, a.PtsCount)
	}
	return err
}

// GetPinnedMessages returns the pinned messages of a chat, newest first.
func (c *Client) GetPinnedMessages(ctx context.Context, p session.Peer) ([]*api.Message, error) {
	return c.GetHistory(ctx, p, HistoryOptions{Pinned: true, Limit: NoLimit})
}

// GetScheduledMessages returns the messages scheduled in a chat
// (SendOptions.Schedule), newest first.
func (c *Client) GetScheduledMessages(ctx context.Context, p session.Peer) ([]*api.Message, error) {
	res, err := c.Invoke(ctx, &api.MessagesGetScheduledHistoryRequest{Peer: InputPeer(p)})
	if err != nil {
		return nil, err
	}
	msgs, _ := messagesIn(res)
	return msgs, nil
}

// SendScheduledNow sends scheduled messages at once.
func (c *Client) SendScheduledNow(ctx context.Context, p session.Peer, ids []int32) error {
	_, err := c.Invoke(ctx, &api.MessagesSendScheduledMessagesRequest{Peer: InputPeer(p), ID: ids})
	return err
}

// DeleteScheduledMessages cancels scheduled messages.
func (c *Client) DeleteScheduledMessages(ctx context.Context, p session.Peer, ids []int32) error {
	_, err := c.Invoke(ctx, &api.MessagesDeleteScheduledMessagesRequest{Peer: InputPeer(p), ID: ids})
	return err
}
