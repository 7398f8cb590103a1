// Command polygram-emulator runs Polygram's Telegram data-centre emulator on
// loopback, for tests written in any language.
//
// It prints one JSON line to stdout describing the DCs, the RSA public key
// clients must trust, and the address of a loopback HTTP control API
// (emulator.ControlHandler: create users, bots, groups and channels, post
// messages, promote and ban members, get invite links, inject faults), then
// serves until SIGINT or SIGTERM.
//
//	polygram-emulator [-dcs 3] [-snapshot state.json] [-key server.pem] [-control 127.0.0.1:0]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/mtproto/crypto"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := run(os.Args[1:], os.Stdout, sig); err != nil {
		fmt.Fprintln(os.Stderr, "polygram-emulator:", err)
		os.Exit(1)
	}
}

// run starts the emulator, writes the JSON line to out and serves until
// stop delivers.
func run(args []string, out io.Writer, stop <-chan os.Signal) error {
	fs := flag.NewFlagSet("polygram-emulator", flag.ContinueOnError)
	dcs := fs.Int("dcs", 3, "number of data centres (ids 1..N)")
	snapshot := fs.String("snapshot", "", "load the model from this file if it exists and save it on exit")
	keyFile := fs.String("key", "", "PEM file with the server's RSA private key (default: the emulator's public test key)")
	control := fs.String("control", "127.0.0.1:0", `loopback address of the HTTP control API ("off" disables it)`)
	verbose := fs.Bool("v", false, "log diagnostics to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := emulator.Config{DCs: *dcs, Snapshot: *snapshot}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if *keyFile != "" {
		pem, err := os.ReadFile(*keyFile)
		if err != nil {
			return err
		}
		if cfg.Key, err = crypto.ParsePrivateKeyPEM(pem); err != nil {
			return fmt.Errorf("%s: %w", *keyFile, err)
		}
	}
	e, err := emulator.Start(cfg)
	if err != nil {
		return err
	}
	info := e.Info()
	var srv *http.Server
	if *control != "off" {
		ln, err := listenLoopback(*control)
		if err != nil {
			e.Close()
			return err
		}
		info.Control = "http://" + ln.Addr().String()
		srv = &http.Server{Handler: e.ControlHandler()}
		go srv.Serve(ln)
	}
	line, err := json.Marshal(info)
	if err != nil {
		e.Close()
		return err
	}
	fmt.Fprintln(out, string(line))
	<-stop
	if srv != nil {
		srv.Shutdown(context.Background())
	}
	return e.Close()
}

// listenLoopback listens on addr, refusing anything but a loopback address:
// the control API has no authentication.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-control %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, errors.New("-control must be a loopback address (the control API has no authentication)")
	}
	return net.Listen("tcp", addr)
}
