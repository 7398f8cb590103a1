// Package latency measures round trips in benchmarks: each run of a
// function is timed, and the median and 90th percentile are reported, which
// on a shared machine say more than the mean.
package latency

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Warmup is how many runs come before the timed ones (connections and
// pools warm).
const Warmup = 200

// Measure runs once Warmup times, then once per benchmark iteration, and
// reports the median and p90 of the timed runs in µs ("median-µs",
// "p90-µs"), and on Linux the context switches of the whole process per run
// ("ctxsw/op": each is a thread going to sleep, which another thread's
// wake-up must undo; see docs/capi.md). An error fails the benchmark.
func Measure(b *testing.B, once func() error) {
	b.Helper()
	for range Warmup {
		if err := once(); err != nil {
			b.Fatal(err)
		}
	}
	ns := make([]float64, 0, b.N)
	sw0 := ContextSwitches()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if err := once(); err != nil {
			b.Fatal(err)
		}
		ns = append(ns, float64(time.Since(t0).Nanoseconds()))
	}
	b.StopTimer()
	if sw0 >= 0 {
		b.ReportMetric(float64(ContextSwitches()-sw0)/float64(len(ns)), "ctxsw/op")
	}
	slices.Sort(ns)
	b.ReportMetric(ns[len(ns)/2]/1e3, "median-µs")
	b.ReportMetric(ns[len(ns)*9/10]/1e3, "p90-µs")
}

// ContextSwitches returns the voluntary context switches of every thread of
// the process so far (from /proc/self/task/*/status), or -1 where that is
// not available. Threads that ended meanwhile are not counted.
func ContextSwitches() int64 {
	dirs, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return -1
	}
	var n int64
	for _, d := range dirs {
		b, err := os.ReadFile("/proc/self/task/" + d.Name() + "/status")
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "voluntary_ctxt_switches:"); ok {
				k, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				n += k
			}
		}
	}
	return n
}
