// The public names of the wasm backend's API, shared by every runtime entry that uses it.
import { api, init } from './wasm.mjs';

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
  nativeLoadErrors,
  __panicForTest,
  __oomForTest,
} = api;
export { init };
export { IronlungError } from './errors.mjs';
