//! Per-request overhead of the Rust binding against the emulator.
//!
//!     cargo run --release --example bench [-- --quick]    (in bindings/rust)
//!
//! Measures, as medians (and p99) over many sequential requests:
//! - `ping_local` (a friendly call answered by the C API without the network)
//!   as an awaited future driven by pollster, and through the blocking
//!   `call_blocking` (polygram_invoke);
//! - a real RPC round trip, `help.getNearestDc` as raw TL bytes and
//!   `get_me`, against the in-process emulator.
//!
//! Compare with tests/c/bench_capi.c (the same calls from C).
//!
//!     cargo run --release --example bench -- --remote ../../build [--quick] [--rounds N]
//!
//! measures only the overhead over Go itself (target: < 10 µs median): the
//! emulator runs in a process of its own (`polygram-emulator`, as Telegram's
//! servers are never in the caller's process; `make bench-tools` builds it and
//! `gobench`), and rounds of `gobench` (`core.Client.Invoke` from Go) alternate
//! with rounds of the same request from Rust against it. `--smoke` makes it
//! one round of 50 requests.

use polygram::{map, Client, Emulator, Value};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::time::{Duration, Instant};

/// Drives a future by polling it in a loop (a busy executor): it measures the
/// binding without the executor's thread wake-up, like bench_capi's spinning
/// callback loop.
fn spin_on<F: Future>(f: F) -> F::Output {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |_| RawWaker::new(std::ptr::null(), &VTABLE),
        |_| {},
        |_| {},
        |_| {},
    );
    // SAFETY: the vtable's functions do nothing with the (null) data pointer.
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::hint::spin_loop();
    }
}

/// Voluntary context switches of all the process's threads so far (Linux;
/// None elsewhere): each is a thread going to sleep, which a wake-up must
/// undo (docs/capi.md, "Latency").
fn context_switches() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let status = std::fs::read_to_string(task.ok()?.path().join("status")).unwrap_or_default();
        for line in status.lines() {
            if let Some(v) = line.strip_prefix("voluntary_ctxt_switches:") {
                total += v.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    Some(total)
}

fn measure(name: &str, n: usize, f: impl FnMut()) {
    measure_median(name, n, f);
}

/// measure, returning the median in µs.
fn measure_median(name: &str, n: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..n / 10 + 1 {
        f();
    }
    let sw = context_switches();
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let s = Instant::now();
        f();
        t.push(s.elapsed());
    }
    let sw = match (sw, context_switches()) {
        (Some(a), Some(b)) => format!("   {:.2} ctxsw/run", (b - a) as f64 / n as f64),
        _ => String::new(),
    };
    t.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{name:<40} n={n:<6} median {:>8.2} µs   p99 {:>8.2} µs{sw}",
        us(t[n / 2]),
        us(t[n * 99 / 100])
    );
    us(t[n / 2])
}

/// `polygram-emulator` in a child process, stopped on drop.
struct RemoteEmulator {
    child: std::process::Child,
    line: String,
    info: serde_json::Value,
}

impl RemoteEmulator {
    fn start(binary: &std::path::Path) -> Result<RemoteEmulator, String> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(binary)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e} (run `make bench-tools` first)", binary.display()))?;
        let mut line = String::new();
        let read = std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line);
        let mut emu = RemoteEmulator {
            child,
            line: line.trim().to_string(),
            info: serde_json::Value::Null,
        };
        read.map_err(|e| format!("reading the emulator's description: {e}"))?;
        emu.info = serde_json::from_str(&emu.line)
            .map_err(|e| format!("the emulator's description: {e}"))?;
        Ok(emu)
    }

    fn config(&self) -> polygram::Config {
        let dcs: Vec<Value> = self.info["dcs"]
            .as_array()
            .map(|a| a.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|d| {
                map([
                    ("id", Value::from(d["id"].as_i64().unwrap_or(0))),
                    (
                        "addr",
                        Value::from(format!(
                            "{}:{}",
                            d["host"].as_str().unwrap_or(""),
                            d["port"]
                        )),
                    ),
                ])
            })
            .collect();
        let key = self.info["public_key_pem"]
            .as_str()
            .unwrap_or("")
            .to_string();
        polygram::Config::new(1, "bench")
            .log_level("off")
            .set("dcs", Value::Array(dcs))
            .set("public_keys", Value::Array(vec![Value::from(key)]))
    }
}

impl Drop for RemoteEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Rust against Go, the emulator in another process, alternating rounds.
fn remote(build: &str, n: usize, rounds: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(build);
    let emu = RemoteEmulator::start(&dir.join("polygram-emulator"))?;
    let client = Client::new(emu.config())?;
    let phone = "9996620077"; // DC 2: the code is 22222
    pollster::block_on(async {
        let code = client.send_code(phone).await?;
        client.sign_up(&code, "Bench", "").await?;
        Ok::<(), polygram::Error>(())
    })?;
    let nearest = polygram::msgpack_to_tl(&map([("_", Value::from("help.getNearestDc"))]))?;
    println!("--- the emulator in another process: {rounds} round(s) of {n} requests, Go and Rust alternating");
    let (mut over_async, mut over_blocking) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let out = std::process::Command::new(dir.join("gobench"))
            .args(["-emulator", &emu.line, "-n", &n.to_string()])
            .output()?;
        if !out.status.success() {
            return Err(format!("gobench failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let go: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let go_median = go["median_us"].as_f64().unwrap_or(f64::NAN);
        println!(
            "{:<40} n={n:<6} median {go_median:>8.2} µs   {:.2} ctxsw/run",
            "Go core.Invoke (gobench)",
            go["ctxsw_per_call"].as_f64().unwrap_or(-1.0)
        );
        let a = measure_median("help.getNearestDc raw TL (async)", n, || {
            pollster::block_on(client.invoke_raw(&nearest)).expect("getNearestDc");
        });
        let b = measure_median("help.getNearestDc raw TL (blocking)", n, || {
            client
                .invoke_raw_blocking(&nearest, None)
                .expect("getNearestDc");
        });
        over_async.push(a - go_median);
        over_blocking.push(b - go_median);
    }
    for (what, v) in [("async", &mut over_async), ("blocking", &mut over_blocking)] {
        let rounds: Vec<String> = v.iter().map(|x| format!("{x:+.1}")).collect();
        v.sort_by(f64::total_cmp);
        println!(
            "Rust ({what}) over Go, per round: {} µs; median {:+.1} µs",
            rounds.join(", "),
            v[v.len() / 2]
        );
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(build) = value_of("--remote") {
        // --smoke: one round of 50 requests (make test runs it so that it keeps working).
        if args.iter().any(|a| a == "--smoke") {
            return remote(build, 50, 1);
        }
        let rounds = value_of("--rounds")
            .and_then(|r| r.parse().ok())
            .unwrap_or(3);
        return remote(build, if quick { 500 } else { 2_000 }, rounds);
    }
    let (n_local, n_rpc) = if quick { (2_000, 200) } else { (50_000, 2_000) };
    let emu = Emulator::start()?;
    let phone = "9996611111";
    emu.create_user(phone, "Bench", "", "")?;
    let client: Client = emu.client()?;
    pollster::block_on(async {
        let code = client.send_code(phone).await?;
        client.sign_in(&code, &emu.login_code(phone)?).await?;
        Ok::<(), polygram::Error>(())
    })?;

    let empty = Value::Map(vec![]);
    measure("ping_local (async, pollster)", n_local, || {
        pollster::block_on(client.ping_local(empty.clone())).expect("ping_local");
    });
    measure("ping_local (async, busy-polled)", n_local, || {
        spin_on(client.ping_local(empty.clone())).expect("ping_local");
    });
    let arg = map([("x", Value::from(1))]);
    measure("ping_local {x:1} (async, pollster)", n_local, || {
        pollster::block_on(client.ping_local(arg.clone())).expect("ping_local");
    });
    measure("ping_local (call_blocking)", n_local, || {
        client
            .call_blocking("ping_local", empty.clone(), None)
            .expect("ping_local");
    });

    let nearest = polygram::msgpack_to_tl(&map([("_", Value::from("help.getNearestDc"))]))?;
    measure("help.getNearestDc raw TL (async)", n_rpc, || {
        pollster::block_on(client.invoke_raw(&nearest)).expect("getNearestDc");
    });
    measure(
        "help.getNearestDc raw TL (async, busy-polled)",
        n_rpc,
        || {
            spin_on(client.invoke_raw(&nearest)).expect("getNearestDc");
        },
    );
    let nearest_mp = map([("_", Value::from("help.getNearestDc"))]);
    measure("help.getNearestDc msgpack (async)", n_rpc, || {
        pollster::block_on(client.invoke(&nearest_mp)).expect("getNearestDc");
    });
    measure("help.getNearestDc raw TL (blocking)", n_rpc, || {
        client
            .invoke_raw_blocking(&nearest, None)
            .expect("getNearestDc");
    });
    measure("get_me (async)", n_rpc, || {
        pollster::block_on(client.get_me()).expect("get_me");
    });
    Ok(())
}
