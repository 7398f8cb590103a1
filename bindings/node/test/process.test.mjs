// The process lifecycle: a connected client keeps Node alive like a socket;
// after disconnect() the process exits by itself (no dangling handles).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../index.mjs', import.meta.url));

// run starts `node -e script` (ESM) and resolves with its exit status, output
// and time, killing it after limitMs.
function run(script, limitMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: Date.now() - t0 });
    });
  });
}

const story = (after) => `
import { Emulator } from ${JSON.stringify(entry)};
const emu = await Emulator.start();
const token = await emu.createBot({ username: 'exit_bot', firstName: 'Exit' });
await emu.createUser({ phone: '9996251234', firstName: 'Eve' });
const bot = await emu.client({ logLevel: 'error' });
await bot.start({ botToken: token });
bot.on('NewMessage', { incoming: true }, (ev) => ev.reply('pong'));
const eve = await emu.client({ logLevel: 'error' });
await eve.start({ phone: '+9996251234', code: () => emu.loginCode('9996251234') });
const got = new Promise((r) => eve.on('NewMessage', { incoming: true }, r));
await eve.sendMessage('@exit_bot', 'ping');
console.log('reply:', (await got).text);
${after}
`;

test('the process exits by itself after disconnect()', { timeout: 30000 }, async () => {
  const r = await run(story(`
await Promise.all([bot.disconnect(), eve.disconnect()]);
emu.stop();
console.log('disconnected');
`), 20000);
  assert.equal(r.signal, null, `killed: ${r.out}${r.err}`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /reply: pong\ndisconnected\n/);
});

test('a connected client keeps the process alive, like a socket', { timeout: 30000 }, async () => {
  const r = await run(story(`
setTimeout(async () => { console.log('still alive'); await Promise.all([bot.disconnect(), eve.disconnect()]); emu.stop(); }, 1500);
`), 20000);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /still alive/);
  assert.ok(r.ms >= 1500);
});

test('disconnect() from inside a handler lets the process exit', { timeout: 30000 }, async () => {
  const r = await run(story(`
eve.on('NewMessage', { incoming: true }, async () => { await eve.disconnect(); await bot.disconnect(); emu.stop(); console.log('closed in handler'); });
await eve.sendMessage('@exit_bot', 'again');
`), 20000);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /closed in handler/);
});
