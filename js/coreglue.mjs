// @ts-check
// The wasm glue (js/gen/wasm.mjs) that every runtime's API calls: all of it but the session
// log's (LogCodec and the objects it makes, logHeader and trainLogDictionary;
// __test__/exports.test.mjs checks the list against the glue). js/wasm.mjs takes
// the glue from here, so that a bundle holds only what is named here: the log's glue comes
// in through the entries with a file system (js/deno-wasm.mjs, through useLog; js/node.cjs
// takes all of it), and browser and edge bundles leave it out, as they leave out the log
// itself (and load assets/ironlung-web.wasm, the module built without it, or zstd; zstd's
// module has a glue of its own, js/gen/zstd.mjs, which js/wasm.mjs imports).
export {
  default,
  initSync,
  __ironlungReinstantiate,
  installRanks,
  inputBuffer,
  lastAllocFailure,
  lastPanicMessage,
  encodingId,
  encodingIdForModel,
  encodingName,
  listEncodings,
  specialTokens,
  nVocab,
  rankTable,
  ranksAvailable,
  encode,
  encodeOrdinary,
  count,
  countInput,
  countWithin,
  countBatch,
  decode,
  decodeBytes,
  truncate,
  truncateWith,
  chunk,
  compress,
  compressWith,
  compressWithBytes,
  decompress,
  decompressWith,
  decompressWithBytes,
  Dictionary,
  trainDictionary,
  frameInfo,
  ZstdCompressor,
  ZstdDecompressor,
  textFromBytes,
  isBinary,
  checkPath,
  checkRead,
  readCap,
  openFailed,
  fileText,
  fileContext,
  panicForTest,
  oomForTest,
} from './gen/wasm.mjs';
