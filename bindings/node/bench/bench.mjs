#!/usr/bin/env node
// Benchmarks of the Node binding against the in-process emulator:
//   1. per-request round trip: ping_local (the boundary only) and
//      help.getNearestDc (a real RPC), sequential, median and p99;
//   2. NewMessage events into a JS handler: the maximum rate, and the lag at
//      a paced 1,000 events/s;
//   3. memory over 100,000 events: JS heap (after GC), RSS, and the Go heap
//      (polygram_stats), at 10,000 events and at the end.
// Usage: node --expose-gc bench/bench.mjs [--quick] [--json]
// Compare with the C figures: build/bench_capi (tests/c/bench_capi.c).
//
// With --remote BUILD_DIR (after `make bench-tools`) it measures only the
// overhead over Go itself: the emulator runs in a process of its own
// (polygram-emulator, as Telegram's servers are never in the caller's
// process), and rounds of gobench (core.Client.Invoke from Go) alternate with
// rounds of the same request from Node against it (target: < 50 us median
// over Go). --rounds N sets the rounds (3); --smoke makes it one round of
// 50 requests (make test runs it so that it keeps working).
import { Client, Emulator, loadLibrary } from '../index.mjs';
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const native = require('../src/native.cjs');
const codec = require('../src/codec.cjs');

const quick = process.argv.includes('--quick');
const asJSON = process.argv.includes('--json');
const N_PING = quick ? 2000 : 20000;
const N_RPC = quick ? 300 : 3000;
const N_EVENTS = quick ? 10000 : 100000;

const gc = globalThis.gc || (() => {});
const results = {};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

// timeEach runs fn n times in sequence: wall-clock latency (median, p99) and
// the process's CPU time per call (JS, koffi and the library's threads).
async function timeEach(n, fn) {
  for (let i = 0; i < Math.min(200, n / 10); i++) await fn(i); // warm-up
  const us = new Float64Array(n);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    us[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  us.sort();
  return {
    n, median_us: +percentile(us, 0.5).toFixed(1), p99_us: +percentile(us, 0.99).toFixed(1),
    cpu_us_per_call: +((cpu.user + cpu.system) / n).toFixed(1),
  };
}

// throughput runs fn n times with `inFlight` calls outstanding: calls per second.
async function throughput(n, inFlight, fn) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) { next++; await fn(); }
  }));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { n, in_flight: inFlight, per_s: Math.round(n / s), us_per_call: +((s * 1e6) / n).toFixed(1) };
}

function goStats() {
  const n = loadLibrary();
  const out = [null];
  const len = [0];
  n.stats(1, out, len);
  return codec.decodeFriendly(native.take(n, out[0], len[0]));
}

function memory() {
  gc();
  gc();
  const m = process.memoryUsage();
  const g = goStats();
  return { js_heap_mb: +(m.heapUsed / 2 ** 20).toFixed(1), rss_mb: +(m.rss / 2 ** 20).toFixed(1), go_heap_mb: +(g.go_heap_alloc / 2 ** 20).toFixed(1) };
}

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// remote: Node against Go, the emulator in another process, alternating rounds.
async function remote(build, n, rounds) {
  const emuBin = path.join(build, 'polygram-emulator');
  const gobench = path.join(build, 'gobench');
  for (const f of [emuBin, gobench]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`make bench-tools\` first`);
  }
  const proc = spawn(emuBin, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const rl = createInterface({ input: proc.stdout });
    const line = await new Promise((resolve, reject) => {
      rl.once('line', resolve);
      proc.once('exit', (code) => reject(new Error(`polygram-emulator exited (${code}) before describing itself`)));
    });
    rl.close();
    const info = JSON.parse(line);
    const res = await fetch(`${info.control}/users`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '9996620077', first_name: 'Bench' }), // DC 2, code 22222
    });
    if (!res.ok) throw new Error(`creating the user: ${res.status}`);
    const client = new Client({
      session: ':memory:', apiId: 1, apiHash: 'bench', logLevel: 'off',
      dcs: info.dcs.map((d) => ({ id: d.id, addr: `${d.host}:${d.port}` })), publicKeys: [info.public_key_pem],
    });
    await client.start({ phone: '9996620077', code: '22222' });
    const over = [];
    console.log(`--- the emulator in another process: ${rounds} round(s) of ${n} requests, Go and Node alternating`);
    try {
      for (let r = 0; r < rounds; r++) {
        const g = spawnSync(gobench, ['-emulator', line, '-n', String(n)], { encoding: 'utf8', timeout: 600000 });
        if (g.status !== 0) throw new Error(`gobench failed: ${g.stderr || g.error}`);
        const go = JSON.parse(g.stdout);
        const node = await timeEach(n, () => client.invoke({ _: 'help.getNearestDc' }));
        console.log(`go core.Invoke (gobench): median ${go.median_us.toFixed(1)} us, p90 ${go.p90_us.toFixed(1)} us, ${go.ctxsw_per_call.toFixed(2)} ctxsw/call`);
        console.log(`node invoke help.getNearestDc: ${JSON.stringify(node)}`);
        over.push(node.median_us - go.median_us);
      }
    } finally {
      await client.disconnect();
    }
    const sorted = [...over].sort((a, b) => a - b);
    console.log(`node over go, per round: ${over.map((x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`).join(', ')} us; median ${percentile(sorted, 0.5) >= 0 ? '+' : ''}${percentile(sorted, 0.5).toFixed(1)} us`);
  } finally {
    proc.kill('SIGTERM');
  }
}

if (process.argv.includes('--remote')) {
  const smoke = process.argv.includes('--smoke'); // one round of 50 (make test)
  await remote(argValue('--remote', '../../build'), smoke ? 50 : quick ? 500 : 2000, smoke ? 1 : Number(argValue('--rounds', '3')));
  process.exit(0);
}

const emu = await Emulator.start();
const token = await emu.createBot({ username: 'bench_bot', firstName: 'Bench' });
const user = await emu.createUser({ phone: '9996211234', firstName: 'Ben', username: 'bench_user' });
const botClient = await emu.client({ logLevel: 'error', eventQueueSize: 100000 });
await botClient.start({ botToken: token });
const bot = botClient.me;

// 1. Round trips.
results.ping_local = await timeEach(N_PING, () => botClient.pingLocal());
results.ping_local_args = await timeEach(N_PING, (i) => botClient.pingLocal({ i, text: 'hello' }));
results.rpc_getNearestDc = await timeEach(N_RPC, () => botClient.invoke({ _: 'help.getNearestDc' }));
results.ping_local_64_in_flight = await throughput(N_PING * 2, 64, () => botClient.pingLocal());

// 2 and 3. Events: the emulator's user sends messages to the bot; the bot's
// handler counts them.
let received = 0;
let lagSum = 0;
let lagMax = 0;
const sentAt = new Map();
let dropped = 0;
botClient.on('dropped', (d) => { dropped += d.count; });
botClient.on('NewMessage', { incoming: true }, (ev) => {
  received++;
  const t = sentAt.get(ev.text);
  if (t !== undefined) {
    const lag = Number(process.hrtime.bigint() - t) / 1e6;
    lagSum += lag;
    if (lag > lagMax) lagMax = lag;
    sentAt.delete(ev.text);
  }
});

async function waitFor(n, limitMs) {
  const end = Date.now() + limitMs;
  while (received < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

// Paced: 1,000 events/s for 3 s (every ms a message), lag measured per event.
{
  const n = quick ? 1000 : 3000;
  received = 0;
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + i;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const text = `paced ${i}`;
    sentAt.set(text, process.hrtime.bigint());
    emu.sendMessage(user.id, bot.id, text);
  }
  await waitFor(n, 30000);
  results.paced_1000_per_s = {
    events: n, received, seconds: +((Date.now() - t0) / 1000).toFixed(2),
    lag_mean_ms: +(lagSum / Math.max(1, received)).toFixed(2), lag_max_ms: +lagMax.toFixed(1), dropped,
  };
}

// Flood: N_EVENTS messages as fast as the emulator makes them, 64 in flight.
{
  received = 0;
  sentAt.clear();
  const before = memory();
  let at10k = null;
  const t0 = Date.now();
  let next = 0;
  async function sender() {
    while (next < N_EVENTS) {
      const i = next++;
      await emu.sendMessage(user.id, bot.id, `m${i}`);
      if (i === 10000 && !at10k) at10k = 'pending';
    }
  }
  const senders = Array.from({ length: 64 }, sender);
  const sampler = (async () => {
    while (received < 10000 && next < N_EVENTS) await new Promise((r) => setTimeout(r, 20));
    at10k = memory();
  })();
  await Promise.all(senders);
  const sendSeconds = (Date.now() - t0) / 1000;
  await waitFor(N_EVENTS, 120000);
  await sampler;
  const seconds = (Date.now() - t0) / 1000;
  results.flood = {
    events: N_EVENTS, received, dropped, send_seconds: +sendSeconds.toFixed(2), seconds: +seconds.toFixed(2),
    events_per_s: Math.round(received / seconds),
  };
  results.memory = { before, at_10000: at10k, at_end: memory() };
}

await botClient.disconnect();
emu.stop();

if (asJSON) console.log(JSON.stringify(results, null, 2));
else {
  console.log(`node ${process.version}, ${quick ? 'quick' : 'full'} run`);
  for (const [k, v] of Object.entries(results)) console.log(`${k}: ${JSON.stringify(v)}`);
}
