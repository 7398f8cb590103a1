import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibrary, LibraryNotFoundError } from '../index.mjs';

const entry = fileURLToPath(new URL('../index.mjs', import.meta.url));

test('library not found: every path tried is named', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'polygram-'));
  assert.throws(() => findLibrary({ env: {}, packageDir: dir, searchFrom: dir }), (e) => {
    assert.ok(e instanceof LibraryNotFoundError);
    assert.ok(e.tried.includes(path.join(dir, 'libpolygram.so')));
    assert.ok(e.tried.includes(path.join(dir, 'build', 'libpolygram.so')));
    assert.ok(e.tried.includes('/build/libpolygram.so'));
    for (const p of e.tried) assert.ok(e.message.includes(p), p);
    assert.match(e.message, /POLYGRAM_LIBRARY/);
    return true;
  });
});

test('POLYGRAM_LIBRARY naming no file fails clearly (no fallback)', () => {
  const bad = '/nonexistent/dir/libpolygram.so';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { Client } from ${JSON.stringify(entry)}; new Client({ apiId: 1, apiHash: 'x' });`],
  { env: { ...process.env, POLYGRAM_LIBRARY: bad }, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /LibraryNotFoundError/);
  assert.ok(r.stderr.includes(bad), r.stderr);
});

test('the library is found from the repository build folder', () => {
  const p = findLibrary({ env: {} });
  assert.match(p, /build[/\\]libpolygram\.(so|dylib|dll)$/);
});
