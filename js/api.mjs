// @ts-check
// The ironlung API, written once over either binding.
//
// `createApi(binding, host)` wraps a binding (the napi addon or the wasm-bindgen module;
// both export the same flat functions) in the public API: argument validation and option
// defaults, Encoding objects, error mapping, and the file-reading policy of the host.
// Nothing here decides a result: tokens, bytes and text all come from the Rust core.

import { IronlungError, invalidArg, needString, rethrow, typeName } from './errors.mjs';
import { createCountChat } from './chat.mjs';
import { createZstdStreams } from './zstdstream.mjs';
import { createDictionaries } from './dictionary.mjs';

/**
 * @import { DictionaryBinding, DictionaryNativeOnly } from './dictionary.mjs'
 * @import { Encoding as PublicEncoding, EncodingName, EncodeOptions, TruncateOptions, ChunkOptions, Chunk,
 *   CompressOptions, DecompressOptions, ReadOptions, DecodeTextOptions, ReadForContextOptions, ContextFile, Bytes, ErrorCode,
 *   OpenLogOptions } from 'ironlung'
 */

/**
 * The functions both bindings export, under the same names: crates/node (napi-rs, plus the
 * hand-written exports of its direct.rs) and wasm/ (wasm-bindgen). `id` is an encoding's id;
 * every failure is an Error whose message starts with its code (js/errors.mjs). The names of
 * encodings it gives are EncodingNames.
 * @typedef {object} BindingBase
 * @property {(name: string) => number} encodingId
 * @property {(model: string) => number} encodingIdForModel
 * @property {(id: number) => string} encodingName
 * @property {() => string[]} listEncodings
 * @property {(id: number) => string[]} specialTokens
 * @property {(id: number) => number} nVocab
 * @property {(id: number) => string} rankTable the name of the rank table the encoding uses
 * @property {(id: number) => boolean} ranksAvailable
 * @property {(table: string, bytes: Uint8Array) => void} installRanks
 * @property {(id: number, text: string, allowedAll: boolean, allowed: string[], disallowedAll: boolean, disallowed: string[]) => Uint32Array} encode
 * @property {(id: number, text: string) => Uint32Array} encodeOrdinary
 * @property {(id: number, text: string) => number} count
 * @property {(id: number, text: string, limit: number, complete: boolean) => number} countWithin
 *   the count, or -1 once it exceeds `limit`; `complete` says `text` is the whole text
 * @property {(id: number, tokens: Uint32Array) => string} decode
 * @property {(id: number, tokens: Uint32Array) => Uint8Array} decodeBytes
 * @property {(id: number, text: string, maxTokens: number) => string} truncate
 * @property {(id: number, text: string, maxTokens: number, from: string, marker: string | undefined) => string} truncateWith
 * @property {(id: number, text: string, maxTokens: number, overlap: number, boundary: string) => Uint32Array} chunk
 *   start, end and tokens of each chunk, flat
 * @property {(id: number, texts: string[]) => Uint32Array} countBatch
 * @property {(data: Uint8Array, level: number) => Uint8Array} compress
 * @property {(data: Uint8Array, maxOutputBytes: number) => Uint8Array} decompress
 * @property {(bytes: Uint8Array, maxBytes: number) => string} textFromBytes
 * @property {(bytes: Uint8Array) => boolean} isBinary
 * @property {() => void} panicForTest
 * @property {import('./zstdstream.mjs').StreamBinding['ZstdCompressor']} ZstdCompressor
 * @property {import('./zstdstream.mjs').StreamBinding['ZstdDecompressor']} ZstdDecompressor
 * @typedef {BindingBase & DictionaryBinding} Binding
 */

/**
 * The native binding's own functions: the off-thread twins.
 * @typedef {object} NativeOnlyBase
 * @property {(id: number, text: string) => Promise<number>} countAsync
 * @property {(id: number, text: string, allowedAll: boolean, allowed: string[], disallowedAll: boolean, disallowed: string[]) => Promise<Uint32Array>} encodeAsync
 * @property {(id: number, text: string, maxTokens: number, overlap: number, boundary: string) => Promise<Uint32Array>} chunkAsync
 * @property {(data: Uint8Array, level: number) => Promise<Uint8Array>} compressAsync
 * @property {(data: Uint8Array, maxOutputBytes: number) => Promise<Uint8Array>} decompressAsync
 * @typedef {NativeOnlyBase & DictionaryNativeOnly} NativeOnly
 */

/**
 * The wasm binding's own functions.
 * @typedef {object} WasmOnly
 * @property {(id: number, len: number) => number} countInput `count` of the `len` bytes
 *   `host.writeUtf8` wrote
 * @property {() => void} oomForTest
 */

/**
 * What the runtime provides besides the binding: files, rank data, initialisation.
 * @typedef {object} Host
 * @property {'native'|'wasm'} backend
 * @property {boolean} offThread whether async twins run off the JS thread
 * @property {(deps: import('./log.mjs').LogDeps) => ReturnType<typeof import('./log.mjs').createLogs>} [logs]
 *   the session log, where there is a file system: js/log.mjs's createLogs over the runtime's
 *   file I/O. Only the entries that have files import the log and pass it in, so that the
 *   bundles of browsers and edge runtimes carry none of its code; without it openLog rejects.
 * @property {(path: string, maxBytes: number) => string} readTextFileSync
 * @property {(path: string, maxBytes: number) => Promise<string>} readTextFile
 * @property {(path: string, maxBytes: number, id: number, maxTokens: number, cut: string) => Promise<any[]>} readForContext
 *   text, tokens, truncated (1 or 0), omitted tokens and bytes read, in an array both bindings
 *   give untyped
 * @property {(name: string) => void} [noFiles] throws ERR_UNSUPPORTED_RUNTIME for `name` where there is no filesystem
 * @property {(e: Error) => {code: ErrorCode, message: string}} [onTrap] explains a wasm trap (and replaces the instance)
 * @property {() => void} [ready] throws if the backend is not initialised yet
 * @property {(table: string) => Uint8Array} [readRanksSync] a rank table's bytes (wasm with a filesystem)
 * @property {(text: string) => number} [writeUtf8] wasm: writes text into the module's input buffer (js/wasminstance.mjs)
 * @property {(table: string) => Promise<Uint8Array>} [readRanks] the same, asynchronously (fetch)
 * @property {() => number} [epoch] wasm: which instance of the module answers (js/wasminstance.mjs)
 * @property {() => Promise<void>} [init] wasm without a filesystem: initialises the module
 * @property {string[]} [nativeLoadErrors] why the native addon did not load, when wasm is the fallback
 * @property {typeof import('node:stream').Transform} [Transform] node:stream's, where the runtime has it
 * @property {(size: number) => Uint8Array} [unzeroed] native: memory the zstd stream's decoder
 *   fills, not zeroed first: zeroing it would hold up the next trip to the pool
 * @property {ZstdPart} [zstd] wasm in browsers and edge runtimes: zstd in a module of its own,
 *   loaded on first use; without it zstd runs over the binding, as everything else does
 */

/**
 * zstd's own module, beside the one the binding drives (js/wasm.mjs).
 * @typedef {object} ZstdPart
 * @property {Binding} binding its zstd functions and classes
 * @property {() => void} ready throws ERR_NOT_INITIALIZED if the module is not loaded yet
 * @property {(e: Error) => {code: ErrorCode, message: string}} onTrap as the host's, for its instance
 * @property {() => number} epoch as the host's, for its instance
 * @property {(source?: BufferSource | WebAssembly.Module | Response | URL | string) => Promise<void>} load
 *   loads the module (from `source`, or from where the runtime keeps it); idempotent
 */

/** Default `maxBytes` of readTextFile: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Default `maxOutputBytes` of decompress: 256 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Default zstd level. */
export const DEFAULT_LEVEL = 3;

const utf8 = new TextEncoder();
/** Strings this long (UTF-16 units) or longer go through `host.writeUtf8` where there is one. */
const LONG_TEXT = 4096;
/** A non-ASCII character early enough that the glue's character loop costs little. */
const NON_ASCII_HEAD = /^[\0-\x7f]{0,16383}[^\0-\x7f]/;

/**
 * @overload
 * @param {unknown} v
 * @param {string} what
 * @param {number} fallback what undefined stands for
 * @returns {number}
 */
/**
 * @overload
 * @param {{} | null} v
 * @param {string} what
 * @returns {number}
 */
/**
 * @param {unknown} v
 * @param {string} what
 * @param {number} [fallback]
 */
function needCount(v, what, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (!Number.isInteger(v) && v !== Infinity)) {
    throw invalidArg(`${what} must be a non-negative integer or Infinity, got ${typeName(v)}`);
  }
  return v;
}

/**
 * `v` if it is one of `choices` (else `fallback` when undefined), e.g. `from must be 'end' or 'middle'`.
 * @template {string} C
 * @param {unknown} v
 * @param {string} what
 * @param {readonly C[]} choices
 * @param {C} fallback
 * @returns {C}
 */
function needOneOf(v, what, choices, fallback) {
  if (v === undefined) return fallback;
  if (!(/** @type {readonly unknown[]} */ (choices).includes(v))) {
    const listed = choices.map((c) => `'${c}'`);
    throw invalidArg(`${what} must be ${listed.slice(0, -1).join(', ')} or ${listed.at(-1)}, got ${typeName(v)}`);
  }
  return /** @type {C} */ (v);
}

/**
 * The options object, or {} for none.
 * @template {object} T
 * @param {T | null | undefined} v
 * @param {string} what
 * @returns {Partial<T>}
 */
function needOptions(v, what) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object') throw invalidArg(`${what} options must be an object, got ${typeName(v)}`);
  return v;
}

/**
 * node:zlib's zstd options that would change the result, with what ironlung takes instead:
 * code moved over from node:zlib must not run on with them silently ignored.
 */
const ZLIB_ONLY = {
  params: 'give level and checksum instead of params',
  maxOutputLength:
    "ironlung's maxOutputBytes caps the whole output (node:zlib's maxOutputLength caps one buffer); give maxOutputBytes",
};

/**
 * The options object of a zstd call or stream, or {} for none; node:zlib's own options that
 * would change the result are refused, naming what to give instead.
 * @template {object} T
 * @param {T | null | undefined} v
 * @param {string} what
 * @returns {Partial<T>}
 */
function zstdOptions(v, what) {
  const o = needOptions(v, what);
  // Two lookups, no allocation: this runs on every call, some of them a few µs long.
  if ('params' in o || 'maxOutputLength' in o) {
    const key = 'params' in o ? 'params' : 'maxOutputLength';
    throw invalidArg(`${what} options have no ${key} (node:zlib's); ${ZLIB_ONLY[key]}`);
  }
  return o;
}

/**
 * The body of `url`, fetched; an HTTP error status is an error naming the URL.
 * @param {string | URL} url
 */
export async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText} from ${url}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The section of a rank file (a code-less wasm module) that holds the table. */
const RANK_SECTION = 'ironlung.ranks';

/**
 * The rank table inside a compiled rank file, as edge bundlers hand one over (`?module`,
 * wrangler's CompiledWasm); also a module from another realm, as edge runtimes compile them.
 * @param {WebAssembly.Module} module
 * @param {string} what
 */
export function rankModuleBytes(module, what) {
  const [section] = WebAssembly.Module.customSections(module, RANK_SECTION);
  if (!section) throw new IronlungError('ERR_CORRUPT_DATA', `${what} is a wasm module without a custom section named ${RANK_SECTION}: not a rank file`);
  return new Uint8Array(section);
}

/**
 * Whether `v` is a compiled wasm module, also one from another realm.
 * @param {unknown} v
 * @returns {v is WebAssembly.Module}
 */
export const isWasmModule = (v) => Object.prototype.toString.call(v) === '[object WebAssembly.Module]';

/**
 * Whether `source` is what `init()` and `loadEncoding()` read a module or table from.
 * @param {any} source
 */
export function isSource(source) {
  return (
    (typeof Response !== 'undefined' && source instanceof Response) ||
    typeof source === 'string' ||
    source instanceof URL ||
    isWasmModule(source) ||
    ArrayBuffer.isView(source) ||
    source instanceof ArrayBuffer
  );
}

/**
 * `init()`'s argument checked, on every backend alike (native has nothing to initialise).
 * @param {unknown} moduleOrBytes
 */
export function checkInitArg(moduleOrBytes) {
  if (moduleOrBytes !== undefined && !isSource(moduleOrBytes)) {
    throw invalidArg(`init() takes ironlung's wasm module: a WebAssembly.Module, its bytes, a Response, a URL or a URL string; got ${typeName(moduleOrBytes)}`);
  }
}

/**
 * Whether an ArrayBuffer was detached (its memory transferred or a wasm memory grown):
 * its views read as empty, and passing one on would silently lose the data.
 * @param {ArrayBuffer} buffer
 */
function isDetached(buffer) {
  // `detached` is ES2024: Node 20 does not have it.
  const { detached } = /** @type {{ detached?: boolean }} */ (buffer);
  if (typeof detached === 'boolean') return detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * @param {object} data
 * @param {string} what
 */
function needAttached(data, what) {
  const buffer = ArrayBuffer.isView(data) ? data.buffer : data;
  if (buffer instanceof ArrayBuffer && isDetached(buffer)) {
    const kind = buffer === data ? 'a detached ArrayBuffer' : `${typeName(data)} over a detached ArrayBuffer`;
    throw invalidArg(`${what} is ${kind} (its memory was transferred away), so there is nothing to read`);
  }
  // A view past the end of a resizable buffer that shrank reads as empty, with no word: any
  // method that checks the view (slice) throws for it.
  if (ArrayBuffer.isView(data) && /** @type {{ resizable?: boolean, growable?: boolean }} */ (buffer).resizable) {
    try {
      /** @type {Uint8Array} */ (data).slice(0, 0);
    } catch {
      throw invalidArg(`${what} is ${typeName(data)} past the end of its resizable ArrayBuffer (${/** @type {ArrayBuffer} */ (buffer).byteLength} bytes now), so there is nothing to read`);
    }
  }
}

/** %TypedArray%.prototype, which every typed array's prototype inherits from. */
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype);

/**
 * Bytes of a string (UTF-8) or a view of an ArrayBuffer / typed array.
 * @param {unknown} data
 * @param {string} what
 * @param {boolean} [strings] whether the error for another value names strings as taken
 * @returns {Uint8Array}
 */
function toBytes(data, what, strings = true) {
  if (typeof data === 'string') return utf8.encode(data);
  if (typeof data === 'object' && data !== null) needAttached(data, what);
  if (ArrayBuffer.isView(data)) return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  // A Proxy of a typed array (or an object made from its prototype) passes instanceof, but
  // holds no bytes a binding can read.
  const posing = typeof data === 'object' && data !== null && Object.getPrototypeOf(Object.getPrototypeOf(data) ?? Object.prototype) === TYPED_ARRAY_PROTOTYPE;
  throw invalidArg(`${what} must be a ${strings ? 'string, ' : ''}Uint8Array or ArrayBuffer, got ${typeName(data)}${posing ? ' that is not a real one (a Proxy?); pass the typed array itself' : ''}`);
}

/**
 * @param {unknown} data
 * @param {string} what
 */
function needBytes(data, what) {
  if (typeof data === 'string') throw invalidArg(`${what} must be a Uint8Array or ArrayBuffer, got a string`);
  return toBytes(data, what, false);
}

/**
 * @param {unknown} v
 * @param {string} what
 * @returns {{ all: boolean, list: string[] }}
 */
function specialOption(v, what) {
  if (v === 'all') return { all: true, list: [] };
  if (v instanceof Set) v = [...v];
  if (!Array.isArray(v)) throw invalidArg(`${what} must be 'all' or an array of special-token strings, got ${typeName(v)}`);
  // A copy, element by element: a hole is met (every() skips holes), and the binding gets
  // a plain array whatever it was given (a Proxy of one).
  const list = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw invalidArg(`${what}[${i}] must be a special-token string, got ${typeName(v[i])}`);
    list[i] = v[i];
  }
  return { all: false, list };
}

/** @param {Uint32Array | readonly number[]} tokens */
function toTokenArray(tokens) {
  // A DataView has no elements: decoding one would give '' whatever it holds.
  if (!Array.isArray(tokens) && (!ArrayBuffer.isView(tokens) || tokens instanceof DataView)) {
    throw invalidArg(`tokens must be a Uint32Array or an array of token ids, got ${typeName(tokens)}`);
  }
  if (!Array.isArray(tokens)) needAttached(tokens, 'tokens');
  if (tokens instanceof Uint32Array) return tokens;
  const out = new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 0xffffffff) {
      throw new IronlungError('ERR_INVALID_TOKEN', `token ${typeName(t)} at index ${i} is not a valid token id (a non-negative integer)`);
    }
    out[i] = t;
  }
  return out;
}

/** @param {unknown} v */
function zstdLevel(v) {
  if (v === undefined) return DEFAULT_LEVEL;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
    throw invalidArg(`level must be an integer zstd level (-131072 to 22, default 3), got ${typeName(v)}`);
  }
  return v;
}

/**
 * The API object of index.d.ts, less `init`, which each entry adds (the CommonJS entry also
 * `default`), plus the test suite's hooks.
 * @typedef {Omit<typeof import('ironlung').default, 'init'> & {
 *   init?: typeof import('ironlung').init,
 *   default?: Api,
 *   __panicForTest: (part?: 'zstd') => void,
 *   __oomForTest: () => void,
 * }} Api
 */

/**
 * @param {Binding & Partial<NativeOnly & WasmOnly>} b the binding: napi addon or wasm-bindgen module
 * @param {Host} host
 * @returns {Api}
 */
export function createApi(b, host) {
  /** @type {(e: unknown) => never} */
  const fail = (e) => rethrow(e, host.onTrap);
  const ready = host.ready || (() => {});
  // zstd's calls: over its own module where the host has one, else over `b` like the rest.
  const z = host.zstd;
  const zb = z ? z.binding : b;
  /** @type {(e: unknown) => never} */
  const zfail = z ? (e) => rethrow(e, z.onTrap) : fail;
  const zready = z ? z.ready : ready;
  const zepoch = z ? z.epoch : host.epoch;
  /** @type {Map<number, Encoding>} */
  const cache = new Map();
  /**
   * Rank tables being downloaded: table name -> promise.
   * @type {Map<string, Promise<void>>}
   */
  const loading = new Map();
  // Functions of one backend: the off-thread twins are the native binding's, called only when
  // `host.offThread`, which only the native host sets; countInput is the wasm binding's,
  // called only when `host.writeUtf8`, which only the wasm host has.
  const native = /** @type {Binding & NativeOnly} */ (b);
  const wasm = /** @type {Binding & WasmOnly} */ (b);

  /** @implements {PublicEncoding} */
  class Encoding {
    /** @type {number} */
    #id;
    /** @type {readonly string[] | undefined} */
    #specials;
    /**
     * @param {number} id
     * @param {string} name
     */
    constructor(id, name) {
      this.#id = id;
      /** @readonly */
      this.name = /** @type {EncodingName} */ (name);
      Object.freeze(this);
    }

    get specialTokens() {
      if (!this.#specials) this.#specials = Object.freeze(call(() => b.specialTokens(this.#id)));
      return this.#specials;
    }

    get nVocab() {
      return call(() => b.nVocab(this.#id));
    }

    /**
     * @param {string} text
     * @param {EncodeOptions} [options]
     */
    encode(text, options) {
      needString(text, 'text');
      if (options === undefined) return call(() => b.encode(this.#id, text, false, [], true, []));
      const [aAll, aList, dAll, dList] = specialArgs(options);
      return call(() => b.encode(this.#id, text, aAll, aList, dAll, dList));
    }

    /** @param {string} text */
    encodeOrdinary(text) {
      needString(text, 'text');
      return call(() => b.encodeOrdinary(this.#id, text));
    }

    /**
     * @param {string} text
     * @returns {number}
     */
    count(text) {
      needString(text, 'text');
      try {
        // On wasm, a string whose first non-ASCII character is far in (or absent) skips the
        // glue's character loop, which would run up to there (see js/wasminput.mjs).
        if (host.writeUtf8 && text.length >= LONG_TEXT && !NON_ASCII_HEAD.test(text)) return wasm.countInput(this.#id, host.writeUtf8(text));
        return b.count(this.#id, text);
      } catch (e) {
        fail(e);
      }
    }

    /** @param {Uint32Array | readonly number[]} tokens */
    decode(tokens) {
      const t = toTokenArray(tokens);
      return call(() => b.decode(this.#id, t));
    }

    /** @param {Uint32Array | readonly number[]} tokens */
    decodeBytes(tokens) {
      const t = toTokenArray(tokens);
      return call(() => b.decodeBytes(this.#id, t));
    }

    /**
     * @param {string} text
     * @param {number} maxTokens
     * @param {TruncateOptions} [options]
     */
    truncate(text, maxTokens, options) {
      needString(text, 'text');
      if (maxTokens === undefined) throw invalidArg('maxTokens is required');
      const max = Math.min(needCount(maxTokens, 'maxTokens'), 0xffffffff);
      const o = needOptions(options, 'truncate');
      if (o.from === undefined && o.marker === undefined) return call(() => b.truncate(this.#id, text, max));
      const from = needOneOf(o.from, 'from', ['end', 'start', 'middle'], 'end');
      if (o.marker !== undefined) needString(o.marker, 'marker');
      return call(() => b.truncateWith(this.#id, text, max, from, o.marker));
    }

    /**
     * @param {string} text
     * @param {number} limit
     * @returns {number | false}
     */
    isWithinLimit(text, limit) {
      needString(text, 'text');
      if (limit === undefined) throw invalidArg('limit is required');
      const max = needCount(limit, 'limit');
      // No token is longer than 128 bytes and a UTF-16 unit is at least one UTF-8 byte,
      // so a text this long counts more than `limit` without looking at it.
      if (max !== Infinity && text.length > 128 * (max + 1)) return false;
      const cap = Math.min(max, Number.MAX_SAFE_INTEGER);
      // Hand Rust a growing prefix: the cost follows the limit, not the length of the text.
      let end = Math.min(text.length, 8 * (max === Infinity ? text.length : max + 1) + 64);
      for (;;) {
        if (end >= text.length) {
          const n = call(() => b.countWithin(this.#id, text, cap, true));
          return n < 0 ? false : n;
        }
        const c = text.charCodeAt(end - 1);
        if (c >= 0xd800 && c <= 0xdbff) end++;
        const prefix = text.slice(0, end);
        if (call(() => b.countWithin(this.#id, prefix, cap, false)) === -1) return false;
        end = Math.min(text.length, end * 4);
      }
    }

    /**
     * @param {string} text
     * @param {ChunkOptions} options
     */
    chunk(text, options) {
      const [max, overlap, boundary] = chunkArgs(text, options);
      return toChunks(text, call(() => b.chunk(this.#id, text, max, overlap, boundary)));
    }

    /** @param {readonly string[]} texts */
    countBatch(texts) {
      if (!Array.isArray(texts)) throw invalidArg(`texts must be an array of strings, got ${typeName(texts)}`);
      // Copied element by element, as specialOption does: holes are met, Proxies undone.
      const list = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) list[i] = needString(texts[i], `texts[${i}]`);
      return call(() => b.countBatch(this.#id, list));
    }

    /** @param {string} text */
    async countAsync(text) {
      needString(text, 'text');
      if (!host.offThread) return this.count(text);
      return native.countAsync(this.#id, text).catch(fail);
    }

    /**
     * @param {string} text
     * @param {EncodeOptions} [options]
     */
    async encodeAsync(text, options) {
      if (!host.offThread) return this.encode(text, options);
      needString(text, 'text');
      const [aAll, aList, dAll, dList] = specialArgs(options);
      return native.encodeAsync(this.#id, text, aAll, aList, dAll, dList).catch(fail);
    }

    /**
     * @param {string} text
     * @param {ChunkOptions} options
     */
    async chunkAsync(text, options) {
      if (!host.offThread) return this.chunk(text, options);
      const [max, overlap, boundary] = chunkArgs(text, options);
      return toChunks(text, await native.chunkAsync(this.#id, text, max, overlap, boundary).catch(fail));
    }
  }

  /**
   * @param {EncodeOptions | undefined} options
   * @returns {[boolean, string[], boolean, string[]]}
   */
  function specialArgs(options) {
    const o = needOptions(options, 'encode');
    const allowed = o.allowedSpecial === undefined ? { all: false, list: [] } : specialOption(o.allowedSpecial, 'allowedSpecial');
    const disallowed = o.disallowedSpecial === undefined ? { all: true, list: [] } : specialOption(o.disallowedSpecial, 'disallowedSpecial');
    return [allowed.all, allowed.list, disallowed.all, disallowed.list];
  }

  /**
   * @param {string} text
   * @param {ChunkOptions} options
   * @returns {[number, number, 'token' | 'line' | 'paragraph']}
   */
  function chunkArgs(text, options) {
    needString(text, 'text');
    if (options === undefined || options === null || typeof options !== 'object') {
      throw invalidArg(`chunk options must be an object with maxTokens, got ${typeName(options)}`);
    }
    if (options.maxTokens === undefined) throw invalidArg('chunk needs maxTokens');
    const max = needCount(options.maxTokens, 'maxTokens');
    const overlap = needCount(options.overlap, 'overlap', 0);
    const boundary = needOneOf(options.boundary, 'boundary', ['token', 'line', 'paragraph'], 'token');
    // Compared as given, before the clamp to the core's 32-bit counts (which would make
    // maxTokens 2^40 and overlap 2^40 - 1 equal); a zero budget is left to the core's message.
    if (max > 0 && overlap >= max) throw invalidArg(`overlap ${overlap} must be smaller than maxTokens ${max}`);
    return [Math.min(max, 0xffffffff), Math.min(overlap, 0xfffffffe), boundary];
  }

  /**
   * @param {string} text
   * @param {Uint32Array} flat start, end and tokens of each chunk
   * @returns {Chunk[]}
   */
  function toChunks(text, flat) {
    const out = new Array(flat.length / 3);
    for (let i = 0; i < out.length; i++) {
      const start = flat[3 * i];
      const end = flat[3 * i + 1];
      out[i] = { text: text.slice(start, end), start, end, tokens: flat[3 * i + 2] };
    }
    return out;
  }

  /**
   * A function that runs `f()` once `isReady()` passes, its errors mapped by `onError`.
   * @param {() => void} isReady
   * @param {(e: unknown) => never} onError
   */
  const caller =
    (isReady, onError) =>
    /**
     * @template T
     * @param {() => T} f
     * @returns {T}
     */
    (f) => {
      isReady();
      try {
        return f();
      } catch (e) {
        onError(e);
      }
    };
  /** `f()`, once the backend is ready, its errors mapped. */
  const call = caller(ready, fail);
  /** `f()` of zstd's, once its module is ready, its errors mapped. */
  const zcall = caller(zready, zfail);

  /** @param {BufferSource | WebAssembly.Module | Response | URL | string} [source] */
  async function loadZstd(source) {
    if (source !== undefined && !isSource(source)) {
      throw invalidArg(`loadZstd() takes ironlung's zstd module: a WebAssembly.Module, its bytes, a Response, a URL or a URL string; got ${typeName(source)}`);
    }
    if (z) await z.load(source);
  }

  /** @param {number} id */
  function encodingById(id) {
    let e = cache.get(id);
    if (!e) {
      ensureRanks(id);
      e = new Encoding(id, call(() => b.encodingName(id)));
      cache.set(id, e);
    }
    return e;
  }

  // The wasm build receives each rank table when its encoding is first used: read
  // synchronously where there is a filesystem, else loaded by `loadEncoding`.
  /** @param {number} id */
  function ensureRanks(id) {
    if (call(() => b.ranksAvailable(id))) return;
    const table = call(() => b.rankTable(id));
    if (!host.readRanksSync) {
      const name = call(() => b.encodingName(id));
      throw new IronlungError(
        'ERR_NOT_INITIALIZED',
        `the rank data of ${name} is not loaded yet; call \`await loadEncoding('${name}')\` first (in browsers and edge runtimes each encoding's data downloads on first use)`,
      );
    }
    const bytes = host.readRanksSync(table);
    call(() => b.installRanks(table, bytes));
  }

  /**
   * An encoding's id from its name, or from a model's name (`'gpt-4o'`).
   * @param {string} name
   * @returns {number}
   */
  function encodingOrModelId(name) {
    try {
      return b.encodingId(name);
    } catch (e) {
      try {
        return b.encodingIdForModel(name);
      } catch {
        fail(e);
      }
    }
  }

  /**
   * @param {string} name
   * @param {BufferSource | WebAssembly.Module | Response | URL | string} [source]
   */
  async function loadEncoding(name, source) {
    needString(name, 'encoding or model name');
    // Checked whether or not it is read (it is not where the table is loaded: always on
    // native, whose tables are built in), so that both backends refuse the same arguments.
    if (source !== undefined && !isSource(source)) {
      throw invalidArg(`source must be the rank data's bytes, a WebAssembly.Module, a Response, a URL or a URL string, got ${typeName(source)}`);
    }
    if (host.init) await host.init();
    ready();
    const id = encodingOrModelId(name);
    if (!call(() => b.ranksAvailable(id))) {
      const table = call(() => b.rankTable(id));
      // Concurrent loads of one table share one download.
      let load = source === undefined ? loading.get(table) : undefined;
      if (!load) {
        load = (async () => {
          let bytes;
          try {
            // Only the wasm build lacks rank data, and every wasm host has readRanks.
            bytes = source === undefined ? await /** @type {NonNullable<Host['readRanks']>} */ (host.readRanks)(table) : await bytesOf(source);
          } catch (e) {
            if (e instanceof IronlungError) throw e;
            throw new IronlungError('ERR_ASSET_UNAVAILABLE', `could not load the rank data of ${name} (${table}): ${e && e.message}`);
          }
          if (!call(() => b.ranksAvailable(id))) call(() => b.installRanks(table, bytes));
        })();
        if (source === undefined) {
          loading.set(table, load);
          load.then(
            () => loading.delete(table),
            () => loading.delete(table),
          );
        }
      }
      await load;
    }
    return encodingById(id);
  }

  /** @param {string} name */
  function getEncoding(name) {
    needString(name, 'encoding name');
    return encodingById(call(() => b.encodingId(name)));
  }

  /** @param {string} model */
  function encodingForModel(model) {
    needString(model, 'model');
    return encodingById(call(() => b.encodingIdForModel(model)));
  }

  function listEncodings() {
    return /** @type {EncodingName[]} */ (call(() => b.listEncodings()));
  }

  const dictionaries = createDictionaries(zb, { call: zcall, toBytes, needBytes, needOptions, needCount, zstdLevel, epoch: zepoch });
  const { dictionaryArg } = dictionaries;

  /**
   * A zstd call, to run now or (native) on the thread pool.
   * @typedef {{ now: () => Uint8Array, later: () => Promise<Uint8Array> }} Job
   */

  /**
   * @param {string | Bytes} data
   * @param {CompressOptions | undefined} options
   * @returns {Job}
   */
  function compressJob(data, options) {
    const bytes = toBytes(data, 'data');
    const o = zstdOptions(options, 'compress');
    const level = zstdLevel(o.level);
    if (o.dictionary === undefined) return { now: () => zb.compress(bytes, level), later: () => native.compressAsync(bytes, level) };
    const d = dictionaryArg(o.dictionary);
    if (d instanceof Uint8Array) {
      return { now: () => zb.compressWithBytes(bytes, d, level), later: () => native.compressWithBytesAsync(bytes, d, level) };
    }
    // A prepared dictionary has its level: the call's own, if given, must be the same.
    const given = o.level === undefined ? undefined : level;
    return { now: () => zb.compressWith(bytes, d, given), later: () => native.compressWithAsync(bytes, d, given) };
  }

  /**
   * @param {Bytes} data
   * @param {DecompressOptions | undefined} options
   * @returns {Job}
   */
  function decompressJob(data, options) {
    const bytes = needBytes(data, 'data');
    const o = zstdOptions(options, 'decompress');
    const cap = Math.min(needCount(o.maxOutputBytes, 'maxOutputBytes', DEFAULT_MAX_OUTPUT_BYTES), Number.MAX_SAFE_INTEGER);
    if (o.dictionary === undefined) return { now: () => zb.decompress(bytes, cap), later: () => native.decompressAsync(bytes, cap) };
    const d = dictionaryArg(o.dictionary);
    if (d instanceof Uint8Array) {
      return { now: () => zb.decompressWithBytes(bytes, cap, d), later: () => native.decompressWithBytesAsync(bytes, cap, d) };
    }
    return { now: () => zb.decompressWith(bytes, cap, d), later: () => native.decompressWithAsync(bytes, cap, d) };
  }

  /**
   * @param {string | Bytes} data
   * @param {CompressOptions} [options]
   */
  function compress(data, options) {
    return zcall(compressJob(data, options).now);
  }

  /**
   * @param {Bytes} data
   * @param {DecompressOptions} [options]
   */
  function decompress(data, options) {
    return zcall(decompressJob(data, options).now);
  }

  /**
   * @param {string | Bytes} data
   * @param {CompressOptions} [options]
   */
  async function compressAsync(data, options) {
    const job = compressJob(data, options);
    if (!host.offThread) {
      // Where zstd is a module of its own, its first use loads it.
      if (z) await z.load();
      return zcall(job.now);
    }
    return job.later().catch(fail);
  }

  /**
   * @param {Bytes} data
   * @param {DecompressOptions} [options]
   */
  async function decompressAsync(data, options) {
    const job = decompressJob(data, options);
    if (!host.offThread) {
      if (z) await z.load();
      return zcall(job.now);
    }
    return job.later().catch(fail);
  }

  /** @param {string | URL} path */
  function pathArg(path) {
    if (path instanceof URL) {
      // node:url's fileURLToPath rules (POSIX), which every runtime with files shares.
      if (path.protocol !== 'file:') throw invalidArg(`path must be a file: URL, got ${path.href}`);
      if (path.hostname !== '' && path.hostname !== 'localhost') {
        throw invalidArg(`path ${path.href} names a file on host ${path.hostname}; a file: URL must name a local file (no host, or localhost)`);
      }
      if (/%2f/i.test(path.pathname)) throw invalidArg(`path ${path.href} has an encoded '/' (%2F), which no file name holds`);
      const url = path;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        throw invalidArg(`path ${url.href} is not a valid file: URL: its percent-encoding is not UTF-8`);
      }
    }
    return needString(path, 'path');
  }

  /** @param {ReadOptions | undefined} options */
  function readOptions(options) {
    const max = needCount(needOptions(options, 'readTextFile').maxBytes, 'maxBytes', DEFAULT_MAX_BYTES);
    return Math.min(max, Number.MAX_SAFE_INTEGER);
  }

  /**
   * @param {string | URL} path
   * @param {ReadOptions} [options]
   * @returns {Promise<string>}
   */
  async function readTextFile(path, options) {
    host.noFiles?.('readTextFile');
    const p = pathArg(path);
    const max = readOptions(options);
    ready();
    try {
      return await host.readTextFile(p, max);
    } catch (e) {
      fail(e);
    }
  }

  /**
   * @param {string | URL} path
   * @param {ReadOptions} [options]
   */
  function readTextFileSync(path, options) {
    host.noFiles?.('readTextFileSync');
    const p = pathArg(path);
    const max = readOptions(options);
    return call(() => host.readTextFileSync(p, max));
  }

  /**
   * @param {Bytes} bytes
   * @param {DecodeTextOptions} [options]
   */
  function decodeText(bytes, options) {
    const data = needBytes(bytes, 'bytes');
    const max = needCount(needOptions(options, 'decodeText').maxBytes, 'maxBytes', Infinity);
    return call(() => b.textFromBytes(data, Math.min(max, Number.MAX_SAFE_INTEGER)));
  }

  /** @param {BufferSource | WebAssembly.Module | Response | URL | string} source */
  async function bytesOf(source) {
    if (typeof Response !== 'undefined' && source instanceof Response) return new Uint8Array(await source.arrayBuffer());
    if (typeof source === 'string' || source instanceof URL) return fetchBytes(source);
    if (isWasmModule(source)) return rankModuleBytes(source, 'source');
    return toBytes(source, 'source');
  }

  /**
   * @param {string | URL} path
   * @param {ReadForContextOptions} [options]
   * @returns {Promise<ContextFile>}
   */
  async function readForContext(path, options) {
    host.noFiles?.('readForContext');
    const p = pathArg(path);
    const o = needOptions(options, 'readForContext');
    const max = readOptions(o);
    const maxTokens = needCount(o.maxTokens, 'maxTokens', Infinity);
    const cut = needOneOf(o.truncate, 'truncate', ['end', 'middle'], 'end');
    if (o.encoding !== undefined && o.model !== undefined) throw invalidArg('give encoding or model, not both');
    const model = o.model === undefined ? undefined : needString(o.model, 'model');
    const name = o.encoding === undefined ? 'o200k_base' : needString(o.encoding, 'encoding name');
    const id = call(() => (model === undefined ? b.encodingId(name) : b.encodingIdForModel(model)));
    const enc = encodingById(id);
    ready();
    let r;
    try {
      r = await host.readForContext(p, max, id, maxTokens === Infinity ? -1 : Math.min(maxTokens, 0xffffffff), cut);
    } catch (e) {
      fail(e);
    }
    return { text: r[0], tokens: r[1], truncated: r[2] === 1, omittedTokens: r[3], bytes: r[4], encoding: enc.name };
  }

  /** @param {Bytes} bytes */
  function isBinary(bytes) {
    const data = needBytes(bytes, 'bytes');
    return call(() => b.isBinary(data));
  }

  const streams = createZstdStreams({
    binding: zb,
    fail: zfail,
    ready: zready,
    offThread: host.offThread,
    epoch: zepoch,
    transform: () => host.Transform,
    toBytes,
    needBytes,
    zstdLevel,
    needCount,
    needOptions: zstdOptions,
    defaultMaxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
    dictionaryArg: dictionaries.dictionaryArg,
    unzeroed: host.unzeroed,
  });

  /** @type {ReturnType<NonNullable<Host['logs']>> | undefined} */
  let logs;
  /**
   * @param {string | URL} path
   * @param {OpenLogOptions} [options]
   */
  async function openLog(path, options) {
    // Asked at each open: Deno's wasm entry gives the log after the API is made.
    if (!host.logs) {
      throw new IronlungError(
        'ERR_UNSUPPORTED_RUNTIME',
        'openLog needs a file system, which this runtime does not have (the session log runs on Node, Bun and Deno)',
      );
    }
    logs ??= host.logs({ call, zstdLevel, pathArg, epoch: host.epoch });
    return logs.openLog(path, options);
  }

  return {
    backend: host.backend,
    nativeLoadErrors: Object.freeze([...(host.nativeLoadErrors || [])]),
    IronlungError,
    getEncoding,
    encodingForModel,
    loadEncoding,
    listEncodings,
    loadZstd,
    compress,
    decompress,
    compressAsync,
    decompressAsync,
    trainDictionary: dictionaries.trainDictionary,
    ZstdDictionary: dictionaries.ZstdDictionary,
    frameInfo: dictionaries.frameInfo,
    readTextFile,
    readTextFileSync,
    decodeText,
    isBinary,
    readForContext,
    countChat: createCountChat({ encodingForModel }),
    ZstdCompressionStream: streams.ZstdCompressionStream,
    ZstdDecompressionStream: streams.ZstdDecompressionStream,
    createZstdCompress: streams.createZstdCompress,
    createZstdDecompress: streams.createZstdDecompress,
    openLog,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_LEVEL,
    /**
     * @internal Panics inside Rust on purpose; used by the test suite. `'zstd'`: in the module
     * that serves zstd (its own in browsers; the same one elsewhere).
     */
    __panicForTest: (/** @type {'zstd' | undefined} */ part) => (part === 'zstd' ? zcall(() => zb.panicForTest()) : call(() => b.panicForTest())),
    /** @internal Exhausts the wasm module's memory on purpose (wasm only); used by the test suite. */
    __oomForTest: () => {
      if (!b.oomForTest) throw new IronlungError('ERR_UNSUPPORTED_RUNTIME', '__oomForTest exhausts wasm memory; the native backend has none');
      return call(() => wasm.oomForTest());
    },
  };
}
