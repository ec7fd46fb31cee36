// @ts-check
// The wasm backend's state for every runtime but Node and Bun: the module's instance,
// initialised once, and the API over it. Runtime entries (web.mjs, deno.mjs, workerd.mjs,
// edge-light.mjs) configure how the modules and the rank data arrive, through the `use*`
// functions below, which are not part of the public API (public.mjs is).
//
// Browsers and edge runtimes load two modules, each in an instance of its own: the web
// module (the tokenizer and text) and zstd's, which a page that only counts tokens never
// downloads. Deno loads the whole module, which serves zstd too: whichever module first
// brings zstd serves it for good.

import * as glue from './coreglue.mjs';
import * as zstdGlue from './gen/zstd.mjs';
import { checkInitArg, createApi, fetchBytes, isWasmModule, rankModuleBytes } from './api.mjs';
import { IronlungError } from './errors.mjs';
import { wasmInstance } from './wasminstance.mjs';
import { wasmUrl, rankUrl, zstdWasmUrl } from '../assets/urls.mjs';

/** @import { Host } from './api.mjs' */
/** @typedef {WebAssembly.Module | BufferSource | Response | URL | string} ModuleSource what init() takes */

const instance = wasmInstance(glue);
const zstdInstance = wasmInstance(zstdGlue);
/** @type {Promise<void> | null} */
let pending = null;
/** @type {Promise<void> | null} */
let zstdPending = null;
/**
 * The instance that serves zstd, for good once set: the module's own (the whole module) or
 * zstd's module's; null until one of them is attached.
 * @type {typeof instance | typeof zstdInstance | null}
 */
let zstdServer = null;
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
 * The exports of an instance of `source` made by `g` (a glue): fetched if it is a URL,
 * compiled if it is bytes, and checked by `check` before it reaches the glue.
 * @param {ModuleSource} source
 * @param {(module: WebAssembly.Module) => WebAssembly.Module} check
 * @param {typeof glue | typeof zstdGlue} g
 * @param {string} what
 */
async function instantiate(source, check, g, what) {
  if (typeof source === 'string' || source instanceof URL) source = await fetchAsset(source, what, String(source));
  if (typeof Response !== 'undefined' && source instanceof Response) source = new Uint8Array(await source.arrayBuffer());
  if (isWasmModule(source)) return g.initSync({ module: check(source) });
  // Bytes compile and instantiate asynchronously: browsers refuse large synchronous ones.
  const module = check(await WebAssembly.compile(/** @type {BufferSource} */ (source)));
  return g.default({ module_or_path: module });
}

/**
 * An error of loading or instantiating a module, as an IronlungError.
 * @param {unknown} e
 * @param {string} call `init()`, `loadZstd()`
 * @param {string} what
 */
function loadFailure(e, call, what) {
  if (e instanceof IronlungError) return e;
  if (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError) {
    return new IronlungError('ERR_CORRUPT_DATA', `what ${call} was given is not ${what}: ${e.message}`);
  }
  return new IronlungError('ERR_ASSET_UNAVAILABLE', `could not initialise ${what}: ${/** @type {Error} */ (e)?.message}`);
}

/**
 * Initialises the module (the web module unless given another) and, when given none, zstd's
 * module too, so that every synchronous call works after it. Idempotent; concurrent calls
 * share one initialisation.
 * @param {ModuleSource} [moduleOrBytes]
 * @returns {Promise<void>}
 */
export async function init(moduleOrBytes) {
  checkInitArg(moduleOrBytes);
  await initModule(moduleOrBytes);
  if (moduleOrBytes === undefined) await loadZstd();
}

/**
 * Initialises the module alone (what loadEncoding needs).
 * @param {ModuleSource} [moduleOrBytes]
 * @returns {Promise<void>}
 */
function initModule(moduleOrBytes) {
  if (instance.isAttached()) return Promise.resolve();
  if (!pending) {
    pending = (async () => {
      const source = moduleOrBytes === undefined ? await defaultModule() : moduleOrBytes;
      attachExports(await instantiate(source, ironlungModule, glue, "ironlung's wasm module"));
    })().catch((e) => {
      pending = null;
      throw loadFailure(e, 'init()', "ironlung's wasm module");
    });
  }
  return pending;
}

/** @param {import('./wasminstance.mjs').Exports} exports of an instance of ironlung's module */
function attachExports(exports) {
  instance.attach(exports);
  // The whole module (Deno's) serves zstd too.
  if (!zstdServer && 'compress' in exports) zstdServer = instance;
}

/**
 * Loads zstd's module, unless the module initialised (or on its way) is the whole one, which
 * serves zstd itself. Idempotent; concurrent calls share one load.
 * @param {ModuleSource} [source] default: `assets/ironlung-zstd.wasm` (assets/urls.mjs)
 * @returns {Promise<void>}
 */
function loadZstd(source) {
  if (zstdServer) return Promise.resolve();
  if (!zstdPending) {
    zstdPending = (async () => {
      // A module on its way may be the whole one, and serve zstd: then nothing more loads.
      if (pending) await pending.catch(() => {});
      if (zstdServer) return;
      const given = source === undefined ? await fetchAsset(zstdWasmUrl(), "zstd's wasm module", 'ironlung-zstd.wasm') : source;
      const exports = await instantiate(given, zstdModule, zstdGlue, "ironlung's zstd module");
      attachZstd(exports);
    })().catch((e) => {
      zstdPending = null;
      throw loadFailure(e, 'loadZstd()', "ironlung's zstd module");
    });
  }
  return zstdPending;
}

/**
 * Runtimes that hold a compiled module at import time (Workers) initialise at once.
 * @param {WebAssembly.Module} module
 */
export function useWasmModule(module) {
  attachExports(glue.initSync({ module: ironlungModule(module) }));
}

/**
 * Runtimes that hold zstd's compiled module at import time (Workers) load it at once.
 * @param {WebAssembly.Module} module
 */
export function useZstdModule(module) {
  if (!zstdServer) attachZstd(zstdGlue.initSync({ module: zstdModule(module) }));
}

/**
 * Serves zstd from zstd's module, unless another module came to serve it meanwhile.
 * @param {import('./wasminstance.mjs').Exports} exports of an instance of zstd's module
 */
function attachZstd(exports) {
  if (zstdServer) return;
  zstdInstance.attach(exports);
  zstdServer = zstdInstance;
}

/**
 * Whether `module` is one of ironlung's: it imports from its glue alone, and exports the
 * glue's start and a memory.
 * @param {WebAssembly.Module} module
 */
function isOurs(module) {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return imports.length > 0 && imports.every((i) => i.module === './ironlung_wasm_bg.js') && exports.has('__wbindgen_start') && exports.has('memory');
}

/** @param {WebAssembly.Module} module */
const servesZstd = (module) => WebAssembly.Module.exports(module).some((e) => e.name === 'compress');
/** @param {WebAssembly.Module} module */
const servesTokens = (module) => WebAssembly.Module.exports(module).some((e) => e.name === 'count');

/**
 * `module` if it is ironlung's web or whole module, else ERR_CORRUPT_DATA. The glue keeps
 * the first module it instantiates for good, so another module (a rank table's, zstd's) must
 * never reach it: every later call would fail with a bare TypeError, and no init could put
 * it right.
 * @param {WebAssembly.Module} module
 */
function ironlungModule(module) {
  if (!isOurs(module)) {
    throw new IronlungError('ERR_CORRUPT_DATA', "what init() was given is not ironlung's wasm module: it does not import from ironlung's glue and export its start");
  }
  if (!servesTokens(module)) {
    throw new IronlungError(
      'ERR_CORRUPT_DATA',
      "what init() was given is ironlung's zstd module (ironlung-zstd.wasm); init() takes ironlung-web.wasm or ironlung.wasm, and loadZstd() takes zstd's",
    );
  }
  return module;
}

/**
 * `module` if it is ironlung's zstd module, else ERR_CORRUPT_DATA (its glue, like the
 * module's, keeps the first module it instantiates).
 * @param {WebAssembly.Module} module
 */
function zstdModule(module) {
  if (!isOurs(module) || !servesZstd(module)) {
    throw new IronlungError('ERR_CORRUPT_DATA', "what loadZstd() was given is not ironlung's zstd module (ironlung-zstd.wasm)");
  }
  if (servesTokens(module)) {
    throw new IronlungError(
      'ERR_CORRUPT_DATA',
      "what loadZstd() was given is ironlung's whole module (ironlung.wasm), which serves zstd itself: give it to init() instead",
    );
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
  init: () => initModule(),
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

/**
 * zstd's calls, over the instance that serves zstd. Every name is looked up at each call, so
 * that it reaches that instance whichever it turns out to be.
 * @type {import('./api.mjs').Binding}
 */
const zstdBinding = /** @type {any} */ ({});
for (const name of ['compress', 'compressWith', 'compressWithBytes', 'decompress', 'decompressWith', 'decompressWithBytes', 'Dictionary', 'trainDictionary', 'frameInfo', 'ZstdCompressor', 'ZstdDecompressor', 'panicForTest']) {
  Object.defineProperty(zstdBinding, name, {
    enumerable: true,
    get: () => /** @type {Record<string, unknown>} */ ((zstdServer ?? zstdInstance).binding)[name],
  });
}

host.zstd = {
  binding: zstdBinding,
  ready() {
    // Once set, the server is attached: there is nothing more to check.
    if (!zstdServer) {
      throw new IronlungError(
        'ERR_NOT_INITIALIZED',
        "zstd's wasm module is not loaded yet: `await loadZstd()` (or `await init()`) once before synchronous zstd calls; compressAsync and decompressAsync load it themselves",
      );
    }
  },
  onTrap: (e) => (zstdServer ?? zstdInstance).onTrap(e),
  epoch: () => (zstdServer ?? zstdInstance).epoch(),
  load: (source) => loadZstd(source),
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
