package tlpack_test

import (
	"fmt"
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// benchHistory builds a realistic messages.messages: 100 messages with
// entities, replies and photo media, 10 users and 2 chats.
func benchHistory() *api.MessagesMessages {
	h := &api.MessagesMessages{}
	for i := 0; i < 100; i++ {
		m := &api.Message{
			Out: i%3 == 0, ID: int32(1000 + i), FromID: &api.PeerUser{UserID: int64(100 + i%10)},
			PeerID: &api.PeerChannel{ChannelID: 777}, Date: 1700000000 + int32(i),
			Message: fmt.Sprintf("Message number %d with a link to https://example.org/%d and some bold text", i, i),
			Entities: []api.MessageEntityClass{
				&api.MessageEntityBold{Offset: 0, Length: 7},
				&api.MessageEntityTextURL{Offset: 30, Length: 19, URL: fmt.Sprintf("https://example.org/%d", i)},
				&api.MessageEntityMentionName{Offset: 60, Length: 4, UserID: 105},
			},
			Views: tl.Some[int32](int32(i * 10)), EditDate: tl.Some[int32](1700000100),
		}
		if i%2 == 0 {
			m.ReplyTo = &api.MessageReplyHeader{ReplyToMsgID: tl.Some(int32(999 + i)), ReplyToTopID: tl.Some[int32](1)}
		}
		if i%4 == 0 {
			m.Media = &api.MessageMediaPhoto{Photo: &api.Photo{
				ID: int64(5000 + i), AccessHash: -123456789, FileReference: []byte("0123456789abcdef0123"),
				Date: 1700000000, DCID: 2,
				Sizes: []api.PhotoSizeClass{
					&api.PhotoStrippedSize{Type: "i", Bytes: make([]byte, 100)},
					&api.PhotoSize{Type: "m", W: 320, H: 240, Size: 15000},
					&api.PhotoSize{Type: "x", W: 800, H: 600, Size: 65000},
				}}}
		}
		h.Messages = append(h.Messages, m)
	}
	for i := 0; i < 10; i++ {
		h.Users = append(h.Users, &api.User{ID: int64(100 + i), AccessHash: tl.Some(int64(i) * 77777),
			FirstName: tl.Some(fmt.Sprintf("User%d", i)), Username: tl.Some(fmt.Sprintf("user_%d", i)),
			Phone: tl.Some("99966" + fmt.Sprint(10000+i))})
	}
	h.Chats = append(h.Chats, &api.Channel{ID: 777, AccessHash: tl.Some[int64](888), Title: "Polygram", Megagroup: true, Date: 1600000000, Photo: &api.ChatPhotoEmpty{}},
		&api.Chat{ID: 55, Title: "Group", ParticipantsCount: 3, Date: 1600000000, Version: 1, Photo: &api.ChatPhotoEmpty{}})
	return h
}

func benchHistoryBytes(b testing.TB) []byte {
	raw, err := tl.Encode(benchHistory())
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkDecodeMessagesMessages(b *testing.B) {
	raw := benchHistoryBytes(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	d := tl.NewDecoder(nil)
	for b.Loop() {
		d.Reset(raw)
		api.DecodeMessagesMessagesClass(d)
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}

func BenchmarkEncodeMessagesMessages(b *testing.B) {
	h := benchHistory()
	e := tl.NewEncoder(nil)
	e.Object(h, "")
	b.SetBytes(int64(e.Len()))
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		e.Object(h, "")
	}
}

func BenchmarkTLToMsgpackMessagesMessages(b *testing.B) {
	raw := benchHistoryBytes(b)
	br := tlpack.API()
	out, _ := br.ObjectToMsgpack(nil, raw)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = br.ObjectToMsgpack(out[:0], raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMsgpackToTLMessagesMessages(b *testing.B) {
	raw := benchHistoryBytes(b)
	br := tlpack.API()
	mp, _ := br.ObjectToMsgpack(nil, raw)
	out, _ := br.ObjectFromMsgpack(nil, mp)
	b.SetBytes(int64(len(mp)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = br.ObjectFromMsgpack(out[:0], mp); err != nil {
			b.Fatal(err)
		}
	}
}

// Decoding allocates per object and per slice, never per scalar field or per
// string: the whole text of a response shares one allocation.
func TestDecodeAllocatesPerObjectNotPerField(t *testing.T) {
	raw := benchHistoryBytes(t)
	d := tl.NewDecoder(nil)
	allocs := testing.AllocsPerRun(20, func() {
		d.Reset(raw)
		api.DecodeMessagesMessagesClass(d)
	})
	// Objects: 100 messages, 300 entities, 50 reply headers, 25 media with a
	// photo and 3 sizes each, 200 peers, 12 users/chats, the container; slices:
	// 100 entity vectors, 25 size vectors, 4 top-level vectors; strings and
	// bytes: 2 shared copies.
	const objects = 100 + 300 + 50 + 25*5 + 200 + 12 + 1
	const slices = 100 + 25 + 4
	if limit := float64(objects + slices + 2); allocs > limit {
		t.Fatalf("decode made %.0f allocations, want at most %.0f (one per object and slice)", allocs, limit)
	}
	t.Logf("%.0f allocations for %d bytes", allocs, len(raw))
}

func TestTranscodingAllocatesNothingPerValue(t *testing.T) {
	raw := benchHistoryBytes(t)
	br := tlpack.API()
	out, _ := br.ObjectToMsgpack(nil, raw)
	if a := testing.AllocsPerRun(20, func() { out, _ = br.ObjectToMsgpack(out[:0], raw) }); a > 2 {
		t.Fatalf("TL→msgpack: %.0f allocations per run", a)
	}
	back, _ := br.ObjectFromMsgpack(nil, out)
	if a := testing.AllocsPerRun(20, func() { back, _ = br.ObjectFromMsgpack(back[:0], out) }); a > 4 {
		t.Fatalf("msgpack→TL: %.0f allocations per run", a)
	}
}
