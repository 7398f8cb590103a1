#!/usr/bin/env node
// Generates the typed parts of the binding from the data libpolygram exports:
//   types/tl.d.ts       TypeScript types of every TL constructor, type and
//                       function (request and result), from polygram_schema_msgpack;
//   src/rpc-errors.cjs  the table of Telegram's RPC errors (name, codes, class
//                       name, base class), from the library's polygram_errors, or
//                       in libraries without it the repository's schema/errors.csv
//                       (the same list: tl/rpcerr is generated from it);
//   types/errors.d.ts   one declared error class per row of that table.
// The output is committed. `node scripts/generate.mjs` rewrites it;
// `--check` exits 1 (naming the stale files) when the output would differ.
//
// Options: --check, --errors <path of errors.csv>, --library <libpolygram path>.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_TL = path.join(PKG, 'types', 'tl.d.ts');
const OUT_ERR_TABLE = path.join(PKG, 'src', 'rpc-errors.cjs');
const OUT_ERR_DTS = path.join(PKG, 'types', 'errors.d.ts');
const OUT_ERR_ESM = path.join(PKG, 'src', 'errors.mjs');

// ---- the schema --------------------------------------------------------------

function loadSchema(libraryPath) {
  const native = require('../src/native.cjs');
  const { decode } = require('@msgpack/msgpack');
  const n = native.loadLibrary(libraryPath ? { path: libraryPath } : {});
  const out = [null];
  const len = [0];
  const st = n.schemaMsgpack(out, len);
  if (st !== native.STATUS.OK) throw new Error(`polygram_schema_msgpack failed: ${n.statusName(st)}`);
  return decode(native.take(n, out[0], len[0]), { useBigInt64: false });
}

const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete',
  'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var',
  'void', 'while', 'with', 'TL']);

const cap = (s) => s[0].toUpperCase() + s.slice(1);

// split('messages.getHistory') -> ['messages', 'getHistory']; top level -> ['', name].
function split(name) {
  const i = name.lastIndexOf('.');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

// Names in the generated namespace TL: a constructor `messages.messages` is
// the interface TL.messages.Messages, its type `messages.Messages` the union
// TL.messages.TypeMessages, the function `messages.getHistory` the request
// interface TL.messages.GetHistory. Every reference is fully qualified
// (TL.x.Y), so a namespace's own names never shadow top-level ones.
function combName(name) {
  const [ns, base] = split(name);
  return ns ? `${ns}.${cap(base)}` : cap(base);
}
function typeName(name) {
  const [ns, base] = split(name);
  return ns ? `${ns}.Type${base}` : `Type${base}`;
}

function tsType(t, types) {
  const vec = /^[Vv]ector<(.+)>$/.exec(t);
  if (vec) {
    const inner = tsType(vec[1], types);
    return /[ |&]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
  }
  switch (t) {
    case 'int': return 'number';
    case 'long': return 'bigint';
    case 'double': return 'number';
    case 'string': return 'string';
    case 'bytes': case 'int128': case 'int256': return 'Uint8Array';
    case 'Bool': case 'true': case 'True': return 'boolean';
    case '!X': return 'TL.AnyRequest';
    case 'X': return 'unknown';
    default: break;
  }
  if (t.startsWith('%')) return `TL.${combName(t.slice(1))}`;
  if (Object.prototype.hasOwnProperty.call(types, t)) return `TL.${typeName(t)}`;
  throw new Error(`schema: unknown type ${t}`);
}

function fieldLines(params, types, indent) {
  const lines = [];
  for (const p of params) {
    if (p.is_flags || p.type === '#') continue; // computed from the fields present
    const opt = p.flag_field !== undefined ? '?' : '';
    lines.push(`${indent}${p.name}${opt}: ${tsType(p.type, types)};`);
  }
  return lines;
}

function generateTL(schema) {
  const { constructors, functions, types, layer } = schema;
  // Group declarations by namespace.
  const byNs = new Map();
  const ns = (name) => {
    if (!byNs.has(name)) byNs.set(name, []);
    return byNs.get(name);
  };
  const names = new Map(); // qualified TS name -> TL name (collision check)
  const claim = (tsName, tlName) => {
    if (names.has(tsName)) throw new Error(`generated name ${tsName} is used by ${names.get(tsName)} and ${tlName}`);
    const [n, base] = split(tsName);
    if (RESERVED.has(base) || RESERVED.has(n)) throw new Error(`generated name ${tsName} is reserved`);
    names.set(tsName, tlName);
  };
  const skip = new Set(['Bool', 'True', 'Vector t']); // mapped to JS values, not objects
  for (const c of constructors) {
    if (skip.has(c.type) || c.name === 'vector') continue;
    const tsName = combName(c.name);
    claim(tsName, c.name);
    const [n, base] = split(tsName);
    ns(n).push([
      `/** ${c.name}#${c.id.toString(16).padStart(8, '0')} = ${c.type} */`,
      `export interface ${base} {`,
      `  _: '${c.name}';`,
      ...fieldLines(c.params, types, '  '),
      '}',
    ]);
  }
  for (const t of Object.keys(types).sort()) {
    if (skip.has(t)) continue;
    const tsName = typeName(t);
    claim(tsName, t);
    const [n, base] = split(tsName);
    const members = types[t].map((c) => `TL.${combName(c)}`);
    ns(n).push([`/** Any constructor of ${t}. */`, `export type ${base} = ${members.join(' | ')};`]);
  }
  const reqMap = [];
  const resMap = [];
  for (const f of functions) {
    const tsName = combName(f.name);
    claim(tsName, f.name);
    const [n, base] = split(tsName);
    ns(n).push([
      `/** ${f.name}#${f.id.toString(16).padStart(8, '0')}: resolves to ${f.result} */`,
      `export interface ${base} {`,
      `  _: '${f.name}';`,
      ...fieldLines(f.params, types, '  '),
      '}',
    ]);
    reqMap.push(`  '${f.name}': TL.${tsName};`);
    resMap.push(`  '${f.name}': ${tsType(f.result, types)};`);
  }

  const out = [
    `// Code generated by scripts/generate.mjs from the schema libpolygram exports (layer ${layer}). DO NOT EDIT.`,
    '//',
    '// TL objects as the binding exchanges them: "_" names the constructor; long is bigint,',
    '// int and double are number, bytes (and int128/int256) Uint8Array (a Buffer is one),',
    '// Bool and true flags boolean, vectors arrays; optional (flag) fields may be absent, and',
    '// flags words are computed from the fields present, so they are not fields here.',
    '',
    'export declare namespace TL {',
  ];
  const nsNames = [...byNs.keys()].sort();
  for (const n of nsNames) {
    const decls = byNs.get(n);
    const indent = n ? '    ' : '  ';
    if (n) out.push(`  export namespace ${n} {`);
    for (const d of decls) for (const line of d) out.push(indent + line);
    if (n) out.push('  }');
  }
  out.push('  /** Every TL function by name: its request object. */');
  out.push('  export interface Requests {', ...reqMap.map((l) => '  ' + l), '  }');
  out.push('  /** Every TL function by name: what it resolves to. */');
  out.push('  export interface Results {', ...resMap.map((l) => '  ' + l), '  }');
  out.push('  /** A request of any TL function. */');
  out.push('  export type AnyRequest = Requests[keyof Requests];');
  out.push('  /** The name of any TL function. */');
  out.push('  export type RequestName = keyof Requests;');
  out.push(`  /** The API layer of this schema. */`);
  out.push(`  export type Layer = ${layer};`);
  out.push('}', '');
  return out.join('\n');
}

// ---- the error list ------------------------------------------------------------

function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Base classes by Telegram error code (the same split as Telethon's).
const BASES = {
  303: 'InvalidDCError', 400: 'BadRequestError', 401: 'UnauthorizedError', 403: 'ForbiddenError',
  404: 'NotFoundError', 406: 'AuthKeyError', 420: 'FloodError', 500: 'ServerError', '-503': 'TimedOutError',
};
const DIGITS = ['Zero', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'];

// CHAT_ADMIN_REQUIRED -> ChatAdminRequiredError; FLOOD_WAIT_X -> FloodWaitError;
// 2FA_CONFIRM_WAIT_X -> TwoFaConfirmWaitError.
// A name whose X-less form is another error's name keeps its X
// (EMAIL_UNCONFIRMED_X -> EmailUnconfirmedXError next to EMAIL_UNCONFIRMED).
function className(name, keepX = false) {
  let s = name.split('_').filter((w) => (keepX || w !== 'X') && w !== '')
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
  if (/^[0-9]/.test(s)) s = DIGITS[Number(s[0])] + cap(s.slice(1));
  return s + 'Error';
}

// errorRows reads the error list as [name, codes, description] rows: from
// the library's polygram_errors when it has it (so an installed package
// regenerates without the repository), else from schema/errors.csv (or
// --errors). Both are the same list, so the output does not depend on which.
function errorRows(csvPath, libraryPath) {
  if (!csvPath) {
    const native = require('../src/native.cjs');
    const { decode } = require('@msgpack/msgpack');
    const n = native.loadLibrary(libraryPath ? { path: libraryPath } : {});
    if (n.errors) {
      const out = [null];
      const len = [0];
      const st = n.errors(out, len);
      if (st !== native.STATUS.OK) throw new Error(`polygram_errors failed: ${n.statusName(st)}`);
      const list = decode(native.take(n, out[0], len[0]));
      return list.map((e) => [e.name, e.codes.join(' '), e.description || '']);
    }
    csvPath = path.resolve(PKG, '..', '..', 'schema', 'errors.csv');
  }
  const rows = parseCSV(fs.readFileSync(csvPath, 'utf8'));
  const header = rows.shift();
  if (header.join(',') !== 'name,codes,description') throw new Error(`${csvPath}: unexpected header ${header}`);
  return rows;
}

function loadErrors(rows) {
  // By name in byte order (as the library sorts), whichever the source.
  rows = rows.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const reserved = new Set([...Object.values(BASES), 'RPCError', 'PolygramError', 'FloodWaitError']);
  const seen = new Map();
  const list = [];
  const plain = new Set(rows.map(([name]) => className(name, true)));
  for (const [name, codes, description] of rows) {
    const codeList = codes.split(/\s+/).filter(Boolean).map(Number);
    if (!/^[A-Z0-9_]+$/.test(name)) {
      // Telethon's -503 pseudo errors ("Timeout", "Timedout"): the base class itself.
      const cls = BASES[codeList[0]] || 'RPCError';
      list.push({ name, codes: codeList, className: cls, base: cls, description, alias: true });
      continue;
    }
    const cls = plain.has(className(name)) && className(name) !== className(name, true) ? className(name, true) : className(name);
    if (seen.has(cls)) throw new Error(`errors: ${name} and ${seen.get(cls)} both map to ${cls}`);
    seen.set(cls, name);
    let base = BASES[codeList[0]] || 'RPCError';
    // Flood waits (FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X, ...) carry seconds to wait.
    if (name !== 'FLOOD_WAIT_X' && /^FLOOD_.*WAIT_X$/.test(name)) base = 'FloodWaitError';
    if (reserved.has(cls) && name !== 'FLOOD_WAIT_X') throw new Error(`errors: ${name} maps to the base class ${cls}`);
    list.push({ name, codes: codeList, className: cls, base, description });
  }
  return list;
}

function generateErrorTable(list, source) {
  const out = [
    `// Code generated by scripts/generate.mjs from ${source}. DO NOT EDIT.`,
    '// Telegram RPC errors: [name (X stands for a number), codes, class name, base class, description].',
    "'use strict';",
    '',
    'module.exports = [',
  ];
  for (const e of list) {
    out.push(`  [${JSON.stringify(e.name)}, ${JSON.stringify(e.codes)}, ${JSON.stringify(e.className)}, ${JSON.stringify(e.base)}, ${JSON.stringify(e.description)}],`);
  }
  out.push('];', '');
  return out.join('\n');
}

function generateErrorDecls(list, source) {
  const out = [
    `// Code generated by scripts/generate.mjs from ${source}. DO NOT EDIT.`,
    "import { RPCError, InvalidDCError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, AuthKeyError, FloodError, ServerError, TimedOutError, FloodWaitError } from './base-errors';",
    '',
  ];
  for (const e of list) {
    if (e.alias || e.className === 'FloodWaitError') continue; // declared with the base classes
    const doc = e.description.replace(/\*\//g, '* /').replace(/\s+/g, ' ');
    out.push(`/** ${e.name} (${e.codes.join(', ')}): ${doc} */`);
    out.push(`export declare class ${e.className} extends ${e.base} {}`);
  }
  out.push('');
  return out.join('\n');
}

// The ESM entry's named exports of the error classes (import cannot spread a
// CommonJS object's computed keys).
function generateErrorESM(list, source) {
  const names = [...new Set(['RPCError', 'InvalidDCError', 'BadRequestError', 'UnauthorizedError', 'ForbiddenError',
    'NotFoundError', 'AuthKeyError', 'FloodError', 'ServerError', 'TimedOutError', 'FloodWaitError',
    ...list.map((e) => e.className)])];
  const out = [
    `// Code generated by scripts/generate.mjs from ${source}. DO NOT EDIT.`,
    "import errors from './errors.cjs';",
    '',
    'export const {',
  ];
  for (const n of names) out.push(`  ${n},`);
  out.push('} = errors.RPC_ERROR_CLASSES;', '');
  return out.join('\n');
}

// ---- main -------------------------------------------------------------------------

export function generate({ errorsPath, library } = {}) {
  const errors = loadErrors(errorRows(errorsPath, library));
  const source = 'schema/errors.csv';
  return new Map([
    [OUT_TL, generateTL(loadSchema(library))],
    [OUT_ERR_TABLE, generateErrorTable(errors, source)],
    [OUT_ERR_DTS, generateErrorDecls(errors, source)],
    [OUT_ERR_ESM, generateErrorESM(errors, source)],
  ]);
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = generate({ errorsPath: arg('--errors'), library: arg('--library') });
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, text] of files) {
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (old === text) continue;
    if (check) stale.push(path.relative(PKG, file));
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`wrote ${path.relative(PKG, file)} (${text.length} bytes)`);
    }
  }
  if (stale.length) {
    console.error(`stale generated files (run node scripts/generate.mjs): ${stale.join(', ')}`);
    process.exit(1);
  }
}
