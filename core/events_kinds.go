package core

import (
	"strings"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// MessageRead reports that messages up to MaxID were read: by this account
// in another session (Outbox false: the inbox of ChatID is read up to
// MaxID) or by the other side (Outbox true: this account's messages in
// ChatID were read).
type MessageRead struct {
	// ChatID is the marked id of the chat.
	ChatID int64
	MaxID  int32
	Outbox bool
	// StillUnread is how many incoming messages remain unread (inbox only).
	StillUnread int32
	Update      api.UpdateClass
}

// ChatActionKind names what a service message did.
type ChatActionKind string

// The kinds of ChatAction.
const (
	ActionCreated      ChatActionKind = "created"       // the chat or channel was created
	ActionJoined       ChatActionKind = "joined"        // users joined by themselves (or by link)
	ActionAdded        ChatActionKind = "added"         // the sender added users
	ActionLeft         ChatActionKind = "left"          // the sender left
	ActionKicked       ChatActionKind = "kicked"        // the sender removed a user
	ActionTitle        ChatActionKind = "title"         // the title changed (Title)
	ActionPhoto        ChatActionKind = "photo"         // the photo changed
	ActionPhotoRemoved ChatActionKind = "photo_removed" // the photo was removed
	ActionPinned       ChatActionKind = "pinned"        // a message was pinned (PinnedID)
	ActionOther        ChatActionKind = "other"         // any other service message (see Action)
)

// ChatAction is a service message: users joining, leaving, being added or
// removed, the title or photo changing, a message pinned.
type ChatAction struct {
	Kind ChatActionKind
	// ChatID is the marked id of the chat; SenderID the marked id of who
	// did it.
	ChatID   int64
	SenderID int64
	// UserIDs are the users joined, added, left or removed.
	UserIDs []int64
	// Title is the new title (ActionTitle, ActionCreated).
	Title string
	// PinnedID is the pinned message (ActionPinned).
	PinnedID int32
	Message  *api.MessageService
	Action   api.MessageActionClass
	Users    []api.UserClass
	Chats    []api.ChatClass
	Update   api.UpdateClass
}

// UserUpdate reports what a user is doing: typing (or another chat action
// such as recording a voice message) in a chat, or going online or
// offline.
type UserUpdate struct {
	// UserID is the marked id of the user (a channel for anonymous admins).
	UserID int64
	// ChatID is where the user is typing (0 for a status change).
	ChatID int64
	// Action is the chat action ("typing", "cancel", "record_video",
	// "upload_photo", … the TL name without "sendMessage" and "Action",
	// in snake case); empty for a status change. Typing is the raw value.
	Action string
	Typing api.SendMessageActionClass
	// Status is set for a status change: Online reports whether the user is
	// online now, LastSeen the unix time they were last online (or, when
	// online, until when the status holds).
	Status   api.UserStatusClass
	Online   bool
	LastSeen int32
	Users    []api.UserClass
	Chats    []api.ChatClass
	Update   api.UpdateClass
}

// Album is media sent together (the same grouped_id), delivered once with
// all its messages in id order instead of one NewMessage each.
type Album struct {
	ChatID    int64
	SenderID  int64
	GroupedID int64
	Out       bool
	Messages  []*api.Message
	Users     []api.UserClass
	Chats     []api.ChatClass
	// Updates are the raw updates the album was made from.
	Updates []api.UpdateClass
}

func channelMarked(id int64) int64 {
	return session.Peer{ID: id, Kind: session.PeerChannel}.MarkedID()
}

func typing(user, chat int64, a api.SendMessageActionClass, up api.UpdateClass, users []api.UserClass, chats []api.ChatClass) *UserUpdate {
	return &UserUpdate{UserID: user, ChatID: chat, Action: actionName(a), Typing: a, Users: users, Chats: chats, Update: up}
}

// actionName turns sendMessageRecordVideoAction into "record_video".
func actionName(a api.SendMessageActionClass) string {
	if a == nil {
		return ""
	}
	n := strings.TrimSuffix(strings.TrimPrefix(tl.Name(a), "sendMessage"), "Action")
	var b strings.Builder
	for i, r := range n {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func status(x *api.UpdateUserStatus, users []api.UserClass, chats []api.ChatClass) *UserUpdate {
	ev := &UserUpdate{UserID: x.UserID, Status: x.Status, Users: users, Chats: chats, Update: x}
	switch s := x.Status.(type) {
	case *api.UserStatusOnline:
		ev.Online, ev.LastSeen = true, s.Expires
	case *api.UserStatusOffline:
		ev.LastSeen = s.WasOnline
	}
	return ev
}

func chatAction(m *api.MessageService, up api.UpdateClass, users []api.UserClass, chats []api.ChatClass) *ChatAction {
	ev := &ChatAction{Kind: ActionOther, ChatID: MarkedPeerID(m.PeerID), Message: m, Action: m.Action,
		Users: users, Chats: chats, Update: up}
	if m.FromID != nil {
		ev.SenderID = MarkedPeerID(m.FromID)
	} else if p, ok := m.PeerID.(*api.PeerUser); ok {
		ev.SenderID = p.UserID
	}
	switch a := m.Action.(type) {
	case *api.MessageActionChatCreate:
		ev.Kind, ev.Title, ev.UserIDs = ActionCreated, a.Title, a.Users
	case *api.MessageActionChannelCreate:
		ev.Kind, ev.Title = ActionCreated, a.Title
	case *api.MessageActionChatAddUser:
		ev.Kind, ev.UserIDs = ActionAdded, a.Users
		if len(a.Users) == 1 && a.Users[0] == ev.SenderID {
			ev.Kind = ActionJoined
		}
	case *api.MessageActionChatJoinedByLink:
		ev.Kind, ev.UserIDs = ActionJoined, []int64{ev.SenderID}
	case *api.MessageActionChatJoinedByRequest:
		ev.Kind, ev.UserIDs = ActionJoined, []int64{ev.SenderID}
	case *api.MessageActionChatDeleteUser:
		ev.Kind, ev.UserIDs = ActionKicked, []int64{a.UserID}
		if a.UserID == ev.SenderID {
			ev.Kind = ActionLeft
		}
	case *api.MessageActionChatEditTitle:
		ev.Kind, ev.Title = ActionTitle, a.Title
	case *api.MessageActionChatEditPhoto:
		ev.Kind = ActionPhoto
	case *api.MessageActionChatDeletePhoto:
		ev.Kind = ActionPhotoRemoved
	case *api.MessageActionPinMessage:
		ev.Kind = ActionPinned
		if r, ok := m.ReplyTo.(*api.MessageReplyHeader); ok && r.ReplyToMsgID.Set {
			ev.PinnedID = r.ReplyToMsgID.Val
		}
	}
	return ev
}
