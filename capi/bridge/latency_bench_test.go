package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/polygram/polygram/internal/latency"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// BenchmarkInvokeNearestDC measures one raw RPC (help.getNearestDc) against
// the in-process emulator through each layer, on one logged-in client: core
// directly (core.Client.Invoke), the bridge's blocking Invoke of the raw TL,
// and the bridge's Send followed by Receive (what polygram_send +
// polygram_receive do, minus cgo). Each reports its median and p90 in µs,
// which on a shared machine say more than the mean.
//
//	go test -run '^$' -bench InvokeNearestDC -benchtime 20000x ./capi/bridge
func BenchmarkInvokeNearestDC(b *testing.B) {
	c, req := nearestDCBench(b)
	ctx := context.Background()

	b.Run("core", func(b *testing.B) {
		latency.Measure(b, func() error {
			_, err := c.core.Invoke(ctx, &api.HelpGetNearestDCRequest{})
			return err
		})
	})
	b.Run("bridge-invoke", func(b *testing.B) {
		latency.Measure(b, func() error {
			_, e := c.Invoke(encTL, req, 0)
			if e != nil {
				return e
			}
			return nil
		})
	})
	b.Run("bridge-send-receive", func(b *testing.B) {
		latency.Measure(b, func() error {
			id, e := c.Send(encTL, req)
			if e != nil {
				return e
			}
			for {
				ev, e := c.Receive(10 * time.Second)
				if e != nil {
					return e
				}
				if ev.reqID == id {
					if ev.typ != evResult {
						return errorf(ev.status, "request failed")
					}
					return nil
				}
			}
		})
	})
}

// nearestDCBench returns a logged-in client of a new emulator, and the TL of
// help.getNearestDc.
func nearestDCBench(b *testing.B) (*Client, []byte) {
	emu := startTestEmulator(b)
	if _, err := emu.CreateUser("9996620077", "Bench", "", ""); err != nil {
		b.Fatal(err)
	}
	c := newTestClient(b, emu, nil, "log_level", "off")
	sent := call(b, c, "send_code", kv{"phone", "9996620077"})
	call(b, c, "sign_in", kv{"phone", "9996620077", "hash", sent["hash"], "code", emu.LoginCode("9996620077")})
	drain(c)
	req, err := tl.Encode(&api.HelpGetNearestDCRequest{})
	if err != nil {
		b.Fatal(err)
	}
	return c, req
}
