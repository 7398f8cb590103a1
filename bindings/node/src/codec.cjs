'use strict';
// msgpack encoding and decoding, and the TL `long` mapping for raw calls.
const { Encoder, decode: mpDecode } = require('@msgpack/msgpack');

const ENCODE_OPTS = { useBigInt64: true, ignoreUndefined: true };
const DECODE_OPTS = { useBigInt64: true };

// With useBigInt64, @msgpack/msgpack writes a number beyond 32 bits as a
// float64, which the library refuses where it wants an integer (a channel's
// marked id -100…, a Unix time in ms). Safe integers go out as int64.
class IntEncoder extends Encoder {
  encodeNumber(n) {
    if (Number.isSafeInteger(n) && (n >= 0x100000000 || n < -0x80000000)) {
      this.encodeBigInt64(BigInt(n));
      return;
    }
    super.encodeNumber(n);
  }
}
const encoder = new IntEncoder(ENCODE_OPTS);

function encode(value) {
  return encoder.encode(value);
}

// Friendly results: integers are numbers when they fit in 2^53 (ids,
// dates), bigint otherwise (access hashes).
function narrow(v) {
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = narrow(v[i]);
    return v;
  }
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const k of Object.keys(v)) v[k] = narrow(v[k]);
  }
  return v;
}

function decodeFriendly(bytes) {
  return narrow(mpDecode(bytes, DECODE_OPTS));
}

// Raw results: every TL field of type long is a bigint, every other integer
// a number (the schema says which is which).
let longFields = null; // constructor name -> Map(field -> 'long' | 'vector')
let longResults = null; // functions whose result is Vector<long>

function loadSchema(native) {
  if (longFields) return longFields;
  const out = [null];
  const len = [0];
  const st = native.schemaMsgpack(out, len);
  if (st !== 0) throw new Error(`polygram_schema_msgpack failed with status ${st}`);
  const { take } = require('./native.cjs');
  const schema = mpDecode(take(native, out[0], len[0]));
  longFields = new Map();
  longResults = new Set();
  for (const f of schema.functions) if (/^[Vv]ector<long>$/.test(f.result)) longResults.add(f.name);
  for (const c of [...schema.constructors, ...schema.functions]) {
    const m = new Map();
    for (const p of c.params) {
      if (p.type === 'long') m.set(p.name, 'long');
      else if (/^[Vv]ector<long>$/.test(p.type)) m.set(p.name, 'vector');
    }
    if (m.size) longFields.set(c.name, m);
  }
  return longFields;
}

function widen(v, fields) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = widen(v[i], fields);
    return v;
  }
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const longs = typeof v._ === 'string' ? fields.get(v._) : undefined;
    for (const k of Object.keys(v)) {
      const kind = longs && longs.get(k);
      if (kind === 'long' && typeof v[k] === 'number') v[k] = BigInt(v[k]);
      else if (kind === 'vector' && Array.isArray(v[k])) v[k] = v[k].map((x) => (typeof x === 'number' ? BigInt(x) : x));
      else v[k] = widen(v[k], fields);
    }
    return v;
  }
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v;
}

// decodeRaw decodes the msgpack result of the TL function fn.
function decodeRaw(native, bytes, fn) {
  const fields = loadSchema(native);
  const v = mpDecode(bytes, DECODE_OPTS);
  if (fn && longResults.has(fn) && Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? BigInt(x) : x));
  return widen(v, fields);
}

// snake turns camelCase keys of a plain object into snake_case (one level).
function snakeKey(k) {
  return k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}
function snake(obj) {
  const out = {};
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) out[snakeKey(k)] = v;
  }
  return out;
}

module.exports = { encode, decodeFriendly, decodeRaw, narrow, snake, snakeKey };
