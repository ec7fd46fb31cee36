// @ts-check
// Where the wasm backend's files are, for runtimes that fetch them.
//
// Each file is named by its own literal `new URL('./file', import.meta.url)`: that exact
// form is what webpack 5, Vite, Rollup and Turbopack recognise as an asset reference, so
// they copy the file into the build and rewrite the URL. This module sits beside the files
// so that a bundler that leaves the form alone (esbuild) resolves them beside its bundle,
// where copying them is the one step the README's "Bundlers and frameworks" asks for.

// A classic-script bundle has no import.meta (esbuild's iife: `new URL(f, undefined)`
// throws): resolve beside the script instead, known only while it first runs. (An SVG
// document's script has no `src`: undefined, as without a script.)
const scriptUrl =
  typeof document !== 'undefined' && document.currentScript ? /** @type {{ src?: string }} */ (document.currentScript).src : undefined;

/**
 * @param {() => URL} make
 * @param {string} file
 */
function at(make, file) {
  try {
    return make();
  } catch {
    return new URL(file, scriptUrl || globalThis.location?.href);
  }
}

/**
 * The wasm module for runtimes without a file system: the tokenizer and text (zstd is a
 * module of its own, below; the session log runs only where there is a file system).
 * (Deno, which runs the log, loads the whole module, `ironlung.wasm`: js/deno-wasm.mjs. Its
 * URL is not written here, where a bundler would copy that file into a page's build too.)
 */
export function wasmUrl() {
  return at(() => new URL('./ironlung-web.wasm', import.meta.url), './ironlung-web.wasm');
}

/**
 * zstd's wasm module for runtimes without a file system, loaded beside the web module on
 * first use (`loadZstd`, `init`, or an asynchronous zstd call), so that a page that only
 * counts tokens never downloads it.
 */
export function zstdWasmUrl() {
  return at(() => new URL('./ironlung-zstd.wasm', import.meta.url), './ironlung-zstd.wasm');
}

/**
 * A rank table's file (`cl100k_base`, ...); undefined for a name that is not one.
 * @param {string} table
 */
export function rankUrl(table) {
  switch (table) {
    case 'r50k_base':
      return at(() => new URL('./r50k_base.wasm', import.meta.url), './r50k_base.wasm');
    case 'p50k_base':
      return at(() => new URL('./p50k_base.wasm', import.meta.url), './p50k_base.wasm');
    case 'cl100k_base':
      return at(() => new URL('./cl100k_base.wasm', import.meta.url), './cl100k_base.wasm');
    case 'o200k_base':
      return at(() => new URL('./o200k_base.wasm', import.meta.url), './o200k_base.wasm');
    default:
      return undefined;
  }
}
