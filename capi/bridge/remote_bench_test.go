package bridge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"

	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// The test binary doubles as an emulator process for the benchmarks that
// put the server in another process, as Telegram's is: a benchmark starts
// it again with remoteEmulatorEnv set, and it serves until its standard
// input closes.
const remoteEmulatorEnv = "POLYGRAM_BRIDGE_BENCH_EMULATOR"

func TestMain(m *testing.M) {
	if os.Getenv(remoteEmulatorEnv) == "1" {
		if err := serveEmulatorProcess(); err != nil {
			fmt.Fprintln(os.Stderr, "emulator process:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveEmulatorProcess starts an emulator with its HTTP control API, prints
// its description as one line of JSON, and stops when stdin closes.
func serveEmulatorProcess() error {
	e, err := emulator.Start(emulator.Config{})
	if err != nil {
		return err
	}
	defer e.Close()
	srv := &http.Server{Handler: e.ControlHandler()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	info := e.Info()
	info.Control = "http://" + ln.Addr().String()
	if err := json.NewEncoder(os.Stdout).Encode(info); err != nil {
		return err
	}
	bufio.NewReader(os.Stdin).ReadByte()
	return nil
}

// remoteEmulator starts an emulator in a child process (the test binary
// itself) and returns a client configuration for it.
func remoteEmulator(b *testing.B) (info emulator.Info, config []byte) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), remoteEmulatorEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	if err := json.NewDecoder(stdout).Decode(&info); err != nil {
		b.Fatalf("reading the emulator's description: %v", err)
	}
	var dcs []any
	for _, d := range info.DCs {
		dcs = append(dcs, kv{"id", d.ID, "addr", fmt.Sprintf("%s:%d", d.Host, d.Port)})
	}
	config = kv{"api_id", 1, "api_hash", "test", "dcs", dcs, "public_keys", []any{info.PublicKeyPEM}, "log_level", "off"}.encode()
	return info, config
}

// controlPost sends one command to a remote emulator's control API.
func controlPost(b *testing.B, info emulator.Info, path string, body any) {
	j, err := json.Marshal(body)
	if err != nil {
		b.Fatal(err)
	}
	res, err := http.Post(info.Control+path, "application/json", bytes.NewReader(j))
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("POST %s: %s", path, res.Status)
	}
}

// remoteNearestDCBench is nearestDCBench with the emulator in another
// process.
func remoteNearestDCBench(b *testing.B) (*Client, []byte) {
	info, cfg := remoteEmulator(b)
	controlPost(b, info, "/users", map[string]any{"phone": "9996620077", "first_name": "Bench"})
	c, e := NewClient(cfg, nil)
	if e != nil {
		b.Fatal(e)
	}
	b.Cleanup(c.Close)
	sent := call(b, c, "send_code", kv{"phone", "9996620077"})
	// Test phones 99966X… get the code XXXXX (emulator.Info.LoginCode).
	call(b, c, "sign_in", kv{"phone", "9996620077", "hash", sent["hash"], "code", "22222"})
	drain(c)
	req, err := tl.Encode(&api.HelpGetNearestDCRequest{})
	if err != nil {
		b.Fatal(err)
	}
	return c, req
}
