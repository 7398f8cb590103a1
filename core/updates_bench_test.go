package core_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
)

// BenchmarkHandlerLatency measures the time from the emulator accepting a
// message (emulator.SendMessage, which pushes the update) to a Go handler
// of the receiving client running, on loopback. ns/op is the mean; the
// median-ns and p99-ns metrics are the distribution.
func BenchmarkHandlerLatency(b *testing.B) {
	emu := startEmulator(b)
	ann := newAccount(b, emu, "9996624001", "Ann", "", nil, core.UpdateOptions{}, false)
	bob, err := emu.CreateUser("9996624002", "Bob", "", "")
	if err != nil {
		b.Fatal(err)
	}
	got := make(chan time.Time, 1)
	ann.c.OnEvent(func(_ context.Context, ev core.Event) {
		if _, ok := ev.(*core.NewMessage); ok {
			got <- time.Now()
		}
	})
	if err := ann.c.StartUpdates(ctx(b), false); err != nil {
		b.Fatal(err)
	}
	// Warm up the connection and the caches.
	for range 10 {
		emu.SendMessage(bob.ID, ann.user.ID, "warm-up")
		<-got
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := emu.SendMessage(bob.ID, ann.user.ID, "ping"); err != nil {
			b.Fatal(err)
		}
		select {
		case t := <-got:
			lat = append(lat, t.Sub(start))
		case <-time.After(10 * time.Second):
			b.Fatal("the update never reached the handler")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "median-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
