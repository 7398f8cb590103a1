package core_test

import (
	crand "crypto/rand"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/mtproto/crypto"
)

// igeDecryptRate measures single-core AES-256-IGE decryption in MB/s over
// size bytes in 1 MB messages (what a client decrypts per file part).
func igeDecryptRate(b *testing.B, size int) float64 {
	key := make([]byte, 32)
	iv := make([]byte, 32)
	crand.Read(key)
	crand.Read(iv)
	x, err := crypto.NewIGE(key)
	if err != nil {
		b.Fatal(err)
	}
	src := make([]byte, 1<<20)
	dst := make([]byte, 1<<20)
	crand.Read(src)
	start := time.Now()
	for done := 0; done < size; done += len(src) {
		if err := x.Decrypt(dst, src, iv); err != nil {
			b.Fatal(err)
		}
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds()
}

// benchWorkers reads POLYGRAM_BENCH_WORKERS (default: the library's).
func benchWorkers() int {
	n, _ := strconv.Atoi(os.Getenv("POLYGRAM_BENCH_WORKERS"))
	return n
}

// BenchmarkDownload100MBVsIGE downloads a 100 MB document from another user
// over loopback and, in the same run, measures single-core IGE decryption:
// the target is download ≥ 0.5 × IGE. The upload that puts the file
// there is timed too (upload-MB/s, upload/ige), and so is the first download
// (cold-download-MB/s): it also opens the connections to the file's DC and
// imports the authorization there. The timed downloads run on warm
// connections, as every download after a client's first does.
func BenchmarkDownload100MBVsIGE(b *testing.B) {
	fx := newFileFixture(b)
	size := 100 << 20
	data := make([]byte, size)
	crand.Read(data)
	igeSum, igeRuns := igeDecryptRate(b, size), 1
	start := time.Now()
	msg := fx.sendDocument(b, data, "big.bin")
	upRate := float64(size) / (1 << 20) / time.Since(start).Seconds()
	opts := core.TransferOptions{Workers: benchWorkers()}
	start = time.Now()
	if _, err := fx.down.DownloadMedia(ctx(b), fx.senderPeer, msg, io.Discard, opts); err != nil {
		b.Fatal(err)
	}
	coldRate := float64(size) / (1 << 20) / time.Since(start).Seconds()
	// IGE is measured between downloads too, so both see the same load on
	// a shared machine; the rate reported is the mean.
	igeSum, igeRuns = igeSum+igeDecryptRate(b, size), igeRuns+1
	b.SetBytes(int64(size))
	b.ResetTimer()
	var elapsed, cpu time.Duration
	for b.Loop() {
		start, cpu0 := time.Now(), processCPU()
		if _, err := fx.down.DownloadMedia(ctx(b), fx.senderPeer, msg, io.Discard, opts); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		b.StopTimer()
		igeSum, igeRuns = igeSum+igeDecryptRate(b, size), igeRuns+1
		b.StartTimer()
	}
	ige := igeSum / float64(igeRuns)
	rate := float64(size) / (1 << 20) / (elapsed.Seconds() / float64(b.N))
	b.ReportMetric(ige, "ige-decrypt-MB/s")
	// CPU of both sides (client and emulator) per byte, and cores busy.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(size*b.N), "cpu-ns/B")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores-busy")
	b.ReportMetric(rate/ige, "download/ige")
	b.ReportMetric(coldRate, "cold-download-MB/s")
	b.ReportMetric(upRate, "upload-MB/s")
	b.ReportMetric(upRate/ige, "upload/ige")
}

// BenchmarkDownload100MBToDiskPeakMemory downloads 100 MB to a file and
// reports the peak Go heap in use during the download above the heap before
// it (which holds the emulator's copy of the file), and the peak live heap
// after a collection above the one before. The GC runs at 20% so the heap
// follows what is live rather than the collector's pacing.
func BenchmarkDownload100MBToDiskPeakMemory(b *testing.B) {
	fx := newFileFixture(b)
	size := 100 << 20
	data := make([]byte, size)
	crand.Read(data)
	msg := fx.sendDocument(b, data, "big.bin")
	data = nil
	dir := b.TempDir()
	b.SetBytes(int64(size))
	var peak, peakLive uint64
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		liveBase := live[0].Value.Uint64()
		var top, liveTop atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > top.Load() {
					top.Store(ms.HeapInuse)
				}
				s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > liveTop.Load() {
					liveTop.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		path, err := fx.down.DownloadMediaTo(ctx(b), fx.senderPeer, msg, filepath.Join(dir, "out.bin"), core.TransferOptions{})
		close(stop)
		<-sampled
		if err != nil {
			b.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() != int64(size) {
			b.Fatalf("%s: %v", path, err)
		}
		if top.Load() > base && top.Load()-base > peak {
			peak = top.Load() - base
		}
		if liveTop.Load() > liveBase && liveTop.Load()-liveBase > peakLive {
			peakLive = liveTop.Load() - liveBase
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakLive)/(1<<20), "peak-live-heap-MB")
}

// processCPU is the user and system CPU time of the process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
