// @ts-check
// The session log (openLog / EventLog) over either binding: the order of writes, syncs,
// group commit, the writer lock and the reading loop. The bytes (frames, checksums,
// compression, what a damaged or torn file holds) are the Rust core's (crates/core/src/log),
// through the binding's LogCodec; the file I/O is the host's (js/logfiles.mjs).

import { IronlungError, invalidArg, rethrow, typeName } from './errors.mjs';
import { decodeRecord, encodeRecord, fromUtf8, recordColumns } from './logrecords.mjs';
import { Fifo } from './fifo.mjs';
import { HEADER, dictionarySteps, endSteps, frameSteps, readAsync, readSync } from './logend.mjs';

/**
 * @import { LogFiles, LogFileHandle } from './logfiles.mjs'
 * @import { OpenLogOptions, LogEntry, LogStats, LogVerifyReport, LogCheckpoint, LogRecovered, LogRecord, Durability } from 'ironlung'
 */

/**
 * The binding's log codec (crates/abi/src/log.rs), the same class on both backends.
 * @typedef {object} Codec
 * @property {() => ArrayLike<number>} fileInfo base seq, created ms
 * @property {() => ArrayLike<number>} tail end, next seq, raw total, frames, checkpoint at, dictionary at
 * @property {() => number} nextSeq `tail()[1]`, for the append path, where building the rest costs
 * @property {(tail: number[]) => void} setTail
 * @property {() => number} dictionaryId -1 for none
 * @property {(window: Uint8Array, windowAt: number, fileLen: number) => ArrayLike<number>} recover
 * @property {(window: Uint8Array, windowAt: number, at: number) => number} loadDictionary
 * @property {(bytes: Uint8Array) => Uint8Array} writeDictionary
 * @property {(kinds: Uint8Array, times: Float64Array, data: Uint8Array, ends: Uint32Array) => Uint8Array} writeRecords
 * @property {(kind: number, state: Uint8Array, meta: Uint8Array, time: number) => Uint8Array} writeCheckpoint
 * @property {(from: any, window: Uint8Array, windowAt: number, at: number, rawAdded: number) => Uint8Array} copyFrame
 *   `from`: another codec of the same binding
 * @property {() => Packer} packer compaction's repack, writing on from this codec's end
 * @property {(packer: any, window: Uint8Array, windowAt: number, at: number, rawAdded: number) => boolean} packInto
 *   hands a records frame's records to `packer` (another file's Packer, of the same
 *   binding); true when frames are ready
 * @property {(window: Uint8Array, windowAt: number, at: number) => ArrayLike<number>} frameInfo
 * @property {(window: Uint8Array, windowAt: number, from: number) => ArrayLike<number>} nextValid
 * @property {() => Scanner} scanner the reading half, for one walk through the file
 * @property {(target: number, end: number, hint: number) => Seek} seek where reading for seq
 *   `target` on starts, looking at `hint` first (0: none)
 * @property {(window: Uint8Array, windowAt: number, at: number) => ArrayLike<number>} readCheckpoint
 * @property {() => Uint8Array} takeData
 *
 * Compaction's repack (`LogPacker`, the core's `log/pack.rs`): takes the records of another
 * codec's frames (`packInto`; the packer names no codec, so that a bundle can drop both),
 * and writes them in frames of up to 4 MiB.
 * @typedef {object} Packer
 * @property {(last: boolean, budget: number) => Uint8Array | Promise<Uint8Array>} write
 *   compresses about `budget` bytes of the records taken (with `last`, of all of them), and
 *   gives the frames that finished: native on the libuv pool, wasm on this thread
 * @property {() => boolean} done whether the last write left nothing to write
 *
 * One walk's reader (`LogScanner`): decodes the windows of the file it is handed, and takes
 * up a dictionary it finds.
 * @typedef {object} Scanner
 * @property {(window: Uint8Array, windowAt: number, at: number, from: number, to: number, maxBytes: number) => ArrayLike<number>} scan
 * @property {() => Uint8Array} takeData the records' bytes of the last scan
 * @property {() => string} error why the last scan stopped at a damaged frame
 *
 * A search for where reading for one seq on starts (`LogSeek`).
 * @typedef {object} Seek
 * @property {() => ArrayLike<number>} step [0, at, len] read and `feed`; [1, at, dictionary at] start there
 * @property {(window: Uint8Array, windowAt: number) => void} feed
 * @property {() => void} [free] wasm
 *
 * @typedef {object} LogBinding
 * @property {new (header: Uint8Array, level: number | undefined) => Codec} LogCodec
 * @property {(salt: Uint8Array, baseSeq: number, createdMs: number) => Uint8Array} logHeader
 * @property {(samples: Uint8Array, sizes: Uint32Array, maxBytes: number) => Uint8Array} [trainLogDictionary]
 *   the wasm backend's, on the JS thread
 * @property {(samples: Uint8Array, sizes: Uint32Array, maxBytes: number) => Promise<Uint8Array>} [trainLogDictionaryAsync]
 *   the native backend's, on the libuv pool
 */

/** A window read from the end to find the last frame, and by the reading loop. */
const WINDOW = 1 << 20;
const EMPTY = new Uint8Array(0);
/** What compaction hands the codec first to describe a frame: most frames fit. */
const FRAME_PROBE = 16 << 10;
/** The bytes a repack compresses per call (about 35 ms at level 9 on wasm). */
const PACK_STEP = 256 << 10;
/** The least level `compact({ repack: true })` packs at (BENCHMARKS.md: what levels give). */
const REPACK_LEVEL = 9;
/** Records of appends grouped into one write, at most (one appendBatch may be larger). */
const GROUP_BYTES = 4 << 20;
/**
 * `'none'`: record bytes whose appends resolved before the write loop took them, at most.
 * An append past it waits for the writes before it, so a loop of awaited appends that never
 * lets the event loop turn still has its records written as it goes, and memory stays bounded.
 */
const NONE_BUFFER = 4 << 20;
/**
 * `'none'`: records so waiting, at most. Each holds about 0.7 KB of objects beyond its bytes
 * (its promise, arrays, the view of its bytes), so small records outgrew the heap before
 * NONE_BUFFER (2 million of 1 byte: 2 GB); these hold about 12 MB.
 */
const NONE_RECORDS = 16384;
/** Decoded bytes one step of the reading loop hands out, at most. */
const STEP_BYTES = 4 << 20;
/**
 * `'sync'`: the file is extended with zeros ahead of the appends, by an eighth of the log
 * (64 KiB to 1 MiB, rounded to 4 KiB), so that an append's sync writes into blocks the file
 * already has, with no change to its size or extents for the sync to commit as well.
 */
const PREALLOCATE_MIN = 64 << 10;
const PREALLOCATE_MAX = 1 << 20;
/** `dictionary: 'auto'` trains once the log holds this many record bytes or records. */
const AUTO_TRAIN_BYTES = 1 << 20;
const AUTO_TRAIN_RECORDS = 1000;
const AUTO_MIN_RECORDS = 64;
/**
 * The training's samples are the log's first records, the one that reaches this many bytes cut
 * short, whatever one step of a scan hands out (a 'none' group can be a 4 MiB frame): the
 * training's time grows with its samples, and a writer keeps them until it trains.
 */
const SAMPLE_BYTES = 2 * AUTO_TRAIN_BYTES;

/**
 * `obj`, an object of the wasm instance `born`, whose calls throw ERR_INTERNAL once a trap
 * replaced that instance (`epoch()` moved on): its pointer would address the new
 * instance's memory. The objects its calls return (a scanner, a seek) are bound the same
 * way; `free` then does nothing, as the old instance went whole.
 * @template {object} T
 * @param {T} obj
 * @param {() => number} epoch
 * @param {number} born
 * @returns {T}
 */
function instanceBound(obj, epoch, born) {
  return new Proxy(obj, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      if (prop === 'free') return () => epoch() === born && v.call(target);
      return (/** @type {unknown[]} */ ...args) => {
        if (epoch() !== born) {
          throw new IronlungError(
            'ERR_INTERNAL',
            "the log's state in ironlung's wasm module was lost when the module trapped and was replaced; call again: the log reloads it from its file",
          );
        }
        const out = v.apply(target, args);
        return typeof out === 'object' && out !== null && typeof out.free === 'function' ? instanceBound(out, epoch, born) : out;
      };
    },
  });
}

/**
 * What the API (js/api.mjs) hands the log: its own checks and error mapping.
 * @typedef {object} LogDeps
 * @property {<T>(f: () => T) => T} call runs a binding call with its errors mapped
 * @property {(v: unknown) => number} zstdLevel
 * @property {(path: string | URL) => string} pathArg
 * @property {() => number} [epoch] wasm: which instance is current (it changes when a trap
 *   replaces it)
 */

/**
 * The session log over the host's binding and file I/O. The entries of runtimes with a file
 * system give it to createApi's host as `logs` (js/node.cjs, js/wasm.mjs's useLog), with the
 * binding: the wasm glue's log classes reach no other entry.
 * @param {LogDeps & { binding: LogBinding, files: LogFiles }} deps
 */
export function createLogs({ binding, files, call, zstdLevel, pathArg, epoch }) {
  /**
   * Opens (or creates) the session log at `path`.
   * @param {string | URL} path
   * @param {OpenLogOptions} [options]
   * @returns {Promise<EventLog>}
   */
  async function openLog(path, options) {
    const p = pathArg(path);
    // A log is a file: '' (the working directory) and a name ending in a separator name none.
    if (p === '' || p.endsWith('/') || p.endsWith('\\')) throw invalidArg(`openLog's path must name a file, got ${JSON.stringify(p)}`);
    // The core's words for a NUL in a path (readTextFile's), where node:fs would throw its own.
    if (p.includes('\0')) throw invalidArg(`path must not contain NUL bytes; received '${p}'`);
    const o = logOptions(options, zstdLevel);
    const log = new EventLog(LOG_KEY, { binding, files, call, zstdLevel, epoch, path: p, options: o });
    await openEventLog(log);
    return log;
  }
  return { openLog };
}

/**
 * The frames `packer` has ready (with `last`, and the records left) as one buffer. It
 * compresses PACK_STEP bytes a call: on the libuv pool on native; on wasm on this thread,
 * letting the event loop turn between calls.
 * @param {Packer} packer
 * @param {boolean} last
 * @returns {Promise<Uint8Array>}
 */
async function writePacked(packer, last) {
  /** @type {Uint8Array[]} */
  const parts = [];
  for (;;) {
    const r = packer.write(last, PACK_STEP);
    if (r instanceof Uint8Array) {
      parts.push(r);
      if (packer.done()) break;
      await new Promise((resolve) => setTimeout(resolve, 0));
    } else {
      parts.push(await r);
      if (packer.done()) break;
    }
  }
  return concat(parts);
}

/**
 * @typedef {object} CompactOptions
 * @property {boolean | { level?: number }} [repack]
 */

/**
 * The level `compact()` repacks at, or null for no repack: `repack: true` packs at the log's
 * level or 9, whichever is higher (a log stored raw: raw, unless a level is given).
 * @param {unknown} options
 * @param {(v: unknown) => number} zstdLevel
 * @param {number | undefined} logLevel
 * @returns {{ level: number | undefined } | null}
 */
function repackOf(options, zstdLevel, logLevel) {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object') throw invalidArg(`compact options must be an object, got ${typeName(options)}`);
  const r = /** @type {CompactOptions} */ (options).repack;
  if (r === undefined || r === false) return null;
  const fallback = logLevel === undefined ? undefined : Math.max(logLevel, REPACK_LEVEL);
  if (r === true) return { level: fallback };
  if (r === null || typeof r !== 'object') throw invalidArg(`repack must be a boolean or { level }, got ${typeName(r)}`);
  return { level: r.level === undefined ? fallback : zstdLevel(r.level) };
}

/**
 * @typedef {object} Options
 * @property {Durability} durability
 * @property {number | undefined} level undefined: stored raw
 * @property {'auto' | Uint8Array | false} dictionary
 * @property {boolean} create
 * @property {boolean} readOnly
 * @property {'error' | 'skip'} onCorrupt
 */

/**
 * @param {OpenLogOptions | undefined} options
 * @param {(v: unknown) => number} zstdLevel
 * @returns {Options}
 */
function logOptions(options, zstdLevel) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArg(`openLog options must be an object, got ${typeName(options)}`);
  }
  const o = /** @type {Partial<OpenLogOptions>} */ (options || {});
  const oneOf = (/** @type {unknown} */ v, /** @type {string} */ what, /** @type {unknown[]} */ choices, /** @type {unknown} */ fallback) => {
    if (v === undefined) return fallback;
    if (!choices.includes(v)) throw invalidArg(`${what} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${typeName(v)}`);
    return v;
  };
  const durability = /** @type {Durability} */ (oneOf(o.durability, 'durability', ['sync', 'flush', 'none'], 'sync'));
  const level = o.compression === false ? undefined : zstdLevel(o.compression);
  let dictionary = o.dictionary === undefined ? 'auto' : o.dictionary;
  if (!(dictionary === 'auto' || dictionary === false || dictionary instanceof Uint8Array)) {
    throw invalidArg(`dictionary must be 'auto', a Uint8Array or false, got ${typeName(dictionary)}`);
  }
  if (level === undefined && dictionary instanceof Uint8Array) {
    throw invalidArg('a dictionary was given with compression: false; a log stored raw has no use for one');
  }
  if (level === undefined) dictionary = false;
  const bool = (/** @type {unknown} */ v, /** @type {string} */ what, /** @type {boolean} */ fallback) => {
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw invalidArg(`${what} must be a boolean, got ${typeName(v)}`);
    return v;
  };
  const onCorrupt = /** @type {'error' | 'skip'} */ (oneOf(o.onCorrupt, 'onCorrupt', ['error', 'skip'], 'error'));
  return { durability, level, dictionary, create: bool(o.create, 'create', true), readOnly: bool(o.readOnly, 'readOnly', false), onCorrupt };
}

/** Lets only openLog construct an EventLog. */
const LOG_KEY = Symbol('openLog');

/** The longest tail of zeros `dataEnd` reads past; a longer one is not a writer's zeros ahead. */
const ZEROS_CHECKED = 16 * PREALLOCATE_MAX;

/**
 * Where the bytes of a file of `size` bytes that are not zero end, read back from its end
 * past the zeros a `'sync'` writer wrote ahead: the file's size when it ends in a byte that
 * is not zero, or its zeros run on past ZEROS_CHECKED; its header's end when all after it
 * is zero.
 * @param {LogFileHandle} f
 * @param {number} size
 */
async function dataEnd(f, size) {
  // A first small read: a file that ends in a byte that is not zero needs no more.
  for (let to = size, step = 4096; to > HEADER; step = 64 << 10) {
    if (size - to >= ZEROS_CHECKED) return size;
    const from = Math.max(HEADER, to - step);
    const piece = await f.read(from, to - from);
    for (let i = piece.length - 1; i >= 0; i--) if (piece[i] !== 0) return from + i + 1;
    if (piece.length < to - from) return size;
    to = from;
  }
  return Math.min(size, HEADER);
}

/**
 * Where the last frame of a file of `size` bytes whose data ends at `data` (`dataEnd`) can
 * end at the latest: 7 bytes past it, as a frame's trailer ends in its length and CRC, which
 * may end in zeros.
 * @param {number} size
 * @param {number} data
 */
const lastFrameBound = (size, data) => Math.min(size, data + 7);
/**
 * Opens a constructed EventLog: its private #open, which only openLog may call.
 * @type {(log: EventLog) => Promise<void>}
 */
let openEventLog;

/**
 * What an open log holds: its open files and the release of its writer lock.
 * @typedef {{ files: Set<LogFileHandle>, unlock: (() => void) | null }} Owned
 */

/**
 * A log dropped without close() lets go of what it holds once it is collected: else its lock
 * stayed taken by this live process, which could not open the log again (ERR_LOG_LOCKED),
 * and on wasm node:fs closed its files itself, with a deprecation warning.
 */
const dropped = new FinalizationRegistry((/** @type {Owned} */ owned) => {
  for (const f of owned.files) f.close().catch(() => {});
  owned.unlock?.();
});

/**
 * Logs holding `'none'` records that resolved and are not written yet. They are written on
 * the next turn of the event loop; this set is for a process that exits before it comes
 * (`await log.append(x); process.exit()`), whose exit writes them, synchronously. A log is
 * here only until its write loop takes them, so the set keeps nothing alive for long.
 * @type {Set<EventLog>}
 */
const unwritten = new Set();
let exitHooked = false;
/**
 * Writes every log's resolved `'none'` records now, on this thread: at the process's exit.
 * @type {() => void}
 */
let writeUnwritten;
/**
 * `'sync'` writers whose file runs on in zeros past the log: their exit cuts the zeros, as
 * `close()` does. Weak, so that a log dropped unclosed can still be collected (`dropped`
 * closes its file; its zeros stay, and its next open cuts them).
 * @type {Set<WeakRef<EventLog>>}
 */
const zerosAhead = new Set();
let aheadHooked = false;
/** @type {() => void} */
let cutAhead;

/**
 * @typedef {object} Pending
 * @property {Uint8Array[]} chunks
 * @property {number[]} kinds
 * @property {number[]} times
 * @property {number} bytes
 * @property {boolean} batch
 * @property {number} early `'none'`: the seq it resolved to before it was written, else 0
 * @property {(seqs: number[]) => void} resolve
 * @property {(e: unknown) => void} reject
 *
 * @typedef {{ op: () => Promise<any>, resolve: (v: any) => void, reject: (e: unknown) => void }} Op
 *
 * @typedef {object} View what a read reads (`#view`)
 * @property {LogFileHandle} file
 * @property {Codec} codec
 * @property {number} end
 * @property {{ reads: number, retired: boolean }} held
 */

/**
 * A session log opened by openLog: appends, checkpoints and reads, in the order called.
 */
export class EventLog {
  /** @type {LogBinding} */ #binding;
  /** @type {LogFiles} */ #files;
  /** @type {<T>(f: () => T) => T} */ #call;
  /** @type {(v: unknown) => number} */ #zstdLevel;
  /** @type {(() => number) | undefined} */ #epoch;
  /** The wasm instance the codec lives in (`#epoch()` when it was made). */
  #born = 0;
  /** @type {string} */ #path;
  /**
   * The file `#path` names, symbolic links resolved (`#open`): the lock, the file opened and
   * a compaction's rename all use it, so two names for one log are one log.
   * @type {string}
   */
  #real = '';
  /**
   * A reader's: which file the path named just before the open file was opened. When the
   * path names another (a writer compacted the log), the reader reopens it.
   * @type {string | null}
   */
  #identity = null;
  /** @type {Options} */ #o;
  /** @type {LogFileHandle | null} */ #file = null;
  /**
   * Files that reads (`#walk`) are reading, with how many: a compaction that replaces one
   * closes it only once they are done, so that each read sees the file it began on.
   * @type {Map<LogFileHandle, { reads: number, retired: boolean }>}
   */
  #reading = new Map();
  /** @type {Codec | null} */ #codec = null;
  /** Not the log itself, which `dropped` must not keep alive. @type {Owned} */
  #owned = { files: new Set(), unlock: null };
  /** @type {Fifo<Pending | Op>} */ #queue = new Fifo();
  #pumping = false;
  /**
   * A compaction is between its rename and the open of the new file: the file open is no
   * longer the log's, and an exit meanwhile writes nothing into it.
   */
  #swapping = false;
  /**
   * A compaction renamed its file over the log, and the directory's sync after it failed:
   * until a sync of it succeeds, a power loss could bring the old file back. A `'sync'`
   * write, and `sync()`, sync the directory first (#syncRename).
   */
  #renameUnsynced = false;
  /** Records queued, not yet taken by the write loop. */
  #queuedRecords = 0;
  /** `'none'`: the bytes of records resolved before the write loop took them. */
  #buffered = 0;
  /** And how many: an empty record has no bytes, and waits too. */
  #bufferedRecords = 0;
  /** The write loop is due to start on the next turn of the event loop. */
  #soon = false;
  /** That turn came: the `'none'` records queued go out. */
  #turned = false;
  /** Queued calls and appends that wait for the write loop (all but `'none'`'s resolved ones). */
  #waiting = 0;
  /** Of those, the appends: their seqs are not known until the loop takes them. */
  #unresolved = 0;
  /** @type {unknown} */ #failed = null;
  #closed = false;
  /** @type {Promise<void> | null} `close()` under way or done: no call is taken any more. */
  #closing = null;
  #trainedAt = 0;
  /**
   * `dictionary: 'auto'`, a writer that opened the log with no records: the records it has
   * written, up to the training's samples, so that the training need not read them back
   * from the file. null: none kept; the training reads them from the file.
   * @type {Samples | null}
   */
  #samples = null;
  /** @type {LogRecovered | null} */ #recovered = null;
  /**
   * A `'sync'` writer's: where its file ends, past the log's end by the zeros it writes
   * ahead (PREALLOCATE_MIN); `close()` cuts them away. Other writers write none, and only
   * ever compare it with the log's end, which it never passes for them.
   */
  #allocated = 0;
  /** @type {WeakRef<EventLog> | null} this log in `zerosAhead` */
  #aheadRef = null;
  /** A write of zeros ahead failed (a full disk): none are written any more. */
  #noZeros = false;

  /**
   * @param {symbol} key
   * @param {{ binding: LogBinding, files: LogFiles, call: <T>(f: () => T) => T, zstdLevel: (v: unknown) => number, epoch?: () => number, path: string, options: Options }} init
   */
  constructor(key, init) {
    if (key !== LOG_KEY) throw new TypeError('use openLog(path, options) to open a log');
    this.#binding = init.binding;
    this.#files = init.files;
    this.#call = init.call;
    this.#zstdLevel = init.zstdLevel;
    this.#epoch = init.epoch;
    this.#path = init.path;
    this.#o = init.options;
  }

  /** The log's path. */
  get path() {
    return this.#path;
  }

  /** Whether it was opened `readOnly`. */
  get readOnly() {
    return this.#o.readOnly;
  }

  /**
   * What opening it found and cut away: a torn last write, or null if the log was whole.
   * @returns {LogRecovered | null}
   */
  get recovered() {
    return this.#recovered;
  }

  static {
    openEventLog = (log) => log.#open();
    writeUnwritten = () => {
      for (const log of unwritten) log.#writeAtExit();
    };
    cutAhead = () => {
      for (const ref of zerosAhead) {
        const log = ref.deref();
        if (log) log.#cutAheadNow();
      }
    };
  }

  /** Opens the file, takes the lock, and finds the log's end. */
  async #open() {
    const o = this.#o;
    try {
      this.#real = await this.#files.realPath(this.#path);
      if (!o.readOnly) {
        this.#owned.unlock = await this.#files.lock(this.#real, this.#path);
        // An interrupted compaction leaves its new file unrenamed: the old log stands.
        await this.#files.remove(`${this.#real}.compact`);
      }
      await this.#attach();
      // Not when the log has a dictionary frame, even one that is damaged (onCorrupt 'skip').
      if (o.dictionary instanceof Uint8Array && this.#codec && this.#codec.tail()[5] === 0 && !o.readOnly) {
        await this.#writeDictionary(o.dictionary);
      }
      dropped.register(this, this.#owned, this.#owned);
    } catch (e) {
      await this.#release();
      const err = this.#named(e);
      // An OS error names the file opened, the real path: name the log as it was given too.
      if (this.#real !== this.#path && /^E[A-Z0-9]+$/.test(String(/** @type {any} */ (err).code)) && !String(/** @type {Error} */ (err).message).includes(this.#path)) {
        throw new IronlungError(/** @type {any} */ (err).code, `${/** @type {Error} */ (err).message} (opening the log '${this.#path}')`);
      }
      throw err;
    }
  }

  /**
   * Opens the file at the path (or takes `opened`, a compaction's new file renamed there,
   * locked already) and reads its header and end into a new codec. The log takes the file and
   * the codec (and a reader's identity of the file) together, once both are whole: a call
   * under way never sees one without the other, and an open that fails leaves the log as it
   * was.
   * @param {LogFileHandle} [opened]
   */
  async #attach(opened) {
    const o = this.#o;
    // A reader notes which file the path names before and after the open: a rename between
    // the two shows as no identity, which costs only a reopen that was not needed.
    const before = o.readOnly ? await this.#files.identity(this.#real) : null;
    const f = opened ?? (await this.#files.open(this.#real, o.readOnly, o.create, o.durability === 'sync'));
    /** @type {LogRecovered | null} */
    let recovered = null;
    let loaded;
    try {
      if (!o.readOnly) {
        await this.#refuseLinked(f);
        if (!opened && !lockFile(f)) throw this.#heldError();
      }
      let size = await f.size();
      if (size < HEADER) {
        if (o.readOnly) {
          throw new IronlungError('ERR_CORRUPT_LOG', `'${this.#path}' is ${size} bytes, shorter than a log's ${HEADER}-byte header: it is not a log, or its writer is creating it`);
        }
        const salt = new Uint8Array(8);
        globalThis.crypto.getRandomValues(salt);
        const header = this.#call(() => this.#binding.logHeader(salt, 1, Date.now()));
        // A new log, or one whose creation was cut short before its header was whole: what
        // is there starts as a header does (its magic, the first 8 bytes), or is zeros (a
        // crash can leave a file extended, its bytes not written). Anything else is a file
        // of someone else's, which must not be written over.
        if (size > 0) {
          const have = await f.read(0, size);
          const magic = header.subarray(0, Math.min(8, size));
          if (!have.every((b) => b === 0) && !magic.every((b, i) => have[i] === b)) {
            throw new IronlungError('ERR_CORRUPT_LOG', `'${this.#path}' is ${size} bytes and does not start with the ironlung log magic: it is not a log (a log's ${HEADER}-byte header begins with it)`);
          }
          recovered = { offset: 0, droppedBytes: size };
        }
        await f.truncate(0);
        await f.write(0, header, true);
        await this.#files.syncDir(this.#real);
        size = HEADER;
      }
      loaded = await this.#load(f, size);
      if (loaded.dropped > 0) recovered = { offset: loaded.end, droppedBytes: loaded.dropped };
    } catch (e) {
      await f.close().catch(() => {});
      throw e;
    }
    // A writer's: compact() checks that its name still names this file.
    const after = await this.#files.identity(this.#real);
    this.#file = f;
    this.#owned.files.add(f);
    this.#codec = loaded.codec;
    // (A compaction's file keeps the samples already kept: records it dropped are samples too.)
    const t = loaded.codec.tail();
    if (!opened && !o.readOnly && o.dictionary === 'auto' && t[5] === 0 && t[1] === loaded.codec.fileInfo()[0]) this.#samples = { parts: [], bytes: 0 };
    this.#allocated = loaded.end;
    this.#born = loaded.born;
    this.#identity = o.readOnly ? (before === after ? before : null) : after;
    if (recovered) this.#recovered = recovered;
  }

  /**
   * Refuses to write a file with other names (hard links). The lock is a name's, so a writer
   * of another name would hold another lock; with a link count of 1 there is no other name,
   * and of two writers of two names, the one that opens second sees the first's. Before
   * anything is written: a torn tail cut here could be the other writer's append.
   * @param {LogFileHandle} f
   */
  async #refuseLinked(f) {
    const links = await f.links();
    if (links <= 1) return;
    throw new IronlungError(
      'ERR_LOG_LOCKED',
      `the log ${this.#shownName()} has ${links} names (hard links): each name has its own lock, so a writer of one would not ` +
        'exclude a writer of another, and no writer opens it. Open it with { readOnly: true } to read it; to write it, remove ' +
        `its other names, or copy it and rename the copy over '${this.#real}' (the other names keep the old file, as a backup made with cp -al should)`,
    );
  }

  /** The log as given, quoted, and the file it names where a symbolic link led elsewhere. */
  #shownName() {
    return this.#real === this.#path ? `'${this.#path}'` : `'${this.#path}' (the file '${this.#real}')`;
  }

  /**
   * ERR_LOG_LOCKED for a file another writer has locked (`lockFile`), which its lock file did
   * not show: that writer took the lock file of another name.
   */
  #heldError() {
    return new IronlungError(
      'ERR_LOG_LOCKED',
      `the log ${this.#shownName()} is open for writing by another writer, which holds a lock on the file itself: it opened the file ` +
        "by another name (the log was renamed or moved while that writer had it open, say), and took that name's lock file. Open it " +
        'with { readOnly: true } to read it, or close the other writer',
    );
  }

  /**
   * Reads the header and end of `f` (`size` bytes long) into a new codec, cuts a torn last
   * write away if this is the writer, and returns the codec, the wasm instance it lives in,
   * and where the log ends.
   * @param {LogFileHandle} f
   * @param {number} size
   */
  async #load(f, size) {
    const header = await f.read(0, HEADER);
    let codec;
    try {
      codec = this.#newCodec(header);
    } catch (e) {
      const err = /** @type {IronlungError} */ (e);
      if (err.code === 'ERR_CORRUPT_LOG') throw new IronlungError(err.code, `'${this.#path}' is not a readable log: ${err.message}`);
      throw e;
    }
    const born = this.#epoch ? this.#epoch() : 0;
    const data = await dataEnd(f, size);
    const end = await this.#findEnd(lastFrameBound(size, data), f, codec);
    // A tail of zeros is what a 'sync' writer wrote ahead (#write): no write of the log's.
    const dropped = end < size && data > end ? size - end : 0;
    if (end < size && !this.#o.readOnly) await f.truncate(end);
    return { codec, born, end, dropped };
  }

  /**
   * A codec for the file whose header is `header`; on wasm, bound to the instance it lives
   * in (`instanceBound`).
   * @param {Uint8Array} header
   * @param {number | undefined} [level] what it compresses at (undefined: stored raw); the log's
   * @returns {Codec}
   */
  #newCodec(header, level = this.#o.level) {
    const codec = this.#call(() => new this.#binding.LogCodec(header, level));
    const epoch = this.#epoch;
    return epoch ? instanceBound(codec, epoch, epoch()) : codec;
  }

  /** Whether the codec lives in a wasm instance that a trap replaced since. */
  #lost() {
    return this.#epoch !== undefined && this.#codec !== null && this.#epoch() !== this.#born;
  }

  /**
   * A new codec in place of one a wasm trap lost, read from the file as an open reads it:
   * the log goes on from its last whole frame. Runs in the queue, between writes.
   */
  async #renew() {
    const f = this.#file;
    if (!this.#lost() || !f) return;
    const { codec, born, end } = await this.#load(f, await f.size());
    this.#codec = codec;
    this.#born = born;
    if (!this.#o.readOnly) this.#allocated = end;
  }

  /**
   * Sets the codec's tail from the last valid frame of a file of `size` bytes (`endSteps`),
   * loads the log's dictionary, and returns the end.
   * @param {number} size
   * @param {LogFileHandle} [f] the file (the log's)
   * @param {Codec} [codec] its codec (the log's)
   */
  #findEnd(size, f = /** @type {LogFileHandle} */ (this.#file), codec = /** @type {Codec} */ (this.#codec)) {
    return readAsync(endSteps(codec, size, this.#call, this.#o.onCorrupt === 'skip'), f);
  }

  /**
   * Loads the dictionary frame at `dictAt` (0: none) into `codec` (`dictionarySteps`).
   * @param {number} dictAt
   * @param {LogFileHandle} file
   * @param {Codec} codec
   */
  #loadDictionary(dictAt, file, codec) {
    return readAsync(dictionarySteps(codec, dictAt, this.#call, this.#o.onCorrupt === 'skip'), file);
  }

  /**
   * The bytes of the whole frame at `at`, from `at`, of `f` (the log's file).
   * @param {number} at
   * @param {LogFileHandle} [f]
   * @param {Codec} [codec]
   */
  #frameWindow(at, f = /** @type {LogFileHandle} */ (this.#file), codec = /** @type {Codec} */ (this.#codec)) {
    return readAsync(frameSteps(codec, at), f);
  }

  async #release() {
    const owned = this.#owned;
    dropped.unregister(owned);
    this.#file = null;
    this.#reading.clear();
    // With the open one, files a compaction replaced while reads were under way.
    const files = [...owned.files];
    owned.files.clear();
    try {
      await Promise.all(files.map((f) => f.close()));
    } finally {
      owned.unlock?.();
      owned.unlock = null;
    }
  }

  /**
   * A writer's, at close: cuts the zeros written ahead (#write), so that a closed log's file
   * ends where the log does. Left there, the next open would cut them.
   */
  async #cutAhead() {
    if (this.#aheadRef) zerosAhead.delete(this.#aheadRef);
    this.#aheadRef = null;
    const end = this.#aheadEnd();
    if (end === null) return;
    try {
      await /** @type {LogFileHandle} */ (this.#file).truncate(end);
      this.#allocated = end;
    } catch {
      // The zeros stay, as after a crash; the next open cuts them.
    }
  }

  /** `#cutAhead`, on this thread, at the process's exit (not during a compaction's swap). */
  #cutAheadNow() {
    const f = this.#file;
    if (this.#swapping || this.#closed || !f?.truncateNow) return;
    const end = this.#aheadEnd();
    try {
      if (end !== null) f.truncateNow(end);
    } catch {
      // The process is going; the next open cuts them.
    }
  }

  /** A writer's: where its zeros written ahead start, the log's end; null with none to cut. */
  #aheadEnd() {
    if (this.#o.readOnly || !this.#file || !this.#codec || this.#lost()) return null;
    const end = this.#codec.tail()[0];
    return this.#allocated > end ? end : null;
  }

  /** @param {LogFileHandle} f */
  #closeFile(f) {
    this.#owned.files.delete(f);
    return f.close();
  }

  #closedError() {
    return new IronlungError('ERR_LOG_CLOSED', `the log '${this.#path}' is closed`);
  }

  /**
   * `e`, mapped; the core's damage ("the log is damaged at ...") named as this log's, as a
   * process may have many open.
   * @param {unknown} e
   */
  #named(e) {
    const err = mapError(e);
    const prefix = 'the log is ';
    if (!(err instanceof IronlungError) || err.code !== 'ERR_CORRUPT_LOG' || !err.message.startsWith(prefix)) return err;
    return new IronlungError(err.code, `the log '${this.#path}' is ${err.message.slice(prefix.length)}`);
  }

  /**
   * A call may start: the log is not closing. Reads go on after a failed write: the file
   * holds every record the log counts (a failed write is cut away, or never counted).
   */
  #usable() {
    if (this.#closing) throw this.#closedError();
  }

  /** A queued call may run: everything queued before `close()` runs before it closes. */
  #intact() {
    if (this.#closed) throw this.#closedError();
    if (this.#failed) throw this.#failed;
  }

  /** A write may start: the log is not closing, not readOnly, and no write failed it. */
  #writable() {
    this.#usable();
    if (this.#o.readOnly) throw new IronlungError('ERR_LOG_READ_ONLY', `the log '${this.#path}' was opened readOnly`);
    this.#intact();
  }

  /**
   * Appends one record; resolves to its sequence number once it is as durable as the log's
   * `durability` says.
   * @param {LogRecord} record a string, a Uint8Array, or any JSON-serialisable value
   * @returns {Promise<number>}
   */
  async append(record) {
    this.#writable();
    const [kind, bytes] = encodeRecord(record, 'record');
    const seqs = await this.#enqueueRecords([bytes], [kind], false);
    return seqs[0];
  }

  /**
   * Appends records atomically: after a crash, all of them are in the log or none is.
   * Resolves to their sequence numbers.
   * @param {LogRecord[]} records
   * @returns {Promise<number[]>}
   */
  async appendBatch(records) {
    this.#writable();
    if (!Array.isArray(records)) throw invalidArg(`appendBatch takes an array of records, got ${typeName(records)}`);
    if (records.length === 0) return [];
    const chunks = [];
    const kinds = [];
    for (let i = 0; i < records.length; i++) {
      const [kind, bytes] = encodeRecord(records[i], `records[${i}]`);
      chunks.push(bytes);
      kinds.push(kind);
    }
    return this.#enqueueRecords(chunks, kinds, true);
  }

  /**
   * @param {Uint8Array[]} chunks
   * @param {number[]} kinds
   * @param {boolean} batch
   * @returns {Promise<number[]>}
   */
  #enqueueRecords(chunks, kinds, batch) {
    const now = Date.now();
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    return new Promise((resolve, reject) => {
      /** @type {Pending} */
      const p = { chunks, kinds, times: kinds.map(() => now), bytes, batch, early: 0, resolve, reject };
      // 'none' resolves at once, and the write waits for the next turn of the event loop, so
      // that awaited appends made meanwhile share its frame. The seqs are the ones the codec
      // will give: those after its end and the records queued before. Not behind an append
      // that waits: it may yet fail (a frame too large), and its seqs go to the next ones.
      const fits = this.#buffered + bytes <= NONE_BUFFER && this.#bufferedRecords + chunks.length <= NONE_RECORDS;
      const early = this.#o.durability === 'none' && fits && this.#unresolved === 0 && !this.#lost();
      if (early) {
        p.early = /** @type {Codec} */ (this.#codec).nextSeq() + this.#queuedRecords;
        this.#buffered += bytes;
        this.#bufferedRecords += chunks.length;
      } else {
        this.#waiting++;
        this.#unresolved++;
      }
      this.#queue.push(p);
      this.#queuedRecords += chunks.length;
      if (early) {
        resolve(chunks.map((_, i) => p.early + i));
        this.#kickSoon();
      } else {
        this.#kick();
      }
    });
  }

  /**
   * Runs `op` after everything queued before it.
   * @template T
   * @param {() => Promise<T>} op
   * @returns {Promise<T>}
   */
  #enqueueOp(op) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      this.#waiting++;
      this.#kick();
    });
  }

  /** Starts the write loop on the next turn of the event loop: `'none'` appends wait for it. */
  #kickSoon() {
    unwritten.add(this);
    if (!exitHooked) {
      exitHooked = true;
      this.#files.atExit(writeUnwritten);
    }
    if (this.#soon) return;
    this.#soon = true;
    setImmediate(() => {
      this.#soon = false;
      this.#turned = true;
      this.#kick();
    });
  }

  #kick() {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#pump().finally(() => {
      this.#pumping = false;
      // Not for 'none' appends left to wait for their turn (#kickSoon comes back for them).
      if (this.#queue.length && this.#due()) this.#kick();
    });
  }

  /** The queue's head may go now: not only `'none'` appends that wait for the next turn. */
  #due() {
    return this.#turned || this.#waiting > 0;
  }

  // Group commit: appends queued while a write (and its fdatasync) is under way go out
  // together in the next write, and share its sync.
  async #pump() {
    while (this.#queue.length) {
      // Only 'none' appends that resolved are queued: they wait for the next turn, as more
      // may come before it; a call or an append behind them that waits takes them out now.
      if (!this.#due()) {
        this.#kickSoon();
        return;
      }
      try {
        // A yield, in which the appends of this tick join the group; then, with no await
        // before the step below, a codec that a trap elsewhere lost meanwhile is reloaded
        // (such a step once failed the log with its 'none' records).
        do {
          await this.#renew();
        } while (this.#lost() && this.#file);
      } catch (e) {
        const head = /** @type {Pending | Op} */ (this.#queue.shift());
        if ('op' in head) {
          this.#waiting--;
          head.reject(mapError(e));
        } else {
          this.#lose(this.#taken([head]), mapError(e));
        }
        continue;
      }
      const head = /** @type {Pending | Op} */ (this.#queue.at(0));
      if ('op' in head) {
        this.#queue.shift();
        this.#waiting--;
        try {
          head.resolve(await head.op());
        } catch (e) {
          head.reject(mapError(e));
        }
        continue;
      }
      const group = this.#takeGroup();
      try {
        await this.#writeGroup(group);
      } catch (e) {
        // Settled ones stay as they are.
        this.#lose(group, mapError(e));
      }
    }
  }

  /**
   * The appends at the head of the queue (or of `queue`, taken out of it) that go out in one
   * write: up to the next queued call, and GROUP_BYTES (one appendBatch may be larger).
   * @param {Fifo<Pending | Op>} [queue]
   * @returns {Pending[]}
   */
  #takeGroup(queue = this.#queue) {
    let n = 0;
    let bytes = 0;
    for (; n < queue.length; n++) {
      const next = /** @type {Pending | Op} */ (queue.at(n));
      if ('op' in next || (n > 0 && bytes + next.bytes > GROUP_BYTES)) break;
      bytes += next.bytes;
    }
    return this.#taken(/** @type {Pending[]} */ (queue.take(n)));
  }

  /**
   * Counts `group` out of the queue.
   * @param {Pending[]} group
   */
  #taken(group) {
    for (const p of group) {
      this.#queuedRecords -= p.chunks.length;
      if (p.early) {
        this.#buffered -= p.bytes;
        this.#bufferedRecords -= p.chunks.length;
      } else {
        this.#waiting--;
        this.#unresolved--;
      }
    }
    this.#turned = false;
    if (this.#bufferedRecords === 0) unwritten.delete(this);
    return group;
  }

  /**
   * Rejects the appends of `group` with `err`. Those `'none'` resolved already cannot be
   * told: the log's later calls, and `close()`, carry the error instead.
   * @param {Pending[]} group
   * @param {unknown} err
   */
  #lose(group, err) {
    for (const p of group) p.reject(err);
    if (group.some((p) => p.early)) this.#failed ??= err;
  }

  /**
   * The frames of `group`'s records, made by the codec (whose tail was `before`), and the seqs
   * of each append.
   * @param {Pending[]} group
   */
  #encodeGroup(group) {
    const codec = /** @type {Codec} */ (this.#codec);
    const before = Array.from(codec.tail());
    /** @type {Uint8Array[]} */
    const frames = [];
    /** @type {number[][]} */
    const seqs = [];
    try {
      // Single appends in a row share a frame; each batch has its own, for its atomicity.
      let i = 0;
      while (i < group.length) {
        let j = i + 1;
        if (!group[i].batch) while (j < group.length && !group[j].batch) j++;
        const run = group.slice(i, j);
        let seq = codec.nextSeq();
        for (const p of run) {
          if (p.early && p.early !== seq) {
            throw new IronlungError('ERR_INTERNAL', `the log '${this.#path}' gave seq ${p.early} to a record its file has as ${seq}`);
          }
          const first = seq;
          seqs.push(p.chunks.map((_, k) => first + k));
          seq += p.chunks.length;
        }
        frames.push(this.#call(() => codec.writeRecords(...recordColumns(run))));
        i = j;
      }
    } catch (e) {
      codec.setTail(before);
      throw e;
    }
    return { before, bytes: concat(frames), seqs };
  }

  /** @param {Pending[]} group */
  async #writeGroup(group) {
    if (this.#failed) {
      this.#lose(group, this.#failed);
      return;
    }
    const { before, bytes, seqs } = this.#encodeGroup(group);
    const durability = this.#o.durability;
    if (durability === 'none') group.forEach((p, k) => p.resolve(seqs[k]));
    try {
      await this.#write(before, bytes, durability === 'sync', durability === 'none');
    } catch (err) {
      // 'none' resolved these already: #write failed the log, whose later calls carry the error.
      if (durability !== 'none') for (const p of group) p.reject(err);
      return;
    }
    if (durability !== 'none') group.forEach((p, k) => p.resolve(seqs[k]));
    if (this.#samples) keepSamples(this.#samples, group);
    try {
      await this.#maybeTrain();
    } catch {
      // The records are written: a training cut short is not their failure (nor, with
      // 'none', the log's). A trap elsewhere lost the codec meanwhile, say: the loop's next
      // step reloads it, and the training is tried again at twice the records.
    }
  }

  /**
   * At the process's exit: writes the queued appends (`'none'`'s resolved ones among them)
   * on this thread, as the write loop would have. The calls queued among them will not run
   * now, so the appends after a call go on from those before it. The call the loop may be
   * inside (`close()` begun, a checkpoint, a read, the dictionary's training) leaves the file
   * whole wherever JS runs in it, as a `'none'` log's writes are synchronous; only a
   * compaction's swap of files does not, and its records are lost, as at a kill. A codec a
   * wasm trap lost is read back from the file first.
   */
  #writeAtExit() {
    if (this.#swapping || this.#failed || !this.#file) return;
    const file = this.#file;
    const appends = new Fifo(this.#queue.removeUnless((q) => 'op' in q));
    try {
      this.#renewNow(file);
      while (appends.length) {
        const { before, bytes } = this.#encodeGroup(this.#takeGroup(appends));
        file.writeNow(before[0], bytes);
      }
    } catch {
      // The process is going: nothing is left to tell, as after a failed 'none' write.
    }
  }

  /**
   * `#renew`, on this thread, for an exit: a wasm trap since the last turn lost the codec
   * the resolved records wait for. Only the wasm backend loses one, and its host reads
   * synchronously.
   * @param {LogFileHandle} f the log's file
   */
  #renewNow(f) {
    if (!this.#lost()) return;
    if (!f.readNow || !f.sizeNow || !f.truncateNow) throw new Error('the host cannot read the log synchronously');
    const size = f.sizeNow();
    const codec = this.#newCodec(f.readNow(0, HEADER));
    // As #load: a torn tail is cut, so that no bytes of it stay after the frames written next.
    const end = readSync(endSteps(codec, size, this.#call, this.#o.onCorrupt === 'skip'), f.readNow);
    if (end < size) f.truncateNow(end);
    this.#codec = codec;
    this.#born = /** @type {() => number} */ (this.#epoch)();
    this.#allocated = end;
  }

  /**
   * `dictionary: 'auto'`: trains one from the log's first records once there are enough,
   * between two writes: appends queued meanwhile wait for it, once. Native trains on the
   * libuv pool, so the event loop keeps turning; wasm trains on the JS thread. (Training
   * beside the appends, off the write loop, never finished under a loop of awaited 'flush'
   * appends: they resolve without the event loop turning, so the training's reads waited.)
   */
  async #maybeTrain() {
    const codec = /** @type {Codec} */ (this.#codec);
    // A log with a dictionary frame gets no second one, even when that one is damaged.
    if (this.#o.dictionary !== 'auto' || codec.tail()[5] !== 0) return;
    const t = codec.tail();
    const records = t[1] - codec.fileInfo()[0];
    if (records < AUTO_MIN_RECORDS || records < this.#trainedAt * 2) return;
    if (t[2] < AUTO_TRAIN_BYTES && records < AUTO_TRAIN_RECORDS) return;
    this.#trainedAt = records;
    let samples = this.#samples;
    if (!samples) {
      const read = { parts: [], bytes: 0 };
      scan: for await (const chunk of this.#scanRecords(0, Infinity, await this.#view(), false)) {
        for (const r of chunk) if (!addSample(read, r.bytes)) break scan;
      }
      samples = read;
    }
    const joined = concat(samples.parts);
    const sizes = Uint32Array.from(samples.parts, (s) => s.length);
    const maxBytes = Math.max(4096, Math.min(64 << 10, Math.floor(samples.bytes / 16)));
    const b = this.#binding;
    let dict;
    try {
      dict = b.trainLogDictionaryAsync
        ? await b.trainLogDictionaryAsync(joined, sizes, maxBytes)
        : this.#call(() => /** @type {NonNullable<LogBinding['trainLogDictionary']>} */ (b.trainLogDictionary)(joined, sizes, maxBytes));
    } catch {
      // Too little variety to train on: the next try is at twice as many records.
      return;
    }
    await this.#writeDictionary(dict);
    this.#samples = null;
  }

  /** @param {Uint8Array} dict */
  async #writeDictionary(dict) {
    const codec = /** @type {Codec} */ (this.#codec);
    const before = Array.from(codec.tail());
    const frame = this.#call(() => codec.writeDictionary(dict));
    await this.#write(before, frame, this.#o.durability === 'sync');
  }

  /**
   * Writes frames the codec made after its tail was `before`. If the write fails, the log
   * is put back as it was (the codec's tail, and the file cut to its old end) and the OS
   * error is thrown; if even the cut fails, the log fails: the file may end in a torn frame,
   * which the next open cuts away, and nothing more may go after it.
   * @param {number[]} before
   * @param {Uint8Array} bytes
   * @param {boolean} sync
   * @param {boolean} [resolved] the records were resolved already (`'none'`): a failure fails
   *   the log at once, before the cut, so that no append made while it runs is given their seqs
   */
  async #write(before, bytes, sync, resolved = false) {
    const file = /** @type {LogFileHandle} */ (this.#file);
    try {
      if (sync) await this.#syncRename();
      // Without a sync, the write is a copy into the page cache: done on this thread, it
      // costs less than the trip to the thread pool, whose wake-up dominated 'flush' appends.
      if (sync) {
        const end = before[0] + bytes.length;
        // (A frame larger than the zeros goes out alone rather than copied with them.)
        if (end > this.#allocated && !this.#noZeros && bytes.length <= PREALLOCATE_MAX) {
          // Zeros ahead, in the same write and sync: the next appends' syncs then change
          // neither the file's size nor its extents (with ext4, an fdatasync that must
          // commit those waits for the journal too).
          const ahead = Math.min(PREALLOCATE_MAX, Math.max(PREALLOCATE_MIN, end >> 3));
          const allocated = Math.ceil((end + ahead) / 4096) * 4096;
          const padded = new Uint8Array(allocated - before[0]);
          padded.set(bytes);
          try {
            await file.write(before[0], padded, true);
            this.#allocated = allocated;
          } catch {
            // A disk too full for the zeros (ENOSPC, or a file size limit: EFBIG) must not
            // fail an append whose own bytes fit: they are written alone, what the failed
            // write left past them is cut, and this log writes no more zeros.
            this.#noZeros = true;
            await file.write(before[0], bytes, true);
            await file.truncate(end);
            this.#allocated = end;
            return;
          }
          if (!this.#aheadRef) {
            this.#aheadRef = new WeakRef(this);
            zerosAhead.add(this.#aheadRef);
            if (!aheadHooked) {
              aheadHooked = true;
              this.#files.atExit(() => cutAhead());
            }
          }
        } else {
          await file.write(before[0], bytes, true);
        }
      } else {
        file.writeNow(before[0], bytes);
      }
    } catch (e) {
      const err = mapError(e);
      /** @type {Codec} */ (this.#codec).setTail(before);
      if (resolved) this.#failed = err;
      try {
        await file.truncate(before[0]);
        this.#allocated = before[0];
      } catch (cut) {
        // Resolved records fail the log with the write's error, set above; else with the cut's.
        this.#failed ??= mapError(cut);
      }
      throw err;
    }
  }

  /**
   * The decoded records in seqs `from..to` of `view`, a window's worth at a time, in bounded
   * memory.
   * @param {number} from
   * @param {number} to
   * @param {View} view
   * @param {boolean} [skip] skip damaged ranges instead of throwing
   * @returns {AsyncGenerator<{ seq: number, time: number, kind: number, bytes: Uint8Array }[]>}
   */
  async *#scanRecords(from, to, view, skip = this.#o.onCorrupt === 'skip') {
    const start = async () => this.#seek(view.file, view.codec, from, view.end);
    yield* this.#walk(view, start, from, to, (d) => {
      // No valid frame after it: a torn last write (which a writer's open cuts away), not
      // damage in the middle.
      if (d.torn) return false;
      if (!skip) throw new IronlungError('ERR_CORRUPT_LOG', `the log '${this.#path}' is damaged at byte offset ${d.offset}: ${d.reason}`);
      return true;
    });
  }

  /**
   * The open file, its codec and where the log ends in it (a writer's: its committed end; a
   * reader's: the file's size), held for a read (`#walk`, which lets go of it): a compaction
   * that replaces the file closes it only once its reads are done. Taken in the queue, so that
   * a read reads what the calls before it wrote, and nothing written after.
   * @returns {Promise<View>}
   */
  async #view() {
    const file = this.#file;
    if (!file) throw this.#closedError();
    const codec = /** @type {Codec} */ (this.#codec);
    const end = this.#o.readOnly ? await this.#readerEnd(file) : codec.tail()[0];
    const held = this.#reading.get(file) ?? { reads: 0, retired: false };
    this.#reading.set(file, held);
    held.reads++;
    return { file, codec, end, held };
  }

  /**
   * The frames of `view` from `start` to its end, as the decoded records of seqs `from..to`,
   * a window's worth at a time; lets go of `view` when done. At damage it calls `damaged`
   * with the range (`torn`: no valid frame follows it, as after a torn last write, or a frame
   * runs past the end), and goes on after the range if it returns true.
   * @param {View} view
   * @param {number | (() => Promise<number>)} start the first frame's offset, or where to find it
   * @param {number} from
   * @param {number} to
   * @param {(d: { offset: number, length: number, reason: string, torn: boolean }) => boolean} damaged
   * @returns {AsyncGenerator<{ seq: number, time: number, kind: number, bytes: Uint8Array }[]>}
   */
  async *#walk(view, start, from, to, damaged) {
    const { file, codec, held } = view;
    try {
      let at;
      try {
        at = typeof start === 'number' ? start : await start();
      } catch (e) {
        throw this.#closed ? this.#closedError() : this.#named(e);
      }
      // After the seek, which may have loaded the dictionary the scanner starts with.
      const scanner = this.#call(() => codec.scanner());
      yield* this.#walkFile(view, scanner, at, from, to, damaged);
    } finally {
      if (--held.reads === 0 && this.#reading.get(file) === held) {
        this.#reading.delete(file);
        if (held.retired) await this.#closeFile(file);
      }
    }
  }

  /**
   * `#walk` over `view`, with `scanner`.
   * @param {View} view
   * @param {Scanner} scanner
   * @param {number} at
   * @param {number} from
   * @param {number} to
   * @param {(d: { offset: number, length: number, reason: string, torn: boolean }) => boolean} damaged
   */
  async *#walkFile(view, scanner, at, from, to, damaged) {
    const { file, codec, end } = view;
    /**
     * The scan of the window at `at` (up to `want` bytes), with its records' bytes taken:
     * null at the log's end.
     * @param {number} at
     * @param {number} want
     */
    const scanAt = async (at, want) => {
      if (this.#closed) throw this.#closedError();
      if (at >= end) return null;
      let r;
      try {
        const len = Math.min(want, end - at);
        if (file.readScan) {
          r = await file.readScan(scanner, at, len, from, to, STEP_BYTES);
        } else {
          const window = await file.read(at, len);
          r = this.#call(() => scanner.scan(window, at, at, from, to, STEP_BYTES));
        }
      } catch (e) {
        // The log closed under the read: its file's error would say less.
        throw this.#closed ? this.#closedError() : mapError(e);
      }
      return { r, data: scanner.takeData(), reason: r[0] === 2 ? scanner.error() : '', reached: at + Math.min(want, end - at) };
    };
    /** @type {Promise<Awaited<ReturnType<typeof scanAt>>>} */
    let ahead = scanAt(at, WINDOW);
    for (;;) {
      const s = await ahead;
      if (!s) return;
      const { r, data } = s;
      const n = r[3];
      const out = new Array(n);
      for (let i = 0, k = 4; i < n; i++, k += 5) {
        out[i] = { seq: r[k], time: r[k + 1], kind: r[k + 2], bytes: data.subarray(r[k + 3], r[k + 4]) };
      }
      const next = r[1];
      // The window read ended before the bytes asked for: the file is shorter than `end` now
      // (a writer cut a torn tail away since a reader's view was taken). Read again, it would
      // end there again.
      const cut = (r[0] === 0 && next < s.reached) || (r[0] === 1 && r[2] <= s.reached);
      // The next window is read and scanned while the caller takes these records (on the
      // thread pool, where the binding can): replay costs the slower of the two, not both.
      const whole = !cut && (r[0] === 0 || r[0] === 3);
      const runsOn = !cut && r[0] === 1 && r[2] <= end;
      if (whole || runsOn) {
        // A frame that runs past the window starts the next one, which holds it whole.
        ahead = scanAt(next, runsOn ? Math.max(WINDOW, r[2] - next) : WINDOW);
        // Met when awaited; a caller that stops early leaves it unawaited.
        ahead.catch(() => {});
      }
      if (n > 0) yield out;
      if (whole || runsOn) continue;
      if (r[0] === 4) return;
      if (cut) {
        // A reader's file cut so is a torn tail; a writer's holds less than it wrote.
        damaged({ offset: next, length: end - next, reason: `the file ends before byte offset ${end}, where the log ends`, torn: this.#o.readOnly });
        return;
      }
      if (r[0] === 1) {
        // A frame runs past the log's end: a reader watching a writer mid-write; a torn tail.
        damaged({ offset: next, length: end - next, reason: 'a frame runs past the end of the file (a torn write)', torn: true });
        return;
      }
      const resume = await this.#resync(file, codec, next + 1, end);
      if (!damaged({ offset: next, length: resume - next, reason: s.reason, torn: resume >= end })) return;
      ahead = scanAt(resume, WINDOW);
    }
  }

  /**
   * Where reading for records from seq `from` on can start in `file` (codec `codec`), whose
   * frames end at `end`: the newest checkpoint when `from` is past it (resuming after a
   * checkpoint reads only what follows it), else found by bisecting the file on its frames'
   * first seqs, in a few reads of 64 KiB instead of the whole file before them
   * (crates/core/src/log/seek.rs). Loads the log's dictionary first when reading starts
   * past it.
   * @param {LogFileHandle} file
   * @param {Codec} codec
   * @param {number} from
   * @param {number} end
   */
  async #seek(file, codec, from, end) {
    if (from <= codec.fileInfo()[0]) return HEADER;
    // A writer knows its last seq: past it there is nothing to read, not even the checkpoint
    // a resume starts after, which may be the last frame, and large. (A reader learns its end
    // from that last frame.)
    if (!this.#o.readOnly && from >= codec.tail()[1]) return end;
    const seek = this.#call(() => codec.seek(from, end, codec.tail()[4]));
    try {
      for (;;) {
        const step = this.#call(() => seek.step());
        if (step[0] === 0) {
          const window = await file.read(step[1], step[2]);
          this.#call(() => seek.feed(window, step[1]));
          continue;
        }
        await this.#loadDictionary(step[2], file, codec);
        return step[1];
      }
    } finally {
      seek.free?.();
    }
  }

  /**
   * The offset of the first valid frame of `file` (codec `codec`) after damage at `from`
   * (or `end`).
   * @param {LogFileHandle} file
   * @param {Codec} codec
   * @param {number} from
   * @param {number} end
   */
  async #resync(file, codec, from, end) {
    let at = from;
    let want = WINDOW;
    while (at < end) {
      const window = await file.read(at, Math.min(want, end - at));
      const r = codec.nextValid(window, at, at);
      if (r[0] === 0) return r[1];
      // The file ends before `end` (see #walkFile): no frame starts after its end.
      if (window.length < Math.min(want, end - at)) return end;
      if (r[0] === 1 && r[1] > at) {
        // A frame may start there: read from it.
        at = r[1];
        continue;
      }
      if (r[0] === 1) {
        // It starts at the window's start and runs past it: read it whole, or past it.
        if (r[2] <= end && r[2] - at > window.length) {
          want = r[2] - at;
          continue;
        }
        at += 1;
      } else {
        // None in this window; one that starts in its last bytes is found from there.
        at = Math.max(at + 1, r[1] - 3);
      }
      want = WINDOW;
    }
    return end;
  }

  /**
   * The records with `from <= seq < to`, oldest first, read in bounded memory: at most a
   * few MiB of records are decoded at a time.
   * @param {{ from?: number, to?: number }} [range]
   * @returns {AsyncGenerator<LogEntry>}
   */
  async *entries(range) {
    this.#usable();
    const r = objectOrNothing(range, 'entries takes { from, to } or nothing');
    const from = r.from === undefined ? 0 : needSeq(r.from, 'from');
    const to = r.to === undefined ? Infinity : needSeq(r.to, 'to');
    // The iteration reads the log as the calls made before its first step left it (a reader:
    // the file the path names then), not what is appended while it runs.
    const view = await this.#enqueueOp(async () => {
      if (this.#o.readOnly) await this.#reopenIfReplaced();
      return this.#view();
    });
    for await (const chunk of this.#scanRecords(from, to, view)) {
      for (const rec of chunk) {
        // close() does not wait for an iteration: its next step is a call made after close(),
        // whether or not the record was read ahead already.
        if (this.#closing) throw this.#closedError();
        yield { seq: rec.seq, time: rec.time, data: decodeRecord(rec.kind, rec.bytes, rec.seq) };
      }
    }
  }

  /**
   * Stores a compressed snapshot of `state` covering every record appended before it.
   * Resolves to the seq of the last record it covers (0 if none).
   * @param {LogRecord} state
   * @param {{ meta?: unknown }} [options]
   * @returns {Promise<number>}
   */
  async checkpoint(state, options) {
    this.#writable();
    objectOrNothing(options, 'checkpoint options must be an object ({ meta })');
    const [kind, bytes] = encodeRecord(state, 'state');
    const meta = options && options.meta !== undefined ? encodeRecord(options.meta, 'meta', true)[1] : new Uint8Array(0);
    const time = Date.now();
    return this.#enqueueOp(async () => {
      this.#intact();
      const codec = /** @type {Codec} */ (this.#codec);
      const before = Array.from(codec.tail());
      const frame = this.#call(() => codec.writeCheckpoint(kind, bytes, meta, time));
      await this.#write(before, frame, this.#o.durability === 'sync');
      return before[1] - 1;
    });
  }

  /**
   * Puts every record appended before it on stable storage (fdatasync), whatever the log's
   * durability: a point at which `'none'` or `'flush'` appends are as durable as `'sync'`'s.
   * @returns {Promise<void>}
   */
  async sync() {
    this.#writable();
    return this.#enqueueOp(async () => {
      this.#intact();
      await this.#syncRename();
      await /** @type {LogFileHandle} */ (this.#file).sync();
    });
  }

  /** Syncs the directory, if a compaction's rename in it is not synced yet. */
  async #syncRename() {
    if (!this.#renameUnsynced) return;
    await this.#files.syncDir(this.#real);
    this.#renameUnsynced = false;
  }

  /**
   * The newest checkpoint, or null.
   * @returns {Promise<LogCheckpoint | null>}
   */
  async lastCheckpoint() {
    this.#usable();
    return this.#enqueueOp(async () => {
      if (this.#o.readOnly) await this.#refresh();
      const codec = /** @type {Codec} */ (this.#codec);
      const at = codec.tail()[4];
      if (at === 0) return null;
      const w = await this.#frameWindow(at);
      let info;
      try {
        info = this.#call(() => codec.readCheckpoint(w, at, at));
      } catch (e) {
        throw this.#named(e);
      }
      const data = codec.takeData();
      const meta = info[4] > info[3] ? JSON.parse(fromUtf8.decode(data.subarray(info[3], info[4]))) : undefined;
      const state = decodeRecord(info[2], data.subarray(info[5], info[6]), info[0]);
      return { seq: info[0], time: info[1], state, meta };
    });
  }

  /**
   * A reader's view of the log, re-read: the writer may have appended since, or compacted
   * the log into a new file, which the reader then opens.
   */
  async #refresh() {
    if (await this.#reopenIfReplaced()) return;
    const f = /** @type {LogFileHandle} */ (this.#file);
    const size = await f.size();
    await this.#findEnd(lastFrameBound(size, await dataEnd(f, size)));
  }

  /**
   * Where a reader's read ends in `file`: the file's end, or, where it ends in zeros that a
   * live `'sync'` writer wrote ahead, the end of the last frame before them. The writer
   * writes its next frames into those zeros while the read goes on, and the read must not
   * meet them half-written.
   * @param {LogFileHandle} file
   */
  async #readerEnd(file) {
    const size = await file.size();
    const bound = lastFrameBound(size, await dataEnd(file, size));
    return bound === size ? size : this.#findEnd(bound, file);
  }

  /** A reader's: opens the file the path names now, if a compaction replaced the open one. */
  async #reopenIfReplaced() {
    const now = await this.#files.identity(this.#real);
    if (now === null || now === this.#identity) return false;
    await this.#reopen();
    return true;
  }

  /**
   * Opens the file at the path again (or takes `opened`: `#attach`), in place of the open
   * one: reads under way finish on the old one, which closes after them. If the open fails,
   * the old one stays.
   * @param {LogFileHandle} [opened]
   */
  async #reopen(opened) {
    const old = this.#file;
    await this.#attach(opened);
    const reading = old && this.#reading.get(old);
    if (reading) reading.retired = true;
    else if (old) await this.#closeFile(old);
  }

  /**
   * Drops the records the newest checkpoint covers, keeping the checkpoint and everything
   * after it; with `repack`, also writes the records it keeps into large frames. The new log
   * is written beside the old one and renamed over it, so a crash leaves one or the other,
   * whole.
   * @param {CompactOptions} [options]
   * @returns {Promise<{ droppedRecords: number, bytesBefore: number, bytesAfter: number }>}
   */
  async compact(options) {
    this.#writable();
    const repack = repackOf(options, this.#zstdLevel, this.#o.level);
    return this.#enqueueOp(async () => {
      this.#intact();
      const codec = /** @type {Codec} */ (this.#codec);
      const t = Array.from(codec.tail());
      const base = codec.fileInfo()[0];
      const cpAt = t[4];
      if (cpAt === 0 && !repack) return { droppedRecords: 0, bytesBefore: t[0], bytesAfter: t[0] };
      /** @type {{ window: Uint8Array, at: number, info: ArrayLike<number> } | null} */
      let cp = null;
      if (cpAt !== 0) {
        const window = await this.#frameWindow(cpAt);
        const info = codec.frameInfo(window, cpAt, cpAt);
        // Its info holds no seq to start the new log at: nothing past this may read it.
        if (info[0] !== 0) {
          throw new IronlungError('ERR_CORRUPT_LOG', `cannot compact '${this.#path}': its newest checkpoint, the frame at byte offset ${cpAt}, is damaged`);
        }
        cp = { window, at: cpAt, info };
      }
      const keepFrom = cp ? cp.info[2] : base;
      // Nothing to drop: no record before the checkpoint, and no frame but the dictionary
      // (as a compaction leaves the file). The file stays, where a copy would be the same.
      const dictAt = t[5];
      const first = dictAt === HEADER ? codec.frameInfo(await this.#frameWindow(dictAt), dictAt, dictAt)[4] : HEADER;
      if (!repack && keepFrom === base && cpAt === first) return { droppedRecords: 0, bytesBefore: t[0], bytesAfter: t[0] };
      await this.#refuseMoved();
      // The new file's header and codec first: a repack level out of range touches no file.
      const salt = new Uint8Array(8);
      globalThis.crypto.getRandomValues(salt);
      const header = this.#call(() => this.#binding.logHeader(salt, keepFrom, Date.now()));
      const next = repack ? this.#newCodec(header, repack.level) : this.#newCodec(header);
      const tmp = `${this.#real}.compact`;
      // Opened as the log's file is, and locked before it is written: renamed over the log, it
      // stays open as the log's file, lock and all, so that the log's file is never unlocked
      // (a reopen would find it locked by this very descriptor).
      const out = await this.#files.open(tmp, false, true, this.#o.durability === 'sync');
      if (!lockFile(out)) {
        await out.close();
        throw new IronlungError('ERR_LOG_LOCKED', `cannot compact '${this.#path}': its new file '${tmp}' is open for writing by another writer`);
      }
      try {
        await this.#writeCompacted(out, codec, next, header, t, cp, repack !== null);
      } catch (e) {
        await out.close().catch(() => {});
        // A full disk, most likely: the new file would only hold space until the next open.
        await this.#files.remove(tmp).catch(() => {});
        throw e;
      }
      this.#swapping = true;
      try {
        try {
          out.renamed(this.#real);
          await this.#files.rename(tmp, this.#real);
        } catch (e) {
          await out.close().catch(() => {});
          throw e;
        }
        // The new file is the log now, whatever happens next. A writer that cannot take it
        // must not write on into the old file, which no name reaches any more. (#attach
        // closes it if it cannot.)
        try {
          await this.#reopen(out);
        } catch (e) {
          this.#failed = mapError(e);
          throw e;
        }
      } finally {
        this.#swapping = false;
      }
      this.#renameUnsynced = true;
      try {
        await this.#syncRename();
      } catch (e) {
        const err = mapError(e);
        throw new IronlungError(
          err.code,
          `${err.message} (syncing the directory after compacting the log ${this.#shownName()}: the log is compacted and goes on, ` +
            "but a power loss could bring back its file from before; its next 'sync' write or sync() syncs the directory again first)",
        );
      }
      const after = /** @type {Codec} */ (this.#codec).tail()[0];
      return { droppedRecords: keepFrom - base, bytesBefore: t[0], bytesAfter: after };
    });
  }

  /**
   * Refuses to compact a log whose name no longer names its file: renamed or moved while
   * open (or replaced by another file). The new file would go under the old name, and the
   * writer with it, away from the file the log was moved to.
   */
  async #refuseMoved() {
    if (this.#identity === null) return;
    const now = await this.#files.identity(this.#real);
    if (now === this.#identity) return;
    throw new IronlungError(
      'ERR_LOG_MOVED',
      `cannot compact the log ${this.#shownName()}: ${now === null ? 'no file has that name' : 'that name names another file'} now. ` +
        'The log was renamed or moved while open (or its name given to another file), and compact() replaces the file by the ' +
        'name it was opened by. Appends go on into the file the log was moved to; to compact it, close the log and open it by its new name',
    );
  }

  /**
   * Writes the compacted log into `out`, a new file: `header`, the dictionary, the
   * checkpoint `cp` (if any) and every frame after it, made by `next`, then syncs it. With
   * `repack`, record frames are packed (the core's `log/pack.rs`) at `next`'s level.
   * @param {LogFileHandle} out
   * @param {Codec} codec the log's
   * @param {Codec} next the new file's
   * @param {Uint8Array} header the new file's
   * @param {number[]} t the codec's tail
   * @param {{ window: Uint8Array, at: number, info: ArrayLike<number> } | null} cp the
   *   newest checkpoint frame (its window, offset and info), if any
   * @param {boolean} repack
   */
  async #writeCompacted(out, codec, next, header, t, cp, repack) {
    await out.truncate(0);
    /** @type {Uint8Array[]} */
    let parts = [header];
    let written = 0;
    let pending = header.length;
    const flush = async () => {
      const buf = concat(parts);
      await out.write(written, buf, false);
      written += buf.length;
      parts = [];
      pending = 0;
    };
    const dictAt = t[5];
    // A dictionary the log could not load (damaged, opened with onCorrupt 'skip') is left
    // behind; a frame kept that needs it stops the compaction, below.
    if (dictAt > 0 && codec.dictionaryId() !== -1) {
      const w = await this.#frameWindow(dictAt);
      parts.push(this.#call(() => next.copyFrame(codec, w, dictAt, dictAt, 0)));
    }
    /** A binding's error, mapped; damage named as what stops the compaction. */
    const refused = (/** @type {unknown} */ e) => {
      const err = mapError(e);
      return err.code === 'ERR_CORRUPT_LOG' ? new IronlungError('ERR_CORRUPT_LOG', `cannot compact '${this.#path}': ${err.message}`) : err;
    };
    const copy = (/** @type {Uint8Array} */ w, /** @type {number} */ wAt, /** @type {number} */ at, /** @type {number} */ raw) => {
      try {
        return this.#call(() => next.copyFrame(codec, w, wAt, at, raw));
      } catch (e) {
        throw refused(e);
      }
    };
    /**
     * The frames a repack has ready: none, unless the frame at `at` (of `raw` bytes of
     * records) filled one up, or was packed already and is kept as it is.
     */
    const pack = async (/** @type {Uint8Array} */ w, /** @type {number} */ wAt, /** @type {number} */ at, /** @type {number} */ raw) => {
      const p = /** @type {Packer} */ (packer);
      try {
        return this.#call(() => codec.packInto(p, w, wAt, at, raw)) ? await writePacked(p, false) : EMPTY;
      } catch (e) {
        throw refused(e);
      }
    };
    if (cp) parts.push(copy(cp.window, cp.at, cp.at, 0));
    // It writes on from where `next` has written to (`next` writes no more): the end of
    // what is in `parts`.
    const packer = repack ? this.#call(() => next.packer()) : null;
    if (packer && next.tail()[0] !== parts.reduce((n, p) => n + p.length, written)) {
      throw new IronlungError('ERR_INTERNAL', `compact(): the repack would write at ${next.tail()[0]}, not where the new file ends`);
    }
    // Every frame after the checkpoint (or the header), re-headed for the new file, or its
    // records packed.
    let at = cp ? cp.info[4] : HEADER;
    let rawBefore = cp ? cp.info[5] : 0;
    const file = /** @type {LogFileHandle} */ (this.#file);
    /** @type {Uint8Array} */
    let window = new Uint8Array(0);
    let windowAt = at;
    // The frame at `at` in the window, handed over as no more of the window than it needs
    // (wasm copies what it is handed): a probe of a few KiB, then the frame's length.
    const infoAt = () => {
      const from = at - windowAt;
      const probe = codec.frameInfo(window.subarray(from, from + FRAME_PROBE), at, at);
      if (probe[0] !== 1 || probe[1] - windowAt > window.length || from + FRAME_PROBE >= window.length) return probe;
      return codec.frameInfo(window.subarray(from, probe[1] - windowAt), at, at);
    };
    while (at < t[0]) {
      let info = infoAt();
      // A frame that runs past the window (or starts at its end) is read from its start;
      // twice when only that read shows its header, naming a frame longer than a window
      // (a 'none' log writes a turn's appends as one frame of up to 4 MiB). A file that
      // ends first leaves it short: damage.
      for (let reads = 0; info[0] === 1 && reads < 2; reads++) {
        windowAt = at;
        window = await file.read(at, Math.max(WINDOW, info[1] - at));
        info = infoAt();
      }
      if (info[0] !== 0) {
        throw new IronlungError('ERR_CORRUPT_LOG', `cannot compact '${this.#path}': the frame at byte offset ${at} is damaged`);
      }
      if (info[1] !== 2) {
        // The frame's own bytes, not the window's: wasm copies what it is handed.
        const own = window.subarray(at - windowAt, info[4] - windowAt);
        const raw = info[1] === 1 ? info[5] - rawBefore : 0;
        const frame = packer && info[1] === 1 ? await pack(own, at, at, raw) : copy(own, at, at, raw);
        if (frame.length > 0) parts.push(frame);
        pending += frame.length;
      }
      rawBefore = info[5];
      at = info[4];
      if (pending >= WINDOW) await flush();
    }
    if (packer) parts.push(await writePacked(packer, true).catch(fail));
    await flush();
    await out.sync();
  }

  /**
   * Counts from the log's last frame, without reading the rest.
   * @returns {Promise<LogStats>}
   */
  async stats() {
    this.#usable();
    return this.#enqueueOp(async () => {
      if (this.#o.readOnly) await this.#refresh();
      const codec = /** @type {Codec} */ (this.#codec);
      const t = codec.tail();
      const id = codec.dictionaryId();
      return {
        records: t[1] - codec.fileInfo()[0],
        firstSeq: codec.fileInfo()[0],
        lastSeq: t[1] - 1,
        rawBytes: t[2],
        storedBytes: t[0],
        segments: t[3],
        dictionaryId: id === -1 ? null : id,
      };
    });
  }

  /**
   * Reads and checks every frame, decompressing each. Resolves to a report; damage is
   * listed, never thrown.
   * @returns {Promise<LogVerifyReport>}
   */
  async verify() {
    this.#usable();
    return this.#enqueueOp(async () => {
      if (this.#o.readOnly) await this.#reopenIfReplaced();
      const view = await this.#view();
      /** @type {{ offset: number, length: number, reason: string }[]} */
      const damaged = [];
      let records = 0;
      const report = (/** @type {{ offset: number, length: number, reason: string }} */ d) => {
        damaged.push({ offset: d.offset, length: d.length, reason: d.reason });
        return true;
      };
      for await (const batch of this.#walk(view, HEADER, 0, Infinity, report)) records += batch.length;
      return { ok: damaged.length === 0, records, bytes: view.end, damaged };
    });
  }

  /**
   * Waits for every queued call, then closes the file and releases the writer lock.
   * Further calls reject with ERR_LOG_CLOSED. Rejects with the error that failed the log, if
   * one did.
   */
  close() {
    this.#closing ??= (async () => {
      await this.#enqueueOp(async () => {}).catch(() => {});
      this.#closed = true;
      await this.#cutAhead();
      await this.#release();
      // With 'none', appends resolved before their write failed: with no later call, close()
      // is the last one left to say that their records are not in the log.
      if (this.#failed) throw this.#failed;
    })();
    return this.#closing;
  }
}

/**
 * An options argument: an object, or undefined for none ({}); anything else is
 * ERR_INVALID_ARG, `expected` followed by what was given.
 * @param {unknown} v
 * @param {string} expected
 * @returns {{ [key: string]: unknown }}
 */
function objectOrNothing(v, expected) {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null) throw invalidArg(`${expected}, got ${typeName(v)}`);
  return /** @type {{ [key: string]: unknown }} */ (v);
}

/**
 * @param {unknown} v
 * @param {string} what
 */
function needSeq(v, what) {
  if (typeof v !== 'number' || !(v >= 0) || (!Number.isSafeInteger(v) && v !== Infinity)) {
    throw invalidArg(`${what} must be a sequence number (an integer >= 0), got ${typeName(v)}`);
  }
  return v;
}

/**
 * The training's samples: the log's first records, up to SAMPLE_BYTES.
 * @typedef {{ parts: Uint8Array[], bytes: number }} Samples
 */

/**
 * Adds `bytes`, a record, to `samples`, cut to the room left; false once they are full.
 * A cut part is a copy: a view would keep the whole record alive.
 * @param {Samples} samples
 * @param {Uint8Array} bytes
 */
function addSample(samples, bytes) {
  const room = SAMPLE_BYTES - samples.bytes;
  if (room <= 0) return false;
  const part = bytes.length <= room ? bytes : bytes.slice(0, room);
  samples.parts.push(part);
  samples.bytes += part.length;
  return true;
}

/**
 * Adds `group`'s records to `samples`, as a scan of the log would give them to the training.
 * They are the log's own (`encodeRecord` copies a caller's bytes), so they are kept as they are.
 * @param {Samples} samples
 * @param {Pending[]} group
 */
function keepSamples(samples, group) {
  for (const p of group) for (const c of p.chunks) if (!addSample(samples, c)) return;
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** @param {unknown} e */
function mapError(e) {
  try {
    rethrow(e);
  } catch (mapped) {
    return mapped;
  }
}

/** @param {unknown} e @returns {never} */
function fail(e) {
  throw mapError(e);
}

/**
 * Takes a writer's lock on the open file `f` itself, where the host has one (native: flock):
 * false if another writer holds it. A lock file is a name's, and a log renamed or moved under
 * its writer has a free one under its new name; this lock is the file's, whatever its name.
 * @param {LogFileHandle} f
 */
function lockFile(f) {
  return f.tryLock ? f.tryLock() : true;
}
