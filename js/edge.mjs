// Entry for edge runtimes and bundlers: the wasm build, initialised explicitly.
//
// Call `await init()` once before anything else; hand it a precompiled
// `WebAssembly.Module` (Cloudflare Workers, Vercel Edge), the wasm bytes, a Response or
// URL. Without an argument it fetches `ironlung_wasm_bg.wasm` next to the glue.
// js/web.mjs wraps this entry and initialises it with top-level await.

import * as glue from '../wasm/pkg-web/ironlung_wasm.js';
import { createApi, fetchBytes } from './api.mjs';
import { IronlungError } from './errors.mjs';
import { trapHandler } from './wasmtrap.mjs';
import { utf8Writer } from './wasminput.mjs';

let exportsObj = null;
let onTrap = null;
let writeUtf8 = null;
let pending = null;

function unsupported(name) {
  return () => {
    throw new IronlungError(
      'ERR_UNSUPPORTED_RUNTIME',
      `${name} needs a filesystem, which this runtime does not have; read the File or Blob yourself and pass its bytes to decodeText()`,
    );
  };
}

/**
 * Initialises the wasm module. Idempotent; concurrent calls share one initialisation.
 * @param {WebAssembly.Module | BufferSource | Response | URL | string} [moduleOrBytes]
 */
export function init(moduleOrBytes) {
  if (exportsObj) return Promise.resolve();
  if (!pending) {
    const isSync = moduleOrBytes instanceof WebAssembly.Module || ArrayBuffer.isView(moduleOrBytes) || moduleOrBytes instanceof ArrayBuffer;
    pending = (isSync
      ? Promise.resolve(glue.initSync({ module: moduleOrBytes }))
      : glue.default(moduleOrBytes === undefined ? undefined : { module_or_path: moduleOrBytes })
    ).then(
      (wasm) => {
        exportsObj = wasm;
        onTrap = trapHandler(glue, wasm);
        writeUtf8 = utf8Writer(glue, wasm);
      },
      (e) => {
        pending = null;
        throw e;
      },
    );
  }
  return pending;
}

// Deno's entry (js/deno.mjs) swaps in file readers; browsers and edge runtimes keep these.
const host = {
  backend: 'wasm',
  offThread: false,
  readTextFileSync: unsupported('readTextFileSync'),
  readTextFile: async (...args) => unsupported('readTextFile')(...args),
  readForContext: async (...args) => unsupported('readForContext')(...args),
  // Each encoding's rank data is fetched from beside this module when first loaded.
  readRanks: (table) => fetchBytes(new URL(`../wasm/ranks/${table}.ranks`, import.meta.url)),
  onTrap: (e) => (onTrap ? onTrap(e) : `ironlung's wasm module trapped (${e.message})`),
  writeUtf8: (text) => writeUtf8(text),
  ready() {
    if (!exportsObj) {
      throw new IronlungError('ERR_NOT_INITIALIZED', "ironlung's wasm module is not initialised yet; call `await init()` first");
    }
  },
};
const api = createApi(glue, host);

/**
 * @internal For runtime entries that have a filesystem: `readRanksSync(table)` returns the
 * bytes of `<table>.ranks`, read when an encoding is first used.
 */
export function __useRankReader(readRanksSync) {
  host.readRanksSync = readRanksSync;
  host.readRanks = async (table) => readRanksSync(table);
}

/**
 * @internal For runtime entries that have a filesystem: `readBytesSync(path, maxBytes)` and
 * its async twin return at most maxBytes + 1 bytes, which the core then checks and decodes.
 */
export function __useFileReader(readBytesSync, readBytes) {
  host.readTextFileSync = (path, max) => glue.textFromBytes(readBytesSync(path, max), max, `'${path}'`);
  host.readTextFile = async (path, max) => glue.textFromBytes(await readBytes(path, max), max, `'${path}'`);
  host.readForContext = async (path, max, id, maxTokens, cut) =>
    glue.contextFromBytes(await readBytes(path, max), max, `'${path}'`, id, maxTokens, cut);
}

export default api;
export const {
  backend,
  getEncoding,
  encodingForModel,
  loadEncoding,
  listEncodings,
  compress,
  decompress,
  compressAsync,
  decompressAsync,
  readTextFile,
  readTextFileSync,
  decodeText,
  isBinary,
  readForContext,
  countChat,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_LEVEL,
  __panicForTest,
} = api;
export { IronlungError };
api.init = init;
