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
  if (!jsonOnly && typeof v === 'string') return [KIND_TEXT, utf8.encode(v)];
  if (!jsonOnly && v instanceof Uint8Array) return [KIND_BYTES, v.slice()];
  const lost = unfaithful(v, jsonOnly);
  if (lost) throw invalidArg(`${what} cannot be stored: JSON would turn ${typeName(v)} into ${lost}`);
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw invalidArg(`${what} cannot be stored: JSON.stringify failed (${/** @type {Error} */ (e).message})`);
  }
  if (text === undefined) throw invalidArg(`${what} cannot be stored: ${typeName(v)} has no JSON form; pass a string, a Uint8Array or a JSON-serialisable value`);
  return [KIND_JSON, utf8.encode(text)];
}

/**
 * What JSON would silently make of `v` where that is not `v` any more, with what to pass
 * instead; null for a value JSON keeps (or refuses on its own). Only `v` itself is looked
 * at: a walk through every nested value would cost every append.
 * @param {unknown} v
 * @param {boolean} jsonOnly the value can only be JSON (a checkpoint's meta)
 * @returns {string | null}
 */
function unfaithful(v, jsonOnly) {
  if (typeof v !== 'object' || v === null) return null;
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    return jsonOnly
      ? '{} or an object of indexes; meta is JSON: pass a plain value (bytes go in the state)'
      : '{} or an object of indexes; pass its bytes as a Uint8Array (new Uint8Array(buffer, byteOffset, byteLength))';
  }
  if (v instanceof Map) return '{}; pass Object.fromEntries(map) or [...map]';
  if (v instanceof Set) return '{}; pass [...set]';
  return null;
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
