// Checks that the glue generated for the whole wasm module (js/gen/wasm.mjs) can drive the
// web module (no session log): every import the web module asks for, the whole one asks for
// too, and every export it has, the whole one has as the same kind. wasm-bindgen names each
// import by a hash of its signature, and its glue calls exports by name, so equal names are
// the same functions. And the web module must hold none of the log's exports.
//
//   node scripts/wasm-web-check.mjs WHOLE.wasm WEB.wasm
import { readFileSync } from 'node:fs';

const [wholePath, webPath] = process.argv.slice(2);
const whole = new WebAssembly.Module(readFileSync(wholePath));
const web = new WebAssembly.Module(readFileSync(webPath));
const key = (/** @type {{ module?: string, name: string, kind: string }} */ d) => `${d.module ?? ''}/${d.name}:${d.kind}`;
const problems = [];
for (const [what, list] of /** @type {const} */ ([
  ['import', WebAssembly.Module.imports],
  ['export', WebAssembly.Module.exports],
])) {
  const have = new Set(list(whole).map(key));
  for (const d of list(web)) if (!have.has(key(d))) problems.push(`${webPath}: ${what} ${key(d)} is not the whole module's`);
}
const LOG = /^(logcodec_|logscanner_|logseek_|logpacker_|__wbg_log|logHeader$|trainLogDictionary$)/;
const logExports = WebAssembly.Module.exports(whole).filter((e) => LOG.test(e.name));
if (logExports.length === 0) problems.push(`${wholePath}: no session log exports found (is the pattern out of date?)`);
for (const e of WebAssembly.Module.exports(web)) if (LOG.test(e.name)) problems.push(`${webPath}: holds the log's export ${e.name}`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
