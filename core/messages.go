package core

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// SendOptions are the optional parts of SendMessage.
type SendOptions struct {
	ReplyTo   int32
	Silent    bool
	NoWebpage bool
	Entities  []api.MessageEntityClass
}

// randomID returns a random_id for sends (deduplicated by the server).
func randomID() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]))
}

// SendMessage sends a text message to a peer (see ResolvePeer for how peers
// can be named) and returns the new message's id.
func (c *Client) SendMessage(ctx context.Context, to session.Peer, text string, o SendOptions) (int32, error) {
	req := &api.MessagesSendMessageRequest{Peer: InputPeer(to), Message: text, RandomID: randomID(),
		Silent: o.Silent, NoWebpage: o.NoWebpage, Entities: o.Entities}
	if o.ReplyTo != 0 {
		req.ReplyTo = &api.InputReplyToMessage{ReplyToMsgID: o.ReplyTo}
	}
	res, err := c.Invoke(ctx, req)
	if err != nil {
		return 0, err
	}
	return sentMessageID(res, req.RandomID)
}

// sentMessageID finds the id of a message just sent in the Updates answer.
func sentMessageID(res any, random int64) (int32, error) {
	switch x := res.(type) {
	case *api.UpdateShortSentMessage:
		return x.ID, nil
	case *api.Updates:
		return idInUpdates(x.Updates, random)
	case *api.UpdatesCombined:
		return idInUpdates(x.Updates, random)
	case *api.UpdateShort:
		return idInUpdates([]api.UpdateClass{x.Update}, random)
	}
	return 0, fmt.Errorf("core: unexpected answer %T to a send", res)
}

func idInUpdates(ups []api.UpdateClass, random int64) (int32, error) {
	for _, u := range ups {
		if x, ok := u.(*api.UpdateMessageID); ok && x.RandomID == random {
			return x.ID, nil
		}
	}
	for _, u := range ups {
		switch x := u.(type) {
		case *api.UpdateNewMessage:
			if m, ok := x.Message.(*api.Message); ok {
				return m.ID, nil
			}
		case *api.UpdateNewChannelMessage:
			if m, ok := x.Message.(*api.Message); ok {
				return m.ID, nil
			}
		}
	}
	return 0, fmt.Errorf("core: the answer to a send names no message")
}
