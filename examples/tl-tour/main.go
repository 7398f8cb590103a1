// Command tl-tour walks through the TL layer every other part of Polygram is
// built on: the Telegram API at layer 229 as Go types, the wire encoding, and
// the msgpack form the C API and the bindings use.
package main

import (
	"encoding/hex"
	"fmt"
	"os"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/rpcerr"
	"github.com/polygram/polygram/tl/tlpack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tl-tour:", err)
		os.Exit(1)
	}
}

func run() error {
	fmt.Printf("Polygram TL tour — Telegram API layer %d\n\n", api.Layer)

	// 1. A request as a Go value, encoded for the wire.
	req := &api.MessagesSendMessageRequest{
		Peer:     &api.InputPeerUser{UserID: 777000, AccessHash: -4242},
		Message:  "Hello from Polygram",
		RandomID: 0x1122334455667788,
		Entities: []api.MessageEntityClass{&api.MessageEntityBold{Offset: 0, Length: 5}},
		Silent:   true,
	}
	wire, err := tl.Encode(req)
	if err != nil {
		return err
	}
	fmt.Printf("1. messages.sendMessage as TL (%d bytes):\n   %s\n\n", len(wire), hex.EncodeToString(wire))

	// 2. The same request in msgpack, the shape every binding sees.
	mp, err := tlpack.API().ObjectToMsgpack(nil, wire)
	if err != nil {
		return err
	}
	var generic map[string]any
	if err := msgpack.Unmarshal(mp, &generic); err != nil {
		return err
	}
	fmt.Printf("2. As msgpack (%d bytes), decoded generically:\n   %v\n\n", len(mp), generic)

	// 3. A binding builds a call as a plain map; the bridge computes the flags.
	call := map[string]any{
		"_":           "messages.getHistory",
		"peer":        map[string]any{"_": "inputPeerSelf"},
		"limit":       10,
		"offset_id":   0,
		"offset_date": 0, "add_offset": 0, "max_id": 0, "min_id": 0, "hash": 0,
	}
	callMP, _ := msgpack.Marshal(call)
	callTL, err := tlpack.API().ObjectFromMsgpack(nil, callMP)
	if err != nil {
		return err
	}
	obj, err := tl.Decode(callTL, api.New)
	if err != nil {
		return err
	}
	fmt.Printf("3. A msgpack map became %T:\n   %+v\n\n", obj, *obj.(*api.MessagesGetHistoryRequest))

	// 4. Bad input gets an error naming the field, never a crash.
	bad, _ := msgpack.Marshal(map[string]any{"_": "messages.sendMessage", "message": "hi", "random_id": 1})
	_, err = tlpack.API().ObjectFromMsgpack(nil, bad)
	fmt.Printf("4. A call missing its peer is refused:\n   %v\n\n", err)
	_, err = tl.Decode(wire[:30], api.New)
	fmt.Printf("   Truncated TL is refused:\n   %v\n\n", err)

	// 5. RPC errors are typed.
	info, n, _ := rpcerr.Match("FLOOD_WAIT_42")
	fmt.Printf("5. FLOOD_WAIT_42 is %s (codes %v), number %d: %s\n", info.Name, info.Codes, n, info.Description)
	return nil
}
