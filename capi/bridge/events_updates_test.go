package bridge

import (
	"testing"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/tl/api"
)

func TestUpdateEventsEncodeAsMaps(t *testing.T) {
	cases := []struct {
		ev   core.Event
		typ  string
		key  string
		want any
	}{
		{&core.MessageRead{ChatID: 5, MaxID: 9, Outbox: true}, "message_read", "max_id", int64(9)},
		{&core.ChatAction{Kind: core.ActionAdded, ChatID: -3, UserIDs: []int64{7, 8},
			Message: &api.MessageService{ID: 2, PeerID: &api.PeerChat{ChatID: 3}, Action: &api.MessageActionChatAddUser{Users: []int64{7, 8}}}},
			"chat_action", "kind", "added"},
		{&core.UserUpdate{UserID: 4, ChatID: 4, Action: "typing", Typing: &api.SendMessageTypingAction{}}, "user_update", "action", "typing"},
		{&core.UserUpdate{UserID: 4, Online: true, LastSeen: 100, Status: &api.UserStatusOnline{Expires: 100}}, "user_update", "online", true},
		{&core.Album{ChatID: 4, GroupedID: 77, Messages: []*api.Message{{ID: 1, PeerID: &api.PeerUser{UserID: 4}}, {ID: 2, PeerID: &api.PeerUser{UserID: 4}}}},
			"album", "grouped_id", int64(77)},
	}
	for _, c := range cases {
		b, err := encodeCoreEvent(c.ev)
		if err != nil {
			t.Fatalf("%T: %v", c.ev, err)
		}
		v, err := decodeMsgpack(b)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := v.(map[string]any)
		if !ok || m["type"] != c.typ || m[c.key] != c.want {
			t.Fatalf("%T encoded as %v", c.ev, v)
		}
	}
	b, _ := encodeCoreEvent(cases[4].ev)
	v, _ := decodeMsgpack(b)
	if msgs, ok := v.(map[string]any)["messages"].([]any); !ok || len(msgs) != 2 {
		t.Fatalf("album messages %v", v)
	}
}
