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

fn measure(name: &str, n: usize, mut f: impl FnMut()) {
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
}

fn main() -> polygram::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let (n_local, n_rpc) = if quick { (2_000, 200) } else { (50_000, 2_000) };
    let emu = Emulator::start()?;
    let phone = "9996611111";
    emu.create_user(phone, "Bench", "", "")?;
    let client: Client = emu.client()?;
    pollster::block_on(async {
        let code = client.send_code(phone).await?;
        client.sign_in(&code, &emu.login_code(phone)?).await?;
        polygram::Result::Ok(())
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
