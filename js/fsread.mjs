// @ts-check
// File reads for the wasm backend under Node, Bun and Deno (via node:fs): a pump with no
// rules of its own. Which files are read, how many bytes at most, and what the bytes read
// prove are the core's rules (crates/core/src/text/bounds.rs), asked through `rules`, so a
// file is refused exactly as the native reader refuses it. What is here is the I/O: open
// non-blocking (so that a FIFO cannot hang the open), read into a growing buffer, close.

import * as fs from 'node:fs';

const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0);
const CHUNK = 64 * 1024;
/** Node's fs reads take a length below 2^31: larger reads go in parts of this size. */
const MAX_ONE_READ = 1 << 30;

/**
 * The core's rules of a bounded read, as the wasm glue exports them.
 * @typedef {object} ReadRules
 * @property {(path: string) => void} checkPath throws on a NUL byte
 * @property {(path: string, type: number, size: number, max: number) => number} readCap
 *   the cap of the read (read at most cap + 1 bytes), or throws for a file not to read
 * @property {(path: string, len: number, cap: number) => void} checkRead throws if the bytes read prove the file too large
 * @property {(path: string, code: string, type: number) => void} openFailed throws the
 *   error that replaces a failed open's, if there is one
 */

/**
 * The file type as the core numbers it (ironlung_abi's `file_type`).
 * @param {fs.Stats} st
 */
export function typeOf(st) {
  if (st.isFile()) return 0;
  if (st.isDirectory()) return 1;
  if (st.isFIFO()) return 2;
  if (st.isCharacterDevice()) return 3;
  if (st.isBlockDevice()) return 4;
  if (st.isSocket()) return 5;
  return 6;
}

/**
 * The read of one opened file, written once for both drivers: yields each read to make as
 * `[buffer, offset, length]`, receives the bytes read, and returns the bytes.
 * @param {ReadRules} rules
 * @param {string} path
 * @param {number} max
 * @param {fs.Stats} st
 * @returns {Generator<[Uint8Array, number, number], Uint8Array, number>}
 */
function* pump(rules, path, max, st) {
  const cap = rules.readCap(path, typeOf(st), st.size, max);
  const limit = cap + 1;
  let buf = new Uint8Array(Math.min(limit, st.size > 0 ? st.size + 1 : CHUNK));
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      if (len >= limit) break;
      const next = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, CHUNK)));
      next.set(buf);
      buf = next;
    }
    const n = yield [buf, len, Math.min(buf.length - len, MAX_ONE_READ)];
    if (n === 0) break;
    len += n;
  }
  rules.checkRead(path, len, cap);
  return buf.subarray(0, len);
}

/**
 * The error to throw for an open of `path` that failed with `e`: the core's, where it has
 * one (a socket's ENXIO is ERR_NOT_REGULAR_FILE), else `e`.
 * @param {ReadRules} rules
 * @param {string} path
 * @param {any} e the open's error
 * @param {fs.Stats | undefined} st what a stat of the path says, if it worked
 */
export function openError(rules, path, e, st) {
  rules.openFailed(path, String(e && e.code), st ? typeOf(st) : -1);
  return e;
}

/**
 * Reads at most `max + 1` bytes of the regular file at `path`, as the core's rules say.
 * @param {ReadRules} rules
 * @param {string} path
 * @param {number} max
 */
export function readBoundedSync(rules, path, max) {
  rules.checkPath(path);
  let fd;
  try {
    fd = fs.openSync(path, FLAGS);
  } catch (e) {
    let st;
    try {
      st = fs.statSync(path);
    } catch {
      // The open's error stands.
    }
    throw openError(rules, path, e, st);
  }
  try {
    const it = pump(rules, path, max, fs.fstatSync(fd));
    let step = it.next();
    while (!step.done) step = it.next(fs.readSync(fd, ...step.value, null));
    return step.value;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Async twin of readBoundedSync.
 * @param {ReadRules} rules
 * @param {string} path
 * @param {number} max
 */
export async function readBounded(rules, path, max) {
  rules.checkPath(path);
  let fh;
  try {
    fh = await fs.promises.open(path, FLAGS);
  } catch (e) {
    throw openError(rules, path, e, await fs.promises.stat(path).catch(() => undefined));
  }
  try {
    const it = pump(rules, path, max, await fh.stat());
    let step = it.next();
    while (!step.done) step = it.next((await fh.read(...step.value, null)).bytesRead);
    return step.value;
  } finally {
    await fh.close();
  }
}

/**
 * The file half of createApi's host for the wasm backend: `b` is the wasm glue, whose
 * rules the reads follow and which checks and decodes the bytes read.
 * @param {ReadRules & {
 *   fileText: (path: string, bytes: Uint8Array, max: number) => string,
 *   fileContext: (path: string, bytes: Uint8Array, max: number, id: number, maxTokens: number, cut: string) => Array<any>,
 * }} b
 */
export function fileHost(b) {
  return {
    /** @type {(path: string, max: number) => string} */
    readTextFileSync: (path, max) => b.fileText(path, readBoundedSync(b, path, max), max),
    /** @type {(path: string, max: number) => Promise<string>} */
    readTextFile: async (path, max) => b.fileText(path, await readBounded(b, path, max), max),
    /** @type {(path: string, max: number, id: number, maxTokens: number, cut: string) => Promise<Array<any>>} */
    readForContext: async (path, max, id, maxTokens, cut) =>
      b.fileContext(path, await readBounded(b, path, max), max, id, maxTokens, cut),
  };
}
