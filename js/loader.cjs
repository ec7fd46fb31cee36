// @ts-check
'use strict';
// Picks the backend for Node and Bun: the platform's native addon, else the wasm build.
//
// IRONLUNG_BACKEND=native|wasm forces one. Every attempt that fails is recorded, so that a
// forced native backend that cannot load says exactly what was tried and why.

const fs = require('node:fs');
const path = require('node:path');
const { IronlungError } = require('./errors.mjs');

function isMusl() {
  // Deno says, where reading /usr/bin/ldd could need a permission it would ask for.
  if (typeof Deno !== 'undefined' && Deno.build.env) return Deno.build.env === 'musl';
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    try {
      // @types/node types the report as `object`.
      return !/** @type {{ header: { glibcVersionRuntime?: string } }} */ (process.report.getReport()).header.glibcVersionRuntime;
    } catch {
      return false;
    }
  }
}

/** The platform triple in the napi-rs package convention, e.g. "linux-x64-gnu". */
function platformTriple() {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function loadNative() {
  const triple = platformTriple();
  const candidates = [
    // The published platform package.
    `@ironlung/${triple}`,
    // A development checkout, where the build copies the addon here.
    path.join(__dirname, '..', 'npm', triple, `ironlung.${triple}.node`),
  ];
  const errors = [];
  let broken = false;
  for (const c of candidates) {
    try {
      return { binding: require(c), errors, broken };
    } catch (e) {
      // Not installed is the normal case off the prebuilt platforms; anything else is an
      // addon that exists and fails to load, which deserves a word.
      if (!(e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(c))) broken = true;
      errors.push(`${c}: ${String(e && e.message).split('\n')[0]}`);
    }
  }
  return { binding: null, errors, broken };
}

/**
 * The path of one of the package's assets (assets/), also from inside a bundle.
 * @param {string} file
 */
function assetPath(file) {
  const beside = path.join(__dirname, '..', 'assets', file);
  if (fs.existsSync(beside)) return beside;
  try {
    // A bundle moved this code away from the package; node_modules may still hold it.
    return require.resolve(`ironlung/assets/${file}`);
  } catch {
    throw new IronlungError(
      'ERR_ASSET_UNAVAILABLE',
      `ironlung's ${file} is neither at ${beside} nor resolvable as ironlung/assets/${file}: if a bundler moved ironlung into a bundle, keep ironlung external (esbuild: --packages=external or --external:ironlung)`,
    );
  }
}

function loadWasm() {
  const glue = require('./gen/wasm.mjs');
  const wasm = glue.initSync({ module: new WebAssembly.Module(fs.readFileSync(assetPath('ironlung.wasm'))) });
  return { glue, wasm };
}

/**
 * IRONLUNG_BACKEND. Under Deno only where --allow-env lets it be read: Deno would otherwise
 * ask, or throw.
 * @returns {string | undefined}
 */
function forcedBackend() {
  if (typeof Deno !== 'undefined') {
    try {
      if (Deno.permissions.querySync({ name: 'env', variable: 'IRONLUNG_BACKEND' }).state !== 'granted') return undefined;
    } catch {
      return undefined;
    }
  }
  const forced = process.env.IRONLUNG_BACKEND;
  if (forced && forced !== 'native' && forced !== 'wasm') {
    throw new IronlungError('ERR_INVALID_ARG', `IRONLUNG_BACKEND must be 'native' or 'wasm', got ${JSON.stringify(forced)}`);
  }
  return forced;
}

/**
 * The error for IRONLUNG_BACKEND=native when no addon loads, listing why each place tried failed.
 * @param {string[]} errors
 */
function nativeUnavailable(errors) {
  return new IronlungError(
    'ERR_BACKEND_UNAVAILABLE',
    `IRONLUNG_BACKEND=native, but no native addon loads on ${process.platform}-${process.arch}; tried:\n  ${errors.join('\n  ')}`,
  );
}

/**
 * @returns {{ backend: 'native', binding: any, wasm?: undefined, nativeErrors: string[] }
 *   | { backend: 'wasm', binding: typeof import('./gen/wasm.mjs'), wasm: import('./gen/wasm.mjs').InitOutput, nativeErrors: string[] }}
 *   `binding` is the native addon (untyped: it brings no declarations) or the wasm glue, and
 *   `wasm` the raw instance exports of the wasm build.
 */
function load() {
  const forced = forcedBackend();
  if (forced === 'wasm') return { backend: 'wasm', ...wasmBinding(), nativeErrors: [] };
  const native = loadNative();
  if (native.binding) return { backend: 'native', binding: native.binding, nativeErrors: [] };
  if (forced === 'native') throw nativeUnavailable(native.errors);
  if (native.broken) {
    process.emitWarning(
      `ironlung's native addon did not load, so the slower wasm build answers instead (IRONLUNG_BACKEND=native makes this an error):\n  ${native.errors.join('\n  ')}`,
      { type: 'IronlungWarning', code: 'ERR_BACKEND_UNAVAILABLE' },
    );
  }
  return { backend: 'wasm', ...wasmBinding(), nativeErrors: native.errors };
}

function wasmBinding() {
  const { glue, wasm } = loadWasm();
  return { binding: glue, wasm };
}

module.exports = { load, loadNative, forcedBackend, nativeUnavailable, platformTriple, assetPath };
