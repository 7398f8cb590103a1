package api

// SeqKind says which sequence an update advances.
type SeqKind uint8

// Sequence kinds reported by ClassifyUpdate.
const (
	// SeqNone: the update carries no sequence number and is applied as is.
	SeqNone SeqKind = iota
	// SeqPts: the account-wide pts (messages in private chats and basic groups).
	SeqPts
	// SeqChannel: the pts of one channel or supergroup.
	SeqChannel
	// SeqQts: the account-wide qts (secret chats and bot events).
	SeqQts
)

// UpdateSeq is how an update moves the sequence state of a client.
type UpdateSeq struct {
	Kind      SeqKind
	Pts       int32
	PtsCount  int32
	Qts       int32
	ChannelID int64
}

// channelOfMessage returns the channel id a channel message belongs to.
func channelOfMessage(m MessageClass) int64 {
	var peer PeerClass
	switch m := m.(type) {
	case *Message:
		peer = m.PeerID
	case *MessageService:
		peer = m.PeerID
	case *MessageEmpty:
		peer = m.PeerID
	}
	if p, ok := peer.(*PeerChannel); ok && p != nil {
		return p.ChannelID
	}
	return 0
}
