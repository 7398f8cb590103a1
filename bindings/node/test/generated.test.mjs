// The generated files are what the generator makes from the library's schema
// and the error list, and the declarations type-check a typed example that
// then runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { generate } from '../scripts/generate.mjs';

const require = createRequire(import.meta.url);
const pkg = fileURLToPath(new URL('..', import.meta.url));
const typedExample = fileURLToPath(new URL('../../../examples/node/typed.mts', import.meta.url));

test('regenerating types and error tables gives the committed files', () => {
  const files = generate();
  assert.equal(files.size, 4);
  for (const [file, text] of files) {
    assert.equal(readFileSync(file, 'utf8'), text, `${path.relative(pkg, file)} is stale: run node scripts/generate.mjs`);
  }
  // The generator's own check mode agrees.
  const r = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'generate.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the generated types cover every TL function and constructor of the schema', async () => {
  const { default: polygram } = await import('polygram');
  const tl = readFileSync(path.join(pkg, 'types', 'tl.d.ts'), 'utf8');
  assert.match(tl, /\(layer \d+\)/);
  const layer = Number(/\(layer (\d+)\)/.exec(tl)[1]);
  assert.equal(layer, polygram.libraryInfo().layer);
  assert.match(tl, /'messages\.getHistory': TL\.messages\.GetHistory;/);
  assert.match(tl, /'messages\.getHistory': TL\.messages\.TypeMessages;/);
  assert.match(tl, /export interface InputPeerUser \{\n\s+_: 'inputPeerUser';\n\s+user_id: bigint;\n\s+access_hash: bigint;\n\s+\}/);
  assert.match(tl, /'upload\.saveFilePart': boolean;/);
  const requests = (tl.match(/^ {4}'[^']+': TL\.[A-Za-z.]+;$/gm) || []).length;
  assert.ok(requests > 700, `${requests} request entries`);
});

test('tsc --noEmit accepts the declarations and the typed example (and rejects its mistakes)', { timeout: 180000 }, () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(pkg, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the typed example runs', { timeout: 60000 }, () => {
  const ts = require('typescript');
  const js = ts.transpileModule(readFileSync(typedExample, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  // Inside the package folder, 'polygram' resolves to the package itself.
  const dir = path.join(pkg, '.test-build');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'typed.mjs');
  writeFileSync(file, js);
  try {
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /message \d+: typed hello/);
    assert.match(r.stdout, /users: \d+/);
    assert.match(r.stdout, /this DC: \d/);
    assert.match(r.stdout, /flood wait: 120 s/);
    assert.match(r.stdout, /done\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
