// Command gobench is the Go side of the bindings' latency benchmarks. It
// connects to an emulator that runs in another process (cmd/polygram-emulator,
// as Telegram's servers are never in the caller's process), logs in, and
// times core.Client.Invoke of help.getNearestDc: the request every binding's
// benchmark times against the same emulator, in the same minutes, so that a
// binding's overhead over Go is a difference of two figures measured side by
// side (docs/bindings-latency.md).
//
//	gobench -emulator '<the JSON line polygram-emulator printed>' [-phone 9996620088] [-n 2000] [-warmup 200]
//
// It prints one JSON line:
//
//	{"call":"help.getNearestDc","n":2000,"median_us":…,"p90_us":…,"p99_us":…,"ctxsw_per_call":…}
//
// ctxsw_per_call counts the voluntary context switches of this process per
// request (every thread that went to sleep and had to be woken; -1 where
// /proc is missing).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/internal/latency"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl/api"
)

// result is the JSON line gobench prints.
type result struct {
	Call         string  `json:"call"`
	N            int     `json:"n"`
	MedianUS     float64 `json:"median_us"`
	P90US        float64 `json:"p90_us"`
	P99US        float64 `json:"p99_us"`
	CtxswPerCall float64 `json:"ctxsw_per_call"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("gobench", flag.ContinueOnError)
	emu := fs.String("emulator", "", "the JSON line polygram-emulator printed (required)")
	phone := fs.String("phone", "9996620088", "test phone to sign up or log in with (99966XYYYY: code X×5)")
	n := fs.Int("n", 2000, "timed requests")
	warmup := fs.Int("warmup", latency.Warmup, "requests before the timed ones")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *emu == "" {
		return errors.New("-emulator is required")
	}
	if *n < 1 || *warmup < 0 {
		return errors.New("-n must be positive and -warmup not negative")
	}
	if len(*phone) < 6 || !strings.HasPrefix(*phone, "99966") {
		return fmt.Errorf("-phone %q: a test phone 99966XYYYY is needed (the emulator's code is X×5)", *phone)
	}
	var info emulator.Info
	if err := json.Unmarshal([]byte(*emu), &info); err != nil {
		return fmt.Errorf("-emulator: %w", err)
	}
	cfg := core.Config{APIID: 1, APIHash: "gobench", Session: session.NewMemory()}
	for _, d := range info.DCs {
		cfg.DCs = append(cfg.DCs, core.DCAddr{ID: d.ID, Addr: fmt.Sprintf("%s:%d", d.Host, d.Port)})
	}
	key, err := crypto.ParsePublicKeyPEM([]byte(info.PublicKeyPEM))
	if err != nil {
		return fmt.Errorf("-emulator: public key: %w", err)
	}
	cfg.PublicKeys = []crypto.PublicKey{key}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := core.New(cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	code := strings.Repeat((*phone)[5:6], 5)
	if _, err := c.Login(ctx, core.LoginOptions{
		Phone:     func(context.Context) (string, error) { return *phone, nil },
		Code:      func(context.Context, *core.SentCode) (string, error) { return code, nil },
		FirstName: "Gobench",
	}); err != nil {
		return fmt.Errorf("login: %w", err)
	}

	once := func() error {
		_, err := c.Invoke(ctx, &api.HelpGetNearestDCRequest{})
		return err
	}
	for range *warmup {
		if err := once(); err != nil {
			return err
		}
	}
	ns := make([]float64, 0, *n)
	sw0 := latency.ContextSwitches()
	for range *n {
		t0 := time.Now()
		if err := once(); err != nil {
			return err
		}
		ns = append(ns, float64(time.Since(t0).Nanoseconds()))
	}
	sw1 := latency.ContextSwitches()
	slices.Sort(ns)
	r := result{Call: "help.getNearestDc", N: *n, MedianUS: ns[len(ns)/2] / 1e3,
		P90US: ns[len(ns)*9/10] / 1e3, P99US: ns[len(ns)*99/100] / 1e3, CtxswPerCall: -1}
	if sw0 >= 0 && sw1 >= 0 {
		r.CtxswPerCall = float64(sw1-sw0) / float64(len(ns))
	}
	return json.NewEncoder(out).Encode(r)
}
