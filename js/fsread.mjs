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

function kindOf(st) {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'of an unknown type';
}

function checkStat(st, path, max) {
  if (st.isDirectory()) throw new IronlungError('EISDIR', `illegal operation on a directory, read '${path}'`);
  if (!st.isFile()) {
    throw new IronlungError('ERR_NOT_REGULAR_FILE', `'${path}' is not a regular file (it is ${kindOf(st)}); ironlung only reads regular files`);
  }
  if (st.size > max) throw new IronlungError('ERR_FILE_TOO_LARGE', `'${path}' is ${st.size} bytes, larger than maxBytes ${max}`);
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
  const fd = fs.openSync(path, FLAGS);
  try {
    const st = fs.fstatSync(fd);
    checkStat(st, path, max);
    const limit = max + 1;
    let buf = new Uint8Array(initialSize(st, limit));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len >= limit) break;
        buf = grow(buf, limit);
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
  } finally {
    fs.closeSync(fd);
  }
}

/** Async twin of readBoundedSync, using non-blocking file handles. */
export async function readBounded(path, max) {
  checkPath(path);
  const fh = await fs.promises.open(path, FLAGS);
  try {
    const st = await fh.stat();
    checkStat(st, path, max);
    const limit = max + 1;
    let buf = new Uint8Array(initialSize(st, limit));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len >= limit) break;
        buf = grow(buf, limit);
      }
      const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    return buf.subarray(0, len);
  } finally {
    await fh.close();
  }
}
