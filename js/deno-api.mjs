// @ts-check
// Deno's API object. Where FFI is allowed (--allow-ffi, or -A) and the platform's addon is
// installed, the native addon, loaded as Node and Bun load it (js/node.cjs): the native
// backend's speed, and its work off the JS thread. Otherwise the wasm build
// (js/deno-wasm.mjs), which needs only --allow-read. Only permissions already granted are
// looked at, so loading never prompts. IRONLUNG_BACKEND, where --allow-env lets it be read,
// forces one as it does under Node.
import { createRequire } from 'node:module';
import { IronlungError } from './errors.mjs';

/** @param {{ name: string, variable?: string }} what */
function granted(what) {
  try {
    return Deno.permissions.querySync(what).state === 'granted';
  } catch {
    return false;
  }
}

const require = createRequire(import.meta.url);
const { forcedBackend, loadNative, nativeUnavailable } = require('./loader.cjs');
const forced = forcedBackend();
/** @type {any} */
let api = null;
if (forced !== 'wasm' && granted({ name: 'ffi' })) {
  const native = loadNative();
  // node.cjs loads the same addon again, from require's cache.
  // The package's CommonJS entry (scripts/build.sh bundles js/node.cjs into it), named by
  // a variable: TypeScript checks the sources, not the bundle.
  const entry = './node.bundle.cjs';
  if (native.binding) api = require(entry);
  else if (forced === 'native') throw nativeUnavailable(native.errors);
} else if (forced === 'native') {
  throw new IronlungError('ERR_BACKEND_UNAVAILABLE', 'IRONLUNG_BACKEND=native: under Deno the native addon needs --allow-ffi (or -A)');
}
api ??= (await import('./deno-wasm.mjs')).default;

export default api;
