package mobile_test

import (
	"context"
	"testing"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/internal/latency"
	"github.com/polygram/polygram/mobile"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// ends hands each result or error event's request id to the benchmark.
type ends chan int64

func (e ends) OnEvent(kind string, id int64, _ []byte) {
	if kind == mobile.KindResult || kind == mobile.KindError {
		e <- id
	}
}

// BenchmarkNearestDCOverGo measures the facade's overhead per request: one
// raw help.getNearestDc against an in-process emulator from Go (core's
// Invoke) and through the facade (SendRaw, then the listener's result
// event), in the same run, as medians.
//
//	go test -run '^$' -bench NearestDCOverGo -benchtime 5000x ./mobile
func BenchmarkNearestDCOverGo(b *testing.B) {
	goEmu, err := emulator.Start(emulator.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { goEmu.Close() })
	var dcs []core.DCAddr
	for _, d := range goEmu.DCs() {
		dcs = append(dcs, core.DCAddr{ID: d.ID, Addr: goEmu.Addr(d.ID)})
	}
	cc, err := core.New(core.Config{APIID: 1, APIHash: "test", DCs: dcs, Session: session.NewMemory(),
		PublicKeys: []crypto.PublicKey{goEmu.PublicKey()}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cc.Close() })

	mEmu := startEmulator(b)
	done := make(ends, 16)
	mc, err := mobile.NewClient(clientConfig(b, mEmu, m{"log_level": "off"}), "", done)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(mc.Close)
	req, err := tl.Encode(&api.HelpGetNearestDCRequest{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("go", func(b *testing.B) {
		latency.Measure(b, func() error {
			_, err := cc.Invoke(ctx, &api.HelpGetNearestDCRequest{})
			return err
		})
	})
	b.Run("mobile", func(b *testing.B) {
		latency.Measure(b, func() error {
			id, err := mc.SendRaw(req)
			if err != nil {
				return err
			}
			for got := range done {
				if got == id {
					return nil
				}
			}
			return nil
		})
	})
}
