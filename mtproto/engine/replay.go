package engine

// replayWindow remembers the most recent msg_ids received, to reject
// replays. It holds up to size ids; when it forgets one to make room, every
// id at or below the highest forgotten id is rejected from then on, since it
// could be a replay the window can no longer recognise. msg_ids grow with
// time, so in practice only stale ids fall below that floor.
type replayWindow struct {
	size  int
	ids   map[int64]struct{}
	ring  []int64
	next  int
	full  bool
	floor int64
	any   bool // floor is set
}

// newReplayWindow returns an empty window; its memory grows with use, so an
// idle session costs almost nothing.
func newReplayWindow(size int) *replayWindow {
	return &replayWindow{size: size, ids: map[int64]struct{}{}}
}

// add records id and reports whether it is new: neither held nor at or below
// the floor.
func (w *replayWindow) add(id int64) bool {
	if _, dup := w.ids[id]; dup {
		return false
	}
	if w.any && id <= w.floor {
		return false
	}
	if w.full {
		old := w.ring[w.next]
		delete(w.ids, old)
		if !w.any || old > w.floor {
			w.floor, w.any = old, true
		}
	}
	if w.full {
		w.ring[w.next] = id
	} else {
		w.ring = append(w.ring, id)
	}
	w.ids[id] = struct{}{}
	w.next++
	if w.next == w.size {
		w.next, w.full = 0, true
	}
	return true
}

func (w *replayWindow) has(id int64) bool {
	_, ok := w.ids[id]
	return ok
}
