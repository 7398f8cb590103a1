// Package latency measures round trips in benchmarks: each run of a
// function is timed, and the median and 90th percentile are reported, which
// on a shared machine say more than the mean.
package latency

import (
	"slices"
	"testing"
	"time"
)

// Warmup is how many runs come before the timed ones (connections and
// pools warm).
const Warmup = 200

// Measure runs once Warmup times, then once per benchmark iteration, and
// reports the median and p90 of the timed runs in µs ("median-µs",
// "p90-µs"). An error fails the benchmark.
func Measure(b *testing.B, once func() error) {
	b.Helper()
	for range Warmup {
		if err := once(); err != nil {
			b.Fatal(err)
		}
	}
	ns := make([]float64, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if err := once(); err != nil {
			b.Fatal(err)
		}
		ns = append(ns, float64(time.Since(t0).Nanoseconds()))
	}
	b.StopTimer()
	slices.Sort(ns)
	b.ReportMetric(ns[len(ns)/2]/1e3, "median-µs")
	b.ReportMetric(ns[len(ns)*9/10]/1e3, "p90-µs")
}
