// Package engine is the MTProto 2.0 session engine, without IO: it turns
// requests into encrypted packets and received packets into results,
// updates and service events, for the client and for the server role.
//
// The engine never touches a socket, a clock or a random source of its own:
// time comes from Config.Now and randomness from Config.Rand, so tests drive
// it with a virtual clock and check exact bytes. The connection package runs
// it over a transport.
//
// What it does, per the MTProto spec (core.telegram.org/mtproto):
// msg_id generation (monotonic, corrected by the server-time offset), seqno,
// acknowledgements of every content-related message (piggy-backed on the next
// packet), batching of queued messages into containers, gzip when it makes a
// message smaller, server salts (bad_server_salt → store and resend with a
// new msg_id), bad_msg_notification (16/17 correct the clock and resend;
// 32/33 start a new session; the rest resend), new_session_created,
// msgs_state_req/msgs_state_info, msg_resend_req, rpc_result/rpc_error
// (gzip-packed too) and destroy_session. Every incoming message is validated:
// auth_key_id, msg_key, session id, padding, msg_id parity and time window,
// and replays (a sliding window of recently seen msg_ids). A failed container
// returns every message inside it to the queue.
package engine

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/mt"
)

// Role selects the client or the server half of the protocol.
type Role uint8

// Roles.
const (
	Client Role = iota
	Server
)

// Config configures an Engine.
type Config struct {
	Role    Role
	AuthKey *crypto.AuthKey
	// SessionID is the client's session id; 0 picks a random one (client role).
	SessionID int64
	// Salt is the current server salt.
	Salt int64
	// TimeOffset is server time minus local time, as learnt in the handshake.
	TimeOffset time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Rand is the random source (crypto/rand when nil).
	Rand io.Reader
	// MaxContainerMessages bounds the messages packed in one container
	// (default 100; the protocol allows up to 1020).
	MaxContainerMessages int
	// MaxPacketBytes bounds the plaintext of one packet (default 1 MiB).
	MaxPacketBytes int
	// GzipThreshold is the body size from which gzip is tried (default 512;
	// negative disables gzip).
	GzipThreshold int
	// ReplayWindow is the number of recent msg_ids remembered (default 4096).
	ReplayWindow int
	// MaxPastSkew and MaxFutureSkew bound how far an incoming msg_id's time may
	// be from ours (defaults 300 s and 30 s, as in the spec).
	MaxPastSkew, MaxFutureSkew time.Duration
	// ValidSalt reports whether a salt a client used is acceptable (server
	// role; default: equal to the current salt).
	ValidSalt func(salt int64) bool
}

// Errors the engine returns for packets it rejects. The packet is dropped and
// the engine's state is unchanged.
var (
	ErrAuthKeyID    = errors.New("engine: auth_key_id does not match")
	ErrSession      = errors.New("engine: wrong session id")
	ErrMsgIDParity  = errors.New("engine: msg_id has the wrong parity for its sender")
	ErrMsgIDWindow  = errors.New("engine: msg_id time is outside the accepted window")
	ErrReplay       = errors.New("engine: msg_id was already received (replay)")
	ErrMalformed    = errors.New("engine: malformed message")
	ErrPacketTooBig = errors.New("engine: message does not fit in a packet")
)

// ReqID identifies a request for its whole life, across resends with new
// msg_ids and reconnects.
type ReqID uint64

// Event is something the engine learnt from a packet.
type Event interface{ isEvent() }

// Result is the answer to a request: Body is the boxed result, already
// unpacked when it came gzip-packed.
type Result struct {
	Req   ReqID
	MsgID int64
	Body  []byte
}

// RPCError is an rpc_error answer to a request.
type RPCError struct {
	Req     ReqID
	Code    int32
	Message string
}

// Update is a content message from the server that answers no request
// (updates and the like). Body is boxed and unpacked.
type Update struct {
	MsgID int64
	Body  []byte
}

// NewSession reports new_session_created (client): the server may have lost
// updates, so the client should fetch the difference.
type NewSession struct {
	FirstMsgID int64
	UniqueID   int64
}

// SessionReset reports that the client started a new session after
// bad_msg_notification 32/33; pending requests were resent in it.
type SessionReset struct{ SessionID int64 }

// Request is an RPC call received by a server engine. Reply answers it.
type Request struct {
	MsgID int64
	Body  []byte
}

// ClientSession reports (server role) that a client started using a new
// session id on this connection.
type ClientSession struct{ SessionID int64 }

func (Result) isEvent()        {}
func (RPCError) isEvent()      {}
func (Update) isEvent()        {}
func (NewSession) isEvent()    {}
func (SessionReset) isEvent()  {}
func (Request) isEvent()       {}
func (ClientSession) isEvent() {}

// outMsg is a message queued or sent.
type outMsg struct {
	req     ReqID // 0 for service messages
	body    []byte
	content bool
	msgID   int64 // 0 while queued for a fresh id
	seqno   int32
	acked   bool
	// keepID asks to resend with the same msg_id and seqno (after a
	// reconnect), so the server recognises it and does not execute it twice.
	keepID bool
	// build, when set, makes the body once the msg_id is known (the body
	// of auth.bindTempAuthKey embeds its own msg_id).
	build func(msgID int64) ([]byte, error)
	// answers, when not 0, makes the message rpc_result answering that
	// msg_id with body as the result: the result is not copied into a
	// wrapper, only once into the packet.
	answers int64
}

// rpcResultHead is rpc_result's constructor and req_msg_id.
const rpcResultHead = 12

// wireLen is the length of the message's body on the wire.
func (m *outMsg) wireLen() int {
	if m.answers != 0 {
		return rpcResultHead + len(m.body)
	}
	return len(m.body)
}

// appendWire appends the message's body as sent.
func (m *outMsg) appendWire(b []byte) []byte {
	if m.answers != 0 {
		b = binary.LittleEndian.AppendUint32(b, mt.RPCResultID)
		b = binary.LittleEndian.AppendUint64(b, uint64(m.answers))
	}
	return append(b, m.body...)
}

// Engine is one MTProto session. It is not safe for concurrent use: the
// connection serialises calls.
type Engine struct {
	cfg     Config
	dirOut  crypto.Direction
	dirIn   crypto.Direction
	session int64
	salt    int64
	offset  time.Duration
	lastID  int64
	seq     int32

	queue   []*outMsg         // waiting to be sent, in order
	sent    map[int64]*outMsg // by msg_id, until answered (requests) or acked
	reqs    map[ReqID]*outMsg // requests not yet answered
	conts   map[int64][]int64 // container msg_id → inner msg_ids
	acks    []int64           // received msg_ids to acknowledge
	nextReq ReqID
	seen    *replayWindow

	// server role
	answers *answerCache
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.AuthKey == nil {
		return nil, errors.New("engine: Config.AuthKey is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.MaxContainerMessages <= 0 || cfg.MaxContainerMessages > 1020 {
		cfg.MaxContainerMessages = 100
	}
	if cfg.MaxPacketBytes <= 0 {
		cfg.MaxPacketBytes = 1 << 20
	}
	if cfg.GzipThreshold == 0 {
		cfg.GzipThreshold = 512
	}
	if cfg.ReplayWindow <= 0 {
		cfg.ReplayWindow = 4096
	}
	if cfg.MaxPastSkew <= 0 {
		cfg.MaxPastSkew = 300 * time.Second
	}
	if cfg.MaxFutureSkew <= 0 {
		cfg.MaxFutureSkew = 30 * time.Second
	}
	e := &Engine{
		cfg: cfg, session: cfg.SessionID, salt: cfg.Salt, offset: cfg.TimeOffset,
		sent: map[int64]*outMsg{}, reqs: map[ReqID]*outMsg{}, conts: map[int64][]int64{},
		seen: newReplayWindow(cfg.ReplayWindow),
	}
	if cfg.Role == Client {
		e.dirOut, e.dirIn = crypto.ClientToServer, crypto.ServerToClient
		if e.session == 0 {
			var err error
			if e.session, err = e.randInt64(); err != nil {
				return nil, err
			}
		}
	} else {
		e.dirOut, e.dirIn = crypto.ServerToClient, crypto.ClientToServer
		e.answers = newAnswerCache(1024)
	}
	return e, nil
}

// SessionID returns the current session id.
func (e *Engine) SessionID() int64 { return e.session }

// Salt returns the current server salt.
func (e *Engine) Salt() int64 { return e.salt }

// SetSalt replaces the server salt (server role: rotation; client role: a
// salt learnt elsewhere, e.g. from get_future_salts).
func (e *Engine) SetSalt(salt int64) { e.salt = salt }

// TimeOffset returns the current estimate of server time minus local time.
func (e *Engine) TimeOffset() time.Duration { return e.offset }

// Pending returns the number of requests not yet answered.
func (e *Engine) Pending() int { return len(e.reqs) }

// HasOutgoing reports whether Flush would produce a packet.
func (e *Engine) HasOutgoing() bool { return len(e.queue) > 0 || len(e.acks) > 0 }

func (e *Engine) randInt64() (int64, error) {
	var b [8]byte
	if _, err := io.ReadFull(e.cfg.Rand, b[:]); err != nil {
		return 0, fmt.Errorf("engine: random source: %w", err)
	}
	return int64(binary.LittleEndian.Uint64(b[:])), nil
}

// serverNow is our estimate of the server's clock.
func (e *Engine) serverNow() time.Time { return e.cfg.Now().Add(e.offset) }

// newMsgID returns a fresh msg_id: the server's unix time in the upper 32
// bits, fractions below, monotonic; divisible by 4 for the client, 1 mod 4
// (answers) or 3 mod 4 (other messages) for the server.
func (e *Engine) newMsgID(answer bool) int64 {
	t := e.serverNow()
	id := t.Unix()<<32 | int64((uint64(t.Nanosecond())<<32)/1e9)
	id &^= 3
	if id <= e.lastID {
		id = (e.lastID + 4) &^ 3
	}
	e.lastID = id
	if e.cfg.Role == Server {
		if answer {
			id |= 1
		} else {
			id |= 3
		}
	}
	return id
}

// nextSeqno returns the seqno for a new message.
func (e *Engine) nextSeqno(content bool) int32 {
	if content {
		s := e.seq*2 + 1
		e.seq++
		return s
	}
	return e.seq * 2
}

// msgIDTime returns the unix time encoded in a msg_id.
func msgIDTime(id int64) time.Time { return time.Unix(id>>32, 0) }

// SendBuilt queues a request whose body depends on the msg_id it is sent
// with: build is called with each msg_id the request gets (again after a
// resend). sizeHint bounds the body's size, for packing.
func (e *Engine) SendBuilt(build func(msgID int64) ([]byte, error), sizeHint int) ReqID {
	e.nextReq++
	m := &outMsg{req: e.nextReq, content: true, build: build, body: make([]byte, sizeHint)}
	e.reqs[m.req] = m
	e.queue = append(e.queue, m)
	return m.req
}

// Cancel forgets a request: it is removed from the queue, and a result that
// arrives later is dropped. It reports whether the request was pending.
func (e *Engine) Cancel(id ReqID) bool {
	m, ok := e.reqs[id]
	if !ok {
		return false
	}
	delete(e.reqs, id)
	for i, q := range e.queue {
		if q == m {
			e.queue = append(e.queue[:i], e.queue[i+1:]...)
			break
		}
	}
	if m.msgID != 0 {
		// Ask the server not to send the answer (best effort).
		e.queueService(&mt.RPCDropAnswerRequest{ReqMsgID: m.msgID})
	}
	return true
}

// queueService queues a service message the engine sends on its own.
func (e *Engine) queueService(o tl.Object) {
	enc := tl.NewEncoder(nil)
	enc.Object(o, "")
	e.queue = append(e.queue, &outMsg{body: enc.Bytes(), content: isContent(enc.Bytes())})
}

// Reconnected prepares the engine for a new transport connection: every
// request sent but not answered is queued again. Requests the server had not
// acknowledged are resent with their original msg_id (when still fresh), so a
// server that did receive them answers from its cache instead of executing
// them twice.
func (e *Engine) Reconnected() {
	var again []*outMsg
	for id, m := range e.sent {
		delete(e.sent, id)
		if m.req != 0 {
			if _, live := e.reqs[m.req]; !live {
				continue
			}
		} else if m.acked || !m.content {
			continue
		}
		fresh := e.serverNow().Sub(msgIDTime(m.msgID)) < e.cfg.MaxPastSkew/2
		m.keepID = fresh
		if !fresh {
			m.msgID = 0
		}
		again = append(again, m)
	}
	e.conts = map[int64][]int64{}
	// Keep the original order of msg_ids.
	sortByMsgID(again)
	e.queue = append(again, e.queue...)
}

func sortByMsgID(ms []*outMsg) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && less(ms[j], ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func less(a, b *outMsg) bool {
	if a.msgID == 0 || b.msgID == 0 {
		return a.msgID != 0 && b.msgID == 0
	}
	return a.msgID < b.msgID
}

// resend queues a sent message again with a new msg_id (or all the messages
// of a container).
func (e *Engine) resend(msgID int64) {
	if inner, ok := e.conts[msgID]; ok {
		delete(e.conts, msgID)
		for _, id := range inner {
			e.resend(id)
		}
		return
	}
	m, ok := e.sent[msgID]
	if !ok {
		return
	}
	delete(e.sent, msgID)
	if m.req != 0 {
		if _, live := e.reqs[m.req]; !live {
			return
		}
	}
	m.msgID, m.keepID, m.acked = 0, false, false
	e.queue = append(e.queue, m)
}
