import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibrary, LibraryNotFoundError } from '../index.mjs';

const entry = fileURLToPath(new URL('../index.mjs', import.meta.url));
const pkgDir = fileURLToPath(new URL('..', import.meta.url));

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

test('lookup order: the package folder, lib/, prebuilds/<platform>-<arch>/, then build/ folders upwards', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'polygram-'));
  const name = 'libpolygram.so';
  const pre = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(pre, { recursive: true });
  mkdirSync(path.join(dir, 'lib'));
  mkdirSync(path.join(dir, 'build'));
  const opts = { env: {}, packageDir: dir, searchFrom: dir };
  writeFileSync(path.join(dir, 'build', name), '');
  assert.equal(findLibrary(opts), path.join(dir, 'build', name));
  writeFileSync(path.join(pre, name), '');
  assert.equal(findLibrary(opts), path.join(pre, name));
  writeFileSync(path.join(dir, 'lib', name), '');
  assert.equal(findLibrary(opts), path.join(dir, 'lib', name));
  writeFileSync(path.join(dir, name), '');
  assert.equal(findLibrary(opts), path.join(dir, name));
  // POLYGRAM_LIBRARY wins, alone.
  assert.throws(() => findLibrary({ ...opts, env: { POLYGRAM_LIBRARY: '/x/libpolygram.so' } }), (e) => {
    assert.deepEqual(e.tried, ['/x/libpolygram.so']);
    return true;
  });
  rmSync(dir, { recursive: true, force: true });
});

test('the package resolves by name for require (CommonJS) and import (ESM) to one instance', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const cjs = require('polygram');
    import('polygram').then((esm) => {
      const same = esm.Client === cjs.Client && esm.FloodWaitError === cjs.FloodWaitError && esm.default === cjs;
      const named = ['Client', 'Emulator', 'ChatAdminRequiredError', 'BadRequestError', 'Status', 'libraryInfo'].every((k) => k in esm && k in cjs);
      console.log(JSON.stringify({ same, named, abi: cjs.libraryInfo().abi }));
    });
  `], { cwd: pkgDir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, named: true, abi: 1 });
});

test('package.json: exports map with types, import and require conditions; files ship the declarations', () => {
  const pj = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pj.exports['.']), ['types', 'import', 'require']);
  for (const f of Object.values(pj.exports['.'])) assert.ok(existsSync(path.join(pkgDir, f)), f);
  assert.ok(pj.files.includes('types/'));
});
