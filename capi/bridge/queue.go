package bridge

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Event types and encodings: polygram_event_type and polygram_encoding.
const (
	evResult   = 1
	evError    = 2
	evUpdate   = 3
	evAuth     = 4
	evConn     = 5
	evLog      = 6
	evDropped  = 7
	encTL      = 1
	encMsgpack = 2
	encCall    = 3
)

// Event is one event on its way to the host (a polygram_event).
type Event struct {
	typ    int
	status int
	reqID  uint64
	enc    int
	data   []byte
}

// droppable reports the events the backpressure policy may drop.
func (e *Event) droppable() bool { return e.typ == evUpdate || e.typ == evLog }

// fifo is a queue of events that reuses its backing array.
type fifo struct {
	items []queued
	head  int
}

type queued struct {
	ev  Event
	seq uint64
}

func (f *fifo) len() int { return len(f.items) - f.head }

func (f *fifo) push(q queued) {
	// Compact when the dead prefix is large, so a queue that never empties
	// does not grow without bound.
	if f.head > 64 && f.head*2 > len(f.items) {
		n := copy(f.items, f.items[f.head:])
		clear(f.items[n:])
		f.items, f.head = f.items[:n], 0
	}
	f.items = append(f.items, q)
}

func (f *fifo) front() *queued { return &f.items[f.head] }

func (f *fifo) pop() queued {
	q := f.items[f.head]
	f.items[f.head] = queued{}
	f.head++
	if f.head == len(f.items) {
		if cap(f.items) > 4096 {
			f.items = nil // give a burst's memory back
		} else {
			f.items = f.items[:0]
		}
		f.head = 0
	}
	return q
}

// queue holds a client's events until they are delivered: two FIFOs merged
// by sequence number, so the oldest droppable event (an update or a log
// record) is found in O(1) while results and state changes are never
// dropped.
type queue struct {
	mu           sync.Mutex
	keep, drop   fifo
	seq          uint64
	limit        int // bound of the drop FIFO
	dropped      uint64
	totalDropped uint64
	closed       bool          // the final event was pushed
	signal       chan struct{} // capacity 1: "something changed"
	// waker, when set, is also called on every change, for waiters that
	// wait outside Go (SetWaker).
	waker atomic.Pointer[func()]
	// note, when set, is the readiness descriptor of EventFD (eventfd.go).
	note *notifier
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, signal: make(chan struct{}, 1)}
}

func (q *queue) notify() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
	if w := q.waker.Load(); w != nil {
		(*w)()
	}
}

// push queues an event; after the final event it is discarded. It never
// blocks.
func (q *queue) push(ev Event) { q.pushEvent(ev, false) }

// pushFinal queues the last event the client will ever deliver.
func (q *queue) pushFinal(ev Event) { q.pushEvent(ev, true) }

func (q *queue) pushEvent(ev Event, final bool) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.seq++
	it := queued{ev: ev, seq: q.seq}
	if ev.droppable() {
		if q.drop.len() >= q.limit {
			q.drop.pop()
			q.dropped++
			q.totalDropped++
		}
		q.drop.push(it)
	} else {
		q.keep.push(it)
	}
	q.closed = q.closed || final
	q.signalLocked()
	q.mu.Unlock()
	q.notify()
}

// tryPop returns the next event, if any; done reports a closed queue with
// nothing left.
func (q *queue) tryPop() (ev Event, ok, done bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dropped > 0 {
		ev = Event{typ: evDropped, enc: encMsgpack,
			data: kv{"type", "dropped", "count", int64(q.dropped), "total", int64(q.totalDropped)}.encode()}
		q.dropped = 0
		return ev, true, false
	}
	var from *fifo
	switch {
	case q.keep.len() > 0 && q.drop.len() > 0:
		from = &q.keep
		if q.drop.front().seq < q.keep.front().seq {
			from = &q.drop
		}
	case q.keep.len() > 0:
		from = &q.keep
	case q.drop.len() > 0:
		from = &q.drop
	default:
		if !q.closed {
			q.armLocked()
		}
		return ev, false, q.closed
	}
	return from.pop().ev, true, false
}

// spinPop polls for the next event for up to d, yielding between looks.
func (q *queue) spinPop(d time.Duration) (ev Event, ok, done bool) {
	deadline := time.Now().Add(d)
	for {
		runtime.Gosched()
		if ev, ok, done = q.tryPop(); ok || done || time.Now().After(deadline) {
			return ev, ok, done
		}
	}
}

// size returns the number of queued events.
func (q *queue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.keep.len() + q.drop.len()
}

// wait returns the next event, waiting up to timeout (0: not at all;
// negative: without limit). The status is OK, TIMEOUT, or CLOSED when the
// queue is closed and empty.
func (q *queue) wait(timeout time.Duration) (Event, int) {
	var timer *time.Timer
	var expired <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		ev, ok, done := q.tryPop()
		if ok {
			if q.size() > 0 {
				q.notify() // another receiver may be waiting
			}
			return ev, statusOK
		}
		if done {
			q.notify() // wake the next receiver: it must see the end too
			return Event{}, statusClosed
		}
		if timeout == 0 {
			return Event{}, statusTimeout
		}
		if timeout > 0 && timer == nil {
			timer = time.NewTimer(timeout)
			expired = timer.C
		}
		select {
		case <-q.signal:
		case <-expired:
			// One last look: an event may have come with the deadline.
			if ev, ok, _ := q.tryPop(); ok {
				return ev, statusOK
			}
			return Event{}, statusTimeout
		}
	}
}
