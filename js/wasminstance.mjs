// @ts-check
// The wasm module's instance, replaced by a fresh one after every trap.
//
// wasm32 aborts on a panic and on a failed allocation: the instance traps mid-call, with
// its RefCells borrowed, the call's memory never freed and its shadow stack wherever the
// call left it. No state of it can be trusted afterwards, so it is not repaired but
// replaced: the compiled module is instantiated again and the rank tables installed so far
// are installed again, so the next call runs at full speed with the same encodings (each
// one's vocabulary is rebuilt on its first use). The trapped instance, its memory included,
// is left to the garbage collector.
//
// The cost: the rank tables installed stay referenced from JS (0.3 to 1.2 MB each) so that
// they can be installed again.

/** @import { ErrorCode } from 'ironlung' */

const utf8 = new TextEncoder();

/**
 * The raw exports of an instance, as far as they are read here.
 * @typedef {{ memory: WebAssembly.Memory, __wbindgen_add_to_stack_pointer?: (delta: number) => number }} Exports
 */

/**
 * What is called here of the wasm-bindgen JS module, with the `__ironlungReinstantiate`
 * that scripts/glue.mjs adds.
 * @typedef {object} Glue
 * @property {(table: string, bytes: Uint8Array) => void} [installRanks] the tokenizer's (not in zstd's glue)
 * @property {() => number} lastAllocFailure
 * @property {() => string} lastPanicMessage
 * @property {(len: number) => number} [inputBuffer] the tokenizer's (not in zstd's glue)
 * @property {() => Exports} __ironlungReinstantiate
 */

/**
 * @template {Glue} G
 * @param {G} glue the wasm-bindgen JS module, or the part of it the API calls (js/coreglue.mjs)
 * @returns the binding to give createApi (the glue, remembering the tables it installs),
 *   `attach(exports)` for the first instance, `onTrap`, `writeUtf8` and `epoch` for createApi's host
 */
export function wasmInstance(glue) {
  /**
   * table -> the bytes installed, to install again in a fresh instance
   * @type {Map<string, Uint8Array>}
   */
  const installed = new Map();
  /** @type {Exports | null} */
  let exports = null;
  /** @type {number | null} */
  let stackBase = null;
  /** Counts the instances: what lives in one (a prepared dictionary) is gone in the next. */
  let epoch = 0;

  /** @param {Exports} raw */
  function attach(raw) {
    exports = raw;
    epoch++;
    const sp = raw.__wbindgen_add_to_stack_pointer;
    stackBase = typeof sp === 'function' ? sp(0) : null;
  }

  const binding = {
    ...glue,
    /**
     * @param {string} table
     * @param {Uint8Array} bytes
     */
    installRanks(table, bytes) {
      /** @type {NonNullable<Glue['installRanks']>} */ (glue.installRanks)(table, bytes);
      installed.set(table, bytes);
    },
  };

  /** What the trapped call ran into, read from the trapped instance before it goes. */
  function diagnose() {
    let panic = '';
    let failed = 0;
    const memory = exports ? exports.memory.buffer.byteLength : 0;
    try {
      // Back to the stack pointer of a call from JS, so reading the diagnosis has stack.
      const sp = exports?.__wbindgen_add_to_stack_pointer;
      if (sp && stackBase !== null) sp(stackBase - sp(0));
      failed = glue.lastAllocFailure();
      panic = glue.lastPanicMessage();
    } catch {
      // The trapped instance may not answer; the trap is reported either way.
    }
    return { panic, failed, memory };
  }

  function replace() {
    attach(glue.__ironlungReinstantiate());
    for (const [table, bytes] of installed) {
      try {
        /** @type {NonNullable<Glue['installRanks']>} */ (glue.installRanks)(table, bytes);
      } catch {
        // Bytes the caller changed since: this table loads again on its next use.
        installed.delete(table);
      }
    }
  }

  /**
   * After a trap: replaces the instance, and returns the error to report.
   * @param {Error} e the WebAssembly.RuntimeError
   * @returns {{ code: ErrorCode, message: string }}
   */
  function onTrap(e) {
    const { panic, failed, memory } = diagnose();
    let after = 'a fresh instance of the module replaces it, with the encodings loaded so far';
    try {
      replace();
    } catch (err) {
      after = `and could not be replaced (${err && err.message})`;
    }
    if (failed) {
      return {
        code: 'ERR_OUT_OF_MEMORY',
        message:
          `ironlung's wasm module ran out of memory: an allocation of ${failed} bytes failed with ${memory} bytes of ` +
          `wasm memory in use (wasm32 allows at most 4 GiB); ${after}`,
      };
    }
    return { code: 'ERR_INTERNAL', message: `ironlung's wasm module trapped (${e.message})${panic ? `: ${panic}` : ''}; ${after}` };
  }

  /**
   * Writes `text` as UTF-8 into the module's input buffer without wasm-bindgen's character
   * loop (V8 does not always run that loop optimized, after a major GC for one) and returns
   * the bytes written; lone surrogates become U+FFFD.
   * @param {string} text
   */
  function writeUtf8(text) {
    const cap = text.length * 3;
    // Only an Encoding calls this, through the tokenizer's glue.
    const ptr = /** @type {NonNullable<Glue['inputBuffer']>} */ (glue.inputBuffer)(cap);
    // After inputBuffer: growing the buffer may have grown (and replaced) the memory.
    // Attached, as an Encoding exists.
    return utf8.encodeInto(text, new Uint8Array(/** @type {Exports} */ (exports).memory.buffer, ptr, cap)).written;
  }

  return { binding, attach, onTrap, writeUtf8, isAttached: () => exports !== null, epoch: () => epoch };
}
