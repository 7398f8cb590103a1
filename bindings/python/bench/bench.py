"""Benchmarks of the Python binding against the emulator, on loopback.

    python bench/bench.py [--quick] [--c-bench PATH]

- per-request latency, send -> awaited result, of ``ping_local`` (the
  library boundary alone) and of a real RPC (``help.getNearestDc``) as a dict,
  as a typed ``functions`` request and as TL bytes;
- with ``--c-bench PATH`` (a build of tests/c/bench_capi.c), the same-run C
  figures and the Python overhead over them (target: < 30 us median);
- NewMessage events per second delivered to a Python handler when the
  emulator pushes messages at a fixed rate (target: 1,000/s without
  backlog), with the delivery latency;
- with ``--remote BUILD_DIR`` (after ``make bench-tools``), the overhead over
  Go itself: the emulator runs in a process of its own (``polygram-emulator``,
  as Telegram's servers are never in the caller's process), and rounds of
  ``gobench`` (``core.Client.Invoke`` from Go) alternate with rounds of the
  same request from Python against it (target: < 30 us median over Go).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any, Awaitable, Callable, Dict, List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from polygram import Client, Emulator, events, functions  # noqa: E402
from polygram import _lib  # noqa: E402


def pct(xs: List[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def line(what: str, ns: List[float]) -> Dict[str, float]:
    r = {"median": pct(ns, 0.5) / 1e3, "p90": pct(ns, 0.9) / 1e3, "p99": pct(ns, 0.99) / 1e3}
    print(f"{what:<46} median {r['median']:8.2f} us   p90 {r['p90']:8.2f} us   p99 {r['p99']:8.2f} us"
          f"   ({len(ns)} runs)")
    return r


async def timed(n: int, f: Callable[[], Awaitable[Any]]) -> List[float]:
    for _ in range(min(200, n)):  # warm up
        await f()
    out = []
    clock = time.perf_counter_ns
    for _ in range(n):
        t0 = clock()
        await f()
        out.append(clock() - t0)
    return out


def c_figures(path: str) -> Dict[str, float]:
    out = subprocess.run([path, "--quick"], capture_output=True, text=True, timeout=600).stdout
    print("--- C (same run):")
    print(out.rstrip())
    figs = {}
    for key, pat in (("ping_callback", r"ping_local: send -> callback\s+median\s+([\d.]+)"),
                     ("ping_receive", r"ping_local: send -> receive\s+median\s+([\d.]+)"),
                     ("rpc", r"help.getNearestDc \(TL\): send -> receive\s+median\s+([\d.]+)")):
        m = re.search(pat, out)
        if m:
            figs[key] = float(m.group(1))
    return figs


async def requests(emu: Emulator, n_ping: int, n_rpc: int) -> Dict[str, Dict[str, float]]:
    emu.create_user("9996629001", "Bench")
    c = emu.client()
    await c.start(phone="9996629001", code_callback=lambda: emu.login_code("9996629001"))
    res = {}
    try:
        print("--- Python:")
        mode = "event fd" if c._fd_mode else "reader thread"
        res["ping"] = line(f"ping_local: await (asyncio, {mode})", await timed(n_ping, c.ping_local))
        # CPU of the loop thread per request: the binding's own cost, which
        # (unlike the wall-clock figures) does not grow with the machine's load.
        cpu0 = time.thread_time_ns()
        for _ in range(n_ping):
            await c.ping_local()
        cpu = (time.thread_time_ns() - cpu0) / n_ping / 1e3
        print(f"{'ping_local: loop-thread CPU per request':<46} {cpu:8.2f} us")
        req = {"_": "help.getNearestDc"}
        res["rpc_dict"] = line("help.getNearestDc as a dict", await timed(n_rpc, lambda: c(req)))
        typed = functions.help.GetNearestDcRequest()
        res["rpc_typed"] = line("help.getNearestDc as functions.*Request", await timed(n_rpc, lambda: c(typed)))
        tl = _lib.dict_to_tl(req)
        res["rpc_tl"] = line("help.getNearestDc as TL bytes", await timed(n_rpc, lambda: c(tl)))
    finally:
        await c.disconnect()
    return res


async def event_rate(emu: Emulator, rate: int, seconds: float) -> None:
    token = emu.create_bot("bench_events_bot", "BenchEvents")
    bot = emu.client()
    user = emu.create_user("9996629002", "Sender")
    got: List[float] = []
    sent: Dict[str, float] = {}
    total = int(rate * seconds)
    done = asyncio.Event()

    @bot.on(events.NewMessage(incoming=True))
    async def handler(event: Any) -> None:
        got.append(time.perf_counter() - sent.get(event.text, time.perf_counter()))
        if len(got) >= total:
            done.set()

    await bot.start(bot_token=token)
    bot_id = (await bot.get_me()).id
    emu.send_message(user["id"], bot_id, "warm-up")  # the bot meets the sender
    await asyncio.sleep(0.5)
    got.clear()

    def pump() -> None:  # the emulator pushes `rate` messages a second
        t0 = time.perf_counter()
        for i in range(total):
            target = t0 + i / rate
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            text = f"m{i}"
            sent[text] = time.perf_counter()
            emu.send_message(user["id"], bot_id, text)

    t0 = time.perf_counter()
    th = threading.Thread(target=pump)
    th.start()
    try:
        await asyncio.wait_for(done.wait(), seconds * 4 + 10)
    except asyncio.TimeoutError:
        pass
    elapsed = time.perf_counter() - t0
    th.join()
    lat = [x * 1e6 for x in got]
    print(f"--- events: offered {rate}/s for {seconds:.0f} s ({total} messages)")
    print(f"delivered {len(got)}/{total} in {elapsed:.2f} s = {len(got) / elapsed:.0f} events/s; "
          f"latency median {statistics.median(lat) / 1e3:.2f} ms, p99 {pct(lat, 0.99) / 1e3:.2f} ms, "
          f"max {max(lat) / 1e3:.2f} ms" if lat else "no events delivered")
    await bot.disconnect()


async def flood(emu: Emulator, n: int) -> None:
    """Delivery as fast as the emulator can push: the handler's ceiling."""
    token = emu.create_bot("bench_flood_bot", "BenchFlood")
    bot = emu.client()
    user = emu.create_user("9996629003", "Flooder")
    count = [0]
    done = asyncio.Event()

    @bot.on(events.NewMessage(incoming=True))
    async def handler(event: Any) -> None:
        count[0] += 1
        if count[0] >= n:
            done.set()

    await bot.start(bot_token=token)
    bot_id = (await bot.get_me()).id
    emu.send_message(user["id"], bot_id, "warm-up")
    await asyncio.sleep(0.5)
    count[0] = 0
    t0 = time.perf_counter()
    th = threading.Thread(target=lambda: [emu.send_message(user["id"], bot_id, f"f{i}") for i in range(n)])
    th.start()
    try:
        await asyncio.wait_for(done.wait(), 60)
    except asyncio.TimeoutError:
        pass
    el = time.perf_counter() - t0
    th.join()
    print(f"--- events, unthrottled: {count[0]}/{n} delivered in {el:.2f} s = {count[0] / el:.0f} events/s")
    await bot.disconnect()


class RemoteEmulator:
    """``polygram-emulator`` in a child process, with a user to log in as."""

    def __init__(self, binary: str) -> None:
        if not os.path.exists(binary):
            raise SystemExit(f"{binary} is missing: run `make bench-tools` first")
        self.proc = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        self.line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not self.line:
            self.close()
            raise SystemExit(f"{binary} printed no description")
        self.info = json.loads(self.line)

    def post(self, path: str, body: Dict[str, Any]) -> None:
        req = urllib.request.Request(self.info["control"] + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()

    def client(self) -> Client:
        dcs = [{"id": d["id"], "addr": f"{d['host']}:{d['port']}"} for d in self.info["dcs"]]
        return Client(":memory:", 1, "bench", dcs=dcs, public_keys=[self.info["public_key_pem"]], log_level="off")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def go_round(gobench: str, emu_line: str, n: int) -> Dict[str, float]:
    out = subprocess.run([gobench, "-emulator", emu_line, "-n", str(n)], capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"gobench failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


async def remote(build: str, n: int, rounds: int) -> None:
    """Python against Go, the emulator in another process, alternating rounds."""
    emu = RemoteEmulator(os.path.join(build, "polygram-emulator"))
    gobench = os.path.join(build, "gobench")
    try:
        emu.post("/users", {"phone": "9996620077", "first_name": "Bench"})  # DC 2, code 22222
        c = emu.client()
        await c.start(phone="9996620077", code_callback=lambda: "22222")
        try:
            req = {"_": "help.getNearestDc"}
            tl = _lib.dict_to_tl(req)
            print(f"--- the emulator in another process: {rounds} round(s) of {n} requests, Go and Python alternating")
            over: Dict[str, List[float]] = {"tl": [], "dict": []}
            for r in range(rounds):
                g = go_round(gobench, emu.line, n)
                print(f"{'Go core.Invoke (gobench)':<46} median {g['median_us']:8.2f} us   p90 {g['p90_us']:8.2f} us"
                      f"   ({g['n']} runs, {g['ctxsw_per_call']:.2f} ctxsw/run)")
                py_tl = line("Python help.getNearestDc as TL bytes", await timed(n, lambda: c(tl)))
                py_dict = line("Python help.getNearestDc as a dict", await timed(n, lambda: c(req)))
                over["tl"].append(py_tl["median"] - g["median_us"])
                over["dict"].append(py_dict["median"] - g["median_us"])
            for k, v in over.items():
                print(f"Python over Go ({k:>4}), per round: " + ", ".join(f"{x:+.1f}" for x in v)
                      + f" us; median {statistics.median(v):+.1f} us")
        finally:
            await c.disconnect()
    finally:
        emu.close()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--c-bench", help="path of a bench_capi build, for the same-run C figures")
    ap.add_argument("--remote", metavar="BUILD_DIR",
                    help="only the overhead over Go, against polygram-emulator in another process "
                         "(BUILD_DIR holds polygram-emulator and gobench: `make bench-tools`)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating Go/Python rounds with --remote")
    ap.add_argument("--smoke", action="store_true", help="with --remote: one round of 50 requests (make test)")
    a = ap.parse_args()
    if a.remote:
        await remote(a.remote, 50 if a.smoke else 500 if a.quick else 2000, 1 if a.smoke else a.rounds)
        return
    n_ping, n_rpc = (5000, 500) if a.quick else (20000, 2000)
    c = c_figures(a.c_bench) if a.c_bench else {}
    with Emulator() as emu:
        py = await requests(emu, n_ping, n_rpc)
        if c:
            print("--- Python over C (medians):")
            for k, what in (("ping_receive", "C send -> receive"), ("ping_callback", "C send -> callback")):
                if k in c:
                    print(f"ping_local: {py['ping']['median'] - c[k]:+.2f} us over {what} ({c[k]:.2f} us)")
            if "rpc" in c:
                for k in ("rpc_dict", "rpc_typed", "rpc_tl"):
                    print(f"help.getNearestDc {k[4:]:>5}: {py[k]['median'] - c['rpc']:+.2f} us over C "
                          f"({c['rpc']:.2f} us)")
        await event_rate(emu, 1000, 2 if a.quick else 5)
        await flood(emu, 2000 if a.quick else 10000)


if __name__ == "__main__":
    asyncio.run(main())
