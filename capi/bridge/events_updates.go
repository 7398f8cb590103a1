package bridge

import (
	"github.com/polygram/polygram/core"
)

// encodeUpdateEvent is the msgpack map of the events of core's updates
// layer beyond new, edited and deleted messages: message_read,
// chat_action, user_update and album. ok is false for other events.
func encodeUpdateEvent(ev core.Event) (b []byte, ok bool, err error) {
	switch x := ev.(type) {
	case *core.MessageRead:
		return kv{"type", "message_read", "chat_id", x.ChatID, "max_id", x.MaxID, "outbox", x.Outbox,
			"still_unread", x.StillUnread}.encode(), true, nil
	case *core.ChatAction:
		m, err := marshal(x.Message)
		if err != nil {
			return nil, true, err
		}
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, true, err
		}
		return kv{"type", "chat_action", "kind", string(x.Kind), "chat_id", x.ChatID, "sender_id", x.SenderID,
			"user_ids", int64s(x.UserIDs), "title", x.Title, "pinned_id", x.PinnedID, "message", m,
			"users", users, "chats", chats}.encode(), true, nil
	case *core.UserUpdate:
		var status raw = raw{0xc0}
		if x.Status != nil {
			if status, err = marshal(x.Status); err != nil {
				return nil, true, err
			}
		}
		return kv{"type", "user_update", "user_id", x.UserID, "chat_id", x.ChatID, "action", x.Action,
			"online", x.Online, "last_seen", x.LastSeen, "status", status}.encode(), true, nil
	case *core.Album:
		msgs := make([]raw, 0, len(x.Messages))
		for _, m := range x.Messages {
			r, err := marshal(m)
			if err != nil {
				return nil, true, err
			}
			msgs = append(msgs, r)
		}
		users, chats, err := entities(x.Users, x.Chats)
		if err != nil {
			return nil, true, err
		}
		return kv{"type", "album", "chat_id", x.ChatID, "sender_id", x.SenderID, "grouped_id", x.GroupedID,
			"out", x.Out, "messages", msgs, "users", users, "chats", chats}.encode(), true, nil
	}
	return nil, false, nil
}

func int64s(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
