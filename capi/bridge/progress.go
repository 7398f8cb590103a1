package bridge

import (
	"context"
	"sync"

	"github.com/polygram/polygram/core"
)

// Progress of transfers. A friendly call that moves a file and is given
// "progress": true queues PROGRESS events {type: "progress", done, total}
// with its request id while it runs: done never decreases, total is the
// byte count (-1 while unknown), and the last one, just before the RESULT,
// has done == total. They are never dropped (their number is bounded by the
// file's parts) and none follows the request's RESULT or ERROR, also after
// a cancel or close.

// evProgress is POLYGRAM_EVENT_PROGRESS.
const evProgress = 8

// EventProgress is the PROGRESS event type.
const EventProgress = evProgress

var errProgressNeedsSend = errorf(statusInvalidArgument,
	`"progress": true needs polygram_send: a blocking call has no request id for PROGRESS events to name`)

type progressKey struct{}

// progressReporter turns core's progress callbacks into events for one
// request.
type progressReporter struct {
	c  *Client
	id uint64

	mu          sync.Mutex
	done, total int64
	sent        bool
}

// report queues a PROGRESS event unless it would go backwards or repeat the
// last one, or the request already ended.
func (p *progressReporter) report(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent && (done < p.done || (done == p.done && total == p.total)) {
		return
	}
	if p.push(done, total) {
		p.done, p.total, p.sent = done, total, true
	}
}

// finish makes sure the last event says done == total.
func (p *progressReporter) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent && p.done == p.total {
		return
	}
	if p.push(p.done, p.done) {
		p.total, p.sent = p.done, true
	}
}

// push queues the event while the request is pending: under c.mu, so it
// cannot slip behind the ERROR that Cancel or close queue after taking the
// request out of pending.
func (p *progressReporter) push(done, total int64) bool {
	c := p.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, pending := c.pending[p.id]; !pending {
		return false
	}
	c.q.push(Event{typ: evProgress, reqID: p.id, enc: encMsgpack,
		data: kv{"type", "progress", "done", done, "total", total}.encode()})
	return true
}

// transfer returns the transfer options of a job: with a Progress callback
// when its request asked for progress events.
func transfer(ctx context.Context) core.TransferOptions {
	if p, ok := ctx.Value(progressKey{}).(*progressReporter); ok {
		return core.TransferOptions{Progress: p.report}
	}
	return core.TransferOptions{}
}

// offsetProgress reports the progress of one part of a larger transfer
// (one file of an album): done is shifted by base and total is the whole.
func offsetProgress(o core.TransferOptions, base, whole int64) core.TransferOptions {
	if o.Progress == nil {
		return o
	}
	fn := o.Progress
	o.Progress = func(done, _ int64) { fn(base+done, whole) }
	return o
}

// withProgress reads the "progress" argument of a file call.
func (a *fields) withProgress(j *job) *job {
	j.progress = a.bool("progress", false)
	return j
}
