// Bounded file reads for the wasm backend under Node, Bun and Deno (via node:fs).
//
// Same policy as the native reader in crates/core/src/text/read.rs: open non-blocking so a
// FIFO cannot hang the open, accept regular files only, refuse a file whose size is over
// the cap before reading, and never read more than maxBytes + 1 bytes even when the size
// is unknown (/proc) or the file grows. The core then does the size, binary and decoding
// checks on the bytes, exactly as on the native backend.

import * as fs from 'node:fs';
import { IronlungError, invalidArg } from './errors.mjs';

const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0);
const CHUNK = 64 * 1024;
/** Node's fs reads take a length below 2^31: larger reads go in parts of this size. */
const MAX_ONE_READ = 1 << 30;
/**
 * The most bytes read from one file, whatever maxBytes says: MAX_READ_BYTES of
 * crates/core/src/text/read.rs, which the native reader applies, and why.
 */
const MAX_READ_BYTES = 2 ** 31 - 1;

function kindOf(st) {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'of an unknown type';
}

function notRegularFile(path, st) {
  return new IronlungError('ERR_NOT_REGULAR_FILE', `'${path}' is not a regular file (it is ${kindOf(st)}); ironlung only reads regular files`);
}

function tooLargeForOneRead(path, size) {
  return new IronlungError(
    'ERR_FILE_TOO_LARGE',
    `'${path}' is ${size} bytes, more than the ${MAX_READ_BYTES} bytes (2 GiB - 1) ironlung reads from one file whatever maxBytes says; read it in parts`,
  );
}

/** The cap on a read of `path`: maxBytes, at most MAX_READ_BYTES; a file over it is refused. */
function checkStat(st, path, max) {
  if (st.isDirectory()) throw new IronlungError('EISDIR', `illegal operation on a directory, read '${path}'`);
  if (!st.isFile()) {
    throw notRegularFile(path, st);
  }
  if (st.size > MAX_READ_BYTES && max > MAX_READ_BYTES) throw tooLargeForOneRead(path, st.size);
  const cap = Math.min(max, MAX_READ_BYTES);
  if (st.size > cap) throw new IronlungError('ERR_FILE_TOO_LARGE', `'${path}' is ${st.size} bytes, larger than maxBytes ${cap}`);
  return cap;
}

/** Opening a Unix socket fails with ENXIO: say what it is instead. */
function openError(e, path, st) {
  if (e && e.code === 'ENXIO' && st && !st.isFile()) {
    return notRegularFile(path, st);
  }
  return e;
}

function openSync(path) {
  try {
    return fs.openSync(path, FLAGS);
  } catch (e) {
    let st;
    try {
      st = fs.statSync(path);
    } catch {
      // The open's error stands.
    }
    throw openError(e, path, st);
  }
}

async function open(path) {
  try {
    return await fs.promises.open(path, FLAGS);
  } catch (e) {
    const st = await fs.promises.stat(path).catch(() => undefined);
    throw openError(e, path, st);
  }
}

/** The bytes read, checked against the hard cap (a file may grow while it is read). */
function done(buf, len, path, cap) {
  if (len > cap && cap === MAX_READ_BYTES) throw tooLargeForOneRead(path, len);
  return buf.subarray(0, len);
}

function checkPath(path) {
  if (path.includes('\0')) throw invalidArg(`path must not contain NUL bytes, got ${JSON.stringify(path)}`);
}

function initialSize(st, limit) {
  return Math.min(limit, st.size > 0 ? st.size + 1 : CHUNK);
}

function grow(buf, limit) {
  const next = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, CHUNK)));
  next.set(buf);
  return next;
}

/** Reads at most `max + 1` bytes of the regular file at `path`. */
export function readBoundedSync(path, max) {
  checkPath(path);
  const fd = openSync(path);
  try {
    const st = fs.fstatSync(fd);
    const cap = checkStat(st, path, max);
    const limit = cap + 1;
    let buf = new Uint8Array(initialSize(st, limit));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len >= limit) break;
        buf = grow(buf, limit);
      }
      const n = fs.readSync(fd, buf, len, Math.min(buf.length - len, MAX_ONE_READ), null);
      if (n === 0) break;
      len += n;
    }
    return done(buf, len, path, cap);
  } finally {
    fs.closeSync(fd);
  }
}

/** Async twin of readBoundedSync, using non-blocking file handles. */
export async function readBounded(path, max) {
  checkPath(path);
  const fh = await open(path);
  try {
    const st = await fh.stat();
    const cap = checkStat(st, path, max);
    const limit = cap + 1;
    let buf = new Uint8Array(initialSize(st, limit));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len >= limit) break;
        buf = grow(buf, limit);
      }
      const { bytesRead } = await fh.read(buf, len, Math.min(buf.length - len, MAX_ONE_READ), null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    return done(buf, len, path, cap);
  } finally {
    await fh.close();
  }
}
