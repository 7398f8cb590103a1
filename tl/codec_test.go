package tl_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/polygram/polygram/internal/testvec"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/mt"
)

// Primitive encodings from tl_serialization (gotd bin tests and
// self-consistent string boundary vectors; see testdata/vectors/README.md).
func TestPrimitiveVectors(t *testing.T) {
	ints := map[string]int32{"int32 0": 0, "int32 1": 1, "int32 -1": -1, "int32 2147483647": 2147483647, "int32 -2147483648": -2147483648}
	longs := map[string]int64{"int64 1": 1, "int64 -1": -1, "int64 9223372036854775807": 9223372036854775807, "int64 -9223372036854775808": -9223372036854775808}
	for id, v := range ints {
		want := testvec.ByID(t, "tl_serialization", id).Hex(t, "hex")
		e := tl.NewEncoder(nil)
		e.Int(v)
		if !bytes.Equal(e.Bytes(), want) {
			t.Errorf("%s: %x want %x", id, e.Bytes(), want)
		}
		if got := tl.NewDecoder(want).Int(); got != v {
			t.Errorf("%s: decoded %d", id, got)
		}
	}
	for id, v := range longs {
		want := testvec.ByID(t, "tl_serialization", id).Hex(t, "hex")
		e := tl.NewEncoder(nil)
		e.Long(v)
		if !bytes.Equal(e.Bytes(), want) {
			t.Errorf("%s: %x want %x", id, e.Bytes(), want)
		}
		if got := tl.NewDecoder(want).Long(); got != v {
			t.Errorf("%s: decoded %d", id, got)
		}
	}
	e := tl.NewEncoder(nil)
	e.Double(1.5)
	if want := testvec.ByID(t, "tl_serialization", "double 1.5").Hex(t, "hex"); !bytes.Equal(e.Bytes(), want) {
		t.Errorf("double: %x", e.Bytes())
	}
	for id, v := range map[string]bool{"boolTrue": true, "boolFalse": false} {
		want := testvec.ByID(t, "tl_serialization", id).Hex(t, "hex")
		e := tl.NewEncoder(nil)
		e.Bool(v)
		if !bytes.Equal(e.Bytes(), want) || tl.NewDecoder(want).Bool() != v {
			t.Errorf("%s: %x", id, e.Bytes())
		}
	}
	e = tl.NewEncoder(nil)
	e.LongVector(nil)
	if want := testvec.ByID(t, "tl_serialization", "vector-empty").Hex(t, "hex"); !bytes.Equal(e.Bytes(), want) {
		t.Errorf("empty vector: %x", e.Bytes())
	}
}

func TestStringLengthForms(t *testing.T) {
	payload := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}
	cases := map[string][]byte{
		"bytes-len-0": {}, "bytes-len-1": []byte("a"), "bytes-len-3": []byte("abc"), "bytes-len-4": []byte("abcd"),
		"bytes-len-6": []byte("кек"), "bytes-len-253": payload(253), "bytes-len-254": payload(254),
		"bytes-len-255": payload(255), "bytes-len-256": payload(256), "bytes-len-1000": payload(1000),
	}
	for id, v := range cases {
		want := testvec.ByID(t, "tl_serialization", id).Hex(t, "hex")
		e := tl.NewEncoder(nil)
		e.BytesValue(v)
		if !bytes.Equal(e.Bytes(), want) {
			t.Errorf("%s: encoded %x…", id, e.Bytes()[:8])
		}
		d := tl.NewDecoder(want)
		if got := d.Bytes(); !bytes.Equal(got, v) || d.Remaining() != 0 || d.Err() != nil {
			t.Errorf("%s: decoded %d bytes, %d left, err %v", id, len(got), d.Remaining(), d.Err())
		}
		d = tl.NewDecoder(want)
		if got := d.String(); got != string(v) {
			t.Errorf("%s: string decoded differently", id)
		}
	}
}

// decodeGolden decodes a golden encoding with a registry, re-encodes it and
// requires identical bytes.
func decodeGolden(t *testing.T, id string, newObject func(uint32) tl.Object) tl.Object {
	t.Helper()
	raw := testvec.ByID(t, "tl_serialization", id).Hex(t, "hex")
	o, err := tl.Decode(raw, newObject)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	again, err := tl.Encode(o)
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("%s: re-encoded %x (err %v), want %x", id, again, err, raw)
	}
	return o
}

func TestGoldenMTProtoObjects(t *testing.T) {
	pq := decodeGolden(t, "resPQ-official", mt.New).(*mt.ResPQ)
	if hex.EncodeToString([]byte(pq.PQ)) != "1460e7d3fa727791" {
		t.Errorf("pq = %x", pq.PQ)
	}
	if len(pq.ServerPublicKeyFingerprints) != 3 {
		t.Errorf("fingerprints %v", pq.ServerPublicKeyFingerprints)
	}
	inner := decodeGolden(t, "p_q_inner_data_dc-official", mt.New).(*mt.PQInnerDataDC)
	if inner.DC != 2 {
		t.Errorf("dc = %d", inner.DC)
	}
	req := decodeGolden(t, "req_pq_multi-official", mt.New).(*mt.ReqPQMultiRequest)
	if req.Nonce != pq.Nonce {
		t.Errorf("nonces differ")
	}
	ping := decodeGolden(t, "ping", mt.New).(*mt.PingRequest)
	if ping.PingID != 0x0123456789abcdef {
		t.Errorf("ping id %x", ping.PingID)
	}
	pdd := decodeGolden(t, "ping_delay_disconnect", mt.New).(*mt.PingDelayDisconnectRequest)
	if pdd.PingID != 1 || pdd.DisconnectDelay != 75 {
		t.Errorf("%+v", pdd)
	}
}

func TestGoldenAPIObjectsFromGoValues(t *testing.T) {
	// Built from Go values, the encodings must equal the published bytes.
	cases := []struct {
		id  string
		obj tl.Object
	}{
		{"messages.getDialogs-no-flags", &api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, Limit: 100}},
		{"messages.getDialogs-flags", &api.MessagesGetDialogsRequest{
			ExcludePinned: true, FolderID: tl.Some[int32](1), OffsetDate: 1700000000, OffsetID: 12345,
			OffsetPeer: &api.InputPeerUser{UserID: 777000, AccessHash: -4242}, Limit: 20, Hash: 0x0102030405060708}},
		{"codeSettings-flags", &api.CodeSettings{
			AllowFlashcall: true, CurrentNumber: true, LogoutTokens: [][]byte{{1, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7}},
			Token: tl.Some("tok"), AppSandbox: tl.Some(true)}},
		{"invokeWithLayer-initConnection-help.getConfig", &api.InvokeWithLayerRequest{Layer: 228, Query: &api.InitConnectionRequest{
			APIID: 12345, DeviceModel: "Go test", SystemVersion: "linux", AppVersion: "0.1.0",
			SystemLangCode: "en", LangCode: "en", Query: &api.HelpGetConfigRequest{}}}},
	}
	for _, c := range cases {
		want := testvec.ByID(t, "tl_serialization", c.id).Hex(t, "hex")
		got, err := tl.Encode(c.obj)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x (%v)\nwant %x", c.id, got, err, want)
		}
		decodeGolden(t, c.id, api.New)
	}
}

func TestExplicitZeroOptionalIsSent(t *testing.T) {
	absent, _ := tl.Encode(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}})
	zero, _ := tl.Encode(&api.MessagesGetDialogsRequest{OffsetPeer: &api.InputPeerEmpty{}, FolderID: tl.Some[int32](0)})
	if len(zero) != len(absent)+4 || zero[4]&2 == 0 {
		t.Fatalf("explicit folder_id 0 not encoded: %x vs %x", zero, absent)
	}
	o, err := tl.Decode(zero, api.New)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := o.(*api.MessagesGetDialogsRequest).FolderID.Get(); !ok || v != 0 {
		t.Fatalf("folder_id after decode: %v %v", v, ok)
	}
}

func TestSharedFlagBitRequiresEveryField(t *testing.T) {
	// token and app_sandbox share flags.8: setting one without the other cannot
	// be encoded faithfully and must be reported, naming the missing field.
	_, err := tl.Encode(&api.InputMediaUploadedPhoto{File: &api.InputFile{}, LivePhoto: true})
	if err == nil || !strings.Contains(err.Error(), "inputMediaUploadedPhoto.video") {
		t.Fatalf("got %v", err)
	}
}

func TestEncodingNilRequiredObjectFails(t *testing.T) {
	_, err := tl.Encode(&api.MessagesGetDialogsRequest{})
	var ee *tl.EncodeError
	if !errors.As(err, &ee) || ee.Field != "messages.getDialogs.offset_peer" {
		t.Fatalf("got %v", err)
	}
	var nilPeer *api.InputPeerUser
	if _, err := tl.Encode(&api.MessagesGetDialogsRequest{OffsetPeer: nilPeer}); err == nil {
		t.Fatal("typed nil pointer accepted")
	}
}

func TestHostileInputIsRejectedWithOffsets(t *testing.T) {
	valid := testvec.ByID(t, "tl_serialization", "messages.getDialogs-flags").Hex(t, "hex")
	for n := 0; n < len(valid); n++ {
		_, err := tl.Decode(valid[:n], api.New)
		var de *tl.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
		if de.Offset > n {
			t.Fatalf("offset %d beyond input %d", de.Offset, n)
		}
	}
	if _, err := tl.Decode(append(valid, 0, 0, 0, 0), api.New); err == nil {
		t.Fatal("trailing bytes accepted")
	}
	// A vector claiming a billion elements must fail before allocating.
	huge := []byte{0x15, 0xc4, 0xb5, 0x1c, 0x00, 0xca, 0x9a, 0x3b}
	d := tl.NewDecoder(huge)
	if v := d.LongVector(); len(v) != 0 || d.Err() == nil {
		t.Fatal("huge vector count accepted")
	}
	// Unknown constructor in place of InputPeer.
	bad := bytes.Clone(valid)
	copy(bad[20:], []byte{1, 2, 3, 4})
	_, err := tl.Decode(bad, api.New)
	var uc *tl.UnknownConstructorError
	if !errors.As(err, &uc) || uc.Type != "InputPeer" {
		t.Fatalf("got %v", err)
	}
	// A known constructor of another type (peerUser#59511722 is a Peer, not
	// an InputPeer) is refused the same way, at the id's offset.
	copy(bad[20:], []byte{0x22, 0x17, 0x51, 0x59})
	_, err = tl.Decode(bad, api.New)
	var de *tl.DecodeError
	if !errors.As(err, &uc) || uc.Type != "InputPeer" || uc.ID != 0x59511722 || !errors.As(err, &de) || de.Offset != 20 {
		t.Fatalf("wrong-class constructor: got %v", err)
	}
	// A string length running past the end.
	d = tl.NewDecoder([]byte{0xfe, 0xff, 0xff, 0x00, 1, 2})
	if s := d.String(); s != "" || !errors.Is(d.Err(), tl.ErrUnexpectedEnd) {
		t.Fatalf("got %v", d.Err())
	}
}

func TestDeepNestingIsBounded(t *testing.T) {
	// textBold#6724abc4 text:RichText nested far past MaxDepth.
	var b []byte
	for i := 0; i < tl.MaxDepth+10; i++ {
		b = append(b, 0xc4, 0xab, 0x24, 0x67)
	}
	b = append(b, 0x53, 0xa6, 0x3b, 0xdc) // textEmpty#dc3d824f
	d := tl.NewDecoder(b)
	api.DecodeRichTextClass(d)
	if d.Err() == nil || !strings.Contains(d.Err().Error(), "nesting") {
		t.Fatalf("got %v", d.Err())
	}
}

func TestGzipPackedIsBounded(t *testing.T) {
	big := make([]byte, 1<<20)
	packed := tl.Gzip(big)
	if _, err := tl.Gunzip(packed, 1<<10); err == nil {
		t.Fatal("limit not enforced")
	}
	out, err := tl.Gunzip(packed, 2<<20)
	if err != nil || len(out) != len(big) {
		t.Fatalf("%d %v", len(out), err)
	}
	e := tl.NewEncoder(nil)
	e.Uint32(tl.GzipPackedID)
	inner := tl.NewEncoder(nil)
	inner.Long(42)
	e.BytesValue(tl.Gzip(inner.Bytes()))
	if v := tl.NewDecoder(e.Bytes()).Unpack().Long(); v != 42 {
		t.Fatalf("unpacked %d", v)
	}
}

func TestDecodedStringsDoNotAliasInput(t *testing.T) {
	raw := testvec.ByID(t, "tl_serialization", "codeSettings-flags").Hex(t, "hex")
	o, err := tl.Decode(raw, api.New)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		raw[i] = 0xff
	}
	cs := o.(*api.CodeSettings)
	if cs.Token.Val != "tok" || !bytes.Equal(cs.LogoutTokens[0], []byte{1, 2, 3}) {
		t.Fatalf("decoded values changed with the input: %+v", cs)
	}
}

func TestRegistryByIDAndName(t *testing.T) {
	for _, id := range api.ConstructorIDs {
		o := api.New(id)
		if o == nil || o.TypeID() != id {
			t.Fatalf("New(%08x) = %v", id, o)
		}
		if byName := api.NewByName(tl.Name(o)); byName == nil || byName.TypeID() != id {
			t.Fatalf("NewByName(%q) = %v", tl.Name(o), byName)
		}
	}
	for _, id := range api.FunctionIDs {
		if _, ok := api.New(id).(tl.Function); !ok {
			t.Fatalf("%08x is not a function", id)
		}
	}
	if len(api.ConstructorIDs) != 1654 || len(api.FunctionIDs) != 813 {
		t.Fatalf("%d constructors, %d functions", len(api.ConstructorIDs), len(api.FunctionIDs))
	}
	if api.New(0x12345678) != nil || api.NewByName("nope") != nil {
		t.Fatal("unknown id or name returned an object")
	}
	// Names come from the tables of both generated packages.
	for o, want := range map[tl.Object]string{
		&api.MessagesSendMessageRequest{}: "messages.sendMessage",
		&api.InputPeerSelf{}:              "inputPeerSelf",
		&mt.MsgsAck{}:                     "msgs_ack",
		&mt.RPCResult{}:                   "rpc_result", // hand-written type, generated name
		unknownObject{}:                   "#12345678",
		nil:                               "<nil>",
	} {
		if got := tl.Name(o); got != want {
			t.Errorf("Name(%T) = %q, want %q", o, got, want)
		}
	}
	if api.Name(0x12345678) != "" || api.Name(0) != "" || api.Name(0xffffffff) != "" {
		t.Error("api.Name of unknown ids")
	}
}

type unknownObject struct{}

func (unknownObject) TypeID() uint32         { return 0x12345678 }
func (unknownObject) EncodeBare(*tl.Encoder) {}
func (unknownObject) DecodeBare(*tl.Decoder) {}

func TestClassifyUpdate(t *testing.T) {
	cases := []struct {
		u    api.UpdateClass
		want api.UpdateSeq
	}{
		{&api.UpdateNewMessage{Message: &api.MessageEmpty{}, Pts: 10, PtsCount: 1}, api.UpdateSeq{Kind: api.SeqPts, Pts: 10, PtsCount: 1}},
		{&api.UpdateNewChannelMessage{Message: &api.Message{PeerID: &api.PeerChannel{ChannelID: 5}}, Pts: 3, PtsCount: 1},
			api.UpdateSeq{Kind: api.SeqChannel, Pts: 3, PtsCount: 1, ChannelID: 5}},
		{&api.UpdateDeleteChannelMessages{ChannelID: 9, Pts: 4, PtsCount: 2}, api.UpdateSeq{Kind: api.SeqChannel, Pts: 4, PtsCount: 2, ChannelID: 9}},
		{&api.UpdateBotStopped{Qts: 8}, api.UpdateSeq{Kind: api.SeqQts, Qts: 8}},
		{&api.UpdateUserTyping{}, api.UpdateSeq{}},
	}
	for _, c := range cases {
		if got := api.ClassifyUpdate(c.u); got != c.want {
			t.Errorf("%s: got %+v want %+v", tl.Name(c.u), got, c.want)
		}
	}
}

func TestEntitiesFindsUsersAndChats(t *testing.T) {
	m := &api.MessagesMessages{Users: []api.UserClass{&api.UserEmpty{ID: 1}}, Chats: []api.ChatClass{&api.ChatEmpty{ID: 2}}}
	users, chats := api.Entities(m)
	if len(users) != 1 || len(chats) != 1 {
		t.Fatalf("%v %v", users, chats)
	}
	users, _ = api.Entities(&api.AuthAuthorization{User: &api.UserEmpty{ID: 3}})
	if len(users) != 1 || users[0].(*api.UserEmpty).ID != 3 {
		t.Fatalf("%v", users)
	}
	if u, c := api.Entities(&api.InputPeerSelf{}); u != nil || c != nil {
		t.Fatal("entities from an object that has none")
	}
}
