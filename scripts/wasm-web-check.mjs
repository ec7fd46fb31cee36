// Checks the two parts browsers and edge runtimes load against the whole module:
// - the web module (tokenizer and text), driven by the whole module's glue (js/gen/wasm.mjs):
//   every import it asks for, the whole one asks for too, and every export it has, the whole
//   one has as the same kind. wasm-bindgen names each import by a hash of its signature, and
//   its glue calls exports by name, so equal names are the same functions. What it leaves
//   out must be the session log's and zstd's, all of them and only those.
// - the zstd module, driven by its own glue (js/gen/zstd.mjs): it has every zstd export of
//   the whole module, and nothing of the tokenizer's or the log's.
// scripts/build.sh runs it on the build, scripts/test-consumer.sh on the modules the packed
// package installs.
//
//   node scripts/wasm-web-check.mjs WHOLE.wasm WEB.wasm ZSTD.wasm
import { readFileSync } from 'node:fs';

const [wholePath, webPath, zstdPath] = process.argv.slice(2);
if (!zstdPath) throw new Error('usage: node scripts/wasm-web-check.mjs WHOLE.wasm WEB.wasm ZSTD.wasm');
const load = (/** @type {string} */ p) => new WebAssembly.Module(readFileSync(p));
const whole = load(wholePath);
const web = load(webPath);
const zstd = load(zstdPath);
const key = (/** @type {{ module?: string, name: string, kind: string }} */ d) => `${d.module ?? ''}/${d.name}:${d.kind}`;
const LOG = /^(logcodec_|logscanner_|logseek_|logpacker_|__wbg_log|logHeader$|trainLogDictionary$)/;
const ZSTD = /^(compress|decompress|dictionary_|zstdcompressor_|zstddecompressor_|__wbg_dictionary_|__wbg_zstd|trainDictionary$|frameInfo$)/;
// What every part has: the start, the allocator, the trap diagnosis, the test hooks.
const SHARED = /^(memory$|__wbindgen_|__wbg_|__externref_|__abort_handler$|__instance_terminated$|start$|lastPanicMessage$|lastAllocFailure$|panicForTest$|oomForTest$)/;
const problems = [];
for (const [what, list] of /** @type {const} */ ([
  ['import', WebAssembly.Module.imports],
  ['export', WebAssembly.Module.exports],
])) {
  const have = new Set(list(whole).map(key));
  const kept = new Set(list(web).map(key));
  for (const d of list(web)) if (!have.has(key(d))) problems.push(`${webPath}: ${what} ${key(d)} is not the whole module's`);
  for (const d of list(web)) if (LOG.test(d.name) || ZSTD.test(d.name)) problems.push(`${webPath}: holds the log's or zstd's ${what} ${d.name}`);
  if (what === 'export') {
    for (const d of list(whole)) {
      if (!kept.has(key(d)) && !LOG.test(d.name) && !ZSTD.test(d.name)) problems.push(`${webPath}: leaves out ${what} ${key(d)}, which is not the log's or zstd's`);
    }
  }
}
const exportsOf = (/** @type {WebAssembly.Module} */ m) => WebAssembly.Module.exports(m).map((e) => e.name);
const zstdHas = new Set(exportsOf(zstd));
const zstdExports = exportsOf(whole).filter((n) => ZSTD.test(n));
for (const n of zstdExports) if (!zstdHas.has(n)) problems.push(`${zstdPath}: lacks zstd's export ${n}`);
for (const n of zstdHas) if (!ZSTD.test(n) && !SHARED.test(n)) problems.push(`${zstdPath}: holds ${n}, which is not zstd's`);
// The log has more than 20 exports, zstd more than 20: fewer found means a pattern is out of date.
const logExports = exportsOf(whole).filter((n) => LOG.test(n));
if (logExports.length <= 20) problems.push(`${wholePath}: only ${logExports.length} session log exports found (is the pattern out of date?)`);
if (zstdExports.length <= 20) problems.push(`${wholePath}: only ${zstdExports.length} zstd exports found (is the pattern out of date?)`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
