package engine

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// headerSize is salt + session_id + msg_id + seq_no + message_data_length.
const headerSize = 32

// partsThreshold is the body size from which a message alone in its packet
// is encrypted from where the body lies rather than copied into the packet
// first (crypto.EncryptMessageParts).
const partsThreshold = 4096

// containerOverhead is the container's own constructor id and count; each
// message inside adds msg_id, seqno and bytes (16 bytes).
const (
	containerOverhead = 8
	innerOverhead     = 16
)

// maybeGzip returns body wrapped in gzip_packed when that is smaller.
func (e *Engine) maybeGzip(body []byte) []byte {
	if e.cfg.GzipThreshold < 0 || len(body) < e.cfg.GzipThreshold || incompressible(body) {
		return body
	}
	z := tl.Gzip(body)
	enc := tl.NewEncoder(make([]byte, 0, len(z)+8))
	enc.Uint32(tl.GzipPackedID)
	enc.BytesValue(z)
	if enc.Len() < len(body) {
		return enc.Bytes()
	}
	return body
}

// Send queues a request (a boxed TL function call, gzip-packed on the way
// when that makes it smaller) and returns its id. Results and errors arrive
// as Result and RPCError events with that id. A body that cannot fit in one
// packet is refused with ErrPacketTooBig.
func (e *Engine) Send(body []byte) (ReqID, error) {
	body = e.maybeGzip(body)
	if len(body)%4 != 0 || len(body) < 4 {
		return 0, fmt.Errorf("%w: a request body of %d bytes is not whole TL words", ErrMalformed, len(body))
	}
	if len(body)+headerSize+crypto.MaxPadding > e.cfg.MaxPacketBytes {
		return 0, fmt.Errorf("%w: a %d-byte body", ErrPacketTooBig, len(body))
	}
	e.nextReq++
	m := &outMsg{req: e.nextReq, body: body, content: true}
	e.reqs[m.req] = m
	e.queue = append(e.queue, m)
	return m.req, nil
}

// Flush packs queued messages (and pending acknowledgements) into one
// encrypted packet. It returns nil when there is nothing to send. Call it
// again while HasOutgoing reports true.
func (e *Engine) Flush() ([]byte, error) {
	s, err := e.FlushSeal()
	if s == nil || err != nil {
		return nil, err
	}
	return s.Finish()
}

// FlushSeal is Flush with the encryption left to the caller: the packet is
// built (msg_ids and seqnos given, messages tracked for resends) and
// returned as a crypto.Seal, to be finished in order with the packets
// before and after it. A sender with several large packets queued hashes
// the next one while it encrypts this one (Seal.EncryptStep), and can do
// it outside the lock that guards the engine: a Seal reads only its own
// buffer and message bodies, which the engine never changes.
func (e *Engine) FlushSeal() (*crypto.Seal, error) {
	if !e.HasOutgoing() {
		return nil, nil
	}
	budget := e.cfg.MaxPacketBytes - headerSize - crypto.MaxPadding - containerOverhead
	var items []*outMsg
	if len(e.acks) > 0 {
		n := len(e.acks)
		if n > 8192 {
			n = 8192
		}
		enc := tl.NewEncoder(nil)
		enc.Object(&mt.MsgsAck{MsgIDs: e.acks[:n]}, "")
		e.acks = e.acks[n:]
		ack := &outMsg{body: enc.Bytes()}
		items = append(items, ack)
		budget -= len(ack.body) + innerOverhead
	}
	taken := 0
	for _, m := range e.queue {
		if len(items) >= e.cfg.MaxContainerMessages {
			break
		}
		if m.wireLen()+innerOverhead > budget {
			if len(items) == 0 {
				// A single message larger than the budget still goes
				// alone (the budget counted container overhead).
				items = append(items, m)
				taken++
			}
			break
		}
		budget -= m.wireLen() + innerOverhead
		items = append(items, m)
		taken++
	}
	e.queue = e.queue[taken:]

	for _, m := range items {
		if !m.keepID || m.msgID == 0 {
			m.msgID = e.newMsgID(e.isAnswer(m))
			m.seqno = e.nextSeqno(m.content)
			if m.build != nil {
				body, err := m.build(m.msgID)
				if err != nil {
					return nil, fmt.Errorf("engine: building a request: %w", err)
				}
				m.body = body
			}
		}
		m.keepID = false
		if m.content {
			e.sent[m.msgID] = m
		}
	}

	var msgID int64
	var seqno int32
	// The packet is built in one buffer: 24 bytes for auth_key_id and
	// msg_key, the 32-byte header, the body, room for the padding; it is
	// then encrypted where it lies. A body is copied once, into it.
	var out []byte
	if len(items) == 1 && len(items[0].body) >= partsThreshold {
		// A large single message (a file part): encrypted from its body
		// where it lies, which the engine keeps for resends.
		m := items[0]
		head := make([]byte, headerSize, headerSize+rpcResultHead)
		binary.LittleEndian.PutUint64(head[0:], uint64(e.salt))
		binary.LittleEndian.PutUint64(head[8:], uint64(e.session))
		binary.LittleEndian.PutUint64(head[16:], uint64(m.msgID))
		binary.LittleEndian.PutUint32(head[24:], uint32(m.seqno))
		binary.LittleEndian.PutUint32(head[28:], uint32(m.wireLen()))
		if m.answers != 0 {
			head = binary.LittleEndian.AppendUint32(head, mt.RPCResultID)
			head = binary.LittleEndian.AppendUint64(head, uint64(m.answers))
		}
		return crypto.SealParts(e.cfg.AuthKey, e.dirOut, head, m.body, e.cfg.Rand)
	}
	if len(items) == 1 {
		msgID, seqno = items[0].msgID, items[0].seqno
		m := items[0]
		out = make([]byte, 24+headerSize, 24+headerSize+m.wireLen()+crypto.MaxPadding)
		out = m.appendWire(out)
	} else {
		c := &mt.MsgContainer{Messages: make([]mt.Message, len(items))}
		inner := make([]int64, 0, len(items))
		size := containerOverhead
		for i, m := range items {
			body := m.body
			if m.answers != 0 {
				body = m.appendWire(make([]byte, 0, m.wireLen()))
			}
			c.Messages[i] = mt.Message{MsgID: m.msgID, Seqno: m.seqno, Body: body}
			size += innerOverhead + len(body)
			if m.content {
				inner = append(inner, m.msgID)
			}
		}
		enc := tl.NewEncoder(make([]byte, 0, 24+headerSize+size+crypto.MaxPadding))
		var room [24 + headerSize]byte
		enc.Raw(room[:])
		enc.Object(c, "")
		if enc.Err() != nil {
			return nil, enc.Err()
		}
		out = enc.Bytes()
		msgID = e.newMsgID(false)
		seqno = e.nextSeqno(false)
		e.pruneContainers()
		e.conts[msgID] = inner
	}
	plain := out[24:]
	binary.LittleEndian.PutUint64(plain[0:], uint64(e.salt))
	binary.LittleEndian.PutUint64(plain[8:], uint64(e.session))
	binary.LittleEndian.PutUint64(plain[16:], uint64(msgID))
	binary.LittleEndian.PutUint32(plain[24:], uint32(seqno))
	binary.LittleEndian.PutUint32(plain[28:], uint32(len(plain)-headerSize))
	return crypto.SealInPlace(e.cfg.AuthKey, e.dirOut, out, e.cfg.Rand)
}

// isAnswer reports whether a server message answers a client message (its
// msg_id is then 1 mod 4 rather than 3).
func (e *Engine) isAnswer(m *outMsg) bool {
	if e.cfg.Role != Server || m.answers != 0 {
		return m.answers != 0
	}
	if len(m.body) < 4 {
		return false
	}
	switch binary.LittleEndian.Uint32(m.body) {
	case mt.RPCResultID, (&mt.Pong{}).TypeID(), (&mt.MsgsStateInfo{}).TypeID(),
		(&mt.FutureSalts{}).TypeID(), (&mt.BadServerSalt{}).TypeID(),
		(&mt.BadMsgNotification{}).TypeID(), (&mt.NewSessionCreated{}).TypeID():
		return true
	}
	return false
}

// pruneContainers forgets containers none of whose messages is still
// tracked (answered or acknowledged): they can no longer be resent. It runs
// when the map outgrows the tracked messages, so its cost is amortised.
func (e *Engine) pruneContainers() {
	if len(e.conts) <= 2*len(e.sent)+64 {
		return
	}
	for id, inner := range e.conts {
		live := false
		for _, m := range inner {
			if _, ok := e.sent[m]; ok {
				live = true
				break
			}
		}
		if !live {
			delete(e.conts, id)
		}
	}
}

// incompressible guesses, from the byte entropy of a 4 KB sample in the
// middle, that a large body is already compressed or random (file parts:
// upload.file answers, saveFilePart requests). Deflating a megabyte that
// does not shrink costs more CPU than encrypting it, and Telegram does not
// pack file parts either. Small bodies are always tried.
func incompressible(body []byte) bool {
	const sample = 4096
	if len(body) < 16*sample {
		return false
	}
	mid := len(body)/2 - sample/2
	var counts [256]int
	for _, b := range body[mid : mid+sample] {
		counts[b]++
	}
	bits := 0.0
	for _, n := range counts {
		if n > 0 {
			p := float64(n) / sample
			bits -= p * math.Log2(p)
		}
	}
	return bits > 7.5 // of at most 8 bits per byte
}
