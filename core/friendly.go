package core

import (
	"context"

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

// EditMessage replaces a message's text.
func (c *Client) EditMessage(ctx context.Context, p session.Peer, id int32, text string, o SendOptions) error {
	req := &api.MessagesEditMessageRequest{Peer: InputPeer(p), ID: id, NoWebpage: o.NoWebpage, Entities: o.Entities}
	req.Message.Val, req.Message.Set = text, true
	_, err := c.Invoke(ctx, req)
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
	msgs, _ := messagesOf(res)
	return msgs, nil
}

// messagesOf extracts the messages (and the total count when the answer is
// a slice) of a messages.Messages answer.
func messagesOf(res any) ([]*api.Message, int) {
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

// HistoryOptions select messages of a chat.
type HistoryOptions struct {
	// Limit bounds the messages returned (0: 100).
	Limit int
	// OffsetID starts below this message id (0: from the newest).
	OffsetID int32
	// MinID and MaxID bound the ids (exclusive).
	MinID, MaxID int32
	// Search keeps messages containing this text (messages.search).
	Search string
}

// GetHistory returns messages of a chat, newest first, paginating
// transparently up to Limit.
func (c *Client) GetHistory(ctx context.Context, p session.Peer, o HistoryOptions) ([]*api.Message, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []*api.Message
	offset := o.OffsetID
	for len(out) < limit {
		batch := min(limit-len(out), 100)
		var res any
		var err error
		if o.Search != "" {
			res, err = c.Invoke(ctx, &api.MessagesSearchRequest{Peer: InputPeer(p), Q: o.Search,
				Filter: &api.InputMessagesFilterEmpty{}, OffsetID: offset, Limit: int32(batch), MaxID: o.MaxID, MinID: o.MinID})
		} else {
			res, err = c.Invoke(ctx, &api.MessagesGetHistoryRequest{Peer: InputPeer(p), OffsetID: offset,
				Limit: int32(batch), MaxID: o.MaxID, MinID: o.MinID})
		}
		if err != nil {
			return out, err
		}
		msgs, _ := messagesOf(res)
		if len(msgs) == 0 {
			break
		}
		out = append(out, msgs...)
		last := msgs[len(msgs)-1].ID
		if last <= o.MinID+1 || len(msgs) < batch && o.Search == "" {
			break
		}
		offset = last
	}
	return out, nil
}

// Dialog is one entry of the chat list.
type Dialog struct {
	Peer    session.Peer
	Name    string
	Unread  int32
	TopID   int32
	Pinned  bool
	Message *api.Message // the top message, when known
}

// GetDialogs returns up to limit dialogs (0: 100), most recent first.
func (c *Client) GetDialogs(ctx context.Context, limit int) ([]Dialog, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []Dialog
	var offDate, offID int32
	var offPeer api.InputPeerClass = &api.InputPeerEmpty{}
	for len(out) < limit {
		batch := min(limit-len(out), 100)
		res, err := c.Invoke(ctx, &api.MessagesGetDialogsRequest{OffsetDate: offDate, OffsetID: offID,
			OffsetPeer: offPeer, Limit: int32(batch)})
		if err != nil {
			return out, err
		}
		var dialogs []api.DialogClass
		var msgs []api.MessageClass
		total := -1
		switch x := res.(type) {
		case *api.MessagesDialogs:
			dialogs, msgs = x.Dialogs, x.Messages
		case *api.MessagesDialogsSlice:
			dialogs, msgs, total = x.Dialogs, x.Messages, int(x.Count)
		default:
			return out, nil
		}
		top := map[[2]int64]*api.Message{}
		for _, m := range msgs {
			if msg, ok := m.(*api.Message); ok {
				top[[2]int64{MarkedPeerID(msg.PeerID), int64(msg.ID)}] = msg
			}
		}
		added := 0
		for _, dc := range dialogs {
			d, ok := dc.(*api.Dialog)
			if !ok {
				continue
			}
			peer, err := c.ResolveID(ctx, MarkedPeerID(d.Peer))
			if err != nil {
				continue
			}
			dl := Dialog{Peer: peer, Name: peer.Name, Unread: d.UnreadCount, TopID: d.TopMessage, Pinned: d.Pinned,
				Message: top[[2]int64{MarkedPeerID(d.Peer), int64(d.TopMessage)}]}
			out = append(out, dl)
			added++
			if dl.Message != nil {
				offDate, offID, offPeer = dl.Message.Date, dl.Message.ID, InputPeer(peer)
			}
		}
		if added == 0 || total < 0 || len(out) >= total {
			break
		}
	}
	return out, nil
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
