// The session log runs only where there is a file system, so the bundles of browsers and edge
// runtimes must carry none of its code (js/api.mjs, Host's `logs`). These messages are the
// log's own (js/log.mjs, js/logrecords.mjs), and minifiers keep them as they are; so they
// keep the names of the wasm exports that only the log's wasm-bindgen glue calls
// (`wasm.logcodec_scanner`, `wasm.logHeader`: js/gen/wasm.mjs, js/coreglue.mjs).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LOG_ONLY = ["openLog's path must name a file", 'which UTF-8 cannot hold', 'logcodec_', 'logscanner_', 'logseek_', 'logpacker_', 'logHeader', 'trainLogDictionary'];

/** The .js and .mjs files under `dir`, at any depth. */
export function jsFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.m?js$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Asserts that `code`, the bundle named `name`, holds none of the session log's code. */
export function assertNoLogCode(name, code) {
  for (const s of LOG_ONLY) assert.ok(!code.includes(s), `${name} holds the session log's code ("${s}"), which cannot run there`);
}

/** The same for each of `files`, of which there must be one at least. */
export function assertNoLogCodeIn(files, what) {
  assert.ok(files.length > 0, `no JavaScript found in ${what}`);
  for (const f of files) assertNoLogCode(f, readFileSync(f, 'utf8'));
}

/**
 * Asserts that the wasm files under `dir` (at any depth) hold the package's web module and
 * zstd's (`assets/ironlung-web.wasm` and `assets/ironlung-zstd.wasm` of `project`'s installed
 * ironlung), byte for byte, and not the whole one, which carries the session log's compiled
 * code.
 * @param {string} dir
 * @param {string} project
 * @param {string} what
 */
export function assertWebModuleIn(dir, project, what) {
  const assets = join(project, 'node_modules', 'ironlung', 'assets');
  const whole = readFileSync(join(assets, 'ironlung.wasm'));
  const wasm = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.wasm'))
    .map((e) => readFileSync(join(e.parentPath, e.name)));
  for (const file of ['ironlung-web.wasm', 'ironlung-zstd.wasm']) {
    const part = readFileSync(join(assets, file));
    assert.ok(wasm.some((b) => b.equals(part)), `${what} holds no copy of ${file} (${wasm.length} wasm files)`);
  }
  assert.ok(!wasm.some((b) => b.equals(whole)), `${what} holds ironlung.wasm, the module with the session log's code`);
}
