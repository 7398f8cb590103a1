package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// Ids of the service constructors the engine dispatches on.
var (
	idMsgsAck            = (&mt.MsgsAck{}).TypeID()
	idBadMsgNotification = (&mt.BadMsgNotification{}).TypeID()
	idBadServerSalt      = (&mt.BadServerSalt{}).TypeID()
	idNewSessionCreated  = (&mt.NewSessionCreated{}).TypeID()
	idMsgsStateReq       = (&mt.MsgsStateReq{}).TypeID()
	idMsgResendReq       = (&mt.MsgResendReq{}).TypeID()
	idMsgDetailedInfo    = (&mt.MsgDetailedInfo{}).TypeID()
	idMsgNewDetailedInfo = (&mt.MsgNewDetailedInfo{}).TypeID()
	idPong               = (&mt.Pong{}).TypeID()
	idFutureSalts        = (&mt.FutureSalts{}).TypeID()
	idRPCError           = (&mt.RPCError{}).TypeID()
	idPing               = (&mt.PingRequest{}).TypeID()
	idPingDelay          = (&mt.PingDelayDisconnectRequest{}).TypeID()
	idGetFutureSalts     = (&mt.GetFutureSaltsRequest{}).TypeID()
	idRPCDropAnswer      = (&mt.RPCDropAnswerRequest{}).TypeID()
	idDestroySession     = (&mt.DestroySessionRequest{}).TypeID()
	idHTTPWait           = (&mt.HTTPWait{}).TypeID()
)

// isContent reports whether a message body is content-related (needs an
// acknowledgement and an odd seqno): all but acks, containers and http_wait.
func isContent(body []byte) bool {
	if len(body) < 4 {
		return true
	}
	switch binary.LittleEndian.Uint32(body) {
	case idMsgsAck, mt.MsgContainerID, idHTTPWait:
		return false
	}
	return true
}

// header is the decrypted message header.
type header struct {
	salt, session, msgID int64
	seqno                int32
}

func parseHeader(plain []byte) (header, []byte) {
	h := header{
		salt:    int64(binary.LittleEndian.Uint64(plain[0:])),
		session: int64(binary.LittleEndian.Uint64(plain[8:])),
		msgID:   int64(binary.LittleEndian.Uint64(plain[16:])),
		seqno:   int32(binary.LittleEndian.Uint32(plain[24:])),
	}
	n := binary.LittleEndian.Uint32(plain[28:])
	return h, plain[headerSize : headerSize+int(n)]
}

// Receive decrypts and validates one packet and processes the messages it
// carries. A packet that fails validation is dropped with an error and
// changes nothing; a valid packet may still yield a partial list of events
// and an error for a malformed message inside it. The packet is not
// modified; bodies in the events are new memory.
func (e *Engine) Receive(packet []byte) ([]Event, error) {
	plain, err := crypto.DecryptMessage(e.cfg.AuthKey, e.dirIn, packet)
	if err != nil {
		return nil, e.openErr(err)
	}
	return e.ReceivePlain(plain)
}

// Open decrypts a packet where it lies (the caller gives up the packet's
// memory) and checks its auth_key_id, msg_key and padding bounds, returning
// the inner message for ReceivePlain. It reads only the engine's immutable
// key, so a connection's reader may call it while another goroutine uses
// the engine: decryption then runs beside the engine's work.
func (e *Engine) Open(packet []byte) ([]byte, error) {
	plain, err := crypto.DecryptMessageInPlace(e.cfg.AuthKey, e.dirIn, packet)
	if err != nil {
		return nil, e.openErr(err)
	}
	return plain, nil
}

// OpenCopy is Open for a packet the caller keeps (a transport's read
// buffer): the inner message is decrypted into new memory.
func (e *Engine) OpenCopy(packet []byte) ([]byte, error) {
	plain, err := crypto.DecryptMessage(e.cfg.AuthKey, e.dirIn, packet)
	if err != nil {
		return nil, e.openErr(err)
	}
	return plain, nil
}

func (e *Engine) openErr(err error) error {
	if errors.Is(err, crypto.ErrAuthKeyIDMismatch) {
		return fmt.Errorf("%w: %v", ErrAuthKeyID, err)
	}
	return err
}

// ReceivePlain is Receive for a packet already decrypted and checked by Open:
// it validates the session, msg_id and seqno and processes the messages.
// Bodies in the events share plain's memory, which the engine's caller hands
// over for good.
func (e *Engine) ReceivePlain(plain []byte) ([]Event, error) {
	if len(plain) < headerSize {
		return nil, fmt.Errorf("%w: a %d-byte inner message", ErrMalformed, len(plain))
	}
	h, body := parseHeader(plain)
	if e.cfg.Role == Server {
		return e.serverReceive(h, body)
	}
	if h.session != e.session {
		return nil, fmt.Errorf("%w: got %d, ours is %d", ErrSession, h.session, e.session)
	}
	var evs []Event
	if err := e.clientMessage(h.msgID, h.seqno, body, true, &evs); err != nil {
		return evs, err
	}
	return evs, nil
}

// checkServerMsgID validates the parity, time and freshness of a msg_id the
// server sent. timeFix reports a body that may correct our clock, which is
// then accepted outside the time window.
func (e *Engine) checkServerMsgID(msgID int64, timeFix bool) error {
	if msgID&1 == 0 {
		return fmt.Errorf("%w: %#x is even", ErrMsgIDParity, msgID)
	}
	if !timeFix {
		if err := e.checkWindow(msgID); err != nil {
			return err
		}
	}
	if !e.seen.add(msgID) {
		return fmt.Errorf("%w: %#x", ErrReplay, msgID)
	}
	return nil
}

func (e *Engine) checkWindow(msgID int64) error {
	now := e.serverNow()
	t := msgIDTime(msgID)
	if t.Before(now.Add(-e.cfg.MaxPastSkew)) || t.After(now.Add(e.cfg.MaxFutureSkew)) {
		return fmt.Errorf("%w: %s is %s from our estimate of the server's clock", ErrMsgIDWindow,
			t.UTC().Format(time.RFC3339), t.Sub(now).Round(time.Second))
	}
	return nil
}

// correctsTime reports a bad_msg_notification with code 16 or 17 (possibly
// inside a container): the server telling us our clock is off.
func correctsTime(body []byte) bool {
	if len(body) < 4 {
		return false
	}
	switch binary.LittleEndian.Uint32(body) {
	case idBadMsgNotification:
		var n mt.BadMsgNotification
		d := tl.NewDecoder(body[4:])
		n.DecodeBare(d)
		return d.Err() == nil && (n.ErrorCode == 16 || n.ErrorCode == 17)
	case mt.MsgContainerID:
		var c mt.MsgContainer
		d := tl.NewDecoder(body[4:])
		c.DecodeBare(d)
		for _, m := range c.Messages {
			if correctsTime(m.Body) {
				return true
			}
		}
	}
	return false
}

// clientMessage handles one message received by a client.
func (e *Engine) clientMessage(msgID int64, seqno int32, body []byte, outer bool, evs *[]Event) error {
	if err := e.checkServerMsgID(msgID, correctsTime(body)); err != nil {
		if outer {
			return err
		}
		return nil // a bad message inside a container is skipped alone
	}
	if len(body) < 4 {
		return fmt.Errorf("%w: %d-byte body", ErrMalformed, len(body))
	}
	if seqno&1 == 1 {
		e.acks = append(e.acks, msgID)
	}
	d := tl.NewDecoder(body)
	id := d.Uint32()
	switch id {
	case mt.MsgContainerID:
		if !outer {
			return fmt.Errorf("%w: nested container", ErrMalformed)
		}
		var c mt.MsgContainer
		c.DecodeBare(d)
		if d.Err() != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, d.Err())
		}
		for _, m := range c.Messages {
			if m.MsgID >= msgID {
				continue // inner messages must be older than their container
			}
			if err := e.clientMessage(m.MsgID, m.Seqno, m.Body, false, evs); err != nil {
				return err
			}
		}
		return nil
	case tl.GzipPackedID:
		inner := tl.NewDecoder(body).Unpack()
		if inner.Err() != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, inner.Err())
		}
		return e.clientBody(msgID, inner.Rest(), evs)
	}
	return e.clientBody(msgID, body, evs)
}

// decodeBody reads the fields of a service message, reporting a malformed one.
func decodeBody(d *tl.Decoder, o tl.Object) error {
	o.DecodeBare(d)
	if d.Err() != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, tl.Name(o), d.Err())
	}
	return nil
}

// commonBody handles the service messages both roles treat alike: msgs_ack,
// msgs_state_req and msg_resend_req. It reports whether it handled one.
func (e *Engine) commonBody(id uint32, d *tl.Decoder, msgID int64) (bool, error) {
	switch id {
	case idMsgsAck:
		var a mt.MsgsAck
		if err := decodeBody(d, &a); err != nil {
			return true, err
		}
		for _, id := range a.MsgIDs {
			e.acked(id)
		}
	case idMsgsStateReq:
		var q mt.MsgsStateReq
		if err := decodeBody(d, &q); err != nil {
			return true, err
		}
		e.answerState(msgID, q.MsgIDs)
	case idMsgResendReq:
		var q mt.MsgResendReq
		if err := decodeBody(d, &q); err != nil {
			return true, err
		}
		for _, id := range q.MsgIDs {
			e.resendSame(id)
		}
	default:
		return false, nil
	}
	return true, nil
}

// clientBody dispatches an unpacked message body.
func (e *Engine) clientBody(msgID int64, body []byte, evs *[]Event) error {
	d := tl.NewDecoder(body)
	id := d.Uint32()
	decode := func(o tl.Object) error { return decodeBody(d, o) }
	if done, err := e.commonBody(id, d, msgID); done || err != nil {
		return err
	}
	switch id {
	case mt.RPCResultID:
		// req_msg_id, then the result as the rest of the body: sliced, not
		// copied (a file part is a megabyte).
		reqMsgID := d.Long()
		if d.Err() != nil || len(body) < 16 {
			return fmt.Errorf("%w: a %d-byte rpc_result", ErrMalformed, len(body))
		}
		return e.rpcResult(reqMsgID, msgID, body[12:len(body):len(body)], evs)
	case idBadServerSalt:
		var n mt.BadServerSalt
		if err := decode(&n); err != nil {
			return err
		}
		e.salt = n.NewServerSalt
		e.resend(n.BadMsgID)
	case idBadMsgNotification:
		var n mt.BadMsgNotification
		if err := decode(&n); err != nil {
			return err
		}
		e.badMsg(msgID, n, evs)
	case idNewSessionCreated:
		var n mt.NewSessionCreated
		if err := decode(&n); err != nil {
			return err
		}
		e.salt = n.ServerSalt
		*evs = append(*evs, NewSession{FirstMsgID: n.FirstMsgID, UniqueID: n.UniqueID})
	case idMsgDetailedInfo, idMsgNewDetailedInfo:
		var answer int64
		if id == idMsgDetailedInfo {
			var n mt.MsgDetailedInfo
			if err := decode(&n); err != nil {
				return err
			}
			answer = n.AnswerMsgID
		} else {
			var n mt.MsgNewDetailedInfo
			if err := decode(&n); err != nil {
				return err
			}
			answer = n.AnswerMsgID
		}
		if e.seen.has(answer) {
			e.acks = append(e.acks, answer)
		} else {
			e.queueService(&mt.MsgResendReq{MsgIDs: []int64{answer}})
		}
	case idPong:
		var p mt.Pong
		if err := decode(&p); err != nil {
			return err
		}
		return e.answer(p.MsgID, msgID, body, evs)
	case idFutureSalts:
		var f mt.FutureSalts
		if err := decode(&f); err != nil {
			return err
		}
		return e.answer(f.ReqMsgID, msgID, body, evs)
	default:
		*evs = append(*evs, Update{MsgID: msgID, Body: body})
	}
	return nil
}

// rpcResult delivers the answer to the request sent as reqMsgID.
func (e *Engine) rpcResult(reqMsgID, msgID int64, result []byte, evs *[]Event) error {
	d := tl.NewDecoder(result).Unpack()
	if d.Err() != nil {
		return fmt.Errorf("%w: rpc_result: %v", ErrMalformed, d.Err())
	}
	result = d.Rest()
	if d.PeekUint32() == idRPCError {
		var re mt.RPCError
		d.Uint32()
		re.DecodeBare(d)
		if d.Err() != nil {
			return fmt.Errorf("%w: rpc_error: %v", ErrMalformed, d.Err())
		}
		m, ok := e.take(reqMsgID)
		if ok {
			*evs = append(*evs, RPCError{Req: m.req, Code: re.ErrorCode, Message: re.ErrorMessage})
		}
		return nil
	}
	return e.answer(reqMsgID, msgID, result, evs)
}

// answer delivers body as the result of the request sent as reqMsgID.
func (e *Engine) answer(reqMsgID, msgID int64, body []byte, evs *[]Event) error {
	if m, ok := e.take(reqMsgID); ok {
		*evs = append(*evs, Result{Req: m.req, MsgID: msgID, Body: body})
	}
	return nil
}

// take removes and returns the live request sent as msgID.
func (e *Engine) take(msgID int64) (*outMsg, bool) {
	m, ok := e.sent[msgID]
	if !ok || m.req == 0 {
		return nil, false
	}
	delete(e.sent, msgID)
	if _, live := e.reqs[m.req]; !live {
		return nil, false
	}
	delete(e.reqs, m.req)
	return m, true
}

func (e *Engine) acked(msgID int64) {
	if inner, ok := e.conts[msgID]; ok {
		delete(e.conts, msgID)
		for _, id := range inner {
			e.acked(id)
		}
		return
	}
	m, ok := e.sent[msgID]
	if !ok {
		return
	}
	m.acked = true
	if m.req == 0 {
		// Service messages need nothing more once the peer has them.
		delete(e.sent, msgID)
	}
}

// badMsg handles bad_msg_notification (core.telegram.org/mtproto/service_messages_about_messages).
func (e *Engine) badMsg(msgID int64, n mt.BadMsgNotification, evs *[]Event) {
	switch n.ErrorCode {
	case 16, 17: // msg_id too low / too high: our clock is off
		e.offset = msgIDTime(msgID).Sub(e.cfg.Now())
		e.lastID = 0
		e.resend(n.BadMsgID)
	case 32, 33: // seqno too low / too high: start a new session
		if s, err := e.randInt64(); err == nil {
			e.session = s
		}
		e.seq = 0
		e.seen = newReplayWindow(e.cfg.ReplayWindow)
		ids := make([]int64, 0, len(e.sent))
		for id := range e.sent {
			ids = append(ids, id)
		}
		for _, id := range ids {
			e.resend(id)
		}
		*evs = append(*evs, SessionReset{SessionID: e.session})
	default: // 18, 19, 20, 34, 35, 64 and unknown codes: send it again
		e.resend(n.BadMsgID)
	}
}

// resendSame queues a sent message again with its original msg_id (the peer
// asked for it by id).
func (e *Engine) resendSame(msgID int64) {
	m, ok := e.sent[msgID]
	if !ok {
		return
	}
	delete(e.sent, msgID)
	m.keepID = true
	e.queue = append(e.queue, m)
}

// answerState answers msgs_state_req: for each id, 4 (received) with 8
// (acknowledged) when we have seen it, else 1 (nothing known).
func (e *Engine) answerState(reqMsgID int64, ids []int64) {
	info := make([]byte, len(ids))
	for i, id := range ids {
		if e.seen.has(id) {
			info[i] = 4 | 8
		} else {
			info[i] = 1
		}
	}
	e.queueService(&mt.MsgsStateInfo{ReqMsgID: reqMsgID, Info: string(info)})
}
