package mt

import (
	"bytes"
	"fmt"

	"github.com/polygram/polygram/tl"
)

// Ids of the service constructors that mtproto.tl only mentions in comments.
const (
	RPCResultID    uint32 = 0xf35c6d01
	MsgContainerID uint32 = 0x73f1f8dc
	MsgCopyID      uint32 = 0xe06046b2
	GzipPackedID          = tl.GzipPackedID
)

// RPCResult is rpc_result#f35c6d01 req_msg_id:long result:Object. Result holds
// the boxed result bytes as received (possibly a gzip_packed or rpc_error),
// because only the caller knows which type the request returns.
type RPCResult struct {
	ReqMsgID int64
	Result   []byte
}

// TypeID returns 0xf35c6d01.
func (*RPCResult) TypeID() uint32 { return RPCResultID }

// TypeName returns "rpc_result".
func (*RPCResult) TypeName() string { return "rpc_result" }

// IsNil reports a nil pointer.
func (x *RPCResult) IsNil() bool { return x == nil }

// EncodeBare writes req_msg_id and the result bytes.
func (x *RPCResult) EncodeBare(e *tl.Encoder) {
	e.Long(x.ReqMsgID)
	e.Raw(x.Result)
}

// DecodeBare reads req_msg_id and takes every remaining byte as the result.
func (x *RPCResult) DecodeBare(d *tl.Decoder) {
	x.ReqMsgID = d.Long()
	if d.Remaining() < 4 && d.Err() == nil {
		d.Fail("rpc_result", fmt.Errorf("result of %d bytes is too short", d.Remaining()))
	}
	x.Result = bytes.Clone(d.Take(d.Remaining()))
}

// Message is the bare `message msg_id:long seqno:int bytes:int body:Object`
// carried inside msg_container. Body is the boxed body as received.
type Message struct {
	MsgID int64
	Seqno int32
	Body  []byte
}

// TypeID returns 0: message has no constructor id (it is always bare).
func (*Message) TypeID() uint32 { return 0 }

// TypeName returns "message".
func (*Message) TypeName() string { return "message" }

// IsNil reports a nil pointer.
func (x *Message) IsNil() bool { return x == nil }

// EncodeBare writes msg_id, seqno, the body length and the body.
func (x *Message) EncodeBare(e *tl.Encoder) {
	if len(x.Body)%4 != 0 {
		e.Fail(&tl.EncodeError{Field: "message.body", Msg: "length is not a multiple of 4"})
	}
	e.Long(x.MsgID)
	e.Int(x.Seqno)
	e.Int(int32(len(x.Body)))
	e.Raw(x.Body)
}

// DecodeBare reads one message, checking its length against the input.
func (x *Message) DecodeBare(d *tl.Decoder) {
	x.MsgID = d.Long()
	x.Seqno = d.Int()
	n := d.Int()
	if d.Err() != nil {
		return
	}
	if n < 4 || n%4 != 0 || int(n) > d.Remaining() {
		d.Fail("message", fmt.Errorf("body length %d is invalid (%d bytes left)", n, d.Remaining()))
		return
	}
	x.Body = bytes.Clone(d.Take(int(n)))
}

// MsgContainer is msg_container#73f1f8dc messages:vector<%Message>.
type MsgContainer struct {
	Messages []Message
}

// TypeID returns 0x73f1f8dc.
func (*MsgContainer) TypeID() uint32 { return MsgContainerID }

// TypeName returns "msg_container".
func (*MsgContainer) TypeName() string { return "msg_container" }

// IsNil reports a nil pointer.
func (x *MsgContainer) IsNil() bool { return x == nil }

// EncodeBare writes the bare vector of messages.
func (x *MsgContainer) EncodeBare(e *tl.Encoder) {
	e.Int(int32(len(x.Messages)))
	for i := range x.Messages {
		x.Messages[i].EncodeBare(e)
	}
}

// DecodeBare reads the bare vector of messages (each at least 20 bytes).
func (x *MsgContainer) DecodeBare(d *tl.Decoder) {
	n := d.BareVectorLen(20)
	x.Messages = make([]Message, n)
	for i := range x.Messages {
		x.Messages[i].DecodeBare(d)
		if d.Err() != nil {
			x.Messages = x.Messages[:i]
			return
		}
	}
}

// MsgCopy is msg_copy#e06046b2 orig_message:Message (obsolete; decoded for
// completeness).
type MsgCopy struct {
	OrigMessage Message
}

// TypeID returns 0xe06046b2.
func (*MsgCopy) TypeID() uint32 { return MsgCopyID }

// TypeName returns "msg_copy".
func (*MsgCopy) TypeName() string { return "msg_copy" }

// IsNil reports a nil pointer.
func (x *MsgCopy) IsNil() bool { return x == nil }

// EncodeBare writes the original message.
func (x *MsgCopy) EncodeBare(e *tl.Encoder) { x.OrigMessage.EncodeBare(e) }

// DecodeBare reads the original message.
func (x *MsgCopy) DecodeBare(d *tl.Decoder) { x.OrigMessage.DecodeBare(d) }

// GzipPacked is gzip_packed#3072cfa1 packed_data:string.
type GzipPacked struct {
	PackedData []byte
}

// TypeID returns 0x3072cfa1.
func (*GzipPacked) TypeID() uint32 { return GzipPackedID }

// TypeName returns "gzip_packed".
func (*GzipPacked) TypeName() string { return "gzip_packed" }

// IsNil reports a nil pointer.
func (x *GzipPacked) IsNil() bool { return x == nil }

// EncodeBare writes the packed bytes.
func (x *GzipPacked) EncodeBare(e *tl.Encoder) { e.BytesValue(x.PackedData) }

// DecodeBare reads the packed bytes.
func (x *GzipPacked) DecodeBare(d *tl.Decoder) { x.PackedData = d.Bytes() }

// NewService returns a zero value of any mtproto constructor or function by
// id, including the hand-written service constructors.
func NewService(id uint32) tl.Object {
	switch id {
	case RPCResultID:
		return &RPCResult{}
	case MsgContainerID:
		return &MsgContainer{}
	case MsgCopyID:
		return &MsgCopy{}
	case GzipPackedID:
		return &GzipPacked{}
	}
	return New(id)
}
