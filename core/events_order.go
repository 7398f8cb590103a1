package core

import (
	"context"
	"sync"
	"time"

	"github.com/polygram/polygram/tl/api"
)

// sequencer hands events to handler workers: each chat's events in order on
// one worker, and the messages of an album gathered into one Album event.
// While an album gathers, later events of its chat wait behind it.
type sequencer struct {
	ctx     context.Context
	window  time.Duration
	mu      sync.Mutex
	held    map[int64][]Event      // per chat key: events queued behind a gathering album
	open    map[int64]*Album       // gathering albums by grouped id
	pending map[*Album]bool        // albums whose window is still open
	single  map[*Album]*NewMessage // the first message, delivered alone if no other joins
	workers []*worker
}

type worker struct {
	mu   sync.Mutex
	q    []Event
	wake chan struct{}
}

func newSequencer(ctx context.Context, o UpdateOptions, run func(context.Context, Event)) *sequencer {
	s := &sequencer{ctx: ctx, window: o.AlbumWindow, held: map[int64][]Event{}, open: map[int64]*Album{},
		pending: map[*Album]bool{}, single: map[*Album]*NewMessage{}}
	for range o.Workers {
		w := &worker{wake: make(chan struct{}, 1)}
		s.workers = append(s.workers, w)
		go w.loop(ctx, run)
	}
	return s
}

// chatKey is the chat an event belongs to, for ordering (0: no chat).
func chatKey(ev Event) int64 {
	switch x := ev.(type) {
	case *NewMessage:
		return x.ChatID
	case *MessageEdited:
		return x.ChatID
	case *MessageDeleted:
		if x.ChannelID != 0 {
			return channelMarked(x.ChannelID)
		}
	case *MessageRead:
		return x.ChatID
	case *ChatAction:
		return x.ChatID
	case *UserUpdate:
		if x.ChatID != 0 {
			return x.ChatID
		}
		return x.UserID
	case *Album:
		return x.ChatID
	}
	return 0
}

// emit queues an event. It is called from the update loop only.
func (s *sequencer) emit(ev Event) {
	key := chatKey(ev)
	s.mu.Lock()
	defer s.mu.Unlock()
	if nm, ok := ev.(*NewMessage); ok && s.window > 0 && nm.Message.GroupedID.Set && nm.Message.GroupedID.Val != 0 {
		g := nm.Message.GroupedID.Val
		if a := s.open[g]; a != nil && a.ChatID == nm.ChatID {
			a.Messages = append(a.Messages, nm.Message)
			a.Updates = append(a.Updates, nm.Update)
			a.Users, a.Chats = mergeUsers(a.Users, nm.Users), mergeChats(a.Chats, nm.Chats)
			delete(s.single, a)
			return
		}
		a := &Album{ChatID: nm.ChatID, SenderID: nm.SenderID, GroupedID: g, Out: nm.Out,
			Messages: []*api.Message{nm.Message}, Users: nm.Users, Chats: nm.Chats, Updates: []api.UpdateClass{nm.Update}}
		s.open[g], s.pending[a], s.single[a] = a, true, nm
		s.held[key] = append(s.held[key], a)
		time.AfterFunc(s.window, func() { s.closeAlbum(key, a) })
		return
	}
	if len(s.held[key]) > 0 {
		s.held[key] = append(s.held[key], ev)
		return
	}
	s.send(key, ev)
}

// closeAlbum ends an album's gathering window and releases what waited
// behind it.
func (s *sequencer) closeAlbum(key int64, a *Album) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[a.GroupedID] == a {
		delete(s.open, a.GroupedID)
	}
	delete(s.pending, a)
	q := s.held[key]
	for len(q) > 0 {
		front, ok := q[0].(*Album)
		if ok && s.pending[front] {
			break
		}
		ev := q[0]
		if ok {
			if nm := s.single[front]; nm != nil {
				ev = nm // an "album" of one message is a plain message
				delete(s.single, front)
			}
		}
		s.send(key, ev)
		q = q[1:]
	}
	if len(q) == 0 {
		delete(s.held, key)
	} else {
		s.held[key] = q
	}
}

// send queues an event on its chat's worker; s.mu is held, so events of
// one chat enter the worker's queue in order.
func (s *sequencer) send(key int64, ev Event) {
	if key < 0 {
		key = -key
	}
	w := s.workers[key%int64(len(s.workers))]
	w.mu.Lock()
	w.q = append(w.q, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *worker) loop(ctx context.Context, run func(context.Context, Event)) {
	for {
		w.mu.Lock()
		for len(w.q) == 0 {
			w.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			}
			w.mu.Lock()
		}
		ev := w.q[0]
		w.q[0] = nil
		w.q = w.q[1:]
		w.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		run(ctx, ev)
	}
}

func mergeUsers(a, b []api.UserClass) []api.UserClass {
	if len(b) == 0 || (len(a) > 0 && len(b) > 0 && &a[0] == &b[0]) {
		return a
	}
	return append(a[:len(a):len(a)], b...)
}

func mergeChats(a, b []api.ChatClass) []api.ChatClass {
	if len(b) == 0 || (len(a) > 0 && len(b) > 0 && &a[0] == &b[0]) {
		return a
	}
	return append(a[:len(a):len(a)], b...)
}
