package engine

import (
	"fmt"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// KeepAlive reports (server role) a ping_delay_disconnect: the server should
// close the connection if nothing arrives within DisconnectDelay seconds.
type KeepAlive struct{ DisconnectDelay int32 }

func (KeepAlive) isEvent() {}

// answerCache keeps recent answers by request msg_id so that a request
// received twice (a client resending after a reconnect) is answered again
// without being executed again.
type answerCache struct {
	size    int
	answers map[int64][]byte // nil value: executing, no answer yet
	order   []int64
	bytes   int // of the answers kept, bounded by maxAnswerBytes
}

// maxAnswerBytes bounds the memory of a session's cache: file parts are
// 1 MB answers, and 1024 of them per session would be a gigabyte; a client
// runs a few sessions per key (file connections). Only the newest answers,
// those still unacknowledged, can be asked for again, so the oldest go first.
const maxAnswerBytes = 8 << 20

func newAnswerCache(size int) *answerCache {
	return &answerCache{size: size, answers: map[int64][]byte{}}
}

func (c *answerCache) evictOldest() {
	c.bytes -= len(c.answers[c.order[0]])
	delete(c.answers, c.order[0])
	c.order = c.order[1:]
}

func (c *answerCache) start(msgID int64) {
	if len(c.order) >= c.size {
		c.evictOldest()
	}
	c.answers[msgID] = nil
	c.order = append(c.order, msgID)
}

// set records the answer to a request being executed.
func (c *answerCache) set(msgID int64, ans []byte) {
	if _, ok := c.answers[msgID]; !ok {
		return
	}
	c.bytes += len(ans) - len(c.answers[msgID])
	c.answers[msgID] = ans
	for c.bytes > maxAnswerBytes && len(c.order) > 1 && c.order[0] != msgID {
		c.evictOldest()
	}
}

// serverReceive handles a packet received by a server engine.
func (e *Engine) serverReceive(h header, body []byte) ([]Event, error) {
	var evs []Event
	if h.session != e.session {
		// A new session from this client: start it afresh, as Telegram does.
		e.session = h.session
		e.seq = 0
		e.seen = newReplayWindow(e.cfg.ReplayWindow)
		e.acks = nil
		uid, err := e.randInt64()
		if err != nil {
			return nil, err
		}
		e.queueService(&mt.NewSessionCreated{FirstMsgID: h.msgID, UniqueID: uid, ServerSalt: e.salt})
		evs = append(evs, ClientSession{SessionID: h.session})
	}
	valid := e.cfg.ValidSalt
	if valid == nil {
		valid = func(s int64) bool { return s == e.salt }
	}
	if !valid(h.salt) {
		e.queueService(&mt.BadServerSalt{BadMsgID: h.msgID, BadMsgSeqno: h.seqno, ErrorCode: 48, NewServerSalt: e.salt})
		return evs, nil
	}
	if err := e.serverMessage(h.msgID, h.seqno, body, true, &evs); err != nil {
		return evs, err
	}
	return evs, nil
}

// badMsgCode returns the bad_msg_notification code for a client message, or 0.
func (e *Engine) badMsgCode(msgID int64, seqno int32, body []byte) int32 {
	if msgID&3 != 0 {
		return 18 // msg_id not divisible by 4
	}
	now := e.serverNow()
	t := msgIDTime(msgID)
	if t.Before(now.Add(-e.cfg.MaxPastSkew)) {
		return 16 // too low: the client's clock is behind
	}
	if t.After(now.Add(e.cfg.MaxFutureSkew)) {
		return 17 // too high: the client's clock is ahead
	}
	content := isContent(body)
	if content && seqno&1 == 0 {
		return 34 // even seqno for a content-related message
	}
	if !content && seqno&1 == 1 {
		return 35 // odd seqno for a message that is not content-related
	}
	return 0
}

func (e *Engine) serverMessage(msgID int64, seqno int32, body []byte, outer bool, evs *[]Event) error {
	if len(body) < 4 {
		return fmt.Errorf("%w: %d-byte body", ErrMalformed, len(body))
	}
	if code := e.badMsgCode(msgID, seqno, body); code != 0 {
		e.queueService(&mt.BadMsgNotification{BadMsgID: msgID, BadMsgSeqno: seqno, ErrorCode: code})
		return nil
	}
	if !e.seen.add(msgID) {
		// A duplicate: answer again from the cache if we can; never execute twice.
		if ans, ok := e.answers.answers[msgID]; ok && ans != nil {
			e.queueReply(msgID, ans)
		}
		return nil
	}
	if seqno&1 == 1 {
		e.acks = append(e.acks, msgID)
	}
	d := tl.NewDecoder(body)
	switch d.Uint32() {
	case mt.MsgContainerID:
		if !outer {
			e.queueService(&mt.BadMsgNotification{BadMsgID: msgID, BadMsgSeqno: seqno, ErrorCode: 64})
			return nil
		}
		var c mt.MsgContainer
		c.DecodeBare(d)
		if d.Err() != nil {
			e.queueService(&mt.BadMsgNotification{BadMsgID: msgID, BadMsgSeqno: seqno, ErrorCode: 64})
			return nil
		}
		for _, m := range c.Messages {
			if m.MsgID >= msgID {
				e.queueService(&mt.BadMsgNotification{BadMsgID: m.MsgID, BadMsgSeqno: m.Seqno, ErrorCode: 64})
				continue
			}
			if err := e.serverMessage(m.MsgID, m.Seqno, m.Body, false, evs); err != nil {
				return err
			}
		}
		return nil
	case tl.GzipPackedID:
		inner := tl.NewDecoder(body).Unpack()
		if inner.Err() != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, inner.Err())
		}
		body = inner.Rest()
	}
	return e.serverBody(msgID, body, evs)
}

func (e *Engine) serverBody(msgID int64, body []byte, evs *[]Event) error {
	d := tl.NewDecoder(body)
	id := d.Uint32()
	decode := func(o tl.Object) error { return decodeBody(d, o) }
	if done, err := e.commonBody(id, d, msgID); done || err != nil {
		return err
	}
	switch id {
	case idPing:
		var p mt.PingRequest
		if err := decode(&p); err != nil {
			return err
		}
		e.queueService(&mt.Pong{MsgID: msgID, PingID: p.PingID})
	case idPingDelay:
		var p mt.PingDelayDisconnectRequest
		if err := decode(&p); err != nil {
			return err
		}
		e.queueService(&mt.Pong{MsgID: msgID, PingID: p.PingID})
		*evs = append(*evs, KeepAlive{DisconnectDelay: p.DisconnectDelay})
	case idGetFutureSalts:
		var q mt.GetFutureSaltsRequest
		if err := decode(&q); err != nil {
			return err
		}
		now := int32(e.serverNow().Unix())
		salts := []*mt.FutureSalt{{ValidSince: now - 1800, ValidUntil: now + 1800, Salt: e.salt}}
		e.queueService(&mt.FutureSalts{ReqMsgID: msgID, Now: now, Salts: salts})
	case idRPCDropAnswer:
		var q mt.RPCDropAnswerRequest
		if err := decode(&q); err != nil {
			return err
		}
		e.Reply(msgID, encodeObject(&mt.RPCAnswerUnknown{}))
	case idDestroySession:
		var q mt.DestroySessionRequest
		if err := decode(&q); err != nil {
			return err
		}
		e.Reply(msgID, encodeObject(&mt.DestroySessionNone{SessionID: q.SessionID}))
	default:
		e.answers.start(msgID)
		*evs = append(*evs, Request{MsgID: msgID, Body: body})
	}
	return nil
}

func encodeObject(o tl.Object) []byte {
	b, _ := tl.Encode(o)
	return b
}

// Reply answers the request received as reqMsgID with a boxed result (or an
// rpc_error built with RPCErrorBody). Large results are gzip-packed.
func (e *Engine) Reply(reqMsgID int64, result []byte) {
	result = e.maybeGzip(result)
	e.answers.set(reqMsgID, result)
	e.queueReply(reqMsgID, result)
}

func (e *Engine) queueReply(reqMsgID int64, result []byte) {
	e.queue = append(e.queue, &outMsg{body: result, answers: reqMsgID, content: true})
}

// RPCErrorBody encodes an rpc_error for Reply.
func RPCErrorBody(code int32, message string) []byte {
	return encodeObject(&mt.RPCError{ErrorCode: code, ErrorMessage: message})
}

// Push queues a message the server sends on its own (updates), gzip-packed
// when that makes it smaller.
func (e *Engine) Push(body []byte) {
	e.queue = append(e.queue, &outMsg{body: e.maybeGzip(body), content: true})
}
