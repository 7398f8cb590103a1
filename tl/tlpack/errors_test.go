package tlpack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

func pack(t *testing.T, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFromMsgpackErrorsNameTheField(t *testing.T) {
	b := tlpack.API()
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"unknown constructor", map[string]any{"_": "messages.sendMesage"}, `unknown constructor "messages.sendMesage"`},
		{"no underscore", map[string]any{"peer": 1}, `no "_" key`},
		{"missing required", map[string]any{"_": "messages.sendMessage", "message": "hi", "random_id": 1},
			`messages.sendMessage: missing required field "peer"`},
		{"wrong type", map[string]any{"_": "messages.sendMessage", "peer": map[string]any{"_": "inputPeerUser", "user_id": "seven", "access_hash": 1}, "message": "hi", "random_id": 1},
			"messages.sendMessage.peer.inputPeerUser.user_id: expected int, got str"},
		{"int overflow", map[string]any{"_": "messages.getHistory", "peer": map[string]any{"_": "inputPeerSelf"}, "offset_id": int64(1) << 40, "offset_date": 0, "add_offset": 0, "limit": 1, "max_id": 0, "min_id": 0, "hash": 0},
			"messages.getHistory.offset_id: 1099511627776 does not fit in a TL int"},
		{"constructor of another type", map[string]any{"_": "messages.getHistory", "peer": map[string]any{"_": "user", "id": 1}},
			"user is not a constructor of InputPeer"},
		{"unknown field", map[string]any{"_": "inputPeerSelf", "bogus": 1}, `inputPeerSelf: unknown field "bogus"`},
		{"not a map", []int{1, 2}, "expected map, got array"},
		{"vector element", map[string]any{"_": "users.getUsers", "id": []any{map[string]any{"_": "inputUserSelf"}, 5}},
			"users.getUsers.id.[1]: expected map, got int"},
	}
	for _, c := range cases {
		_, err := b.ObjectFromMsgpack(nil, pack(t, c.in))
		var te *tlpack.Error
		if !errors.As(err, &te) {
			t.Errorf("%s: got %v, want *tlpack.Error", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant …%s…", c.name, err, c.want)
		}
	}
	if _, err := b.ObjectFromMsgpack(nil, []byte{0x81, 0xa1}); err == nil {
		t.Error("truncated msgpack accepted")
	}
	if _, err := b.ObjectFromMsgpack(nil, append(pack(t, map[string]any{"_": "inputPeerSelf"}), 0xc0)); err == nil {
		t.Error("trailing msgpack accepted")
	}
}

func TestMsgpackShape(t *testing.T) {
	msg := &api.Message{
		Out: true, ID: 7, PeerID: &api.PeerUser{UserID: 42}, Date: 1700000000, Message: "hello",
		Entities: []api.MessageEntityClass{&api.MessageEntityBold{Offset: 0, Length: 5}},
		EditDate: tl.Some[int32](0),
	}
	mp, err := tlpack.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := msgpack.Unmarshal(mp, &m); err != nil {
		t.Fatal(err)
	}
	if m["_"] != "message" || m["out"] != true || m["message"] != "hello" {
		t.Fatalf("shape: %v", m)
	}
	if _, ok := m["flags"]; ok {
		t.Error("flags words must not appear")
	}
	if _, ok := m["mentioned"]; ok {
		t.Error("unset true flags must be omitted")
	}
	if _, ok := m["reply_to"]; ok {
		t.Error("absent optional fields must be omitted")
	}
	if v, ok := m["edit_date"]; !ok || v != int8(0) && v != int64(0) && v != uint8(0) {
		t.Errorf("explicit zero edit_date lost: %v (%T)", v, v)
	}
	if peer := m["peer_id"].(map[string]any); peer["_"] != "peerUser" {
		t.Errorf("peer: %v", peer)
	}
	ents := m["entities"].([]any)
	if len(ents) != 1 || ents[0].(map[string]any)["_"] != "messageEntityBold" {
		t.Errorf("entities: %v", ents)
	}
	back, err := tlpack.Unmarshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.(*api.Message); got.Message != "hello" || !got.EditDate.Set || got.PeerID.(*api.PeerUser).UserID != 42 {
		t.Fatalf("back: %+v", got)
	}
	// bytes/int128 → bin, long → int.
	mp, _ = tlpack.Marshal(&api.InputDocument{ID: -5, AccessHash: 1 << 62, FileReference: []byte{1, 2}})
	msgpack.Unmarshal(mp, &m)
	if _, ok := m["file_reference"].([]byte); !ok || m["id"] != int8(-5) {
		t.Errorf("bin/int mapping: %#v", m)
	}
}

func TestResultToMsgpackFollowsWrappers(t *testing.T) {
	b := tlpack.API()
	req, _ := tl.Encode(&api.InvokeWithLayerRequest{Layer: api.Layer, Query: &api.InitConnectionRequest{
		APIID: 1, Query: &api.UsersGetUsersRequest{ID: []api.InputUserClass{&api.InputUserSelf{}}}}})
	typ, err := b.ResultType(req)
	if err != nil || typ != "Vector<User>" {
		t.Fatalf("result type %q %v", typ, err)
	}
	e := tl.NewEncoder(nil)
	tl.ObjectVector(e, []api.UserClass{&api.UserEmpty{ID: 5}}, "")
	mp, err := b.ResultToMsgpack(nil, req, e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var v []map[string]any
	if err := msgpack.Unmarshal(mp, &v); err != nil || len(v) != 1 || v[0]["_"] != "userEmpty" {
		t.Fatalf("%v %v", v, err)
	}
	// A result of the wrong type is refused.
	wrong, _ := tl.Encode(&api.UserEmpty{ID: 5})
	if _, err := b.ResultToMsgpack(nil, req, wrong); err == nil {
		t.Fatal("wrong result type accepted")
	}
	// gzip_packed results are unpacked.
	ge := tl.NewEncoder(nil)
	ge.Uint32(tl.GzipPackedID)
	ge.BytesValue(tl.Gzip(e.Bytes()))
	if _, err := b.ResultToMsgpack(nil, req, ge.Bytes()); err != nil {
		t.Fatalf("gzip_packed result: %v", err)
	}
}
