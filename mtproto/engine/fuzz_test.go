package engine

import (
	"encoding/binary"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl/mt"
)

// FuzzMessageHandling feeds arbitrary message bodies, correctly encrypted so
// they pass authentication, to a client and a server engine: message handling
// must never panic, whatever the server (or client) sends.
func FuzzMessageHandling(f *testing.F) {
	f.Add(encodeObject(&mt.MsgsAck{MsgIDs: []int64{1, 2}}), int32(0))
	f.Add(encodeObject(&mt.BadServerSalt{BadMsgID: 4, ErrorCode: 48, NewServerSalt: 9}), int32(1))
	f.Add(encodeObject(&mt.BadMsgNotification{BadMsgID: 4, ErrorCode: 16}), int32(1))
	f.Add(encodeObject(&mt.RPCResult{ReqMsgID: 4, Result: RPCErrorBody(420, "FLOOD_WAIT_3")}), int32(1))
	f.Add(encodeObject(&mt.MsgContainer{Messages: []mt.Message{{MsgID: 1, Seqno: 1, Body: encodeObject(&mt.Pong{MsgID: 4, PingID: 1})}}}), int32(0))
	f.Add(RPCErrorBody(1, "x"), int32(3))
	f.Fuzz(func(t *testing.T, body []byte, seqno int32) {
		if len(body)%4 != 0 || len(body) > 1<<16 {
			return
		}
		p := newPair(t)
		p.client.Send(request(t, 1, 8))
		p.toServer()
		for _, role := range []Role{Client, Server} {
			eng, dir := p.client, crypto.ServerToClient
			if role == Server {
				eng, dir = p.server, crypto.ClientToServer
			}
			msgID := eng.serverNow().Unix() << 32
			if role == Client {
				msgID |= 1
			}
			plain := make([]byte, 32, 32+len(body))
			binary.LittleEndian.PutUint64(plain[0:], uint64(eng.salt))
			binary.LittleEndian.PutUint64(plain[8:], uint64(eng.session))
			binary.LittleEndian.PutUint64(plain[16:], uint64(msgID+1<<20))
			binary.LittleEndian.PutUint32(plain[24:], uint32(seqno))
			binary.LittleEndian.PutUint32(plain[28:], uint32(len(body)))
			plain = append(plain, body...)
			pkt, err := crypto.EncryptMessage(p.key, dir, plain, nil)
			if err != nil {
				t.Fatal(err)
			}
			eng.Receive(pkt)
			for eng.HasOutgoing() {
				if _, err := eng.Flush(); err != nil {
					break
				}
			}
		}
	})
}
