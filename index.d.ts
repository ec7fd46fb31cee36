// Type declarations for every ironlung entry: Node and Bun (native addon, or wasm
// fallback), browsers, Deno and edge runtimes (wasm). Same names, same types, same results.

/** Which implementation answers calls: the Node-API addon or the WebAssembly build. */
export type Backend = 'native' | 'wasm';

/** The OpenAI encodings ironlung implements. `getEncoding('gpt2')` is an alias of `r50k_base`. */
export type EncodingName = 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base' | 'o200k_harmony';

/**
 * Stable error codes. OS errors keep the code Node gives them (`ENOENT`, `EISDIR`, `EACCES`, ...).
 */
export type ErrorCode =
  | 'ERR_FILE_TOO_LARGE'
  | 'ERR_BINARY_FILE'
  | 'ERR_NOT_REGULAR_FILE'
  | 'ERR_UNKNOWN_ENCODING'
  | 'ERR_UNKNOWN_MODEL'
  | 'ERR_INVALID_TOKEN'
  | 'ERR_DISALLOWED_SPECIAL'
  | 'ERR_CORRUPT_DATA'
  | 'ERR_OUTPUT_TOO_LARGE'
  | 'ERR_DICTIONARY_MISMATCH'
  | 'ERR_INVALID_ARG'
  | 'ERR_UNSUPPORTED_RUNTIME'
  | 'ERR_NOT_INITIALIZED'
  | 'ERR_ASSET_UNAVAILABLE'
  | 'ERR_BACKEND_UNAVAILABLE'
  | 'ERR_INTERNAL'
  | 'ERR_OUT_OF_MEMORY'
  | 'ERR_STRING_TOO_LONG'
  | 'ERR_CORRUPT_LOG'
  | 'ERR_LOG_LOCKED'
  | 'ERR_LOG_MOVED'
  | 'ERR_LOG_CLOSED'
  | 'ERR_LOG_READ_ONLY'
  | `E${Uppercase<string>}`;

/**
 * Every error ironlung throws or rejects with. `instanceof` holds for an error from any entry
 * or install of the package.
 */
export declare class IronlungError extends Error {
  /** Always `'IronlungError'`. */
  readonly name: 'IronlungError';
  /** A stable code: switch on this, not on the message. */
  readonly code: ErrorCode;
  /** An error with `code`; ironlung throws these, you need not make any. */
  constructor(code: ErrorCode, message: string);
}

/** Which special tokens `encode` treats as special: `'all'` or a list of their texts. */
export type SpecialTokens = 'all' | readonly string[] | ReadonlySet<string>;

/** Options of {@link Encoding.encode} and `encodeAsync`: which special tokens the text may hold. */
export interface EncodeOptions {
  /**
   * Special tokens to encode as their ids when they appear in the text. Default: none.
   */
  allowedSpecial?: SpecialTokens | undefined;
  /**
   * Special tokens whose appearance in the text is an `ERR_DISALLOWED_SPECIAL` error.
   * Default `'all'`, meaning every special token not in `allowedSpecial`. Pass `[]` to
   * encode special-token text as ordinary text. (tiktoken's semantics.)
   */
  disallowedSpecial?: SpecialTokens | undefined;
}

/**
 * One OpenAI BPE encoding. Encodings are shared, immutable and load their rank data on first
 * use; there is nothing to free.
 *
 * Text is taken as Unicode scalar values: a lone UTF-16 surrogate in a JS string (which has
 * no UTF-8 form) is read as U+FFFD, exactly as `TextEncoder` does, on both backends.
 */
export interface Encoding {
  /** The encoding's name, e.g. `'cl100k_base'`. */
  readonly name: EncodingName;
  /** The encoding's special tokens, in id order. */
  readonly specialTokens: readonly string[];
  /** One past the largest token id, special tokens included. */
  readonly nVocab: number;

  /**
   * Token ids of `text`, identical to tiktoken's `encode`.
   * @throws {IronlungError} `ERR_DISALLOWED_SPECIAL` if the text contains a disallowed special
   *   token (by default: any); `ERR_INVALID_ARG` for an unknown special token in the options.
   */
  encode(text: string, options?: EncodeOptions): Uint32Array;
  /** Token ids of `text`, with special-token text encoded as ordinary text. */
  encodeOrdinary(text: string): Uint32Array;
  /**
   * The ordinary token count of `text`, without building the array. On the native backend a
   * text of 64 KiB or more is split across cores where every pattern ends a piece, so the
   * count is the sequential one (`IRONLUNG_THREADS=1` keeps it on the calling thread).
   */
  count(text: string): number;
  /**
   * The text of `tokens`. Byte sequences that are not valid UTF-8 (a token sequence cut
   * inside a character) become U+FFFD.
   * @throws {IronlungError} `ERR_INVALID_TOKEN` naming the first id that is not in the encoding.
   */
  decode(tokens: Uint32Array | readonly number[]): string;
  /** The raw bytes of `tokens`. @throws {IronlungError} `ERR_INVALID_TOKEN`. */
  decodeBytes(tokens: Uint32Array | readonly number[]): Uint8Array;
  /**
   * The longest prefix of `text` whose own token count is at most `maxTokens`. It never
   * splits a character (a code point; a surrogate pair stays whole).
   * @param maxTokens a non-negative integer; `Infinity` keeps the whole text.
   * @throws {IronlungError} `ERR_INVALID_ARG` if `maxTokens` is not a non-negative integer or
   *   `Infinity`.
   */
  truncate(text: string, maxTokens: number, options?: TruncateOptions): string;

  /**
   * `count(text)` if it is at most `limit`, else `false`. Stops early: the cost grows with
   * `limit`, not with the length of `text`.
   */
  isWithinLimit(text: string, limit: number): number | false;
  /**
   * Splits `text` into chunks of at most `maxTokens` tokens each (counted on their own).
   * With `overlap: 0` the chunks' texts joined give back `text` exactly.
   * @throws {IronlungError} `ERR_INVALID_ARG` for `maxTokens < 1`, `overlap >= maxTokens`, or a
   *   budget smaller than one character's tokens (an emoji of 2 tokens with `maxTokens: 1`).
   */
  chunk(text: string, options: ChunkOptions): Chunk[];
  /** The ordinary token count of each string, in one call. */
  countBatch(texts: readonly string[]): Uint32Array;
  /** `count` off the JS thread on the native backend; large texts may use every core. */
  countAsync(text: string): Promise<number>;
  /** `encode` off the JS thread on the native backend. */
  encodeAsync(text: string, options?: EncodeOptions): Promise<Uint32Array>;
  /** `chunk` off the JS thread on the native backend. */
  chunkAsync(text: string, options: ChunkOptions): Promise<Chunk[]>;
}

/** Options of {@link Encoding.truncate}. */
export interface TruncateOptions {
  /**
   * Where text is removed: `'end'` keeps the head (the default), `'start'` keeps the tail,
   * `'middle'` keeps the head and the tail around `marker`.
   */
  from?: 'end' | 'start' | 'middle' | undefined;
  /**
   * Text put where content was removed; `{omitted}` in it becomes the number of tokens the
   * removed text counts on its own. Default: none for `'end'` and `'start'`,
   * `'\n[… {omitted} tokens omitted …]\n'` for `'middle'`. The result, marker included,
   * never exceeds `maxTokens`; a marker that alone exceeds it is `ERR_INVALID_ARG`.
   */
  marker?: string | undefined;
}

/** Options of {@link Encoding.chunk} and `chunkAsync`. */
export interface ChunkOptions {
  /** The most tokens a chunk may count. */
  maxTokens: number;
  /** Tokens each chunk repeats from the end of the previous one. Default 0. */
  overlap?: number | undefined;
  /**
   * Where chunks may end: `'token'` (default) anywhere on a character boundary, `'line'`
   * after a line break, `'paragraph'` after a blank line. A line or paragraph longer than
   * `maxTokens` falls back to the next finer boundary.
   */
  boundary?: 'token' | 'line' | 'paragraph' | undefined;
}

/** One chunk {@link Encoding.chunk} returns. */
export interface Chunk {
  /** `text.slice(start, end)` of the input. */
  text: string;
  /** Start offset in the input string (UTF-16 code units, as `String.prototype.slice` takes). */
  start: number;
  /** End offset (exclusive) in the input string. */
  end: number;
  /** The chunk's own token count. */
  tokens: number;
}

/** A chat message, in the shape of OpenAI's Chat Completions API. */
export interface ChatMessage {
  /** Who wrote it; any string is counted as its text. */
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function' | (string & {});
  /**
   * Text, or an array of content parts (only `{ type: 'text', text }` parts are counted; a
   * `'text'` part without its `text` string is `ERR_INVALID_ARG`).
   */
  content?: string | null | undefined | ReadonlyArray<{ type: string; text?: string }>;
  /** The author's name; a non-empty one counts. `null` or `undefined`: none. */
  name?: string | null | undefined;
  /**
   * The tool calls an assistant message makes: function calls (name and arguments count) and
   * custom tool calls (name and input count); `null`: none.
   */
  tool_calls?: ReadonlyArray<ChatToolCall> | null | undefined;
  /** The call a `tool` message answers; checked to be a string, not counted. */
  tool_call_id?: string | null | undefined;
  /** The deprecated single function call; `null` (as OpenAI's SDK types it): none. */
  function_call?: { name: string; arguments: string } | null | undefined;
}

/** A tool call in an assistant message, as OpenAI's Chat Completions API shapes it. */
export type ChatToolCall =
  | { id?: string | undefined; type?: 'function' | undefined; function: { name: string; arguments: string } }
  | { id?: string | undefined; type: 'custom'; custom: { name: string; input: string } };

/**
 * A tool definition, in the shape of OpenAI's `tools` request parameter: a function tool or
 * a custom (free-form) tool. Another `type` is `ERR_INVALID_ARG`.
 */
export type ToolDefinition = FunctionToolDefinition | CustomToolDefinition;

/** A function tool: its name, description and JSON Schema `parameters` all count. */
export interface FunctionToolDefinition {
  type: 'function';
  function: { name: string; description?: string | undefined; parameters?: Record<string, unknown> | undefined };
}

/**
 * A custom tool (free-form input): its name and description count as a function's with no
 * parameters; its `format` (a grammar the model's input follows) is not counted.
 */
export interface CustomToolDefinition {
  type: 'custom';
  custom: { name: string; description?: string | undefined; format?: Record<string, unknown> | undefined };
}

/** Options of {@link countChat}. */
export interface CountChatOptions {
  /** The model: picks the encoding and the per-message overheads. */
  model: string;
  /** Tool definitions sent with the request; they count toward the prompt. */
  tools?: readonly ToolDefinition[] | null | undefined;
}

/**
 * The prompt tokens a chat request uses: messages, names, tool calls, tool definitions and
 * the reply priming, following the overheads OpenAI documents (see README, "countChat").
 * @throws {IronlungError} `ERR_UNKNOWN_MODEL`, `ERR_INVALID_ARG` for a malformed message.
 */
export declare function countChat(messages: readonly ChatMessage[], options: CountChatOptions): number;

/** Options of {@link readForContext}: `maxBytes` as for {@link readTextFile}, and the token budget. */
export interface ReadForContextOptions extends ReadOptions {
  /**
   * The token budget; the text is truncated (with a marker) to fit. A budget under the
   * marker's own tokens (8) cuts without one; `truncated` says so. Default: no limit.
   */
  maxTokens?: number | undefined;
  /** The encoding to count with (`'gpt2'` is `r50k_base`). Default `o200k_base` (or the model's, with `model`). */
  encoding?: EncodingName | 'gpt2' | undefined;
  /** Count with this model's encoding. Give `encoding` or `model`, not both (`ERR_INVALID_ARG`). */
  model?: string | undefined;
  /** Where to cut when over budget: `'end'` (keep the head, default) or `'middle'`. */
  truncate?: 'end' | 'middle' | undefined;
}

/** What {@link readForContext} resolves to. */
export interface ContextFile {
  /** The decoded (and possibly truncated) text, marker included. */
  text: string;
  /** Tokens of `text` as returned. */
  tokens: number;
  /** Whether anything was cut. */
  truncated: boolean;
  /** How many tokens the removed text counts on its own (0 if nothing was cut). */
  omittedTokens: number;
  /** Bytes read from the file. */
  bytes: number;
  /** The encoding used. */
  encoding: EncodingName;
}

/**
 * Reads a file into a prompt in one call: bounded read, binary check, decoding, counting,
 * and truncation with a marker. Off the JS thread on the native backend. Same errors as
 * {@link readTextFile}.
 */
export declare function readForContext(path: string | URL, options?: ReadForContextOptions): Promise<ContextFile>;

/** The backend that answers calls in this runtime. */
export declare const backend: Backend;

/**
 * A compiled `WebAssembly.Module` where the project's libraries declare one (the DOM lib);
 * else any object, so that a project without the DOM lib (Node's types only) type-checks.
 */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: any[]) => infer M } } ? M : object;

/** The bytes of a wasm file: what the DOM lib calls a `BufferSource`. */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/**
 * Initialises the WebAssembly build. Never required: Node, Bun, Deno, Cloudflare Workers and
 * Vercel Edge initialise on import, and elsewhere (browsers, Web Workers) the first
 * `await loadEncoding(...)` initialises what tokens need, and `await loadZstd()` what zstd
 * needs. Call it yourself to initialise earlier, before synchronous calls such as
 * `decodeText` or `compress` that precede any `loadEncoding`, or to hand over the module from
 * somewhere else. Idempotent.
 *
 * In browsers ironlung is two modules, so that a page that only counts tokens never
 * downloads zstd: the web module (the tokenizer and text, `assets/ironlung-web.wasm`) and
 * zstd's (`assets/ironlung-zstd.wasm`). With no argument, `init()` initialises both.
 * @param moduleOrBytes the module to initialise instead of the web module: a precompiled
 *   `WebAssembly.Module`, the wasm bytes, a `Response`, or a URL. Default:
 *   `assets/ironlung-web.wasm`, located by `new URL('./ironlung-web.wasm', import.meta.url)`,
 *   which bundlers rewrite. Given one, `init` initialises only it: zstd's module then loads
 *   through {@link loadZstd}. The whole module (`assets/ironlung.wasm`, which Deno loads) also
 *   serves zstd, with nothing more to load.
 * @throws {IronlungError} `ERR_ASSET_UNAVAILABLE` naming the URL tried and the cause;
 *   `ERR_CORRUPT_DATA` for a module that is not ironlung's web or whole module;
 *   `ERR_INVALID_ARG` for an argument that is none of the above, on every backend.
 */
export declare function init(moduleOrBytes?: WasmModule | WasmBytes | Response | URL | string): Promise<void>;

/** The shared encoding `name`. @throws {IronlungError} `ERR_UNKNOWN_ENCODING`. */
export declare function getEncoding(name: EncodingName | 'gpt2' | (string & {})): Encoding;
/**
 * The shared encoding an OpenAI model uses: current names (`gpt-5`, `gpt-4.1-mini`, `o3`,
 * `gpt-4o-2024-08-06`, `gpt-oss-120b`, ...), fine-tunes (`ft:gpt-4o-mini-...:org::id`) and
 * older models. @throws {IronlungError} `ERR_UNKNOWN_MODEL`.
 */
export declare function encodingForModel(model: string): Encoding;
/**
 * Makes sure the rank data of an encoding is loaded, and returns the encoding. `name` is an
 * encoding's name (`'o200k_base'`) or a model's (`'gpt-4o'`, as `encodingForModel` takes it).
 *
 * Node, Bun and Deno load rank data by themselves on first use, so there this resolves at
 * once. In browsers and edge runtimes each encoding's data (`assets/<table>.wasm`, 0.6 MB
 * for cl100k_base, 1.2 MB for o200k_base) downloads only when that encoding is first
 * loaded: call `await loadEncoding(name)` once before `getEncoding(name)`, which otherwise
 * throws `ERR_NOT_INITIALIZED`. It also initialises the wasm module if need be.
 * @param source where to get the data instead of fetching it from beside the module: the
 *   bytes of `<table>.wasm`, that file compiled (`WebAssembly.Module`), a `Response`, or a
 *   URL. The data is checked against this build's fingerprint (`ERR_CORRUPT_DATA` if it differs).
 *   It is read only where the table is not loaded yet: never on the native backend, whose
 *   tables are built in. A `source` of another type is `ERR_INVALID_ARG` on every backend.
 * @throws {IronlungError} `ERR_UNKNOWN_ENCODING` for a name that is neither an encoding nor a
 *   model; `ERR_ASSET_UNAVAILABLE` when the data cannot be fetched (the message names the URL).
 */
export declare function loadEncoding(
  name: EncodingName | 'gpt2' | (string & {}),
  source?: WasmBytes | WasmModule | Response | URL | string,
): Promise<Encoding>;

/** The names of all supported encodings. */
export declare function listEncodings(): EncodingName[];

/**
 * Loads zstd's WebAssembly module where it is one of its own: in browsers and Web Workers,
 * where a page that only counts tokens never downloads it. Call it once before synchronous
 * zstd calls (`compress`, `decompress`, `frameInfo`, `trainDictionary`, `new
 * ZstdDictionary`, the zstd streams), which otherwise throw `ERR_NOT_INITIALIZED`;
 * `compressAsync` and `decompressAsync` load it themselves, and `init()` loads it too.
 *
 * Node, Bun, Deno, Cloudflare Workers and Vercel Edge have zstd from the start: there it
 * resolves at once. Idempotent; concurrent calls share one download.
 * @param moduleOrBytes where to get the module instead of fetching it from beside the web
 *   module (`new URL('./ironlung-zstd.wasm', import.meta.url)`, which bundlers rewrite): a
 *   precompiled `WebAssembly.Module`, its bytes, a `Response`, or a URL. Read only where zstd's
 *   module is not loaded yet.
 * @throws {IronlungError} `ERR_ASSET_UNAVAILABLE` naming the URL tried and the cause;
 *   `ERR_CORRUPT_DATA` for a module that is not ironlung's zstd module; `ERR_INVALID_ARG` for
 *   an argument that is none of the above, on every backend.
 */
export declare function loadZstd(moduleOrBytes?: WasmModule | WasmBytes | Response | URL | string): Promise<void>;

/** Options of {@link compress} and {@link compressAsync}. */
export interface CompressOptions {
  /**
   * A zstd level from -131072 (fastest) to 22 (smallest). Default 3; with a
   * {@link ZstdDictionary}, the level it was prepared at, and no other may be given.
   */
  level?: number | undefined;
  /**
   * A zstd dictionary to compress with: the frame names its id, and decompressing it needs
   * the same dictionary. A `ZstdDictionary` is prepared once for any number of calls; bytes
   * (from {@link trainDictionary} or `zstd --train`) are prepared for this call alone, at
   * `level`. Any other bytes serve as raw content (id 0, which frames cannot name).
   */
  dictionary?: Bytes | ZstdDictionary | undefined;
}

/** Options of {@link decompress} and {@link decompressAsync}. */
export interface DecompressOptions {
  /**
   * The most bytes decompression may produce. A frame that declares more is refused from its
   * header, before anything is allocated. Default 256 MiB. It also bounds the decoding
   * window a frame may need: `max(128 MiB, maxOutputBytes)`, at most 1 GiB.
   */
  maxOutputBytes?: number | undefined;
  /**
   * The dictionary the frames were compressed with. A frame that names another dictionary,
   * or names one when none is given, is `ERR_DICTIONARY_MISMATCH`.
   */
  dictionary?: Bytes | ZstdDictionary | undefined;
}

/** Input for compress: a string is compressed as its UTF-8 bytes. */
export type Bytes = Uint8Array | ArrayBufferView | ArrayBuffer;

/**
 * One zstd frame holding `data`, with its content size and a checksum in the frame.
 * @throws {IronlungError} `ERR_INVALID_ARG` for a level out of range, an empty dictionary, or
 *   a `level` other than a `ZstdDictionary`'s own; `ERR_CORRUPT_DATA` for dictionary bytes
 *   that begin like a zstd dictionary but do not load as one.
 */
export declare function compress(data: string | Bytes, options?: CompressOptions): Uint8Array;
/**
 * The bytes of one or more concatenated zstd frames.
 * @throws {IronlungError} `ERR_CORRUPT_DATA` for invalid, truncated or checksum-failing data
 *   and trailing garbage; `ERR_OUTPUT_TOO_LARGE` past `maxOutputBytes`;
 *   `ERR_DICTIONARY_MISMATCH` (the message names both ids) for a frame compressed with a
 *   dictionary other than the one given, or with one when none is given.
 */
export declare function decompress(data: Bytes, options?: DecompressOptions): Uint8Array;
/** `compress` off the JS thread on the native backend (on the calling thread under wasm). */
export declare function compressAsync(data: string | Bytes, options?: CompressOptions): Promise<Uint8Array>;
/** `decompress` off the JS thread on the native backend (on the calling thread under wasm). */
export declare function decompressAsync(data: Bytes, options?: DecompressOptions): Promise<Uint8Array>;

/** Options of {@link trainDictionary}. */
export interface TrainDictionaryOptions {
  /** The largest dictionary to write, in bytes: 256 to 33554432 (32 MiB, the most the zstd CLI loads). Default 112640 (110 KiB, as `zstd --train`). */
  maxBytes?: number | undefined;
}

/**
 * Trains a zstd dictionary from samples of the data to come (JSON records, tool calls, log
 * lines), with zstd's own trainer, as `zstd --train` runs it: small records compress far
 * better with it. The result is a standard zstd dictionary, which `zstd -D` takes too, and
 * the same on both backends for the same samples.
 *
 * Give it many samples (hundreds or more; zstd suggests about 100 times `maxBytes` in all).
 * @param samples strings (as UTF-8) or bytes, one record each
 * @throws {IronlungError} `ERR_INVALID_ARG` for samples that are not an array of strings or
 *   bytes, a `maxBytes` under 256, or samples zstd cannot train from (fewer than 7, or
 *   too little data in them).
 */
export declare function trainDictionary(samples: readonly (string | Bytes)[], options?: TrainDictionaryOptions): Uint8Array;

/** Options of the {@link ZstdDictionary} constructor. */
export interface ZstdDictionaryOptions {
  /** The zstd level to compress at, from -131072 to 22; fixed once prepared. Default 3. */
  level?: number | undefined;
}

/**
 * A zstd dictionary prepared once, to pass as `dictionary` to any number of `compress` and
 * `decompress` calls (and their async twins) without loading it again each time. Nothing
 * to free: it goes with the garbage collector, like any object.
 *
 * ```js
 * const dictionary = new ZstdDictionary(trainDictionary(records));
 * const packed = compress(record, { dictionary });
 * decompress(packed, { dictionary });
 * ```
 */
export declare class ZstdDictionary {
  /**
   * @param bytes a zstd dictionary (from {@link trainDictionary} or `zstd --train`), or any
   *   other bytes, used as raw content (`id` 0)
   * @throws {IronlungError} `ERR_INVALID_ARG` for no bytes or a level out of range;
   *   `ERR_CORRUPT_DATA` for bytes that begin like a zstd dictionary but do not load as one.
   */
  constructor(bytes: Bytes, options?: ZstdDictionaryOptions);
  /** The id frames compressed with it carry (0 for raw content, which frames cannot name). */
  readonly id: number;
  /** The level it compresses at. */
  readonly level: number;
  /** The size in bytes of the dictionary it was prepared from. */
  readonly size: number;
}

/** What the headers of a sequence of zstd frames declare, as {@link frameInfo} reads them. */
export interface FrameInfo {
  /** The content size of all the frames together, or null when a frame does not declare its own. */
  contentSize: number | null;
  /** The largest decoding window any frame needs, in bytes. */
  windowSize: number;
  /** The id of the dictionary the first frame that names one was compressed with, or null. */
  dictionaryId: number | null;
  /** Whether every zstd frame ends in a checksum of its content (false with no zstd frame, only skippable ones). */
  hasChecksum: boolean;
  /** The number of frames, skippable frames included. */
  frames: number;
}

/**
 * Reads the headers of a sequence of zstd frames without decoding them: what they declare,
 * and which dictionary they need, whatever the window (one over 1 GiB, as `zstd --long=31`
 * writes, is reported here and refused by the decoders). Every frame is checked to be
 * complete. Sizes are numbers: exact up to 2^53 bytes.
 * @throws {IronlungError} `ERR_CORRUPT_DATA` for empty input, bytes that are not zstd, a
 *   truncated frame or trailing bytes (the message gives the byte offset).
 */
export declare function frameInfo(data: Bytes): FrameInfo;

/** Options of {@link ZstdCompressionStream} and {@link createZstdCompress}. */
export interface ZstdCompressOptions {
  /** A zstd level from -131072 (fastest) to 22 (smallest). Default 3. */
  level?: number | undefined;
  /** End the frame in a checksum of its content, which decompression verifies. Default true. */
  checksum?: boolean | undefined;
  /**
   * Compress with this dictionary: a `ZstdDictionary` (at its own level; a different `level`
   * is `ERR_INVALID_ARG`), or a dictionary's bytes, prepared for this stream at `level`.
   */
  dictionary?: Bytes | ZstdDictionary | undefined;
  /**
   * The stream's input size in bytes, when known in advance (a file's, say), as node:zlib's
   * option of the same name: the frame then declares its content size, as the `zstd` CLI's
   * frames of files do, so a decoder can allocate once, and zstd sizes its tables to fit.
   * Input that passes it, or an end short of it, errors the stream with `ERR_INVALID_ARG`,
   * naming both sizes.
   */
  pledgedSrcSize?: number | undefined;
}

/** Options of {@link ZstdDecompressionStream} and {@link createZstdDecompress}. */
export interface ZstdDecompressOptions {
  /**
   * The most bytes the whole stream may decode to. The stream errors with
   * `ERR_OUTPUT_TOO_LARGE` as soon as its output would pass it (a frame that declares a
   * larger size fails before it is decoded). Default 256 MiB. Memory stays bounded by the
   * decoding window (`max(128 MiB, maxOutputBytes)`, at most 1 GiB) whatever the output.
   */
  maxOutputBytes?: number | undefined;
  /**
   * The dictionary frames were compressed with. A frame that names another (or any, when
   * none is given) is `ERR_DICTIONARY_MISMATCH`, naming both ids.
   */
  dictionary?: Bytes | ZstdDictionary | undefined;
}

/**
 * A WHATWG `TransformStream`-shaped zstd compressor, usable in `pipeThrough`, as
 * `CompressionStream` is. The output is one zstd frame (a later stream's frames may be
 * concatenated after it). On the native backend the work runs off the JS thread; on wasm it
 * yields to the event loop between chunks. As with a `TransformStream`, cancelling `readable`
 * errors `writable` with the reason, and aborting `writable` errors `readable`.
 * @throws {IronlungError} `ERR_INVALID_ARG` for a level out of range or a checksum that is
 *   not a boolean.
 */
export declare class ZstdCompressionStream {
  /** @throws {IronlungError} `ERR_INVALID_ARG` for an option out of range or of the wrong type. */
  constructor(options?: ZstdCompressOptions);
  /** The compressed bytes: one zstd frame. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The input: strings (as UTF-8) or bytes; another value is `ERR_INVALID_ARG`. */
  readonly writable: WritableStream<string | Bytes>;
  /**
   * Ends the current zstd block, so that everything written before the call can be decoded
   * from what `readable` gives (for a live log). Costs a few bytes each time.
   */
  flush(): Promise<void>;
}

/**
 * A WHATWG `TransformStream`-shaped zstd decompressor for a stream of frames (skippable
 * frames included). Output is decoded only as the reader takes it (the native backend
 * decodes one 1 MiB piece ahead, and a write may resolve once up to 1 MiB of compressed
 * chunks wait for the decoder), so memory stays bounded whatever the input expands to.
 *
 * The readable side errors with `ERR_OUTPUT_TOO_LARGE` past `maxOutputBytes` (the whole
 * stream's), and `ERR_CORRUPT_DATA` for corrupt or truncated frames and for trailing bytes
 * that are not a frame, with their byte offset. As with a `TransformStream`, cancelling
 * `readable` errors `writable` with the reason, and aborting `writable` errors `readable`.
 */
export declare class ZstdDecompressionStream {
  /** @throws {IronlungError} `ERR_INVALID_ARG` for an option out of range or of the wrong type. */
  constructor(options?: ZstdDecompressOptions);
  /** The decoded bytes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The zstd frames, as bytes (a string is `ERR_INVALID_ARG`). */
  readonly writable: WritableStream<Bytes>;
}

// The node:stream types come from @types/node where a project has it; this empty
// declaration merges with them there, and keeps the declarations valid where it has not
// (a browser project).
declare global {
  namespace NodeJS {
    interface ReadWriteStream {}
  }
}

/** A node:stream `Transform` that compresses, with a `flush` that ends the current block. */
export type ZstdCompressTransform = NodeJS.ReadWriteStream & {
  /**
   * Ends the current block once what was written before is compressed (for a live log).
   * node:zlib's `flush(kind, callback)` form is taken too; every kind flushes a block.
   */
  flush(callback?: () => void): void;
  flush(kind: number, callback?: () => void): void;
};

/**
 * A node:stream `Transform` that compresses into one zstd frame, named as node:zlib's
 * `createZstdCompress` (Node 22.15+) so that one can replace the other. The native backend
 * compresses each chunk off the JS thread.
 * @throws {IronlungError} `ERR_UNSUPPORTED_RUNTIME` where there is no node:stream (browsers,
 *   edge runtimes): use `ZstdCompressionStream` there. `ERR_INVALID_ARG` for node:zlib's
 *   `params` (give `level` and `checksum`).
 */
export declare function createZstdCompress(options?: ZstdCompressOptions): ZstdCompressTransform;

/**
 * A node:stream `Transform` that decompresses, named as node:zlib's `createZstdDecompress`.
 * Unlike node:zlib's `maxOutputLength`, which bounds each chunk, `maxOutputBytes` bounds the
 * whole stream; output is decoded as the reader reads it, with backpressure.
 * @throws {IronlungError} `ERR_UNSUPPORTED_RUNTIME` where there is no node:stream.
 *   `ERR_INVALID_ARG` for node:zlib's `maxOutputLength` or `params`: give `maxOutputBytes`.
 */
export declare function createZstdDecompress(options?: ZstdDecompressOptions): NodeJS.ReadWriteStream;

/**
 * How far an append has gone when its promise resolves.
 * - `'sync'`: on stable storage (fdatasync); appends made meanwhile share one sync.
 * - `'flush'`: handed to the OS; survives a crash of the process, not a power loss.
 * - `'none'`: buffered in the process. Resolves at once; the records are written together on
 *   the next turn of the event loop, before any other call on the log runs, by `close()`, and
 *   at the process's exit (`process.exit()` and `Deno.exit()` included), not at a crash. Up to
 *   4 MiB of records (16,384 at most) wait so; an append past that waits for the writes
 *   before it (and the appends made after it, for it). A failed write loses the records it
 *   held and fails the log's later writes and its `close()` (reads go on).
 */
export type Durability = 'sync' | 'flush' | 'none';

/**
 * What a log stores: a string, bytes, or any JSON-serialisable value; read back as given.
 * A value that JSON would silently turn into something else is refused with
 * `ERR_INVALID_ARG`, wherever it sits inside the value (the message names where): a `Map`,
 * `Set`, `ArrayBuffer` or typed array, an `Error`, a `Promise`, a `RegExp` (all `{}`), `NaN`
 * or an infinity (`null`), `undefined` or a function in an array (`null`); so is a string
 * record with a lone surrogate, which UTF-8 cannot hold. A value with a `toJSON` of its own
 * (a `Date`) is stored in the form that gives; a property that is `undefined` is left out.
 */
export type LogRecord = unknown;

/** Options of {@link openLog}. */
export interface OpenLogOptions {
  /** Default `'sync'`. */
  durability?: Durability | undefined;
  /** The zstd level frames are compressed at (default 3), or `false` to store them raw. */
  compression?: number | false | undefined;
  /**
   * `'auto'` (the default): once the log holds 1 MiB or 1000 records, it trains a zstd
   * dictionary from them (quickly: one fastCover setting, not `trainDictionary`'s search),
   * stores it in the log and compresses with it from then on; readers find it in the log. Or a dictionary's bytes, stored in a log that has none yet (a log
   * that has one keeps its own); or `false`.
   */
  dictionary?: 'auto' | Uint8Array | false | undefined;
  /** Create the file if it does not exist (default true). */
  create?: boolean | undefined;
  /** Open to read only, without the writer's locks (default false). Any number of readers may. */
  readOnly?: boolean | undefined;
  /**
   * Damage in the middle of the log: `'error'` (default) rejects with `ERR_CORRUPT_LOG` naming
   * the offset; `'skip'` reads on from the next valid frame. A damaged record is never returned.
   */
  onCorrupt?: 'error' | 'skip' | undefined;
}

/** One record, as {@link EventLog.entries} gives it. */
export interface LogEntry {
  /** Its sequence number: 1 for a log's first record, then one more for each. */
  seq: number;
  /** When it was appended, in milliseconds since the Unix epoch. */
  time: number;
  /** The record, as appended (a JSON value as `JSON.parse` returns it). */
  data: LogRecord;
}

/** A checkpoint, as {@link EventLog.lastCheckpoint} gives it. */
export interface LogCheckpoint {
  /** The last record it covers (0: none). */
  seq: number;
  /** When it was stored, in milliseconds since the Unix epoch. */
  time: number;
  /** The state stored, as given (a JSON value as `JSON.parse` returns it). */
  state: LogRecord;
  /** The `meta` it was stored with; `undefined` when none was given. */
  meta: unknown;
}

/** What {@link EventLog.stats} reports. */
/** Options of `EventLog.compact()`. */
export interface LogCompactOptions {
  /**
   * Writes the records kept into frames of up to 4 MiB, compressed together: `true` at
   * level 9 or the log's level if higher (a log stored raw, `compression: false`: grouped,
   * not compressed), `{ level }` at that zstd level. Default `false`: frames are copied as
   * they are.
   */
  repack?: boolean | { level?: number };
}

export interface LogStats {
  /** Records in the log (after a compaction, those the checkpoint does not cover). */
  records: number;
  /** The seq of its first record (`lastSeq + 1` when it holds none). */
  firstSeq: number;
  /** The seq of its last record (`firstSeq - 1` when it holds none). */
  lastSeq: number;
  /** The records' bytes, as appended (UTF-8 for text and JSON). */
  rawBytes: number;
  /**
   * The log's bytes: where its last frame ends. A `'sync'` writer's file runs on past it, in
   * zeros written ahead of its appends (up to 1 MiB), until `close()`.
   */
  storedBytes: number;
  /** The frames the log is stored in: one per group commit, batch, checkpoint or dictionary. */
  segments: number;
  /** The id of the log's zstd dictionary, or null. */
  dictionaryId: number | null;
}

/** What opening a log cut away: {@link EventLog.recovered}. */
export interface LogRecovered {
  /** Where the torn write started. */
  offset: number;
  /**
   * The bytes cut away (or, read-only, ignored): never a whole acknowledged record. Zeros a
   * `'sync'` writer wrote ahead of its appends are cut without being counted: an open that
   * finds only those reports no `recovered`.
   */
  droppedBytes: number;
}

/** What {@link EventLog.verify} reports. */
export interface LogVerifyReport {
  /** True when nothing is damaged. */
  ok: boolean;
  /** Records read intact. */
  records: number;
  /** Bytes checked. */
  bytes: number;
  /** Each damaged range, with what is wrong there. */
  damaged: { offset: number; length: number; reason: string }[];
}

/** A session log, from {@link openLog}. Calls run in the order they are made. */
export interface EventLog {
  /** The path as given to `openLog` (for a `file:` URL, its path), not resolved. */
  readonly path: string;
  /** Whether it was opened `readOnly`. */
  readonly readOnly: boolean;
  /** What opening the log cut away (a torn last write), or null. */
  readonly recovered: LogRecovered | null;
  /** Appends a record; resolves to its seq once it is as durable as `durability` says. */
  append(record: LogRecord): Promise<number>;
  /** Appends records atomically: after a crash all of them survive or none does. */
  appendBatch(records: readonly LogRecord[]): Promise<number[]>;
  /**
   * The records with `from <= seq < to`, oldest first, in bounded memory. Reading starts near
   * `from` without reading the log before it: at the newest checkpoint when `from` is past
   * it, else where a bisection of the file on its frames' seqs finds (a few 64 KiB reads; a
   * log under 1 MiB is read from its start). Damage in frames before that start is not met.
   * It reads the log as the calls made before its first step left it (their appends
   * resolved); records appended while it runs are read by the next `entries()`.
   */
  entries(range?: { from?: number | undefined; to?: number | undefined }): AsyncIterableIterator<LogEntry>;
  /** Stores a compressed snapshot covering every record appended before it; resolves to the last seq it covers. */
  checkpoint(state: LogRecord, options?: { meta?: unknown }): Promise<number>;
  /**
   * Puts every record appended before it on stable storage (fdatasync), whatever the log's
   * durability: the point, at the end of a turn say, where `'none'` or `'flush'` appends
   * become as durable as `'sync'`'s.
   * @throws {IronlungError} `ERR_LOG_READ_ONLY`, `ERR_LOG_CLOSED`; the OS error of a failed sync.
   */
  sync(): Promise<void>;
  /** The newest checkpoint, or null. */
  lastCheckpoint(): Promise<LogCheckpoint | null>;
  /**
   * Drops the records the newest checkpoint covers. The new file is written beside the old
   * and renamed over it: a crash leaves the old log or the new one, never a mix. A read
   * (`entries()`, `verify()`) under way ends on the file it began on. A damaged frame the
   * checkpoint does not cover is `ERR_CORRUPT_LOG`; damage it covers is dropped with the
   * records, and so is a damaged dictionary once no frame kept needs it. A log with nothing
   * to drop (no checkpoint, or nothing before it but the dictionary) is left as it is.
   * If the directory's sync after the rename fails, it rejects with the OS code (`EIO`, say)
   * though the log is compacted, and goes on with the new file; its next `'sync'` write, or
   * `sync()`, syncs the directory first, and rejects with nothing written while that fails.
   * A log renamed or moved while open (its name now naming no file, or another) is
   * `ERR_LOG_MOVED`: compaction replaces the file by the name the log was opened by.
   *
   * With `{ repack: true }` it also writes the records it keeps (all of them, with no
   * checkpoint) into frames of up to 4 MiB each, compressed together at level 9 or the log's
   * level if higher: a log of small appends takes a fraction of the bytes (a fifth of its
   * JSONL on the benchmark's transcript, against a third as appended). Seqs, times and
   * values stay as they were; appends after it go on as before. The cost: the repack
   * compresses what it keeps (on the libuv pool on native; on wasm on the JS thread,
   * 256 KiB at a time with the event loop turning between), holds 60-70 MB more at its
   * peak, and a reader decodes a whole 4 MiB frame to reach a record in it. A frame an
   * earlier repack packed full (2 MiB or more) at this level or higher is copied as it is,
   * so repacking at the end of each session compresses only what came since.
   * @throws {IronlungError} `ERR_INVALID_ARG` for options that are not `{ repack }` as typed,
   *   or a level out of range (before anything is written).
   */
  compact(options?: LogCompactOptions): Promise<{ droppedRecords: number; bytesBefore: number; bytesAfter: number }>;
  /** Counts, read from the log's last frame. */
  stats(): Promise<LogStats>;
  /**
   * Reads and checks every frame; damage is reported, not thrown. A torn last write is damage
   * too: on a `readOnly` log whose writer is appending, the frame being written may be one.
   */
  verify(): Promise<LogVerifyReport>;
  /**
   * Waits for queued calls, closes the file and releases the writer lock. Calls made after,
   * and the next step of an `entries()` iteration, reject with `ERR_LOG_CLOSED`. Rejects (once
   * closed) with the error of a write that failed the log, as with `'none'`. A log dropped
   * without `close()` closes its file and releases its lock when the garbage collector takes it.
   */
  close(): Promise<void>;
}

/**
 * Opens the crash-safe session log at `path`, creating it unless `create: false`. One
 * writer at a time (`ERR_LOG_LOCKED`; a file with other names, hard links, opens for no
 * writer), any number of `readOnly` readers. The lock file is the name's; a native writer
 * also locks the open file, so that a log renamed or moved under its writer gets no second
 * writer by its new name. A wasm writer locks no file and sees no such lock: with one, do not
 * rename a log while it is open (README.md, "Session log"). A torn last write is
 * cut away on open (see `recovered`), and so is a header cut short; a file that is not a
 * log, however short, is `ERR_CORRUPT_LOG` and left as it is; a FIFO, device or socket is
 * `ERR_NOT_REGULAR_FILE`. Node, Bun and Deno only: elsewhere `ERR_UNSUPPORTED_RUNTIME`. The
 * format is described in FORMAT.md.
 */
export declare function openLog(path: string | URL, options?: OpenLogOptions): Promise<EventLog>;

/** Options of {@link readTextFile} and {@link readTextFileSync}. */
export interface ReadOptions {
  /** The largest file, in bytes, that may be read. Default 1 MiB (1048576). */
  maxBytes?: number | undefined;
}

/**
 * Reads a regular text file safely: never more than `maxBytes + 1` bytes (even from files
 * that grow or report no size), NUL bytes mean binary, UTF-8/16/32 BOMs are honoured and
 * removed, invalid UTF-8 becomes U+FFFD. Off the JS thread on the native backend.
 * @throws {IronlungError} `ERR_FILE_TOO_LARGE`, `ERR_BINARY_FILE`, `ERR_NOT_REGULAR_FILE`
 *   (FIFOs, devices, sockets), OS codes such as `ENOENT` and `EISDIR`; in browsers
 *   `ERR_UNSUPPORTED_RUNTIME`.
 */
export declare function readTextFile(path: string | URL, options?: ReadOptions): Promise<string>;
/** The synchronous twin of {@link readTextFile}. */
export declare function readTextFileSync(path: string | URL, options?: ReadOptions): string;

/** Options of {@link decodeText}. */
export interface DecodeTextOptions {
  /** Refuse inputs longer than this many bytes (`ERR_FILE_TOO_LARGE`). Default: no limit. */
  maxBytes?: number | undefined;
}

/**
 * Decodes bytes you already hold (a `File`, a `fetch` body) with `readTextFile`'s rules.
 * @throws {IronlungError} `ERR_BINARY_FILE`, `ERR_FILE_TOO_LARGE`.
 */
export declare function decodeText(bytes: Bytes, options?: DecodeTextOptions): string;
/** True if `bytes` contains a NUL byte and does not start with a UTF-16 or UTF-32 BOM. */
export declare function isBinary(bytes: Bytes): boolean;

/** Default `maxBytes` of `readTextFile`: 1 MiB. */
export declare const DEFAULT_MAX_BYTES: number;
/** Default `maxOutputBytes` of `decompress`: 256 MiB. */
export declare const DEFAULT_MAX_OUTPUT_BYTES: number;
/** Default zstd level: 3. */
export declare const DEFAULT_LEVEL: number;

/**
 * Why the native addon did not load, one line per place tried, when the wasm build answers
 * on Node or Bun instead (empty when the native addon loaded, or where there is none to
 * try). An addon that exists but fails to load also emits one `IronlungWarning`.
 */
export declare const nativeLoadErrors: readonly string[];

/**
 * @internal Panics inside Rust on purpose; the test suite proves it becomes `ERR_INTERNAL`.
 * `'zstd'`: in the wasm module that serves zstd (a module of its own in browsers).
 */
export declare function __panicForTest(part?: 'zstd'): never;
/**
 * @internal Takes the wasm module's memory to wasm32's 4 GiB limit on purpose; the test suite
 * proves it becomes `ERR_OUT_OF_MEMORY` and that a fresh instance answers the next call.
 * `ERR_UNSUPPORTED_RUNTIME` on the native backend.
 */
export declare function __oomForTest(): never;

/** The whole API as one object: `import ironlung from 'ironlung'`, or CommonJS's `require('ironlung')`. */
declare const ironlung: {
  backend: Backend;
  nativeLoadErrors: readonly string[];
  init: typeof init;
  IronlungError: typeof IronlungError;
  getEncoding: typeof getEncoding;
  encodingForModel: typeof encodingForModel;
  loadEncoding: typeof loadEncoding;
  listEncodings: typeof listEncodings;
  loadZstd: typeof loadZstd;
  compress: typeof compress;
  decompress: typeof decompress;
  compressAsync: typeof compressAsync;
  decompressAsync: typeof decompressAsync;
  trainDictionary: typeof trainDictionary;
  ZstdDictionary: typeof ZstdDictionary;
  frameInfo: typeof frameInfo;
  readTextFile: typeof readTextFile;
  readTextFileSync: typeof readTextFileSync;
  decodeText: typeof decodeText;
  isBinary: typeof isBinary;
  countChat: typeof countChat;
  readForContext: typeof readForContext;
  ZstdCompressionStream: typeof ZstdCompressionStream;
  ZstdDecompressionStream: typeof ZstdDecompressionStream;
  createZstdCompress: typeof createZstdCompress;
  createZstdDecompress: typeof createZstdDecompress;
  openLog: typeof openLog;
  DEFAULT_MAX_BYTES: number;
  DEFAULT_MAX_OUTPUT_BYTES: number;
  DEFAULT_LEVEL: number;
};
export default ironlung;

// Only what is exported above is public (a declaration file otherwise exports every name).
export {};
