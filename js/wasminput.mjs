// Long strings into the wasm module without wasm-bindgen's character loop.
//
// The glue copies a string into wasm memory with a JS loop up to its first non-ASCII
// character. V8 does not always run that loop optimized: after a major GC it was measured
// at about 15 ns a character, 3 ms for a 200 KB part of the code corpus, more than the
// count itself. Long strings are written with TextEncoder.encodeInto, straight into a
// buffer the module keeps (`inputBuffer`), and counted from there (`countInput`).

const utf8 = new TextEncoder();

/**
 * @param {object} glue the wasm-bindgen module
 * @param {object} wasm the raw instance exports (for `memory`)
 * @returns {(text: string) => number} writes `text` as UTF-8 into the module's input buffer
 *   and returns the number of bytes written (lone surrogates become U+FFFD, as in the glue)
 */
export function utf8Writer(glue, wasm) {
  return (text) => {
    const cap = text.length * 3;
    const ptr = glue.inputBuffer(cap);
    // After inputBuffer: growing the buffer may have grown (and replaced) the memory.
    return utf8.encodeInto(text, new Uint8Array(wasm.memory.buffer, ptr, cap)).written;
  };
}
