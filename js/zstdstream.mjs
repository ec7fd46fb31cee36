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
/**
 * Native: a piece is decoded into slots this size, one trip to the pool for all of them, and
 * the reader gets each full slot as a chunk. What a reader drops is freed a slot at a time,
 * which keeps a long stream's peak memory lower than one buffer per piece does.
 */
const SLOT = 256 << 10;
/** Off the JS thread, small chunks are gathered to this size for one compressing task. */
const GATHER = 1 << 20;
/**
 * Off the JS thread, compressed chunks written while a piece is being decoded queue up to
 * this size, and go to the decoder together: with more input than a piece needs at hand,
 * most trips to the pool fill a whole piece.
 */
const QUEUE_BYTES = 256 << 10;
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
/**
 * Errors the readable side too, so that a reader learns of it (a pipe may only be reading).
 * @param {ReadableStreamDefaultController<Uint8Array>} out
 * @param {unknown} e
 */
function errorReader(out, e) {
  try {
    out.error(e);
  } catch {
    // Closed or errored already.
  }
}

/** On wasm, the longest stretch of work before the event loop gets a turn. */
const YIELD_MS = 8;

/**
 * Lets timers and I/O run, then goes on, without the wait of `setTimeout(0)`: at least 1 ms
 * in Node, and 4 ms in browsers once such timeouts nest, which a stream's chain of them
 * does. `setImmediate` where there is one (Node, Bun), else `scheduler.yield()` (Chromium),
 * else a message through a channel of its own (closed after, so it never keeps a process
 * alive), else `setTimeout`.
 * @returns {Promise<void>}
 */
function turnEventLoop() {
  const g = /** @type {any} */ (globalThis);
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate(resolve));
  if (typeof g.scheduler?.yield === 'function') return g.scheduler.yield();
  if (typeof g.MessageChannel === 'function') {
    return new Promise((resolve) => {
      const { port1, port2 } = new g.MessageChannel();
      port1.onmessage = () => {
        port1.close();
        resolve(undefined);
      };
      port2.postMessage(0);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * One stream object of either binding. The native one's work runs on the thread pool and
 * returns promises; the wasm one's returns values and has `free`.
 * @typedef {object} StreamCompressor
 * @property {(data: Uint8Array) => Uint8Array | Promise<Uint8Array>} write
 * @property {(data: Uint8Array) => Promise<Uint8Array>} [writeFrom] native: reads `data` in place
 * @property {() => Uint8Array | Promise<Uint8Array>} flush
 * @property {() => Uint8Array | Promise<Uint8Array>} finish
 * @property {(size: number) => void} pledge promises the frame's input size, before the first write
 * @property {() => void} [free]
 *
 * @typedef {object} StreamDecompressor
 * @property {(data: Uint8Array) => void} push
 * @property {(max: number) => Uint8Array | Promise<Uint8Array>} pull
 * @property {(outs: Uint8Array[]) => Promise<number>} [pullInto] native: decodes into `outs`, in turn
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
 * @property {(data: unknown, what: string) => Uint8Array} needBytes toBytes, refusing strings
 * @property {(v: unknown) => number} zstdLevel
 * @property {(v: unknown, what: string, fallback: number) => number} needCount
 * @property {<T extends object>(v: T | null | undefined, what: string) => Partial<T>} needOptions the options object, or {}
 * @property {number} defaultMaxOutputBytes
 * @property {(v: unknown) => Prepared | Uint8Array} dictionaryArg the `dictionary` option:
 *   a ZstdDictionary's prepared dictionary, or bytes to prepare
 * @property {(size: number) => Uint8Array} [unzeroed] native: memory for the decoder to fill,
 *   not zeroed first where the runtime can allocate it so (a plain Uint8Array all the same)
 */

/**
 * The stream API over a binding.
 * @param {StreamDeps} deps
 */
export function createZstdStreams(deps) {
  const { binding, fail, offThread, toBytes } = deps;
  const PIECE = offThread ? PIECE_OFF_THREAD : PIECE_ON_THREAD;
  const slotMemory = deps.unzeroed ?? ((/** @type {number} */ n) => new Uint8Array(n));
  // Native reads a compressor's input where JS holds it, and decodes into memory JS
  // allocated, which the reader then gets without a copy.
  const writesFrom = typeof binding.ZstdCompressor.prototype.writeFrom === 'function';
  const pullsInto = typeof binding.ZstdDecompressor.prototype.pullInto === 'function';



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
          await turnEventLoop();
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
      // An object of a trapped instance went with it: its pointer means nothing in the fresh
      // one, where freeing it would corrupt the heap (as the glue's finalizers know too).
      if (s && s.free && (!deps.epoch || deps.epoch() === born)) s.free();
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
    // Two buffers take turns: one gathers chunks while the other's MiB compresses on the pool
    // (native reads it in place), and its output goes out with the next call. Tasks run one
    // after another, in order: each starts once the one before is done.
    const buffers = [new Uint8Array(GATHER), new Uint8Array(GATHER)];
    let held = buffers[0];
    let fill = 0;
    const none = Promise.resolve(EMPTY);
    /** @type {Promise<Uint8Array>} the task under way */
    let ahead = none;
    /**
     * Compresses `bytes`, read in place where the binding can (the caller leaves them alone
     * until the task is done), else copied before the call returns.
     * @param {Uint8Array} bytes
     */
    const compress = (bytes) =>
      run((s) => (writesFrom ? /** @type {NonNullable<StreamCompressor['writeFrom']>} */ (s.writeFrom)(bytes) : s.write(bytes)));
    /** Starts compressing what `held` gathered; the other buffer gathers next. */
    const startHeld = () => {
      const task = compress(held.subarray(0, fill));
      // Its error is met when it is awaited, by the next call.
      task.catch(() => {});
      held = held === buffers[0] ? buffers[1] : buffers[0];
      fill = 0;
      return task;
    };
    /** The output of the task under way and of what is gathered, with nothing left under way. */
    const settle = async () => {
      const before = await ahead;
      ahead = none;
      return fill ? join(before, await startHeld()) : before;
    };
    return {
      /** @param {Uint8Array} data */
      async write(data) {
        if (fill + data.length < GATHER) {
          held.set(data, fill);
          fill += data.length;
          return EMPTY;
        }
        // The caller's chunk is copied now (a Buffer's slice() would not copy): the pool reads
        // only our own memory in place, as a caller may transfer its buffer away (and the
        // collector free it) meanwhile.
        if (data.length >= GATHER) {
          const own = new Uint8Array(data);
          return join(await settle(), await compress(own));
        }
        const before = await ahead;
        ahead = startHeld();
        held.set(data);
        fill = data.length;
        return before;
      },
      flush: async () => join(await settle(), await run((s) => s.flush())),
      finish: async () => join(await settle(), await run((s) => s.finish())),
      release: c.release,
    };
  }

  /** @param {ZstdCompressOptions | undefined} options */
  function compressorOf(options) {
    const o = deps.needOptions(options, 'zstd compression');
    const level = deps.zstdLevel(o.level);
    const checksum = o.checksum === undefined ? true : o.checksum;
    if (typeof checksum !== 'boolean') throw invalidArg(`checksum must be a boolean, got ${typeName(checksum)}`);
    const pledged = o.pledgedSrcSize;
    if (pledged !== undefined && !(Number.isSafeInteger(pledged) && pledged >= 0)) {
      throw invalidArg(`pledgedSrcSize must be a non-negative integer up to 2^53 - 1, got ${typeName(pledged)}`);
    }
    /** @type {() => StreamCompressor} */
    let make;
    if (o.dictionary === undefined) {
      make = () => new binding.ZstdCompressor(level, checksum);
    } else {
      const d = deps.dictionaryArg(o.dictionary);
      // Bytes are prepared for this stream at its level; a ZstdDictionary has its own.
      make =
        d instanceof Uint8Array
          ? () => binding.ZstdCompressor.withDictionary(new binding.Dictionary(d, level), undefined, checksum)
          : () => binding.ZstdCompressor.withDictionary(d, o.level === undefined ? undefined : level, checksum);
    }
    return guarded(() => {
      const s = make();
      if (pledged !== undefined) s.pledge(pledged);
      return s;
    });
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
   * A decompressor behind a queue: `write` hands it a chunk, `emit` receives its output one
   * piece at a time, `end` waits for the last piece and checks the stream ended where a frame
   * ends. Off the JS thread, chunks written while a piece is being decoded wait in the queue
   * (resolving their write at once while it holds under QUEUE_BYTES) and go in together, so
   * a trip to the pool decodes up to a whole piece instead of one chunk's worth. On the JS
   * thread a write resolves once the decoder has its chunk.
   * @param {ZstdDecompressOptions | undefined} options
   * @param {(parts: Uint8Array[]) => void | Promise<void>} emit hands a piece on, in parts; its promise
   *   holds the decoder until the reader wants more
   * @param {(e: unknown) => void} fail told of an error the moment decoding stops on it
   */
  function queuedDecoder(options, emit, fail) {
    const d = decompressor(options);
    const limit = offThread ? QUEUE_BYTES : 0;
    /** @type {{ bytes: Uint8Array, size: number }[]} chunks written, not yet handed to the decoder */
    const queue = [];
    let queued = 0;
    /** @type {{ resolve: () => void, reject: (e: unknown) => void }[]} writes waiting for room */
    const held = [];
    // A piece short of the room asked for means the decoder stopped for want of input: what
    // it was given is used up, with no trip to the binding to learn it.
    let usedUp = true;
    /** @type {{ error: unknown } | null} */
    let stopped = null;
    /** @type {Promise<void> | null} */
    let running = null;

    /** @type {Uint8Array[]} native: slots a short pull left free, for the next one */
    const spares = [];
    // Native: how many slots the next pull fills; doubles while pulls come back full.
    let slots = 1;
    /**
     * The next piece's output, empty when the decoder needs more input, and whether it was
     * whole (a piece short of it means the input is used up).
     * @returns {Promise<{ parts: Uint8Array[], whole: boolean }>}
     */
    async function nextPiece() {
      if (!pullsInto) {
        const piece = await d.run((s) => s.pull(PIECE));
        return { parts: piece.length ? [piece] : [], whole: piece.length === PIECE };
      }
      const outs = spares.splice(0, slots);
      while (outs.length < slots) outs.push(slotMemory(SLOT));
      let n = await d.run((s) => /** @type {NonNullable<StreamDecompressor['pullInto']>} */ (s.pullInto)(outs));
      const whole = n === slots * SLOT;
      if (whole) slots = Math.min(slots * 2, Math.max(1, Math.floor(PIECE / SLOT)));
      /** @type {Uint8Array[]} */
      const parts = [];
      for (const out of outs) {
        if (n >= SLOT) parts.push(out);
        else {
          // A short part is copied: the rest of its slot may hold whatever the memory held
          // before (`unzeroed`), which the reader must not reach through `.buffer`. The slot
          // serves the next pull.
          if (n > 0) parts.push(out.slice(0, n));
          spares.push(out);
        }
        n = Math.max(0, n - SLOT);
      }
      return { parts, whole };
    }

    /** Hands the queued chunks to the decoder (which copies them). */
    async function take() {
      const chunks = queue.splice(0);
      queued = 0;
      for (const c of chunks) await d.run((s) => s.push(sameSize(c.bytes, c.size)));
      usedUp = false;
      for (const w of held.splice(0)) w.resolve();
    }

    async function pump() {
      // Off the JS thread, the next piece is decoded while this one is handed on.
      /** @type {ReturnType<typeof nextPiece> | null} */
      let ahead = null;
      for (;;) {
        if (stopped) throw stopped.error;
        if (!usedUp) {
          const piece = await (ahead ?? nextPiece());
          ahead = null;
          if (!piece.whole) usedUp = true;
          if (offThread) {
            if (usedUp && queue.length) await take();
            if (!usedUp) {
              ahead = nextPiece();
              // Its error is met when it is awaited, after the emit, or not at all if the
              // stream stops meanwhile: either way it counts as handled.
              ahead.catch(() => {});
            }
          }
          if (piece.parts.length) await emit(piece.parts);
        } else if (queue.length) {
          await take();
        } else {
          return;
        }
      }
    }
    /**
     * Decoding failed on `e`: the caller is told once, the stream stops.
     * @param {unknown} e
     */
    function halt(e) {
      if (!stopped) fail(e);
      stop(e);
    }
    /** @param {unknown} e */
    function stop(e) {
      if (stopped) return;
      stopped = { error: e };
      for (const w of held.splice(0)) w.reject(e);
      d.release();
    }
    function kick() {
      if (running) return running;
      running = pump().then(
        () => {
          running = null;
          // A chunk written after the pump's last look at the queue, before this ran.
          if (queue.length) kick();
        },
        (e) => {
          running = null;
          halt(e);
          throw e;
        },
      );
      // Whoever needs the outcome awaits `running`; the error reached `fail` already.
      running.catch(() => {});
      return running;
    }
    return {
      /**
       * @param {Uint8Array} bytes
       * @returns {Promise<void>}
       */
      write(bytes) {
        if (stopped) return Promise.reject(stopped.error);
        queued += bytes.length;
        const early = queued <= limit;
        // A write that resolves before the decoder has its chunk keeps a copy: the caller
        // may reuse its buffer once the write resolved. (Not slice(): a Buffer's is a view.)
        queue.push({ bytes: early ? new Uint8Array(bytes) : bytes, size: bytes.length });
        kick();
        if (early) return Promise.resolve();
        return new Promise((resolve, reject) => held.push({ resolve, reject }));
      },
      /** @returns {Promise<void>} */
      async end() {
        if (stopped) throw stopped.error;
        while (running || queue.length || !usedUp) await kick();
        try {
          await d.run((s) => s.finish());
        } catch (e) {
          halt(e);
          throw e;
        }
        d.release();
      },
      /** @param {unknown} reason */
      abort: (reason) => stop(reason),
    };
  }

  /**
   * A written chunk's bytes. A chunk that is not bytes errors the readable side as well as
   * the write (a pipe may only be reading), and ends the stream's work (`stop`).
   * @param {unknown} chunk
   * @param {ReadableStreamDefaultController<Uint8Array>} out
   * @param {(e: unknown) => void} stop
   * @param {boolean} [compressed] the chunk is compressed data, never a string (as `decompress` says)
   */
  function bytesOf(chunk, out, stop, compressed = false) {
    try {
      return compressed ? deps.needBytes(chunk, 'a chunk') : toBytes(chunk, 'a chunk');
    } catch (e) {
      errorReader(out, e);
      stop(e);
      throw e;
    }
  }

  /**
   * `bytes`, still `size` bytes long when the stream comes to them, after the writes before:
   * a caller that transferred or resized the buffer meanwhile, before its write resolved,
   * is told so, where its chunk would have been read as empty.
   * @param {Uint8Array} bytes
   * @param {number} size
   */
  function sameSize(bytes, size) {
    if (bytes.length !== size) {
      throw invalidArg(
        `a chunk's buffer was transferred or resized before its write resolved (${size} bytes when written, ${bytes.length} now); leave it alone until then`,
      );
    }
    return bytes;
  }

  /**
   * Makes `readable` and `writable` read-only, as the types declare them and as
   * CompressionStream's are.
   * @param {object} stream
   */
  function readOnlySides(stream) {
    Object.defineProperty(stream, 'readable', { writable: false, configurable: false });
    Object.defineProperty(stream, 'writable', { writable: false, configurable: false });
  }

  /**
   * The two sides' ends, tied as a TransformStream ties them: `cancel` (the readable's) ends the
   * stream and errors the writable side with the reason; `start` (the writable's) keeps its
   * controller and ends the stream at its abort signal, as abort() reaches the sink only once
   * the write or close under way is done, which may be waiting for a reader that never reads.
   * @param {(reason: unknown) => void} end stops the stream's work and errors its reader
   */
  function tiedEnds(end) {
    /** @type {WritableStreamDefaultController} */
    let sink;
    return {
      /** @param {unknown} reason */
      cancel(reason) {
        end(reason);
        sink.error(reason);
      },
      /** @param {WritableStreamDefaultController} controller */
      start(controller) {
        sink = controller;
        controller.signal?.addEventListener('abort', () => end(controller.signal.reason));
      },
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
      /** @type {{ reason: unknown } | null} set once the stream failed, was cancelled or was aborted */
      let ended = null;
      // flush() covers every write made before it, those the writable still queues too: the
      // queuing strategy's size() counts writes as they are made, the sink as it takes them.
      let made = 0;
      let taken = 0;
      /** once the sink is closing, no write is taken any more (those made after close() are refused) */
      let closing = false;
      /** @type {{ after: number, run: () => void }[]} flushes waiting for writes made before them */
      let flushes = [];
      /** Queues the flushes whose writes are all taken, or will never be. */
      const flushesDue = () => {
        const none = closing || ended !== null;
        const due = flushes.filter((f) => none || f.after <= taken);
        flushes = flushes.filter((f) => !due.includes(f));
        for (const f of due) f.run();
      };
      /** @param {unknown} reason */
      const end = (reason) => {
        if (ended) return;
        ended = { reason };
        c.release();
        errorReader(out, reason);
        // A write waiting for a reader that is gone goes on, to fail; so do waiting flushes.
        room.wake();
        flushesDue();
      };
      // Writes and flushes take turns, in the order they were made.
      /** @type {Promise<unknown>} */
      let turn = Promise.resolve();
      /** @param {() => Promise<Uint8Array>} f */
      const step = (f) => {
        const next = turn
          .then(() => {
            if (ended) throw ended.reason;
            return f();
          })
          .then(
            (bytes) => {
              if (ended) throw ended.reason;
              if (bytes.length) out.enqueue(bytes);
            },
            (e) => {
              end(e);
              throw e;
            },
          );
        turn = next.catch(() => {});
        return next;
      };
      const ends = tiedEnds(end);
      this.readable = new ReadableStream({
        start(controller) {
          out = controller;
        },
        pull: room.wake,
        cancel: ends.cancel,
      });
      /** @type {QueuingStrategy<unknown>} one chunk, as WritableStream's default, counting writes */
      const counted = {
        highWaterMark: 1,
        size() {
          made++;
          return 1;
        },
      };
      this.writable = new WritableStream({
        start: ends.start,
        async write(chunk) {
          taken++;
          const bytes = bytesOf(chunk, out, end);
          const size = bytes.length;
          const done = step(() => c.write(sameSize(bytes, size)));
          flushesDue();
          await done;
          // Backpressure: the next chunk waits until the reader has taken this one's output.
          while (!ended && (out.desiredSize ?? 0) <= 0) await room.wait();
          if (ended) throw ended.reason;
        },
        async close() {
          closing = true;
          flushesDue();
          await step(() => c.finish());
          c.release();
          out.close();
        },
        abort: end,
      }, counted);
      this.#flush = () =>
        new Promise((resolve, reject) => {
          flushes.push({ after: made, run: () => step(() => c.flush()).then(resolve, reject) });
          flushesDue();
        });
      readOnlySides(this);
    }

    /**
     * Ends the current block, so that every chunk written before the call (its write
     * resolved or not) can be decoded from what the readable side gives (for a live log).
     * Each flush costs a few bytes.
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
      /** @type {ReadableStreamDefaultController<Uint8Array>} */
      let out;
      // The decoder waits here for the reader to make room.
      const room = waker();
      const dec = queuedDecoder(
        options,
        (parts) => {
          for (const part of parts) out.enqueue(part);
          if ((out.desiredSize ?? 0) <= 0) return room.wait();
        },
        (e) => errorReader(out, e),
      );
      /** @param {unknown} reason */
      const end = (reason) => {
        dec.abort(reason);
        errorReader(out, reason);
        // The decoder, waiting for a reader that is gone, goes on, to stop.
        room.wake();
      };
      const ends = tiedEnds(end);
      this.readable = new ReadableStream({
        start(controller) {
          out = controller;
        },
        pull: room.wake,
        cancel: ends.cancel,
      });
      this.writable = new WritableStream({
        start: ends.start,
        write: (chunk) => dec.write(bytesOf(chunk, out, (e) => dec.abort(e), true)),
        async close() {
          await dec.end();
          out.close();
        },
        abort: end,
      });
      readOnlySides(this);
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
   * node's `callback` for a failed step of Transform `t`. A step that destroy() cut short
   * fails (its stream object is gone), but that is no error of the stream's: reported, it
   * would replace the premature close that node:zlib's streams end in.
   * @param {import('node:stream').Transform} t
   * @param {(e?: Error | null) => void} callback
   */
  function stepFailed(t, callback) {
    return (/** @type {Error} */ e) => callback(t.destroyed ? null : e);
  }

  /**
   * Pushes the output `work` resolves to, then calls node's `callback`. An exception that a
   * 'data' listener throws from the push fails the step, so the stream errors with it (as
   * createZstdDecompress's does), instead of waiting for a callback that never comes.
   * @param {import('node:stream').Transform} t
   * @param {Promise<Uint8Array>} work
   * @param {(e?: Error | null) => void} callback
   */
  function pushThen(t, work, callback) {
    work
      .then((out) => {
        if (out.length) t.push(out);
      })
      .then(() => callback(), stepFailed(t, callback));
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
        pushThen(this, data === FLUSH ? c.flush() : c.write(data), callback);
      },
      flush(callback) {
        const last = c.finish().then((out) => {
          c.release();
          return out;
        });
        pushThen(this, last, callback);
      },
      destroy(err, callback) {
        c.release();
        callback(err);
      },
    });
    return Object.assign(t, {
      /**
       * Ends the current block once what was written before is compressed (for a live log).
       * node:zlib's `flush(kind, callback)` form is taken too; every kind flushes a block.
       * @param {number | (() => void)} [kind]
       * @param {() => void} [callback]
       */
      flush(kind, callback) {
        if (typeof kind === 'function') callback = /** @type {() => void} */ (kind);
        else if (kind !== undefined && typeof kind !== 'number') throw invalidArg(`flush takes a callback, got ${typeName(kind)}`);
        // As node:zlib's: once the stream is ended there is nothing to flush, and no write.
        if (t.writableFinished) {
          if (callback) queueMicrotask(callback);
        } else if (t.writableEnded) {
          if (callback) t.once('end', callback);
        } else {
          t.write(FLUSH, callback);
        }
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
    // The decoder waits here while the reader's buffer is full.
    const wanted = waker();
    /** @type {import('node:stream').Transform} */
    const t = new Transform({
      transform(chunk, _encoding, callback) {
        dec.write(toBytes(chunk, 'a chunk')).then(() => callback(), stepFailed(this, callback));
      },
      flush(callback) {
        dec.end().then(() => callback(), stepFailed(this, callback));
      },
      read(size) {
        wanted.wake();
        Transform.prototype._read.call(this, size);
      },
      destroy(err, callback) {
        dec.abort(err ?? new IronlungError('ERR_INVALID_ARG', 'this zstd stream was destroyed'));
        callback(err);
      },
    });
    const dec = queuedDecoder(
      options,
      (parts) => {
        let more = true;
        for (const part of parts) more = t.push(part);
        if (!more) return wanted.wait();
      },
      (e) => t.destroy(/** @type {Error} */ (e)),
    );
    return t;
  }

  return { ZstdCompressionStream, ZstdDecompressionStream, createZstdCompress, createZstdDecompress };
}
