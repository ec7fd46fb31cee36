// @ts-check
// The wasm backend's state for every runtime but Node and Bun: one instance of the module,
// initialised once, and the API over it. Runtime entries (web.mjs, deno.mjs, workerd.mjs,
// edge-light.mjs) configure how the module and the rank data arrive, through the `use*`
// functions below, which are not part of the public API (public.mjs is).

import * as glue from './coreglue.mjs';
import { checkInitArg, createApi, fetchBytes, isWasmModule, rankModuleBytes } from './api.mjs';
import { IronlungError } from './errors.mjs';
import { wasmInstance } from './wasminstance.mjs';
import { wasmUrl, rankUrl } from '../assets/urls.mjs';

/** @import { Host } from './api.mjs' */
/** @typedef {WebAssembly.Module | BufferSource | Response | URL | string} ModuleSource what init() takes */

const instance = wasmInstance(glue);
/** @type {Promise<void> | null} */
let pending = null;
/**
 * How init() gets the module when it is given none; a runtime entry may replace it.
 * @type {() => Promise<ModuleSource>}
 */
let defaultModule = () => fetchAsset(wasmUrl(), 'the wasm module', 'ironlung-web.wasm');

const FIX =
  "If a bundler built this page, it did not copy the file: see \"Bundlers and frameworks\" in ironlung's README; " +
  'or serve node_modules/ironlung/assets/ yourself and pass the module to init() and the rank data to loadEncoding()';

/**
 * Fetches `url`; any failure is ERR_ASSET_UNAVAILABLE naming the URL, the cause and the fix.
 * @param {string | URL | undefined} url
 * @param {string} what
 * @param {string} file
 */
async function fetchAsset(url, what, file) {
  if (url === undefined) {
    throw new IronlungError('ERR_ASSET_UNAVAILABLE', `no URL is known for ${what} (${file}) in this runtime. ${FIX}`);
  }
  try {
    return await fetchBytes(url);
  } catch (e) {
    throw new IronlungError('ERR_ASSET_UNAVAILABLE', `could not load ${what} from ${url}: ${e && e.message}. ${FIX}`);
  }
}

/**
 * Initialises the wasm module. Idempotent; concurrent calls share one initialisation.
 * @param {ModuleSource} [moduleOrBytes]
 * @returns {Promise<void>}
 */
export function init(moduleOrBytes) {
  try {
    checkInitArg(moduleOrBytes);
  } catch (e) {
    return Promise.reject(e);
  }
  if (instance.isAttached()) return Promise.resolve();
  if (!pending) {
    pending = (async () => {
      let source = moduleOrBytes === undefined ? await defaultModule() : moduleOrBytes;
      if (typeof source === 'string' || source instanceof URL) source = await fetchAsset(source, 'the wasm module', String(source));
      if (typeof Response !== 'undefined' && source instanceof Response) source = new Uint8Array(await source.arrayBuffer());
      if (isWasmModule(source)) return glue.initSync({ module: ironlungModule(source) });
      // Bytes compile asynchronously: browsers refuse large synchronous compiles.
      const module = ironlungModule(await WebAssembly.compile(/** @type {BufferSource} */ (source)));
      return glue.default({ module_or_path: module });
    })().then(instance.attach, (e) => {
      pending = null;
      if (e instanceof IronlungError) throw e;
      if (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError) {
        throw new IronlungError('ERR_CORRUPT_DATA', `what init() was given is not ironlung's wasm module: ${e.message}`);
      }
      throw new IronlungError('ERR_ASSET_UNAVAILABLE', `could not initialise ironlung's wasm module: ${e && e.message}`);
    });
  }
  return pending;
}

/**
 * Runtimes that hold a compiled module at import time (Workers) initialise at once.
 * @param {WebAssembly.Module} module
 */
export function useWasmModule(module) {
  instance.attach(glue.initSync({ module: ironlungModule(module) }));
}

/**
 * `module` if it is ironlung's wasm module (it imports from its glue alone, and exports the
 * glue's start), else ERR_CORRUPT_DATA. The glue keeps the first module it instantiates for
 * good, so another module (a rank table's, say) must never reach it: every later call
 * would fail with a bare TypeError, and no init could put it right.
 * @param {WebAssembly.Module} module
 */
function ironlungModule(module) {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const ours = imports.length > 0 && imports.every((i) => i.module === './ironlung_wasm_bg.js');
  if (!ours || !exports.has('__wbindgen_start') || !exports.has('memory')) {
    throw new IronlungError('ERR_CORRUPT_DATA', "what init() was given is not ironlung's wasm module: it does not import from ironlung's glue and export its start");
  }
  return module;
}

/**
 * Runtimes with another way to the module's bytes (Deno's filesystem).
 * @param {() => Promise<ModuleSource>} load
 */
export function useDefaultModule(load) {
  defaultModule = load;
}

/**
 * @param {string} name
 * @returns {(...args: unknown[]) => never}
 */
function unsupported(name) {
  return () => {
    throw new IronlungError(
      'ERR_UNSUPPORTED_RUNTIME',
      `${name} needs a filesystem, which this runtime does not have; read the File or Blob yourself and pass its bytes to decodeText()`,
    );
  };
}

/** The host has no filesystem until useFileReader gives it one. */
let hasFiles = false;

/** @type {Host} */
const host = {
  backend: 'wasm',
  offThread: false,
  readTextFileSync: unsupported('readTextFileSync'),
  readTextFile: async (...args) => unsupported('readTextFile')(...args),
  readForContext: async (...args) => unsupported('readForContext')(...args),
  // Without a filesystem the file readers fail as unsupported whether or not the module is
  // initialised yet: asked before `ready()`.
  noFiles: (name) => {
    if (!hasFiles) unsupported(name)();
  },
  readRanks: (table) => fetchAsset(rankUrl(table), `the rank data of ${table}`, `${table}.wasm`),
  init: () => init(),
  onTrap: instance.onTrap,
  writeUtf8: instance.writeUtf8,
  epoch: instance.epoch,
  ready() {
    if (!instance.isAttached()) {
      throw new IronlungError(
        'ERR_NOT_INITIALIZED',
        "ironlung's wasm module is not initialised yet: `await loadEncoding(name)` (or `await init()`) once before synchronous calls",
      );
    }
  },
};

/** The public API over this instance. */
export const api = createApi(instance.binding, host);
api.init = init;

/**
 * Runtimes with a filesystem: `readRanksSync(table)` returns the bytes of `<table>.wasm`, read
 * when an encoding is first used, so getEncoding works without loadEncoding.
 * @param {(table: string) => Uint8Array} readRanksSync
 */
export function useRankReader(readRanksSync) {
  host.readRanksSync = readRanksSync;
  host.readRanks = async (table) => readRanksSync(table);
}

/**
 * Runtimes whose bundlers carry each rank file as a compiled module (Workers, Vercel Edge):
 * `importRanks(table)` imports `<table>.wasm` so, only when its encoding is first loaded.
 * @param {(table: string) => Promise<{ default: WebAssembly.Module }> | undefined} importRanks
 */
export function useRankModules(importRanks) {
  host.readRanks = async (table) => {
    // The importers have a case for every table the core names.
    const m = /** @type {{ default: WebAssembly.Module }} */ (await importRanks(table));
    return rankModuleBytes(m.default, `${table}.wasm`);
  };
}

/**
 * Runtimes with a filesystem: `fileHost(glue)` (js/fsread.mjs) gives the file-reading
 * functions of the host, which read by the core's rules.
 * @param {typeof import('./fsread.mjs').fileHost} fileHost
 */
export function useFileReader(fileHost) {
  Object.assign(host, fileHost(instance.binding));
  hasFiles = true;
}

/**
 * Runtimes with a filesystem: the session log, `createLogs` (js/log.mjs) over the file I/O
 * `logFiles(glue)` gives (js/logfiles.mjs), which refuses the files the core's rules refuse,
 * and over the log's own glue, which only such a runtime's entry imports.
 * @param {typeof import('./log.mjs').createLogs} createLogs
 * @param {typeof import('./logfiles.mjs').nodeLogFiles} logFiles
 * @param {Pick<import('./log.mjs').LogBinding, 'LogCodec' | 'logHeader' | 'trainLogDictionary'>} logGlue
 */
export function useLog(createLogs, logFiles, logGlue) {
  const files = logFiles(instance.binding);
  host.logs = (deps) => createLogs({ ...deps, binding: logGlue, files });
}

/**
 * Runtimes with node:stream (Deno): createZstdCompress / createZstdDecompress return its
 * Transforms.
 * @param {typeof import('node:stream').Transform} Transform
 */
export function useNodeStreams(Transform) {
  host.Transform = Transform;
}
