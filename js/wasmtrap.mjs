// Recovery after a wasm trap (a Rust panic aborts to `unreachable` on wasm32).
//
// A trap unwinds the JS stack but leaves the module's shadow-stack pointer where the
// aborted call left it; repeated traps would leak that stack until the module overflows.
// No wasm frame is live once control is back in JS, so the pointer is reset to the value
// it had before the first call, and the panic message the Rust hook recorded is reported.

/**
 * @param {object} glue the wasm-bindgen JS module (for lastPanicMessage)
 * @param {object|null} wasm the raw instance exports (for the stack pointer)
 * @returns {(e: Error) => string} the message to report for a trap
 */
export function trapHandler(glue, wasm) {
  const sp = wasm && wasm.__wbindgen_add_to_stack_pointer;
  const base = typeof sp === 'function' ? sp(0) : null;
  return (e) => {
    if (base !== null) sp(base - sp(0));
    let panic = '';
    try {
      panic = glue.lastPanicMessage();
    } catch {
      // The message is a courtesy; the trap is reported either way.
    }
    return `ironlung's wasm module trapped (${e.message})${panic ? `: ${panic}` : ''}`;
  };
}
