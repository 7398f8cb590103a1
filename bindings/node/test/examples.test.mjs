// The examples in examples/node run to completion against the emulator and
// exit by themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));
const pkg = fileURLToPath(new URL('..', import.meta.url));

// runTyped transpiles a TypeScript example into the package folder (where
// 'polygram' resolves to the package itself) and runs it.
function runTyped(file) {
  const ts = require('typescript');
  const js = ts.transpileModule(readFileSync(examples + file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dir = path.join(pkg, '.test-build', 'examples');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, file.replace(/\.mts$/, '.mjs'));
  writeFileSync(out, js);
  try {
    return spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 60000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

test('button-bot.mts: a menu of inline buttons, callback answers, an edit, inline mode', { timeout: 70000 }, () => {
  const r = runTyped('button-bot.mts');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^menu: \[Margherita\] \[Funghi\] \/ \[Menu online\] \[Share\]\n/);
  assert.match(r.stdout, /link button: https:\/\/example.org\/menu\nbot says: One funghi coming up!\n/);
  assert.match(r.stdout, /menu now: "Ordered: funghi" with \[Cancel\]\n/);
  assert.match(r.stdout, /cancel: Too late, it is in the oven \(alert: true\)\n/);
  assert.match(r.stdout, /inline results: Margherita, Funghi\n/);
  assert.match(r.stdout, /sent to Bob via the bot: "Margherita \(you searched "cheese"\)"\n/);
  assert.match(r.stdout, /done\n$/);
  assert.equal(r.stderr, '');
});

test('group-events.mjs: joins, titles, typing, read receipts, an album and members', { timeout: 70000 }, () => {
  const r = runExample('group-events.mjs');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Bob joined "Gardeners"/);
  assert.match(r.stdout, /title changed to "Gardeners' club" by Alice/);
  assert.match(r.stdout, /Bob is typing/);
  assert.match(r.stdout, /Bob read Alice's messages up to \d+/);
  assert.match(r.stdout, /album of 3 from Bob: "our tomatoes"/);
  assert.match(r.stdout, /members: Alice \(creator\), Bob\n/);
  assert.match(r.stdout, /done\n$/);
  assert.equal(r.stderr, '');
});
