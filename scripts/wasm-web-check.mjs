// Checks that the glue generated for the whole wasm module (js/gen/wasm.mjs) can drive the
// web module (no session log): every import the web module asks for, the whole one asks for
// too, and every export it has, the whole one has as the same kind. wasm-bindgen names each
// import by a hash of its signature, and its glue calls exports by name, so equal names are
// the same functions. And what the web module leaves out must be the log's, all of it and
// only that. scripts/build.sh runs it on the build, scripts/test-consumer.sh on the modules
// the packed package installs.
//
//   node scripts/wasm-web-check.mjs WHOLE.wasm WEB.wasm
import { readFileSync } from 'node:fs';

const [wholePath, webPath] = process.argv.slice(2);
const whole = new WebAssembly.Module(readFileSync(wholePath));
const web = new WebAssembly.Module(readFileSync(webPath));
const key = (/** @type {{ module?: string, name: string, kind: string }} */ d) => `${d.module ?? ''}/${d.name}:${d.kind}`;
const LOG = /^(logcodec_|logscanner_|logseek_|logpacker_|__wbg_log|logHeader$|trainLogDictionary$)/;
const problems = [];
for (const [what, list] of /** @type {const} */ ([
  ['import', WebAssembly.Module.imports],
  ['export', WebAssembly.Module.exports],
])) {
  const have = new Set(list(whole).map(key));
  const kept = new Set(list(web).map(key));
  for (const d of list(web)) if (!have.has(key(d))) problems.push(`${webPath}: ${what} ${key(d)} is not the whole module's`);
  for (const d of list(web)) if (LOG.test(d.name)) problems.push(`${webPath}: holds the log's ${what} ${d.name}`);
  for (const d of list(whole)) if (!kept.has(key(d)) && !LOG.test(d.name)) problems.push(`${webPath}: leaves out ${what} ${key(d)}, which is not the log's`);
}
const logExports = WebAssembly.Module.exports(whole).filter((e) => LOG.test(e.name));
// The log has more than 20 exports: fewer found means the pattern is out of date.
if (logExports.length <= 20) problems.push(`${wholePath}: only ${logExports.length} session log exports found (is the pattern out of date?)`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
