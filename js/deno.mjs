// Deno entry: the wasm build initialised with top-level await, plus file reading through
// Deno's node:fs with the same bounds as the native reader.
import * as glue from '../wasm/pkg-web/ironlung_wasm.js';
import { createApi } from './api.mjs';
import { IronlungError } from './errors.mjs';
import { readBounded, readBoundedSync } from './fsread.mjs';
import { trapHandler } from './wasmtrap.mjs';

const wasmUrl = new URL('../wasm/pkg-web/ironlung_wasm_bg.wasm', import.meta.url);
const exportsObj = glue.initSync({ module: await Deno.readFile(wasmUrl) });

const api = createApi(glue, {
  backend: 'wasm',
  offThread: false,
  readTextFileSync: (path, max) => glue.textFromBytes(readBoundedSync(path, max), max, `'${path}'`),
  readTextFile: async (path, max) => glue.textFromBytes(await readBounded(path, max), max, `'${path}'`),
  onTrap: trapHandler(glue, exportsObj),
});

/** Already initialised; kept so code can call it on every runtime. */
export const init = async () => {};
api.init = init;
export default api;
export const {
  backend,
  getEncoding,
  encodingForModel,
  listEncodings,
  compress,
  decompress,
  compressAsync,
  decompressAsync,
  readTextFile,
  readTextFileSync,
  decodeText,
  isBinary,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_LEVEL,
  __panicForTest,
} = api;
export { IronlungError };
