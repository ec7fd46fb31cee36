// @ts-check
// The names of ironlung's public API, listed once: scripts/gen-exports.mjs writes every entry's
// named exports from this list (js/gen/public.mjs for the wasm entries, js/gen/node.mjs for
// Node and Bun), and __test__/exports.test.mjs checks it against index.d.ts.

/** Each name is a property of the API object both backends build (js/api.mjs's createApi). */
export const PUBLIC_NAMES = [
  'backend',
  'init',
  'IronlungError',
  'getEncoding',
  'encodingForModel',
  'loadEncoding',
  'listEncodings',
  'loadZstd',
  'compress',
  'decompress',
  'compressAsync',
  'decompressAsync',
  'trainDictionary',
  'ZstdDictionary',
  'frameInfo',
  'readTextFile',
  'readTextFileSync',
  'decodeText',
  'isBinary',
  'readForContext',
  'countChat',
  'ZstdCompressionStream',
  'ZstdDecompressionStream',
  'createZstdCompress',
  'createZstdDecompress',
  'openLog',
  'DEFAULT_MAX_BYTES',
  'DEFAULT_MAX_OUTPUT_BYTES',
  'DEFAULT_LEVEL',
  'nativeLoadErrors',
  '__panicForTest',
  '__oomForTest',
];
