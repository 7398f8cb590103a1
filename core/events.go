package core

import (
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// Event is a high-level update: *NewMessage, *MessageEdited,
// *MessageDeleted, *MessageRead, *ChatAction, *UserUpdate, *Album, or
// *RawUpdate for everything else. Each carries what a handler needs without
// a network call; the peers needed to reply are already cached.
type Event interface{ isEvent() }

// NewMessage is a new message in any chat.
type NewMessage struct {
	Message *api.Message
	// ChatID is the marked id of the chat (user id, -chat id, -100…channel id).
	ChatID int64
	// SenderID is the marked id of the sender (0 for anonymous channel posts).
	SenderID int64
	// Out reports a message sent by this account.
	Out   bool
	Users []api.UserClass
	Chats []api.ChatClass
	// Update is the raw update the event was made from.
	Update api.UpdateClass
}

// MessageEdited is an edited message.
type MessageEdited struct {
	Message  *api.Message
	ChatID   int64
	SenderID int64
	Users    []api.UserClass
	Chats    []api.ChatClass
	Update   api.UpdateClass
}

// MessageDeleted lists deleted message ids; ChannelID is set for channels
// (ids in private chats and groups are unique per account).
type MessageDeleted struct {
	IDs       []int32
	ChannelID int64
	Update    api.UpdateClass
}

// RawUpdate is any update without a dedicated event.
type RawUpdate struct {
	Update api.UpdateClass
	Users  []api.UserClass
	Chats  []api.ChatClass
}

func (*NewMessage) isEvent()     {}
func (*MessageEdited) isEvent()  {}
func (*MessageDeleted) isEvent() {}
func (*RawUpdate) isEvent()      {}
func (*MessageRead) isEvent()    {}
func (*ChatAction) isEvent()     {}
func (*UserUpdate) isEvent()     {}
func (*Album) isEvent()          {}

// MarkedPeerID returns the marked id of a Peer.
func MarkedPeerID(p api.PeerClass) int64 {
	switch x := p.(type) {
	case *api.PeerUser:
		return session.Peer{ID: x.UserID, Kind: session.PeerUser}.MarkedID()
	case *api.PeerChat:
		return session.Peer{ID: x.ChatID, Kind: session.PeerChat}.MarkedID()
	case *api.PeerChannel:
		return session.Peer{ID: x.ChannelID, Kind: session.PeerChannel}.MarkedID()
	}
	return 0
}

// eventsOf turns a dispatched batch of updates into events.
func eventsOf(ups []api.UpdateClass, users []api.UserClass, chats []api.ChatClass) []Event {
	var out []Event
	for _, up := range ups {
		switch x := up.(type) {
		case *api.UpdateNewMessage:
			if ev := newMessage(x.Message, up, users, chats); ev != nil {
				out = append(out, ev)
			}
		case *api.UpdateNewChannelMessage:
			if ev := newMessage(x.Message, up, users, chats); ev != nil {
				out = append(out, ev)
			}
		case *api.UpdateEditMessage:
			if m, ok := x.Message.(*api.Message); ok {
				out = append(out, &MessageEdited{Message: m, ChatID: MarkedPeerID(m.PeerID), SenderID: sender(m), Users: users, Chats: chats, Update: up})
			}
		case *api.UpdateEditChannelMessage:
			if m, ok := x.Message.(*api.Message); ok {
				out = append(out, &MessageEdited{Message: m, ChatID: MarkedPeerID(m.PeerID), SenderID: sender(m), Users: users, Chats: chats, Update: up})
			}
		case *api.UpdateDeleteMessages:
			out = append(out, &MessageDeleted{IDs: x.Messages, Update: up})
		case *api.UpdateDeleteChannelMessages:
			out = append(out, &MessageDeleted{IDs: x.Messages, ChannelID: x.ChannelID, Update: up})
		case *api.UpdateReadHistoryInbox:
			out = append(out, &MessageRead{ChatID: MarkedPeerID(x.Peer), MaxID: x.MaxID, StillUnread: x.StillUnreadCount, Update: up})
		case *api.UpdateReadHistoryOutbox:
			out = append(out, &MessageRead{ChatID: MarkedPeerID(x.Peer), MaxID: x.MaxID, Outbox: true, Update: up})
		case *api.UpdateReadChannelInbox:
			out = append(out, &MessageRead{ChatID: channelMarked(x.ChannelID), MaxID: x.MaxID, StillUnread: x.StillUnreadCount, Update: up})
		case *api.UpdateReadChannelOutbox:
			out = append(out, &MessageRead{ChatID: channelMarked(x.ChannelID), MaxID: x.MaxID, Outbox: true, Update: up})
		case *api.UpdateUserTyping:
			out = append(out, typing(x.UserID, x.UserID, x.Action, up, users, chats))
		case *api.UpdateChatUserTyping:
			out = append(out, typing(MarkedPeerID(x.FromID), session.Peer{ID: x.ChatID, Kind: session.PeerChat}.MarkedID(), x.Action, up, users, chats))
		case *api.UpdateChannelUserTyping:
			out = append(out, typing(MarkedPeerID(x.FromID), channelMarked(x.ChannelID), x.Action, up, users, chats))
		case *api.UpdateUserStatus:
			out = append(out, status(x, users, chats))
		default:
			if ev := botEvent(up, users, chats); ev != nil { // CallbackQuery, InlineQuery (events_bots.go)
				out = append(out, ev)
				continue
			}
			out = append(out, &RawUpdate{Update: up, Users: users, Chats: chats})
		}
	}
	return out
}

func newMessage(mc api.MessageClass, up api.UpdateClass, users []api.UserClass, chats []api.ChatClass) Event {
	m, ok := mc.(*api.Message)
	if !ok {
		if svc, ok := mc.(*api.MessageService); ok {
			return chatAction(svc, up, users, chats)
		}
		return &RawUpdate{Update: up, Users: users, Chats: chats}
	}
	return &NewMessage{Message: m, ChatID: MarkedPeerID(m.PeerID), SenderID: sender(m), Out: m.Out, Users: users, Chats: chats, Update: up}
}

func sender(m *api.Message) int64 {
	if m.FromID != nil {
		return MarkedPeerID(m.FromID)
	}
	if p, ok := m.PeerID.(*api.PeerUser); ok {
		return p.UserID // private chats omit from_id for the other side
	}
	return 0
}
