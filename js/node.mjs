// ES module entry for Node and Bun: the same instance as the CommonJS entry.
import api from './node.cjs';

export default api;
export const {
  backend,
  init,
  IronlungError,
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
} = api;
