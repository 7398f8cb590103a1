package core

import (
	"context"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// completePeers makes sure the peers an event names — its chat, its sender,
// the users of a service message — are cached with a usable access hash
// before handlers run, so that a handler can reply at once. Short updates
// (updateShortMessage, updateShortChatMessage) carry bare ids, and a fresh
// session (a bot that just logged in, say) may never have met the sender;
// min constructors carry an access hash that is no good for calls. For
// those, the message is fetched again by id (messages.getMessages, or
// channels.getMessages in a channel), as official clients do: the answer
// carries full users and chats, which Invoke caches and which are attached
// to the event.
func (c *Client) completePeers(ctx context.Context, ev Event) {
	switch x := ev.(type) {
	case *NewMessage:
		if c.peersMissing(x.Users, x.Chats, x.ChatID, x.SenderID) {
			users, chats := c.refetchPeers(ctx, x.Message.PeerID, x.Message.ID)
			x.Users, x.Chats = append(x.Users, users...), append(x.Chats, chats...)
		}
	case *MessageEdited:
		if c.peersMissing(x.Users, x.Chats, x.ChatID, x.SenderID) {
			users, chats := c.refetchPeers(ctx, x.Message.PeerID, x.Message.ID)
			x.Users, x.Chats = append(x.Users, users...), append(x.Chats, chats...)
		}
	case *ChatAction:
		if x.Message != nil && c.peersMissing(x.Users, x.Chats, append([]int64{x.ChatID, x.SenderID}, x.UserIDs...)...) {
			users, chats := c.refetchPeers(ctx, x.Message.PeerID, x.Message.ID)
			x.Users, x.Chats = append(x.Users, users...), append(x.Chats, chats...)
		}
	case *Album:
		if len(x.Messages) > 0 && c.peersMissing(x.Users, x.Chats, x.ChatID, x.SenderID) {
			m := x.Messages[0]
			users, chats := c.refetchPeers(ctx, m.PeerID, m.ID)
			x.Users, x.Chats = append(x.Users, users...), append(x.Chats, chats...)
		}
	case *CallbackQuery:
		if x.ChatID != 0 && x.MsgID != 0 && c.peersMissing(x.Users, x.Chats, x.ChatID) {
			id, kind := session.SplitMarkedID(x.ChatID)
			var p api.PeerClass = &api.PeerUser{UserID: id}
			if kind == session.PeerChannel {
				p = &api.PeerChannel{ChannelID: id}
			}
			users, chats := c.refetchPeers(ctx, p, x.MsgID)
			x.Users, x.Chats = append(x.Users, users...), append(x.Chats, chats...)
		}
	}
}

// peersMissing reports whether any of the marked ids (0s ignored) is a user
// or channel the session has no usable access hash for. Basic groups need
// none; peers the event carries in full (not min) were cached on arrival.
func (c *Client) peersMissing(users []api.UserClass, chats []api.ChatClass, marked ...int64) bool {
	for _, m := range marked {
		if m == 0 {
			continue
		}
		id, kind := session.SplitMarkedID(m)
		if kind == session.PeerChat || carried(users, chats, id, kind) {
			continue
		}
		p, err := c.store.PeerByID(id, kind)
		if err != nil {
			c.cfg.Logger.Warn("reading a peer from the session failed", "peer", m, "err", err)
			return false
		}
		if p == nil || p.Min {
			return true
		}
	}
	return false
}

// refetchPeers fetches one message again, for the users and chats of the
// answer (cached by Invoke). In a channel, the channel itself must be
// cached; a channel message always arrives with its channel, so it is.
func (c *Client) refetchPeers(ctx context.Context, where api.PeerClass, id int32) ([]api.UserClass, []api.ChatClass) {
	var res any
	var err error
	if ch, ok := where.(*api.PeerChannel); ok {
		p, perr := c.store.PeerByID(ch.ChannelID, session.PeerChannel)
		if perr != nil || p == nil {
			c.cfg.Logger.Warn("updates: the peers of a message are unknown and its channel is not cached", "channel", ch.ChannelID, "message", id)
			return nil, nil
		}
		in, _ := InputChannel(*p)
		res, err = c.Invoke(ctx, &api.ChannelsGetMessagesRequest{Channel: in, ID: []api.InputMessageClass{&api.InputMessageID{ID: id}}})
	} else {
		res, err = c.Invoke(ctx, &api.MessagesGetMessagesRequest{ID: []api.InputMessageClass{&api.InputMessageID{ID: id}}})
	}
	if err != nil {
		c.cfg.Logger.Warn("updates: fetching the peers of a message failed", "message", id, "err", err)
		return nil, nil
	}
	_, users, chats := messagesOf(res)
	return users, chats
}

// carried reports whether users or chats hold the peer in full (not min).
func carried(users []api.UserClass, chats []api.ChatClass, id int64, kind session.PeerKind) bool {
	if kind == session.PeerUser {
		for _, u := range users {
			if x, ok := u.(*api.User); ok && x.ID == id && !x.Min && x.AccessHash.Set {
				return true
			}
		}
		return false
	}
	for _, ch := range chats {
		if x, ok := ch.(*api.Channel); ok && x.ID == id && !x.Min && x.AccessHash.Set {
			return true
		}
	}
	return false
}
