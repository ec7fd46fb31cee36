// @ts-check
// The one error class of ironlung, and the mapping from binding errors to it.
//
// Both bindings throw plain Errors whose message starts with the stable code
// ("ERR_FILE_TOO_LARGE: ..."), because that is the one error shape napi-rs and
// wasm-bindgen can both produce without extra machinery. This module turns that prefix
// into `error.code`, so users see the same error on either backend.

/** @import { ErrorCode } from 'ironlung' */

/** The mark every IronlungError carries, the same symbol in every copy of this module. */
const BRAND = Symbol.for('ironlung.IronlungError');

export class IronlungError extends Error {
  /**
   * @param {ErrorCode} code stable code, e.g. 'ERR_FILE_TOO_LARGE' or 'ENOENT'
   * @param {string} message what was wrong, naming the value and limit at fault
   */
  constructor(code, message) {
    super(message);
    /** @type {'IronlungError'} */
    this.name = 'IronlungError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `instanceof` holds for an IronlungError of any copy of this class: the CommonJS entry
   * is a bundle with its own copy (js/node.bundle.cjs), and a process may load another
   * entry, or another install of the package, beside it.
   * @param {unknown} v
   */
  static [Symbol.hasInstance](v) {
    return typeof v === 'object' && v !== null && /** @type {any} */ (v)[BRAND] === true;
  }
}

const CODE_PREFIX = /^((?:ERR|E)[A-Z0-9_]*): ([\s\S]*)$/;

/** v8::String::kMaxLength on 64-bit platforms. */
const MAX_V8_STRING = 2 ** 29 - 24;

/**
 * A result string the engine refused to create: napi-rs's conversion failure (native),
 * Node's ERR_STRING_TOO_LONG (wasm-bindgen's TextDecoder), V8's "Invalid string length".
 * @param {any} e anything thrown
 * @param {string} message
 */
function isStringTooLong(e, message) {
  return (
    (e && e.code === 'ERR_STRING_TOO_LONG') ||
    message === 'Failed to convert rust `String` into napi `string`' ||
    (e instanceof RangeError && message === 'Invalid string length')
  );
}

/**
 * Rethrows `e` as an IronlungError when it carries a code; `onTrap` explains a wasm trap
 * (and replaces the instance), returning the code and message to throw.
 * @param {any} e anything thrown
 * @param {(e: WebAssembly.RuntimeError) => { code: ErrorCode, message: string }} [onTrap]
 * @returns {never}
 */
export function rethrow(e, onTrap) {
  if (e instanceof IronlungError) throw e;
  const message = e && typeof e.message === 'string' ? e.message : String(e);
  const m = CODE_PREFIX.exec(message);
  // CODE_PREFIX matches only the shape of an ErrorCode.
  if (m) throw new IronlungError(/** @type {ErrorCode} */ (m[1]), m[2]);
  if (isStringTooLong(e, message)) {
    throw new IronlungError(
      'ERR_STRING_TOO_LONG',
      `the result is longer than the longest string this JavaScript engine can hold (V8: ${MAX_V8_STRING} UTF-16 units); ` +
        'ask for less at a time (decode fewer tokens, read a smaller file), or use a call that returns bytes (decodeBytes)',
    );
  }
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
    /** @type {{ code: ErrorCode, message: string }} */
    const trap = onTrap ? onTrap(e) : { code: 'ERR_INTERNAL', message: `ironlung's wasm module trapped: ${message}` };
    throw new IronlungError(trap.code, trap.message);
  }
  // Node fs errors carry `code` already; keep their message as Node wrote it, minus the prefix.
  if (e && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) {
    throw new IronlungError(e.code, message.startsWith(e.code + ': ') ? message.slice(e.code.length + 2) : message);
  }
  throw e;
}

/** @param {string} message */
export function invalidArg(message) {
  return new IronlungError('ERR_INVALID_ARG', message);
}

// 'an Int32Array', 'an ArrayBuffer', but 'a Uint8Array' (a "you" sound).
const article = (/** @type {string} */ name) => `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;

/**
 * How a value reads in an error message: `number 42`, `number NaN`, `undefined`, `a Uint8Array`, `null`.
 * @param {unknown} v
 */
export function typeName(v) {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return article(v.constructor.name);
  switch (typeof v) {
    case 'object':
      return v.constructor && v.constructor.name ? article(v.constructor.name) : 'an object';
    case 'function':
      return 'a function';
    case 'string':
      return `string ${JSON.stringify(v)}`;
    case 'number':
      return `number ${Object.is(v, -0) ? '-0' : String(v)}`;
    case 'bigint':
      return `bigint ${v}n`;
    default: // boolean, symbol
      return `${typeof v} ${String(v)}`;
  }
}

/**
 * `v` if it is a string, else an `ERR_INVALID_ARG` naming `what` and what it got.
 * @param {unknown} v
 * @param {string} what
 * @returns {string}
 */
export function needString(v, what) {
  if (typeof v !== 'string') throw invalidArg(`${what} must be a string, got ${typeName(v)}`);
  return v;
}
