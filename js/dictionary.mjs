// @ts-check
// zstd dictionaries in the JS API: trainDictionary, ZstdDictionary (a dictionary prepared
// once for any number of calls) and frameInfo, over either binding. compress and decompress
// (js/api.mjs) take what `dictionaryArg` makes of their `dictionary` option.

import { invalidArg, typeName } from './errors.mjs';

/** @import { FrameInfo, Bytes, ZstdDictionaryOptions, TrainDictionaryOptions } from 'ironlung' */

/** Default `maxBytes` of trainDictionary: 110 KiB, as `zstd --train` writes. */
export const DEFAULT_DICTIONARY_BYTES = 112640;

/**
 * A dictionary prepared in the binding: a napi-rs class instance, or a wasm-bindgen one that
 * the glue frees when it is garbage-collected. The glue's declaration stands for both (the
 * napi class has the same constructor and getters, and no `free`, which is never called).
 * @typedef {import('./gen/wasm.mjs').Dictionary} Prepared
 */

/**
 * The functions of both bindings that this module and compress/decompress call.
 * @typedef {object} DictionaryBinding
 * @property {new (bytes: Uint8Array, level: number) => Prepared} Dictionary
 * @property {(joined: Uint8Array, sizes: Uint32Array, maxBytes: number) => Uint8Array} trainDictionary
 * @property {(data: Uint8Array, dictionary: Prepared, level: number | undefined) => Uint8Array} compressWith
 *   `level` is the call's own, when it gave one: it must be the dictionary's
 * @property {(data: Uint8Array, dictionary: Uint8Array, level: number) => Uint8Array} compressWithBytes
 * @property {(data: Uint8Array, maxOutputBytes: number, dictionary: Prepared) => Uint8Array} decompressWith
 * @property {(data: Uint8Array, maxOutputBytes: number, dictionary: Uint8Array) => Uint8Array} decompressWithBytes
 * @property {(data: Uint8Array) => ArrayLike<number>} frameInfo content size, window size,
 *   dictionary id, has checksum (1 or 0), frames; -1 for a size or id not declared
 */

/**
 * The native binding's off-thread twins.
 * @typedef {object} DictionaryNativeOnly
 * @property {(data: Uint8Array, dictionary: Prepared, level: number | undefined) => Promise<Uint8Array>} compressWithAsync
 * @property {(data: Uint8Array, dictionary: Uint8Array, level: number) => Promise<Uint8Array>} compressWithBytesAsync
 * @property {(data: Uint8Array, maxOutputBytes: number, dictionary: Prepared) => Promise<Uint8Array>} decompressWithAsync
 * @property {(data: Uint8Array, maxOutputBytes: number, dictionary: Uint8Array) => Promise<Uint8Array>} decompressWithBytesAsync
 */

/**
 * What this module needs of js/api.mjs.
 * @typedef {object} Helpers
 * @property {<T>(f: () => T) => T} call runs `f` once the backend is ready, its errors mapped
 * @property {(data: unknown, what: string) => Uint8Array} toBytes a string's UTF-8, or a view of bytes
 * @property {(data: unknown, what: string) => Uint8Array} needBytes bytes, not a string
 * @property {<T extends object>(v: T | null | undefined, what: string) => Partial<T>} needOptions
 * @property {(v: unknown, what: string, fallback: number) => number} needCount
 * @property {(v: unknown) => number} zstdLevel
 * @property {() => number} [epoch] wasm: which instance of the module answers; a prepared
 *   dictionary lives in one instance, and a fresh one after a trap has none
 */

/**
 * @param {DictionaryBinding} b
 * @param {Helpers} h
 */
export function createDictionaries(b, h) {
  const { call, toBytes, needBytes, needOptions, needCount, zstdLevel, epoch } = h;
  /** @type {(d: ZstdDictionary) => Prepared} */
  let preparedOf;

  class ZstdDictionary {
    /** @type {Prepared} */
    #prepared;
    /** the instance `#prepared` lives in (wasm) */
    #epoch = 0;
    /** a copy of the bytes, to prepare again in a fresh instance (wasm) */
    #bytes;

    /**
     * @param {Bytes} bytes
     * @param {ZstdDictionaryOptions} [options]
     */
    constructor(bytes, options) {
      const data = needBytes(bytes, 'bytes');
      const level = zstdLevel(needOptions(options, 'ZstdDictionary').level);
      // The copy guards against the caller changing its buffer before a re-preparation (not
      // slice(): a Buffer's is a view of the same memory).
      this.#bytes = epoch ? new Uint8Array(data) : undefined;
      if (epoch) this.#epoch = epoch();
      this.#prepared = call(() => new b.Dictionary(data, level));
      /** @readonly */
      this.id = this.#prepared.id;
      /** @readonly */
      this.level = level;
      /** @readonly */
      this.size = data.length;
      Object.freeze(this);
    }

    static {
      preparedOf = (d) => {
        if (epoch && d.#epoch !== epoch()) {
          const bytes = /** @type {Uint8Array} */ (d.#bytes);
          d.#prepared = call(() => new b.Dictionary(bytes, d.level));
          d.#epoch = epoch();
        }
        return d.#prepared;
      };
    }
  }

  /**
   * The `dictionary` option of compress and decompress: the prepared dictionary, or bytes
   * that the call prepares for itself.
   * @param {unknown} v
   * @returns {Prepared | Uint8Array}
   */
  function dictionaryArg(v) {
    if (v instanceof ZstdDictionary) return preparedOf(v);
    if (typeof v === 'object' && v !== null && (ArrayBuffer.isView(v) || v instanceof ArrayBuffer)) return toBytes(v, 'dictionary');
    const got = typeName(v);
    if (got === 'a ZstdDictionary') {
      // Each entry point's API (the Node entry, a wasm entry) prepares its own.
      throw invalidArg('dictionary is a ZstdDictionary of another ironlung instance; prepare one with this instance\'s ZstdDictionary, or pass the bytes');
    }
    throw invalidArg(`dictionary must be a Uint8Array or a ZstdDictionary, got ${got}`);
  }

  /**
   * @param {readonly (string | Bytes)[]} samples
   * @param {TrainDictionaryOptions} [options]
   */
  function trainDictionary(samples, options) {
    if (!Array.isArray(samples)) throw invalidArg(`samples must be an array of strings or Uint8Arrays, got ${typeName(samples)}`);
    const o = needOptions(options, 'trainDictionary');
    const maxBytes = needCount(o.maxBytes, 'maxBytes', DEFAULT_DICTIONARY_BYTES);
    if (maxBytes === Infinity) throw invalidArg('maxBytes must be a finite number of bytes, got Infinity');
    // Element by element: a hole is met as the undefined it reads as (map() skips holes).
    const parts = new Array(samples.length);
    const sizes = new Uint32Array(samples.length);
    let total = 0;
    for (let i = 0; i < samples.length; i++) {
      parts[i] = toBytes(samples[i], `samples[${i}]`);
      sizes[i] = parts[i].length;
      total += parts[i].length;
    }
    // One buffer and its sizes: one crossing into the binding, however many samples.
    const joined = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return call(() => b.trainDictionary(joined, sizes, maxBytes));
  }

  /**
   * @param {Bytes} data
   * @returns {FrameInfo}
   */
  function frameInfo(data) {
    const bytes = needBytes(data, 'data');
    const f = call(() => b.frameInfo(bytes));
    return {
      contentSize: f[0] < 0 ? null : f[0],
      windowSize: f[1],
      dictionaryId: f[2] < 0 ? null : f[2],
      hasChecksum: f[3] === 1,
      frames: f[4],
    };
  }

  return { ZstdDictionary, dictionaryArg, trainDictionary, frameInfo };
}
