// @ts-check
'use strict';
// Reading stdin and writing stdout for the command line, completely.
//
// Node puts a pipe on fd 1 or fd 0 into non-blocking mode once process.stdout or
// process.stdin exists, so fs.writeSync(1) can write part of a buffer (and fs.readSync(0)
// can fail with EAGAIN). Here stdout goes through process.stdout in bounded pieces, waiting
// for 'drain' (backpressure from a slow reader), and flush() resolves once the last piece
// has been handed to the OS; stdin is read through process.stdin's async iterator, except
// a regular file (`< file`), which is read in one piece of its size.

const fs = require('node:fs');

/** Bytes handed to process.stdout at a time. */
const PIECE = 1 << 20;

/**
 * Everything on stdin, or its first `limit` bytes: one more than a cap lets the caller tell
 * that the cap was exceeded without reading the rest. A Buffer, copied at most once.
 * @param {number} [limit]
 * @returns {Promise<Buffer>}
 */
async function readStdin(limit = Infinity) {
  let st = null;
  try {
    st = fs.fstatSync(0);
  } catch {
    // no fd 0: let process.stdin say what is wrong
  }
  if (st) refuseDirectory(st);
  if (st && st.isFile() && st.size > 0) return readUpTo(0, Math.min(st.size, limit), st.size);
  const chunks = [];
  let n = 0;
  for await (const c of process.stdin) {
    chunks.push(c);
    n += c.length;
    if (n >= limit) break;
  }
  const total = Math.min(n, limit);
  return chunks.length === 1 && chunks[0].length === total ? chunks[0] : Buffer.concat(chunks, total);
}

/**
 * Throws EISDIR, as reading it would fail, for a directory on stdin (`< dir`): Node reads
 * it as empty input.
 * @param {fs.Stats} st stdin's
 */
function refuseDirectory(st) {
  if (st.isDirectory()) throw Object.assign(new Error('illegal operation on a directory, read'), { code: 'EISDIR' });
}

/**
 * Up to `limit` bytes from the current position of `fd` (a regular file, or a blocking pipe
 * or device), until its end: in one piece for a regular file whose size holds it, else in a
 * buffer that doubles, so that a cap far above the data costs no memory.
 * @param {number} fd
 * @param {number} limit
 * @param {number} size what fstat says, 0 where it does not know
 */
function readUpTo(fd, limit, size) {
  let buf = Buffer.allocUnsafe(Math.min(limit, size > 0 ? size + 1 : 1 << 16));
  let off = 0;
  for (;;) {
    if (off === buf.length) {
      if (off >= limit) break;
      const next = Buffer.allocUnsafe(Math.min(limit, off * 2));
      buf.copy(next, 0, 0, off);
      buf = next;
    }
    const n = fs.readSync(fd, buf, off, buf.length - off, null);
    if (n === 0) break;
    off += n;
  }
  return off === buf.length ? buf : buf.subarray(0, off);
}

/**
 * What a non-regular file is, for messages: 'a FIFO', 'a directory'...
 * @param {fs.Stats} st
 */
function kindOf(st) {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'of an unknown type';
}

/**
 * The first `limit` bytes of `file` if it is a regular file, else ERR_NOT_REGULAR_FILE. It is
 * opened non-blocking and checked on the open file: a FIFO neither hangs the open waiting
 * for a writer nor the read waiting for data, even one put there after a check.
 * @param {string | Buffer} file
 * @param {number} [limit]
 * @returns {Buffer}
 */
function readRegular(file, limit = Infinity) {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`it is ${kindOf(st)}, not a regular file`), { code: 'ERR_NOT_REGULAR_FILE' });
    return readUpTo(fd, limit, st.size);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Resolves on 'drain'; a stream error is handled by the process-wide handler in ironlung.cjs.
 * @param {NodeJS.WritableStream} stream
 * @returns {Promise<void>}
 */
function drained(stream) {
  // A stream that failed may have closed already: its 'close' would never come again.
  if (/** @type {any} */ (stream).destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Writes to one stream in bounded pieces, with backpressure. */
class Output {
  /** @param {NodeJS.WritableStream} stream */
  constructor(stream) {
    this.stream = stream;
    /** @type {Promise<void>} */
    this.last = Promise.resolve();
    /** @type {Error | null} the stream's first error: every later write fails with it */
    this.error = null;
    stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  /** @param {string | Uint8Array} data */
  async write(data) {
    // A short string goes as it is; a long one is encoded once and sliced (slicing the
    // string could split a surrogate pair).
    if (typeof data === 'string') data = data.length <= PIECE / 4 ? data : Buffer.from(data, 'utf8');
    if (data.length === 0) return;
    if (typeof data === 'string') return this.#piece(data);
    for (let off = 0; off < data.length; off += PIECE) await this.#piece(data.subarray(off, off + PIECE));
  }

  /**
   * Hands `chunk` on; rejects once the stream has failed (a full disk, a file over the
   * size limit), so that no write is taken for done that was not.
   * @param {string | Uint8Array} chunk
   */
  async #piece(chunk) {
    if (this.error) throw this.error;
    let ok = true;
    const done = new Promise((resolve, reject) => {
      ok = this.stream.write(chunk, (/** @type {Error | null | undefined} */ e) => (e ? reject(e) : resolve(undefined)));
    });
    // Met by flush(), or by the next write through `error`.
    done.catch(() => {});
    this.last = /** @type {Promise<void>} */ (done);
    if (!ok) await drained(this.stream);
    if (this.error) throw this.error;
  }

  /** Resolves once everything written so far has been handed to the OS; rejects if it failed. */
  async flush() {
    await this.last;
    if (this.error) throw this.error;
  }
}

/**
 * The whole of `file` (or stdin, for '-'), refused once it passes `max` bytes: a read that
 * must hold its input stays within that whatever it is given.
 * @param {string} file
 * @param {number} max
 * @param {string} what names the input and its limit in the error, e.g. 'info reads'
 * @returns {Promise<Buffer>}
 */
async function readCapped(file, max, what) {
  /** @param {number | null} size known from fstat, or null: the read passed `max` */
  const tooLarge = (size) =>
    Object.assign(new Error(`${size === null ? 'more than' : `${size} bytes, more than`} the ${max} bytes ${what}`), { code: 'ERR_FILE_TOO_LARGE' });
  if (file === '-') {
    const data = await readStdin(max + 1);
    if (data.length > max) throw tooLarge(null);
    return data;
  }
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    refuseDirectory(st);
    if (st.size > max) throw tooLarge(st.size);
    const data = readUpTo(fd, max + 1, st.size);
    if (data.length > max) throw tooLarge(null);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = { readStdin, readCapped, readRegular, refuseDirectory, kindOf, Output };
