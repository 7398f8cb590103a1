package core

import (
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// The emulator answers media sends with a container, so the rebuild of a
// media message from updateShortSentMessage (as Telegram answers some
// sends) is checked here.
func TestSentMessageIsRebuiltFromTheRequestAndTheAnswer(t *testing.T) {
	media := &api.MessageMediaGeo{Geo: &api.GeoPoint{Lat: 1, Long: 2}}
	serverEnts := []api.MessageEntityClass{&api.MessageEntityURL{Offset: 0, Length: 5}}
	short := &api.UpdateShortSentMessage{Out: true, ID: 42, Pts: 9, PtsCount: 1, Date: 1700000000, Media: media,
		Entities: serverEnts, TTLPeriod: tl.Some[int32](60)}
	req := &api.MessagesSendMediaRequest{Peer: &api.InputPeerSelf{}, Message: "a.com here", Silent: true,
		ReplyTo: &api.InputReplyToMessage{ReplyToMsgID: 7}, Media: &api.InputMediaGeoPoint{GeoPoint: &api.InputGeoPoint{Lat: 1, Long: 2}},
		Entities: []api.MessageEntityClass{&api.MessageEntityBold{Offset: 0, Length: 1}}}
	m := sentMessage(req, short, 5)
	if m == nil || !m.Out || m.ID != 42 || m.Date != 1700000000 || m.Message != "a.com here" || !m.Silent || m.Media != media ||
		m.TTLPeriod.Val != 60 {
		t.Fatalf("rebuilt %+v", m)
	}
	if p, ok := m.PeerID.(*api.PeerUser); !ok || p.UserID != 5 {
		t.Fatalf("peer %#v, want the self user", m.PeerID)
	}
	if f, ok := m.FromID.(*api.PeerUser); !ok || f.UserID != 5 {
		t.Fatalf("from %#v", m.FromID)
	}
	if len(m.Entities) != 1 || m.Entities[0] != serverEnts[0] {
		t.Fatalf("entities %v: the server's parse must win", m.Entities)
	}
	if h, ok := m.ReplyTo.(*api.MessageReplyHeader); !ok || h.ReplyToMsgID.Val != 7 {
		t.Fatalf("reply %#v", m.ReplyTo)
	}

	text := &api.MessagesSendMessageRequest{Peer: &api.InputPeerChat{ChatID: 3}, Message: "hi",
		Entities: []api.MessageEntityClass{&api.MessageEntityItalic{Offset: 0, Length: 2}}}
	m = sentMessage(text, &api.UpdateShortSentMessage{Out: true, ID: 43, Pts: 10, PtsCount: 1}, 5)
	if p, ok := m.PeerID.(*api.PeerChat); !ok || p.ChatID != 3 || len(m.Entities) != 1 || m.ReplyTo != nil {
		t.Fatalf("text %+v", m)
	}
	if _, ok := m.Entities[0].(*api.MessageEntityItalic); !ok {
		t.Fatalf("without the server's entities the request's stay: %v", m.Entities)
	}
	// Scheduled sends are not messages yet; other requests are not sends.
	text.ScheduleDate = tl.Some[int32](1800000000)
	if m := sentMessage(text, short, 5); m != nil {
		t.Fatalf("scheduled rebuilt: %+v", m)
	}
	if m := sentMessage(&api.MessagesGetHistoryRequest{}, short, 5); m != nil {
		t.Fatalf("not a send: %+v", m)
	}
}
