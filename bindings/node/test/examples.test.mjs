// The examples in examples/node run to completion against the emulator and
// exit by themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));

function runExample(file) {
  return spawnSync(process.execPath, [examples + file], { encoding: 'utf8', timeout: 60000 });
}

test('echo-bot.mjs: the bot echoes every message and the process exits', { timeout: 70000 }, () => {
  const r = runExample('echo-bot.mjs');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bot @echo_bot is listening/);
  assert.match(r.stdout, /@echo_bot -> Alice: "echo: Hello, bot! \(from Alice\)" \(a reply to 1\)/);
  assert.match(r.stdout, /"bye"/);
  assert.match(r.stdout, /done\n$/);
  assert.equal(r.stderr, '');
});

test('history.cjs (CommonJS): iterates over 30 messages and the dialogs', { timeout: 70000 }, () => {
  const r = runExample('history.cjs');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^#30 letter 30\n#29 letter 29\n#28 letter 28\n30 messages in the chat with @penpal\n/);
  assert.match(r.stdout, /dialog: Penpal \(30 unread\), last: "letter 30"/);
});
