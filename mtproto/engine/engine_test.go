package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// clock is a virtual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type pair struct {
	t              *testing.T
	key            *crypto.AuthKey
	cc, sc         *clock
	client, server *Engine
}

func newKey(t *testing.T, seed uint64) *crypto.AuthKey {
	raw := make([]byte, 256)
	r := rand.NewChaCha8([32]byte{byte(seed)})
	r.Read(raw)
	k, err := crypto.NewAuthKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newPair makes a client and a server engine sharing a key, with clocks that
// agree unless a test skews one.
func newPair(t *testing.T) *pair {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	p := &pair{t: t, key: newKey(t, 1), cc: &clock{start}, sc: &clock{start}}
	var err error
	p.client, err = New(Config{Role: Client, AuthKey: p.key, Salt: 111, Now: p.cc.now, Rand: rand.NewChaCha8([32]byte{2})})
	if err != nil {
		t.Fatal(err)
	}
	p.server, err = New(Config{Role: Server, AuthKey: p.key, Salt: 111, Now: p.sc.now, Rand: rand.NewChaCha8([32]byte{3})})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pair) tick(d time.Duration) {
	p.cc.t = p.cc.t.Add(d)
	p.sc.t = p.sc.t.Add(d)
}

// toServer flushes the client and delivers every packet to the server.
func (p *pair) toServer() []Event {
	p.t.Helper()
	var evs []Event
	for p.client.HasOutgoing() {
		pkt, err := p.client.Flush()
		if err != nil {
			p.t.Fatal(err)
		}
		got, err := p.server.Receive(pkt)
		if err != nil {
			p.t.Fatalf("server: %v", err)
		}
		evs = append(evs, got...)
	}
	return evs
}

func (p *pair) toClient() []Event {
	p.t.Helper()
	var evs []Event
	for p.server.HasOutgoing() {
		pkt, err := p.server.Flush()
		if err != nil {
			p.t.Fatal(err)
		}
		got, err := p.client.Receive(pkt)
		if err != nil {
			p.t.Fatalf("client: %v", err)
		}
		evs = append(evs, got...)
	}
	return evs
}

// serve answers every Request with its own body reversed-tagged: a pong-like
// echo built as a boxed vector of the request bytes length.
func (p *pair) serve(evs []Event) int {
	n := 0
	for _, ev := range evs {
		if r, ok := ev.(Request); ok {
			p.server.Reply(r.MsgID, echo(r.Body))
			n++
		}
	}
	return n
}

// echo is the test server's answer: a boxed Vector<long> holding the first
// word of the request and its length, so the client can match it.
func echo(req []byte) []byte {
	e := tl.NewEncoder(nil)
	e.LongVector([]int64{int64(binary.LittleEndian.Uint32(req)), int64(len(req))})
	return e.Bytes()
}

func request(t *testing.T, id uint32, size int) []byte {
	t.Helper()
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, id)
	return b
}

func results(evs []Event) map[ReqID][]byte {
	out := map[ReqID][]byte{}
	for _, ev := range evs {
		if r, ok := ev.(Result); ok {
			out[r.Req] = r.Body
		}
	}
	return out
}

func TestRequestRoundTrip(t *testing.T) {
	p := newPair(t)
	body := request(t, 0xdeadbeef, 16)
	id, err := p.client.Send(body)
	if err != nil {
		t.Fatal(err)
	}
	evs := p.toServer()
	if len(evs) != 2 { // ClientSession + Request
		t.Fatalf("server events %#v", evs)
	}
	if cs, ok := evs[0].(ClientSession); !ok || cs.SessionID != p.client.SessionID() {
		t.Fatalf("first event %#v", evs[0])
	}
	if r := evs[1].(Request); !bytes.Equal(r.Body, body) || r.MsgID%4 != 0 {
		t.Fatalf("request %#v", r)
	}
	p.serve(evs)
	cevs := p.toClient()
	res := results(cevs)
	if !bytes.Equal(res[id], echo(body)) {
		t.Fatalf("client events %#v", cevs)
	}
	var sawSession bool
	for _, ev := range cevs {
		if ns, ok := ev.(NewSession); ok && ns.FirstMsgID != 0 {
			sawSession = true
		}
	}
	if !sawSession {
		t.Error("no NewSession event for the first message")
	}
	if p.client.Pending() != 0 {
		t.Errorf("pending %d", p.client.Pending())
	}
	// The client now owes acks for the server's content messages.
	if !p.client.HasOutgoing() {
		t.Fatal("client has no acks to send")
	}
	p.toServer()
	if len(p.server.sent) != 0 {
		t.Errorf("server still tracks %d unacknowledged messages", len(p.server.sent))
	}
}

func TestRequestsAreBatchedIntoContainers(t *testing.T) {
	p := newPair(t)
	var ids []ReqID
	for i := 0; i < 5; i++ {
		id, _ := p.client.Send(request(t, uint32(i+1), 8))
		ids = append(ids, id)
	}
	pkt, err := p.client.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if p.client.HasOutgoing() {
		t.Fatal("five small requests did not fit in one packet")
	}
	plain, err := crypto.DecryptMessage(p.key, crypto.ClientToServer, pkt)
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(plain[32:]) != mt.MsgContainerID {
		t.Fatal("not a container")
	}
	evs, err := p.server.Receive(pkt)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.serve(evs); n != 5 {
		t.Fatalf("server got %d requests", n)
	}
	res := results(p.toClient())
	for i, id := range ids {
		if !bytes.Equal(res[id], echo(request(t, uint32(i+1), 8))) {
			t.Fatalf("request %d: %x", i, res[id])
		}
	}
}

func TestMsgIDsAreMonotonicWithClientParityAndSeqnos(t *testing.T) {
	p := newPair(t)
	var last int64
	for i := 0; i < 50; i++ {
		p.client.Send(request(t, 1, 8))
		pkt, _ := p.client.Flush()
		plain, err := crypto.DecryptMessage(p.key, crypto.ClientToServer, pkt)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := parseHeader(plain)
		if h.msgID%4 != 0 || h.msgID <= last {
			t.Fatalf("msg_id %#x after %#x", h.msgID, last)
		}
		if h.seqno != int32(2*i+1) {
			t.Fatalf("seqno %d, want %d", h.seqno, 2*i+1)
		}
		if got := msgIDTime(h.msgID); !got.Equal(p.cc.t.Truncate(time.Second)) {
			t.Fatalf("msg_id time %v", got)
		}
		last = h.msgID
	}
}

func TestBadServerSaltIsStoredAndRequestResent(t *testing.T) {
	p := newPair(t)
	p.server.SetSalt(222)
	id, _ := p.client.Send(request(t, 7, 8))
	evs := p.toServer()
	if n := p.serve(evs); n != 0 {
		t.Fatal("request with a stale salt was executed")
	}
	p.toClient() // bad_server_salt
	if p.client.Salt() != 222 {
		t.Fatalf("salt %d", p.client.Salt())
	}
	if n := p.serve(p.toServer()); n != 1 {
		t.Fatalf("resent request executed %d times", n)
	}
	if _, ok := results(p.toClient())[id]; !ok {
		t.Fatal("no result after the salt change")
	}
}

func TestClockSkewIsCorrected(t *testing.T) {
	for _, skew := range []time.Duration{time.Hour, -time.Hour} {
		p := newPair(t)
		p.cc.t = p.cc.t.Add(skew)
		id, _ := p.client.Send(request(t, 9, 8))
		if n := p.serve(p.toServer()); n != 0 {
			t.Fatalf("skew %v: request with a bad msg_id was executed", skew)
		}
		p.toClient() // bad_msg_notification 16 or 17, accepted despite the skew
		if off := p.client.TimeOffset(); (off + skew).Abs() > 2*time.Second {
			t.Fatalf("skew %v: offset %v", skew, off)
		}
		if n := p.serve(p.toServer()); n != 1 {
			t.Fatalf("skew %v: resent request executed %d times", skew, n)
		}
		if _, ok := results(p.toClient())[id]; !ok {
			t.Fatalf("skew %v: no result", skew)
		}
	}
}

func TestReplayedPacketIsRejected(t *testing.T) {
	p := newPair(t)
	id, _ := p.client.Send(request(t, 3, 8))
	p.serve(p.toServer())
	pkt, err := p.server.Flush()
	if err != nil {
		t.Fatal(err)
	}
	evs, err := p.client.Receive(pkt)
	if err != nil || len(results(evs)) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	_ = id
	evs, err = p.client.Receive(pkt)
	if !errors.Is(err, ErrReplay) || len(evs) != 0 {
		t.Fatalf("replay: %v %v", evs, err)
	}
	// The server rejects a replayed client packet the same way: no second
	// execution.
	p.client.Send(request(t, 4, 8))
	cp, _ := p.client.Flush()
	evs, _ = p.server.Receive(cp)
	evs2, _ := p.server.Receive(cp)
	if len(evs) != 1 || len(evs2) != 0 {
		t.Fatalf("server replay: %v then %v", evs, evs2)
	}
}

func TestTamperedAndForeignPacketsAreRejected(t *testing.T) {
	p := newPair(t)
	p.client.Send(request(t, 5, 8))
	pkt, _ := p.client.Flush()
	bad := bytes.Clone(pkt)
	bad[len(bad)-1] ^= 1
	if _, err := p.server.Receive(bad); !errors.Is(err, crypto.ErrMsgKeyMismatch) {
		t.Fatalf("tampered: %v", err)
	}
	other, _ := New(Config{Role: Server, AuthKey: newKey(t, 9), Now: p.sc.now})
	if _, err := other.Receive(pkt); !errors.Is(err, ErrAuthKeyID) {
		t.Fatalf("foreign key: %v", err)
	}
	// A server packet for another session.
	evs, err := p.server.Receive(pkt)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(evs)
	spkt, _ := p.server.Flush()
	c2, _ := New(Config{Role: Client, AuthKey: p.key, Now: p.cc.now})
	if _, err := c2.Receive(spkt); !errors.Is(err, ErrSession) {
		t.Fatalf("other session: %v", err)
	}
	for _, n := range []int{0, 8, 23, 24, 40, 57} {
		if _, err := p.client.Receive(spkt[:n]); err == nil {
			t.Fatalf("truncated to %d accepted", n)
		}
	}
}

func TestBadMessageInsideContainerIsNotifiedAndResent(t *testing.T) {
	p := newPair(t)
	a, _ := p.client.Send(request(t, 1, 8))
	b, _ := p.client.Send(request(t, 2, 8))
	// Build the packet by hand with b's inner msg_id made odd.
	p.client.queue[1].msgID = 0
	pkt, _ := p.client.Flush()
	plain, _ := crypto.DecryptMessage(p.key, crypto.ClientToServer, pkt)
	h, body := parseHeader(plain)
	var c mt.MsgContainer
	d := tl.NewDecoder(body[4:])
	c.DecodeBare(d)
	badID := c.Messages[1].MsgID
	c.Messages[1].MsgID |= 2 // not divisible by 4
	e := tl.NewEncoder(nil)
	e.Object(&c, "")
	hdr := make([]byte, 32)
	copy(hdr, plain[:28])
	binary.LittleEndian.PutUint32(hdr[28:], uint32(e.Len()))
	forged, _ := crypto.EncryptMessage(p.key, crypto.ClientToServer, append(hdr, e.Bytes()...), nil)
	_ = h
	evs, err := p.server.Receive(forged)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.serve(evs); n != 1 {
		t.Fatalf("%d requests executed, want only the good one", n)
	}
	// The notification names the bad id; the client knows it by the id it
	// sent, so map it back for the check.
	p.client.sent[badID|2] = p.client.sent[badID]
	res := results(p.toClient())
	if _, ok := res[a]; !ok {
		t.Fatal("good request got no answer")
	}
	if n := p.serve(p.toServer()); n != 1 {
		t.Fatal("bad request was not resent")
	}
	if _, ok := results(p.toClient())[b]; !ok {
		t.Fatal("resent request got no answer")
	}
}

func TestReconnectResendsWithoutExecutingTwice(t *testing.T) {
	p := newPair(t)
	// 1. The request is lost on the way: after the reconnect it is sent
	//    again with the same msg_id and executed once.
	id, _ := p.client.Send(request(t, 11, 8))
	lost, _ := p.client.Flush()
	p.client.Reconnected()
	again, _ := p.client.Flush()
	h1, _ := parseHeader(mustDecrypt(t, p.key, lost))
	h2, _ := parseHeader(mustDecrypt(t, p.key, again))
	if h1.msgID != h2.msgID {
		t.Fatalf("resent with a new msg_id %#x → %#x", h1.msgID, h2.msgID)
	}
	evs, _ := p.server.Receive(again)
	if p.serve(evs) != 1 {
		t.Fatal("not executed")
	}
	// 2. The answer is lost: the client resends, the server answers from its
	//    cache without executing again.
	p.server.Flush() // dropped
	p.client.Reconnected()
	if n := p.serve(p.toServer()); n != 0 {
		t.Fatalf("request executed %d more times", n)
	}
	if _, ok := results(p.toClient())[id]; !ok {
		t.Fatal("no answer from the cache")
	}
	if p.client.Pending() != 0 {
		t.Fatal("still pending")
	}
}

func mustDecrypt(t *testing.T, k *crypto.AuthKey, pkt []byte) []byte {
	t.Helper()
	plain, err := crypto.DecryptMessage(k, crypto.ClientToServer, pkt)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

func TestGzipOnlyWhenSmaller(t *testing.T) {
	p := newPair(t)
	compressible := request(t, 0x11223344, 4096)
	p.client.Send(compressible)
	pkt, _ := p.client.Flush()
	if len(pkt) > 1024 {
		t.Fatalf("compressible request sent as %d bytes", len(pkt))
	}
	evs, _ := p.server.Receive(pkt)
	if r := evs[len(evs)-1].(Request); !bytes.Equal(r.Body, compressible) {
		t.Fatal("server did not unpack the request")
	}
	random := make([]byte, 4096)
	rand.NewChaCha8([32]byte{5}).Read(random)
	p.client.Send(random)
	pkt, _ = p.client.Flush()
	if len(pkt) < 4096 {
		t.Fatal("incompressible body was shrunk?")
	}
	plain := mustDecrypt(t, p.key, pkt)
	if binary.LittleEndian.Uint32(plain[32:]) == tl.GzipPackedID {
		t.Fatal("incompressible body was gzip-packed")
	}
}

func TestCancelDropsTheAnswer(t *testing.T) {
	p := newPair(t)
	id, _ := p.client.Send(request(t, 1, 8))
	evs := p.toServer()
	if !p.client.Cancel(id) || p.client.Cancel(id) {
		t.Fatal("cancel should succeed once")
	}
	p.serve(evs)
	if _, ok := results(p.toClient())[id]; ok {
		t.Fatal("a cancelled request got a result")
	}
	// The cancellation went out as rpc_drop_answer, which the server answers.
	p.toServer()
	unknown := (&mt.RPCAnswerUnknown{}).TypeID()
	var dropped bool
	for _, m := range p.server.queue {
		body := m.appendWire(nil)
		if binary.LittleEndian.Uint32(body) == mt.RPCResultID && binary.LittleEndian.Uint32(body[12:]) == unknown {
			dropped = true
		}
	}
	if !dropped {
		t.Fatal("no rpc_drop_answer reached the server")
	}
}

func TestSeqnoTooLowStartsANewSession(t *testing.T) {
	p := newPair(t)
	id, _ := p.client.Send(request(t, 1, 8))
	pkt, _ := p.client.Flush()
	h, _ := parseHeader(mustDecrypt(t, p.key, pkt))
	old := p.client.SessionID()
	p.server.queueService(&mt.BadMsgNotification{BadMsgID: h.msgID, BadMsgSeqno: h.seqno, ErrorCode: 32})
	p.server.session = old
	var reset bool
	for _, ev := range p.toClient() {
		if _, ok := ev.(SessionReset); ok {
			reset = true
		}
	}
	if !reset || p.client.SessionID() == old {
		t.Fatal("no new session")
	}
	if n := p.serve(p.toServer()); n != 1 {
		t.Fatal("request not resent in the new session")
	}
	if _, ok := results(p.toClient())[id]; !ok {
		t.Fatal("no result in the new session")
	}
}

func TestServerRejectsStaleAndFutureMsgIDs(t *testing.T) {
	for _, c := range []struct {
		skew time.Duration
		code int32
	}{{-10 * time.Minute, 16}, {time.Minute, 17}} {
		p := newPair(t)
		p.cc.t = p.cc.t.Add(c.skew)
		p.client.Send(request(t, 1, 8))
		p.toServer()
		var got int32
		for _, m := range p.server.queue {
			if binary.LittleEndian.Uint32(m.body) == idBadMsgNotification {
				got = int32(binary.LittleEndian.Uint32(m.body[16:]))
			}
		}
		if got != c.code {
			t.Errorf("skew %v: code %d, want %d", c.skew, got, c.code)
		}
	}
}

func TestPingIsAnsweredWithPong(t *testing.T) {
	p := newPair(t)
	id, _ := p.client.Send(encodeObject(&mt.PingDelayDisconnectRequest{PingID: 77, DisconnectDelay: 75}))
	evs := p.toServer()
	var ka bool
	for _, ev := range evs {
		if k, ok := ev.(KeepAlive); ok && k.DisconnectDelay == 75 {
			ka = true
		}
	}
	if !ka {
		t.Fatal("no KeepAlive event")
	}
	res := results(p.toClient())
	var pong mt.Pong
	d := tl.NewDecoder(res[id])
	d.Uint32()
	pong.DecodeBare(d)
	if pong.PingID != 77 {
		t.Fatalf("pong %+v", pong)
	}
}

func TestOversizedRequestIsRefused(t *testing.T) {
	p := newPair(t)
	big := make([]byte, 2<<20)
	rand.NewChaCha8([32]byte{}).Read(big)
	if _, err := p.client.Send(big); !errors.Is(err, ErrPacketTooBig) {
		t.Fatalf("got %v", err)
	}
	if _, err := p.client.Send([]byte{1, 2, 3}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

func TestReplayWindowForgetsSafely(t *testing.T) {
	w := newReplayWindow(4)
	for _, id := range []int64{10, 20, 30, 40} {
		if !w.add(id) {
			t.Fatalf("fresh id %d refused", id)
		}
	}
	if w.add(30) {
		t.Fatal("duplicate accepted")
	}
	if !w.add(50) { // forgets 10
		t.Fatal("fresh id refused")
	}
	if w.add(10) || w.add(5) {
		t.Fatal("an id at or below a forgotten one was accepted")
	}
	if !w.add(45) {
		t.Fatal("an id above the floor was refused")
	}
}

func TestSendBuiltSeesItsMsgID(t *testing.T) {
	p := newPair(t)
	var seen []int64
	id := p.client.SendBuilt(func(msgID int64) ([]byte, error) {
		seen = append(seen, msgID)
		b := make([]byte, 12)
		binary.LittleEndian.PutUint32(b, 0xabcdef01)
		binary.LittleEndian.PutUint64(b[4:], uint64(msgID))
		return b, nil
	}, 12)
	evs := p.toServer()
	r := evs[len(evs)-1].(Request)
	if len(seen) != 1 || int64(binary.LittleEndian.Uint64(r.Body[4:])) != r.MsgID || r.MsgID != seen[0] {
		t.Fatalf("body does not carry its msg_id: %x vs %x", r.Body, r.MsgID)
	}
	p.serve(evs)
	if _, ok := results(p.toClient())[id]; !ok {
		t.Fatal("no result")
	}
}

func TestAnsweredContainersAreForgotten(t *testing.T) {
	p := newPair(t)
	for round := 0; round < 500; round++ {
		p.client.Send(request(t, 1, 8))
		p.client.Send(request(t, 2, 8))
		p.serve(p.toServer())
		p.toClient()
	}
	if n := len(p.client.conts); n > 2*len(p.client.sent)+65 {
		t.Fatalf("%d containers still tracked after every request was answered", n)
	}
}

// Large messages alone in a packet are encrypted from their bodies where
// they lie (crypto.EncryptMessageParts): a 200 KB request and a 300 KB
// answer arrive intact, and the answer resent from the server's cache after
// a lost packet is intact too.
func TestLargeMessagesRoundTripAndResendIntact(t *testing.T) {
	p := newPair(t)
	big := func(id uint32, n int) []byte {
		b := make([]byte, n)
		r := rand.New(rand.NewPCG(uint64(id), uint64(n)))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		binary.LittleEndian.PutUint32(b, id)
		return b
	}
	req := big(21, 200_000)
	id, err := p.client.Send(req)
	if err != nil {
		t.Fatal(err)
	}
	var reqMsgID int64
	for _, ev := range p.toServer() {
		if r, ok := ev.(Request); ok {
			if !bytes.Equal(r.Body, req) {
				t.Fatal("request body changed on the way")
			}
			reqMsgID = r.MsgID
		}
	}
	answer := big(22, 300_000)
	p.server.Reply(reqMsgID, answer)
	p.server.Flush() // lost
	p.client.Reconnected()
	p.toServer() // the resent request: answered from the cache
	if got := results(p.toClient())[id]; !bytes.Equal(got, answer) {
		t.Fatalf("answer of %d bytes, want %d intact", len(got), len(answer))
	}
}
