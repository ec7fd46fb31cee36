// @ts-check
// A session log's records as js/log.mjs hands them to the codec and gets them back: what
// kind each is (text, bytes or JSON), its bytes, and the columns the codec takes a frame's
// records in. The frame around them is the Rust core's (crates/core/src/log/payload.rs).

import { IronlungError, invalidArg, typeName } from './errors.mjs';

/** @import { LogRecord } from 'ironlung' */

/** The kind byte of each record (crates/core/src/log/payload.rs). */
const KIND_TEXT = 0;
const KIND_BYTES = 1;
const KIND_JSON = 2;
const utf8 = new TextEncoder();
export const fromUtf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A record's kind and bytes: a string as UTF-8 text, bytes as they are (copied, so that a
 * later change to the caller's buffer cannot reach the log), anything else as JSON.
 * @param {unknown} v
 * @param {string} what names the value in an error
 * @param {boolean} [jsonOnly] JSON whatever the value (a checkpoint's meta)
 * @returns {[number, Uint8Array]}
 */
export function encodeRecord(v, what, jsonOnly = false) {
  if (!jsonOnly && typeof v === 'string') {
    // TextEncoder would write a lone surrogate as U+FFFD: the text read back would differ.
    const text = /** @type {{ isWellFormed?: () => boolean }} */ (/** @type {unknown} */ (v));
    if (typeof text.isWellFormed === 'function' && !text.isWellFormed()) {
      throw invalidArg(`${what} cannot be stored: the string has a lone surrogate (half of a UTF-16 pair), which UTF-8 cannot hold; pass its toWellFormed(), or store it in JSON (which escapes it)`);
    }
    return [KIND_TEXT, utf8.encode(v)];
  }
  // A copy: a Buffer's slice() would be a view, which the caller may change before the write.
  if (!jsonOnly && v instanceof Uint8Array) return [KIND_BYTES, new Uint8Array(v)];
  // At the top, before JSON.stringify: its own TypeError for a Map holding a bigint would
  // hide what is wrong first.
  const top = lossOf(v, jsonOnly, true);
  if (top) throw invalidArg(`${what} cannot be stored: JSON would turn ${typeName(v)} into ${top}`);
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw invalidArg(`${what} cannot be stored: JSON.stringify failed (${/** @type {Error} */ (e).message})`);
  }
  if (text === undefined) throw invalidArg(`${what} cannot be stored: ${typeName(v)} has no JSON form; pass a string, a Uint8Array or a JSON-serialisable value`);
  // Nested values are looked at once JSON.stringify has taken the value, so the walk meets
  // no cycle (JSON.stringify refuses them).
  const inner = typeof v === 'object' && v !== null && typeof (/** @type {any} */ (v).toJSON) !== 'function' ? lostInside(v) : null;
  if (inner) {
    const [container, key] = inner;
    const x = container[key];
    const at = pathTo(/** @type {object} */ (v), what, container) + step(key);
    throw invalidArg(`${what} cannot be stored: JSON would turn ${at}, ${typeName(x)}, into ${lossOf(x, jsonOnly, false)}`);
  }
  return [KIND_JSON, utf8.encode(text)];
}

/**
 * What JSON would silently make of `v` where that is not `v` any more, with what to pass
 * instead; null for a value JSON keeps, or gives a form of its own choosing (`toJSON`, as a
 * Date's), or refuses by itself. `undefined`, functions and symbols are dropped from objects,
 * as JSON drops them (the property reads back as undefined still); in an array they would
 * read back as null.
 * @param {unknown} v
 * @param {boolean} jsonOnly the value can only be JSON (a checkpoint's meta)
 * @param {boolean} top `v` is the whole value (which may be bytes), not a value inside it
 * @returns {string | null}
 */
function lossOf(v, jsonOnly, top) {
  if (typeof v === 'number') return Number.isFinite(v) ? null : 'null; pass a finite number, null, or a string';
  if (!top && (v === undefined || typeof v === 'function' || typeof v === 'symbol')) return 'null in an array; pass null';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return null;
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v) || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer)) {
    if (!top) return '{} or an object of indexes; bytes inside a JSON value need an encoding of yours (base64), or a record of their own';
    return jsonOnly
      ? '{} or an object of indexes; meta is JSON: pass a plain value (bytes go in the state)'
      : '{} or an object of indexes; pass its bytes as a Uint8Array (new Uint8Array(buffer, byteOffset, byteLength))';
  }
  if (v instanceof Map) return '{}; pass Object.fromEntries(map) or [...map]';
  if (v instanceof Set) return '{}; pass [...set]';
  if (v instanceof Error) return '{}, as its message and stack are not enumerable; pass { name, message, stack } or String(error)';
  if (v instanceof Promise) return '{}; await it first';
  if (v instanceof RegExp) return '{}; pass String(regexp)';
  if (v instanceof WeakMap || v instanceof WeakSet) return '{}; a weak collection cannot be listed';
  return null;
}

/**
 * Where the first value inside `root` (an object JSON.stringify took) sits that `lossOf`
 * refuses: its container and key; or null. Nothing inside a value with a `toJSON` of its own
 * is looked at (nor `root`'s, which the caller looks at).
 * @param {object} root
 * @returns {[any, string | number] | null}
 */
function lostInside(root) {
  // Every value of every record passes here, most of them strings and numbers, so the
  // primitives are told apart inline and lossOf sees only the few that may be lost: in an
  // array, a number, undefined, a function or a symbol; in an object only a number, since JSON
  // leaves a property that is undefined, a function or a symbol out, as documented.
  /** @type {any[]} */
  const todo = [root];
  while (todo.length) {
    const o = todo.pop();
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const x = o[i];
        if (typeof x === 'object' && x !== null) {
          if (lossOf(x, false, false)) return [o, i];
          if (typeof x.toJSON !== 'function') todo.push(x);
        } else if (typeof x !== 'string' && typeof x !== 'boolean' && x !== null && lossOf(x, false, false)) {
          return [o, i];
        }
      }
    } else {
      for (const k in o) {
        const x = o[k];
        if (typeof x === 'object' && x !== null) {
          if (!Object.hasOwn(o, k)) continue;
          if (lossOf(x, false, false)) return [o, k];
          if (typeof x.toJSON !== 'function') todo.push(x);
        } else if (typeof x === 'number' && !Number.isFinite(x) && Object.hasOwn(o, k)) {
          return [o, k];
        }
      }
    }
  }
  return null;
}

/**
 * `key` as JS would write it after a value: `[2]`, `.name`, `["a b"]`.
 * @param {string | number} key
 */
function step(key) {
  return typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Where `target` sits inside `root`, written as JS would reach it (`record.a[2]["b c"]`).
 * @param {object} root
 * @param {string} name what `root` is called
 * @param {object} target
 * @returns {string}
 */
function pathTo(root, name, target) {
  /** @type {[any, string][]} */
  const todo = [[root, name]];
  while (todo.length) {
    const [o, at] = /** @type {[any, string]} */ (todo.pop());
    if (o === target) return at;
    if (o !== root && typeof o.toJSON === 'function') continue;
    const keys = Array.isArray(o) ? o.keys() : Object.keys(o);
    for (const k of keys) {
      const x = o[k];
      if (typeof x === 'object' && x !== null) todo.push([x, at + step(k)]);
    }
  }
  return name;
}

/**
 * The record `encodeRecord` made of a value: the string, a copy of the bytes, or the value
 * parsed from JSON.
 * @param {number} kind
 * @param {Uint8Array} bytes
 * @param {number} seq names the record in an error
 * @returns {LogRecord}
 */
export function decodeRecord(kind, bytes, seq) {
  if (kind === KIND_BYTES) return bytes.slice();
  const text = fromUtf8.decode(bytes);
  if (kind === KIND_TEXT) return text;
  try {
    return JSON.parse(text);
  } catch {
    // The frame's checksum matched, so these are the bytes written: they were never JSON.
    throw new IronlungError('ERR_CORRUPT_LOG', `record ${seq} is marked JSON but does not parse`);
  }
}

/**
 * The records of some appends as the columns `LogCodec.writeRecords` takes: kinds, times,
 * the bytes of all of them, and where each one's bytes end.
 * @param {{ chunks: Uint8Array[], kinds: number[], times: number[], bytes: number }[]} appends
 * @returns {[Uint8Array, Float64Array, Uint8Array, Uint32Array]}
 */
export function recordColumns(appends) {
  let n = 0;
  let bytes = 0;
  for (const a of appends) {
    n += a.chunks.length;
    bytes += a.bytes;
  }
  const kinds = new Uint8Array(n);
  const times = new Float64Array(n);
  const ends = new Uint32Array(n);
  const data = new Uint8Array(bytes);
  let i = 0;
  let off = 0;
  for (const a of appends) {
    for (let k = 0; k < a.chunks.length; k++, i++) {
      data.set(a.chunks[k], off);
      off += a.chunks[k].length;
      kinds[i] = a.kinds[k];
      times[i] = a.times[k];
      ends[i] = off;
    }
  }
  return [kinds, times, data, ends];
}
