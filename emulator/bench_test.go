package emulator

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// BenchmarkStart measures starting and stopping an emulator with 3 DCs.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		e, err := Start(Config{})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// authorizedConn opens a connection with a fresh pre-registered key logged
// in as userID, and makes one call so that updates flow to it.
func authorizedConn(tb testing.TB, e *Emulator, dc int, userID int64, onUpdate func([]byte)) *conn.Conn {
	tb.Helper()
	raw := make([]byte, crypto.AuthKeySize)
	rand.Read(raw)
	if err := e.AuthorizeKey(dc, raw, userID); err != nil {
		tb.Fatal(err)
	}
	key, _ := crypto.NewAuthKey(raw)
	c, err := conn.Dial(context.Background(), conn.Config{Addr: e.Addr(dc), DC: dc, Keys: []crypto.PublicKey{e.PublicKey()},
		AuthKey: key, Salt: e.salts.base(), OnUpdate: onUpdate, PingInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := tl.Encode(&api.UpdatesGetStateRequest{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Invoke(ctx, body); err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkUpdateFanout measures the time from SendMessage until the push
// has arrived at every one of N online sessions of the recipient; it
// reports the median and the worst of those times.
func BenchmarkUpdateFanout(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			e := startEmu(b, Config{})
			a, _ := e.CreateUser("9996620900", "A", "", "")
			r, _ := e.CreateUser("9996620901", "R", "", "")
			arrived := make(chan time.Time, n*4)
			for i := 0; i < n; i++ {
				c := authorizedConn(b, e, 2, r.ID, func([]byte) { arrived <- time.Now() })
				b.Cleanup(func() { c.Close() })
			}
			var lat []time.Duration
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if _, err := e.SendMessage(a.ID, r.ID, "ping"); err != nil {
					b.Fatal(err)
				}
				var last time.Time
				for i := 0; i < n; i++ {
					select {
					case last = <-arrived:
					case <-time.After(10 * time.Second):
						b.Fatalf("%d of %d sessions got the push", i, n)
					}
				}
				lat = append(lat, last.Sub(start))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		})
	}
}

// BenchmarkSessions1000 measures the memory of 1,000 connected,
// logged-in sessions (clients and emulator in one process: both halves
// count).
func BenchmarkSessions1000(b *testing.B) {
	const n = 1000
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		e, err := Start(Config{})
		if err != nil {
			b.Fatal(err)
		}
		var conns []*conn.Conn
		for i := 0; i < n; i++ {
			u, err := e.CreateUser(fmt.Sprintf("99966%05d", 20000+i), "U", "", "")
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, authorizedConn(b, e, 2, u.ID, func([]byte) {}))
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		used := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / (1 << 20)
		b.ReportMetric(used, "MB")
		b.ReportMetric(used*1024/n, "KB/session")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")

		for _, c := range conns {
			c.Close()
		}
		e.Close()
	}
}
