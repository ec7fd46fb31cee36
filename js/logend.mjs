// @ts-check
// Where a session log ends, and its dictionary: the steps an open takes, written once as
// generators that yield each read they need (`[offset, length]`) and are handed its bytes.
// `readAsync` runs them over a file's async reads (an open, a reopen, the write loop's reload
// after a wasm trap), `readSync` over its synchronous ones (the reload at the process's exit).

/**
 * @import { Codec } from './log.mjs'
 * @import { LogFileHandle } from './logfiles.mjs'
 */

/** A log's header, before its first frame. */
export const HEADER = 64;

/**
 * @typedef {Generator<[number, number], T, Uint8Array>} Steps
 * @template T
 */

/**
 * The bytes of the whole frame at `at`, from `at`.
 * @param {Codec} codec
 * @param {number} at
 * @returns {Steps<Uint8Array>}
 */
export function* frameSteps(codec, at) {
  let w = yield [at, 4096];
  const info = codec.frameInfo(w, at, at);
  if (info[0] === 1) w = yield [at, info[1] - at];
  return w;
}

/**
 * Loads the dictionary frame at `dictAt` (0: none) into `codec`, unless it has one. A
 * damaged dictionary frame is ERR_CORRUPT_LOG, or with `skip` (`onCorrupt: 'skip'`) leaves
 * the codec without it: the frames compressed with it then read as damaged ranges, and the
 * records before it and after them still read.
 * @param {Codec} codec
 * @param {number} dictAt
 * @param {<T>(f: () => T) => T} call the binding's calls, their errors mapped to IronlungErrors
 * @param {boolean} skip
 * @returns {Steps<void>}
 */
export function* dictionarySteps(codec, dictAt, call, skip) {
  if (dictAt === 0 || codec.dictionaryId() !== -1) return;
  const w = yield* frameSteps(codec, dictAt);
  try {
    call(() => codec.loadDictionary(w, dictAt, dictAt));
  } catch (e) {
    if (!skip || /** @type {{ code?: string }} */ (e)?.code !== 'ERR_CORRUPT_LOG') throw e;
  }
}

/**
 * Sets `codec`'s tail from the last valid frame of a file of `size` bytes, found from the
 * end (one read for an intact log), loads the log's dictionary, and returns the end.
 * @param {Codec} codec
 * @param {number} size
 * @param {<T>(f: () => T) => T} call
 * @param {boolean} skip see dictionarySteps
 * @returns {Steps<number>}
 */
export function* endSteps(codec, size, call, skip) {
  let from = Math.max(HEADER, size - (64 << 10));
  let r;
  for (;;) {
    const window = yield [from, size - from];
    r = call(() => codec.recover(window, from, size));
    if (r[0] !== 2) break;
    from = r[1];
  }
  yield* dictionarySteps(codec, codec.tail()[5], call, skip);
  return r[1];
}

/**
 * Runs `steps` over `f`'s reads.
 * @template T
 * @param {Steps<T>} steps
 * @param {LogFileHandle} f
 * @returns {Promise<T>}
 */
export async function readAsync(steps, f) {
  let s = steps.next();
  while (!s.done) s = steps.next(await f.read(s.value[0], s.value[1]));
  return s.value;
}

/**
 * Runs `steps` over `readNow`, on this thread.
 * @template T
 * @param {Steps<T>} steps
 * @param {(offset: number, len: number) => Uint8Array} readNow
 * @returns {T}
 */
export function readSync(steps, readNow) {
  let s = steps.next();
  while (!s.done) s = steps.next(readNow(s.value[0], s.value[1]));
  return s.value;
}

