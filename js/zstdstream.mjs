// @ts-check
// zstd as streams: ZstdCompressionStream / ZstdDecompressionStream (WHATWG streams, every
// runtime) and createZstdCompress / createZstdDecompress (node:stream Transforms, named as
// node:zlib names its own). The binding's stream objects do all the work
// (crates/abi/src/stream.rs); this file only pumps chunks in and output out.
//
// Decompressed output is made only when the reader asks for it, one piece at a time, so a
// small input that decodes to gigabytes never sits in memory whole: the readable side pulls
// a piece from the decoder, and the writable side's write resolves once its chunk is used up.

import { IronlungError, invalidArg, typeName } from './errors.mjs';

/** @import { ZstdCompressOptions, ZstdDecompressOptions } from 'ironlung' */

/**
 * The most output one pull decodes: off the JS thread, enough work to pay for the trip to a
 * pool thread; on the JS thread (wasm), short enough that the event loop soon gets a turn.
 */
const PIECE_OFF_THREAD = 1 << 20;
const PIECE_ON_THREAD = 256 << 10;
/** Off the JS thread, small chunks are gathered to this size for one compressing task. */
const GATHER = 1 << 20;
const EMPTY = new Uint8Array(0);

/** One side waits (`wait()`), the other lets it go on (`wake()`; a no-op with no one waiting). */
function waker() {
  /** @type {(() => void) | null} */
  let resume = null;
  return {
    /** @returns {Promise<void>} */
    wait: () => new Promise((resolve) => (resume = resolve)),
    wake() {
      const r = resume;
      resume = null;
      r?.();
    },
  };
}

/**
 * `a` then `b`, copied only when both hold bytes.
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
function join(a, b) {
  if (!a.length) return b;
  if (!b.length) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
/** On wasm, the longest stretch of work before the event loop gets a turn. */
const YIELD_MS = 8;

/**
 * One stream object of either binding. The native one's work runs on the thread pool and
 * returns promises; the wasm one's returns values and has `free`.
 * @typedef {object} StreamCompressor
 * @property {(data: Uint8Array) => Uint8Array | Promise<Uint8Array>} write
 * @property {() => Uint8Array | Promise<Uint8Array>} flush
 * @property {() => Uint8Array | Promise<Uint8Array>} finish
 * @property {() => void} [free]
 *
 * @typedef {object} StreamDecompressor
 * @property {(data: Uint8Array) => void} push
 * @property {(max: number) => Uint8Array | Promise<Uint8Array>} pull
 * @property {() => void} finish
 * @property {() => void} [free]
 *
 * @typedef {import('./dictionary.mjs').Prepared} Prepared
 *
 * @typedef {object} StreamBinding
 * @property {{ new (level: number, checksum: boolean): StreamCompressor,
 *   withDictionary(dictionary: Prepared, level: number | undefined, checksum: boolean): StreamCompressor }} ZstdCompressor
 * @property {{ new (maxOutputBytes: number): StreamDecompressor,
 *   withDictionary(maxOutputBytes: number, dictionary: Prepared): StreamDecompressor }} ZstdDecompressor
 * @property {new (bytes: Uint8Array, level: number) => Prepared} Dictionary
 */

/**
 * @typedef {object} StreamDeps
 * @property {StreamBinding} binding
 * @property {(e: unknown) => never} fail rethrows a binding's error as an IronlungError
 * @property {() => void} ready throws if the backend is not initialised yet
 * @property {boolean} offThread whether the binding's work runs off the JS thread
 * @property {() => number} [epoch] wasm: which instance is current (it changes when a trap replaces it)
 * @property {() => typeof import('node:stream').Transform | undefined} transform node:stream's, where there is one
 * @property {(data: unknown, what: string) => Uint8Array} toBytes
 * @property {(v: unknown) => number} zstdLevel
 * @property {(v: unknown, what: string, fallback: number) => number} needCount
 * @property {<T extends object>(v: T | null | undefined, what: string) => Partial<T>} needOptions the options object, or {}
 * @property {number} defaultMaxOutputBytes
 * @property {(v: unknown) => Prepared | Uint8Array} dictionaryArg the `dictionary` option:
 *   a ZstdDictionary's prepared dictionary, or bytes to prepare
 */

/**
 * The stream API over a binding.
 * @param {StreamDeps} deps
 */
export function createZstdStreams(deps) {
  const { binding, fail, offThread, toBytes } = deps;
  const PIECE = offThread ? PIECE_OFF_THREAD : PIECE_ON_THREAD;



  /**
   * A stream object's calls, each turned into a promise that rejects with an IronlungError.
   * Once a call failed, or the wasm instance it lives in was replaced after a trap, every
   * later call fails: the object's state cannot be trusted any more.
   * @template {StreamCompressor | StreamDecompressor} S
   * @param {() => S} make
   */
  function guarded(make) {
    deps.ready();
    const born = deps.epoch ? deps.epoch() : 0;
    /** @type {S | null} */
    let s;
    try {
      s = make();
    } catch (e) {
      fail(e);
    }
    /** @type {unknown} */
    let broken = null;
    let lastYield = Date.now();
    /**
     * @template T
     * @param {(s: S) => T | Promise<T>} f
     * @returns {Promise<T>}
     */
    async function run(f) {
      if (broken) throw broken;
      if (!s) throw new IronlungError('ERR_INVALID_ARG', 'this zstd stream has ended; start a new stream');
      if (deps.epoch && deps.epoch() !== born) {
        broken = new IronlungError(
          'ERR_INTERNAL',
          "this zstd stream was lost when ironlung's wasm module trapped and was replaced; start a new stream",
        );
        throw broken;
      }
      try {
        const out = await f(s);
        if (!offThread && Date.now() - lastYield > YIELD_MS) {
          // The work ran on this thread: let timers and I/O run before the next piece.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = Date.now();
        }
        return out;
      } catch (e) {
        try {
          fail(e);
        } catch (err) {
          broken = err;
        }
        release();
        throw broken;
      }
    }
    function release() {
      if (s && s.free) s.free();
      s = null;
    }
    return { run, release };
  }

  /**
   * The compressing stream object of `options`, behind `write`, `flush` and `finish`, each
   * resolving to the output ready. Off the JS thread, chunks under 1 MiB are gathered (copied)
   * and compressed together, one task for each MiB: the output is the same bytes.
   * @param {ZstdCompressOptions | undefined} options
   */
  function compressor(options) {
    const c = compressorOf(options);
    const run = c.run;
    if (!offThread) {
      return {
        /** @param {Uint8Array} data */
        write: (data) => run((s) => s.write(data)),
        flush: () => run((s) => s.flush()),
        finish: () => run((s) => s.finish()),
        release: c.release,
      };
    }
    const held = new Uint8Array(GATHER);
    let fill = 0;
    // The binding copies its input before the call returns, so `held` is free again at once.
    const send = () => {
      if (!fill) return Promise.resolve(EMPTY);
      const view = held.subarray(0, fill);
      fill = 0;
      return run((s) => s.write(view));
    };
    return {
      /** @param {Uint8Array} data */
      async write(data) {
        if (fill + data.length < GATHER) {
          held.set(data, fill);
          fill += data.length;
          return EMPTY;
        }
        const before = await send();
        if (data.length >= GATHER) return join(before, await run((s) => s.write(data)));
        held.set(data);
        fill = data.length;
        return before;
      },
      flush: async () => join(await send(), await run((s) => s.flush())),
      finish: async () => join(await send(), await run((s) => s.finish())),
      release: c.release,
    };
  }

  /** @param {ZstdCompressOptions | undefined} options */
  function compressorOf(options) {
    const o = deps.needOptions(options, 'zstd compression');
    const level = deps.zstdLevel(o.level);
    const checksum = o.checksum === undefined ? true : o.checksum;
    if (typeof checksum !== 'boolean') throw invalidArg(`checksum must be a boolean, got ${typeName(checksum)}`);
    if (o.dictionary === undefined) return guarded(() => new binding.ZstdCompressor(level, checksum));
    const d = deps.dictionaryArg(o.dictionary);
    // Bytes are prepared for this stream at its level; a ZstdDictionary has its own.
    if (d instanceof Uint8Array) {
      return guarded(() => binding.ZstdCompressor.withDictionary(new binding.Dictionary(d, level), undefined, checksum));
    }
    return guarded(() => binding.ZstdCompressor.withDictionary(d, o.level === undefined ? undefined : level, checksum));
  }

  /** @param {ZstdDecompressOptions | undefined} options */
  function decompressor(options) {
    const o = deps.needOptions(options, 'zstd decompression');
    const cap = Math.min(deps.needCount(o.maxOutputBytes, 'maxOutputBytes', deps.defaultMaxOutputBytes), Number.MAX_SAFE_INTEGER);
    if (o.dictionary === undefined) return guarded(() => new binding.ZstdDecompressor(cap));
    const d = deps.dictionaryArg(o.dictionary);
    // The level plays no part in decoding.
    const prepared = () => (d instanceof Uint8Array ? new binding.Dictionary(d, 3) : d);
    return guarded(() => binding.ZstdDecompressor.withDictionary(cap, prepared()));
  }

  /**
   * A decompressor fed one chunk at a time: `next` decodes the next piece of output, or
   * gives null once the chunk is used up (then `push` the next, or `finish` at the end).
   * @param {ZstdDecompressOptions | undefined} options
   */
  function pieces(options) {
    const d = decompressor(options);
    // A piece short of the room asked for means the decoder stopped for want of input: the
    // chunk is used up, with no trip to the binding to learn it.
    let usedUp = true;
    return {
      /** @param {Uint8Array} bytes */
      push: (bytes) => {
        usedUp = false;
        return d.run((s) => s.push(bytes));
      },
      /** @returns {Promise<Uint8Array | null>} */
      next: async () => {
        if (usedUp) return null;
        const piece = await d.run((s) => s.pull(PIECE));
        if (piece.length < PIECE) usedUp = true;
        return piece.length ? piece : null;
      },
      finish: async () => {
        await d.run((s) => s.finish());
        d.release();
      },
      abort: () => d.release(),
    };
  }

  /** A stream of zstd-compressed bytes: one frame, ending in a checksum unless told not to. */
  class ZstdCompressionStream {
    /** @type {ReadableStream<Uint8Array>} */
    readable;
    /** @type {WritableStream<string | ArrayBuffer | ArrayBufferView>} */
    writable;
    /** @type {() => Promise<void>} */
    #flush;

    /** @param {ZstdCompressOptions} [options] */
    constructor(options) {
      const c = compressor(options);
      /** @type {ReadableStreamDefaultController<Uint8Array>} */
      let out;
      // A write waits here for the reader to make room.
      const room = waker();
      // Writes and flushes take turns, in the order they were made.
      /** @type {Promise<unknown>} */
      let turn = Promise.resolve();
      /** @param {() => Promise<Uint8Array>} f */
      const step = (f) => {
        const next = turn.then(f).then(
          (bytes) => {
            if (bytes.length) out.enqueue(bytes);
          },
          (e) => {
            // The reader learns of it too (a pipe may only be reading).
            try {
              out.error(e);
            } catch {
              // Closed or errored already.
            }
            throw e;
          },
        );
        turn = next.catch(() => {});
        return next;
      };
      this.readable = new ReadableStream({
        start(controller) {
          out = controller;
        },
        pull: room.wake,
        cancel: () => c.release(),
      });
      this.writable = new WritableStream({
        async write(chunk) {
          const bytes = toBytes(chunk, 'a chunk');
          await step(() => c.write(bytes));
          // Backpressure: the next chunk waits until the reader has taken this one's output.
          while ((out.desiredSize ?? 0) <= 0) await room.wait();
        },
        async close() {
          await step(() => c.finish());
          c.release();
          out.close();
        },
        abort(reason) {
          c.release();
          out.error(reason);
        },
      });
      this.#flush = () => step(() => c.flush());
    }

    /**
     * Ends the current block, so that every chunk whose write has resolved can be decoded
     * from what the readable side gives (for a live log). Each flush costs a few bytes.
     */
    flush() {
      return this.#flush();
    }
  }

  /** A stream of the bytes zstd frames decode to, capped as a whole by `maxOutputBytes`. */
  class ZstdDecompressionStream {
    /** @type {ReadableStream<Uint8Array>} */
    readable;
    /** @type {WritableStream<ArrayBuffer | ArrayBufferView>} */
    writable;

    /** @param {ZstdDecompressOptions} [options] */
    constructor(options) {
      const p = pieces(options);
      /** @typedef {{ done: () => void, failed: (e: unknown) => void }} Writer */
      /** @type {{ bytes: Uint8Array, writer: Writer } | null} a chunk written, not yet pushed */
      let waiting = null;
      /** @type {Writer | null} the writer of the chunk being decoded */
      let current = null;
      let ended = false;
      /** @type {{ reason: unknown } | null} */
      let aborted = null;
      // The reader waits here for a chunk or the end.
      const arrival = waker();
      this.readable = new ReadableStream({
        async pull(controller) {
          try {
            for (;;) {
              if (aborted) throw aborted.reason;
              if (!current && waiting) {
                const { bytes, writer } = waiting;
                waiting = null;
                current = writer;
                await p.push(bytes);
              }
              const piece = await p.next();
              if (piece) return controller.enqueue(piece);
              if (current) {
                // Its chunk is used up: the writer may go on.
                current.done();
                current = null;
                continue;
              }
              if (waiting) continue;
              if (ended) {
                await p.finish();
                return controller.close();
              }
              await arrival.wait();
            }
          } catch (e) {
            current?.failed(e);
            waiting?.writer.failed(e);
            throw e;
          }
        },
        cancel: () => p.abort(),
      });
      this.writable = new WritableStream({
        write: (chunk) =>
          new Promise((resolve, reject) => {
            waiting = { bytes: toBytes(chunk, 'a chunk'), writer: { done: () => resolve(undefined), failed: reject } };
            arrival.wake();
          }),
        close: () => {
          ended = true;
          arrival.wake();
        },
        abort: (reason) => {
          aborted = { reason };
          p.abort();
          arrival.wake();
        },
      });
    }
  }

  /**
   * @param {string} name
   * @param {string} instead the WHATWG stream to use where there is no node:stream
   */
  function needTransform(name, instead) {
    const Transform = deps.transform();
    if (!Transform) {
      throw new IronlungError(
        'ERR_UNSUPPORTED_RUNTIME',
        `${name} returns a node:stream Transform, which this runtime does not have; use ${instead}`,
      );
    }
    return Transform;
  }

  /**
   * A node:stream Transform that compresses, as node:zlib's createZstdCompress does.
   * @param {ZstdCompressOptions} [options]
   */
  function createZstdCompress(options) {
    const Transform = needTransform('createZstdCompress', 'ZstdCompressionStream');
    const c = compressor(options);
    /** A write of this very buffer asks for a flush (node:zlib does the same). */
    const FLUSH = Buffer.alloc(0);
    const t = new Transform({
      transform(chunk, _encoding, callback) {
        const data = /** @type {Uint8Array} */ (chunk);
        (data === FLUSH ? c.flush() : c.write(data)).then((out) => {
          if (out.length) this.push(out);
          callback();
        }, callback);
      },
      flush(callback) {
        c.finish().then((out) => {
          c.release();
          if (out.length) this.push(out);
          callback();
        }, callback);
      },
      destroy(err, callback) {
        c.release();
        callback(err);
      },
    });
    return Object.assign(t, {
      /**
       * Ends the current block once what was written before is compressed (for a live log).
       * @param {() => void} [callback]
       */
      flush(callback) {
        t.write(FLUSH, callback);
      },
    });
  }

  /**
   * A node:stream Transform that decompresses, as node:zlib's createZstdDecompress does,
   * but with `maxOutputBytes` capping the whole stream's output.
   * @param {ZstdDecompressOptions} [options]
   */
  function createZstdDecompress(options) {
    const Transform = needTransform('createZstdDecompress', 'ZstdDecompressionStream');
    const p = pieces(options);
    // The pump waits here while the reader's buffer is full.
    const wanted = waker();
    /**
     * Pushes the pieces of what was pushed so far, pausing while the reader's buffer is full.
     * @param {import('node:stream').Transform} t
     */
    async function drain(t) {
      for (let piece; (piece = await p.next()); ) {
        if (!t.push(piece)) await wanted.wait();
      }
    }
    return new Transform({
      transform(chunk, _encoding, callback) {
        p.push(toBytes(chunk, 'a chunk'))
          .then(() => drain(this))
          .then(() => callback(), callback);
      },
      flush(callback) {
        drain(this)
          .then(() => p.finish())
          .then(() => callback(), callback);
      },
      read(size) {
        wanted.wake();
        Transform.prototype._read.call(this, size);
      },
      destroy(err, callback) {
        p.abort();
        callback(err);
      },
    });
  }

  return { ZstdCompressionStream, ZstdDecompressionStream, createZstdCompress, createZstdDecompress };
}
