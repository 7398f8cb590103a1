package core

import (
	"context"
	"errors"
	"iter"
	"slices"

	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// Iterators: IterMessages, IterDialogs and IterParticipants are Go 1.23
// range-over-func sequences (iter.Seq2[T, error]) that fetch pages as the
// loop asks for more, so a loop that breaks early sends no further request:
//
//	for m, err := range c.IterMessages(ctx, chat, core.HistoryOptions{Limit: core.NoLimit}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.ID, m.Message)
//	}
//
// An error ends the sequence: it is yielded once, with a nil value.
// GetHistory, GetDialogsWith and GetParticipants collect the same
// sequences into slices.

// NoLimit as a Limit asks for every item.
const NoLimit = -1

// maxPage is the largest page messages.getHistory and messages.getDialogs
// return.
const maxPage = 100

func pageSize(n, max int) int {
	if n <= 0 || n > max {
		return max
	}
	return n
}

// limitOf turns an option's Limit into a bound (-1: none).
func limitOf(n, def int) int {
	switch {
	case n < 0:
		return -1
	case n == 0:
		return def
	}
	return n
}

// ErrBadOptions is returned (wrapped) for options that contradict each
// other.
var ErrBadOptions = errors.New("core: invalid options")

// IterMessages yields messages of a chat: newest first (oldest first with
// Reverse), paginating over messages.getHistory, or messages.search when
// Search, FromUser or Pinned is set, or fetching IDs when given. Limit 0
// means 100; NoLimit means every message.
func (c *Client) IterMessages(ctx context.Context, p session.Peer, o HistoryOptions) iter.Seq2[*api.Message, error] {
	return func(yield func(*api.Message, error) bool) {
		if len(o.IDs) > 0 {
			c.iterIDs(ctx, p, o.IDs, yield)
			return
		}
		if o.MinID > 0 && o.MaxID > 0 && o.MinID >= o.MaxID-1 {
			return // nothing between them
		}
		limit := limitOf(o.Limit, 100)
		batch := pageSize(o.PageSize, maxPage)
		searching := o.Search != "" || o.FromUser.ID != 0 || o.Pinned
		seen, fetched, total := 0, 0, -1
		offsetID := o.OffsetID
		offsetDate := int32(0)
		if !o.OffsetDate.IsZero() {
			offsetDate = int32(o.OffsetDate.Unix())
		}
		if o.Reverse {
			// Pages above the last id seen, oldest first.
			offsetID = max(o.OffsetID, o.MinID)
		}
		for limit < 0 || seen < limit {
			n := batch
			if limit > 0 {
				n = min(n, limit-seen)
			}
			req := pageRequest{offsetID: offsetID, limit: n}
			if o.Reverse {
				req.offsetID, req.addOffset = offsetID+1, -n
			}
			if offsetDate != 0 {
				// Later pages continue from the last id, which keeps to the
				// same side of the date.
				switch {
				case searching && o.Reverse:
					req.minDate = offsetDate
				case searching:
					req.maxDate = offsetDate - 1
				case !o.Reverse:
					req.offsetDate = offsetDate
				case offsetID == 0:
					req.offsetID, req.offsetDate = 0, offsetDate
				}
			}
			msgs, count, complete, err := c.messagesPage(ctx, p, o, req, searching)
			if err != nil {
				yield(nil, err)
				return
			}
			if o.Reverse {
				slices.Reverse(msgs)
			}
			for _, m := range msgs {
				if (o.MinID > 0 && m.ID <= o.MinID) || (o.MaxID > 0 && m.ID >= o.MaxID) {
					continue
				}
				if limit >= 0 && seen >= limit {
					return
				}
				seen++
				if !yield(m, nil) {
					return
				}
			}
			fetched, total = fetched+len(msgs), count
			if len(msgs) == 0 || complete || len(msgs) < n && !searching || (total >= 0 && fetched >= total) {
				return
			}
			last := msgs[len(msgs)-1].ID
			if o.Reverse {
				if last <= offsetID {
					return
				}
			} else if last <= o.MinID+1 || (offsetID != 0 && last >= offsetID) {
				return
			}
			offsetID, offsetDate = last, 0
		}
	}
}

// pageRequest is one page of a history walk.
type pageRequest struct {
	offsetID, offsetDate int32
	minDate, maxDate     int32 // messages.search only
	addOffset, limit     int
}

// messagesPage fetches one page, newest first, with the total count of a
// slice (-1: not a slice); complete reports an answer holding every message
// there is (messages.messages).
func (c *Client) messagesPage(ctx context.Context, p session.Peer, o HistoryOptions, r pageRequest, searching bool) (msgs []*api.Message, total int, complete bool, err error) {
	var res any
	if searching {
		req := &api.MessagesSearchRequest{Peer: InputPeer(p), Q: o.Search, Filter: &api.InputMessagesFilterEmpty{},
			OffsetID: r.offsetID, AddOffset: int32(r.addOffset), Limit: int32(r.limit), MaxID: o.MaxID, MinID: o.MinID}
		if o.Pinned {
			req.Filter = &api.InputMessagesFilterPinned{}
		}
		if o.FromUser.ID != 0 {
			req.FromID = InputPeer(o.FromUser)
		}
		req.MinDate, req.MaxDate = r.minDate, r.maxDate
		res, err = c.Invoke(ctx, req)
	} else {
		res, err = c.Invoke(ctx, &api.MessagesGetHistoryRequest{Peer: InputPeer(p), OffsetID: r.offsetID,
			OffsetDate: r.offsetDate, AddOffset: int32(r.addOffset), Limit: int32(r.limit), MaxID: o.MaxID, MinID: o.MinID})
	}
	if err != nil {
		return nil, -1, false, err
	}
	msgs, total = messagesIn(res)
	if _, complete = res.(*api.MessagesMessages); complete {
		total = -1
	}
	return msgs, total, complete, nil
}

// iterIDs yields messages by id, in the order asked, 100 per request;
// ids that name no message are skipped.
func (c *Client) iterIDs(ctx context.Context, p session.Peer, ids []int32, yield func(*api.Message, error) bool) {
	for chunk := range slices.Chunk(ids, maxPage) {
		msgs, err := c.GetMessages(ctx, p, chunk)
		if err != nil {
			yield(nil, err)
			return
		}
		byID := make(map[int32]*api.Message, len(msgs))
		for _, m := range msgs {
			byID[m.ID] = m
		}
		for _, id := range chunk {
			if m := byID[id]; m != nil && !yield(m, nil) {
				return
			}
		}
	}
}

// DialogOptions select dialogs for IterDialogs.
type DialogOptions struct {
	// Limit bounds the dialogs (0: 100, NoLimit: all).
	Limit int
	// Archived lists the archive (folder 1) instead of the main list.
	Archived bool
	// ExcludePinned leaves pinned dialogs out.
	ExcludePinned bool
	// PageSize is the number asked per request (0: 100, the most).
	PageSize int
}

// IterDialogs yields the chat list, pinned dialogs first, then the most
// recent first, paginating over messages.getDialogs.
func (c *Client) IterDialogs(ctx context.Context, o DialogOptions) iter.Seq2[Dialog, error] {
	return func(yield func(Dialog, error) bool) {
		limit := limitOf(o.Limit, 100)
		batch := pageSize(o.PageSize, maxPage)
		var folder int32
		if o.Archived {
			folder = 1
		}
		seen := 0
		done := map[int64]bool{}
		var offDate, offID int32
		var offPeer api.InputPeerClass = &api.InputPeerEmpty{}
		for limit < 0 || seen < limit {
			n := batch
			if limit > 0 {
				n = min(n, limit-seen)
			}
			req := &api.MessagesGetDialogsRequest{OffsetDate: offDate, OffsetID: offID, OffsetPeer: offPeer,
				Limit: int32(n), ExcludePinned: o.ExcludePinned}
			req.FolderID.Val, req.FolderID.Set = folder, true
			res, err := c.Invoke(ctx, req)
			if err != nil {
				yield(Dialog{}, err)
				return
			}
			var dialogs []api.DialogClass
			var msgs []api.MessageClass
			total := -1
			switch x := res.(type) {
			case *api.MessagesDialogs:
				dialogs, msgs = x.Dialogs, x.Messages
			case *api.MessagesDialogsSlice:
				dialogs, msgs, total = x.Dialogs, x.Messages, int(x.Count)
			default:
				return
			}
			top := map[[2]int64]*api.Message{}
			for _, m := range msgs {
				if msg, ok := m.(*api.Message); ok {
					top[[2]int64{MarkedPeerID(msg.PeerID), int64(msg.ID)}] = msg
				}
			}
			dates := map[[2]int64]int32{}
			for _, m := range msgs {
				if s, ok := m.(*api.MessageService); ok {
					dates[[2]int64{MarkedPeerID(s.PeerID), int64(s.ID)}] = s.Date
				}
			}
			added := 0
			for _, dc := range dialogs {
				d, ok := dc.(*api.Dialog)
				if !ok {
					continue
				}
				marked := MarkedPeerID(d.Peer)
				key := [2]int64{marked, int64(d.TopMessage)}
				peer, err := c.ResolveID(ctx, marked)
				if err != nil {
					continue
				}
				dl := Dialog{Peer: peer, Name: peer.Name, Unread: d.UnreadCount, TopID: d.TopMessage, Pinned: d.Pinned,
					Message: top[key], Folder: d.FolderID.Or(0)}
				date := dates[key]
				if dl.Message != nil {
					date = dl.Message.Date
				}
				offDate, offID, offPeer = date, d.TopMessage, InputPeer(peer)
				if done[marked] {
					continue
				}
				done[marked] = true
				added++
				seen++
				if !yield(dl, nil) {
					return
				}
				if limit >= 0 && seen >= limit {
					return
				}
			}
			_, whole := res.(*api.MessagesDialogs)
			if added == 0 || whole || len(dialogs) < n || (total >= 0 && len(done) >= total) {
				return
			}
		}
	}
}

// GetDialogsWith collects IterDialogs.
func (c *Client) GetDialogsWith(ctx context.Context, o DialogOptions) ([]Dialog, error) {
	return collect(c.IterDialogs(ctx, o))
}

// ArchiveDialog moves a dialog to the archive (folder 1), or back to the
// main list (folders.editPeerFolders).
func (c *Client) ArchiveDialog(ctx context.Context, p session.Peer, archived bool) error {
	var folder int32
	if archived {
		folder = 1
	}
	_, err := c.Invoke(ctx, &api.FoldersEditPeerFoldersRequest{FolderPeers: []api.InputFolderPeerClass{
		&api.InputFolderPeer{Peer: InputPeer(p), FolderID: folder}}})
	return err
}

// collect drains a sequence into a slice, stopping at the first error
// (returned with what came before it).
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
