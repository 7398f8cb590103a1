package bridge

// A readiness descriptor for event loops (polygram_event_fd). A program that
// already waits on descriptors (asyncio, libuv, GLib, epoll) watches it
// instead of parking a thread in polygram_receive: one wake-up of the loop
// per burst of events, no thread hand-off.
//
// The queue owns a pipe. It is readable exactly while the last receive did
// not find the queue empty or an event was queued since: the pipe is drained
// (and "armed") when a receive finds nothing, and one byte is written when
// an event arrives at an armed queue. Both happen under the queue's lock, so
// no event can slip between "empty" and "armed". Callers get their own
// duplicate of the read end; when the handle is spent (its queue closed and
// drained) the library closes its ends, after which the caller's duplicate
// reads end-of-file: readable, and the next receive says CLOSED.

// notifier is the queue's pipe; nil until the first EventFD.
type notifier struct {
	r, w  int
	armed bool
}

// EventFD returns a new descriptor, owned by the caller, that is readable
// while Receive(0) has something to return (an event, or the end).
func (c *Client) EventFD() (int, *Error) {
	if c.deliver != nil {
		return -1, errorf(statusWrongMode, "client %d delivers its events to a callback", c.h)
	}
	fd, err := c.q.eventFD()
	if err != nil {
		return -1, errorf(statusFailed, "event descriptor: %v", err)
	}
	return fd, nil
}

func (q *queue) eventFD() (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.note == nil {
		r, w, err := newPipe()
		if err != nil {
			return -1, err
		}
		q.note = &notifier{r: r, w: w, armed: true}
		if q.closed || q.dropped > 0 || q.keep.len()+q.drop.len() > 0 {
			q.signalLocked()
		}
	}
	return dupFD(q.note.r)
}

// signalLocked makes the descriptor readable if it was armed.
func (q *queue) signalLocked() {
	if n := q.note; n != nil && n.armed {
		n.armed = false
		writeByte(n.w)
	}
}

// armLocked drains the descriptor after a receive found the queue empty.
func (q *queue) armLocked() {
	if n := q.note; n != nil && !n.armed {
		drainFD(n.r)
		n.armed = true
	}
}

// closeNote closes the library's ends once the handle is spent.
func (q *queue) closeNote() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := q.note; n != nil {
		closeFD(n.r)
		closeFD(n.w)
		q.note = nil
	}
}
