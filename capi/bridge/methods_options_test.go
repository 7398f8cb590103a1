package bridge

import (
	"testing"
	"time"
)

// send_message's buttons and schedule, edit_message's buttons, and
// get_dialogs when a chat's top message is a service message.
func TestSendOptionsAndServiceTopMessageThroughFriendlyCalls(t *testing.T) {
	emu := startTestEmulator(t)
	ann, _ := emu.CreateUser("9996631901", "Ann", "", "opt_ann")
	bob, _ := emu.CreateUser("9996631902", "Bob", "", "opt_bob")
	if _, err := emu.CreateChat(bob.ID, "Fresh", ann.ID); err != nil { // top message: the creation
		t.Fatal(err)
	}
	a := newTestClient(t, emu, nil)
	call(t, a, "login", kv{"phone", "+9996631901", "code", "33333"})

	keyboard := kv{"_", "replyInlineMarkup", "rows", []any{kv{"_", "keyboardInlineButtonRow", "buttons", []any{
		kv{"_", "keyboardInlineButton", "text", "Yes", "type", kv{"_", "inlineButtonTypeCallback", "data", []byte("y")}}}}}}
	sent := call(t, a, "send_message", kv{"peer", "@opt_bob", "text", "choose", "buttons", keyboard})
	got := fxListLen(t, call(t, a, "get_messages", kv{"peer", "@opt_bob", "ids", []any{sent["id"]}}), "messages")
	markup, _ := got[0].(map[string]any)["reply_markup"].(map[string]any)
	if markup["_"] != "replyInlineMarkup" {
		t.Fatalf("sent buttons: %v", got[0])
	}
	call(t, a, "edit_message", kv{"peer", "@opt_bob", "id", sent["id"], "text", "chosen", "buttons",
		kv{"_", "replyInlineMarkup", "rows", []any{}}})
	got = fxListLen(t, call(t, a, "get_messages", kv{"peer", "@opt_bob", "ids", []any{sent["id"]}}), "messages")
	if m := got[0].(map[string]any); m["message"] != "chosen" {
		t.Fatalf("edited: %v", m)
	}

	call(t, a, "send_message", kv{"peer", "@opt_bob", "text", "later", "schedule", time.Now().Add(time.Hour).Unix()})
	sched := fxListLen(t, call(t, a, "get_scheduled_messages", kv{"peer", "@opt_bob"}), "messages")
	if len(sched) != 1 || sched[0].(map[string]any)["message"] != "later" {
		t.Fatalf("scheduled: %v", sched)
	}
	if h, _ := emu.History(bob.ID, ann.ID); h[len(h)-1].Text == "later" {
		t.Fatal("the scheduled message was delivered at once")
	}

	dialogs := fxListLen(t, call(t, a, "get_dialogs", kv{}), "dialogs")
	if len(dialogs) != 2 {
		t.Fatalf("dialogs: %v", dialogs)
	}
}
