// What the installed package holds: two wasm modules with code (the whole API, and the same
// without the session log for browsers and edge runtimes), and each rank table once, as a
// code-less wasm module with the one custom section the loader reads; no file shipped twice
// under two names (but the declarations: TypeScript reads a module's format from the
// extension, so the ESM and CommonJS typings are two files with the same text).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';

const root = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('ironlung/package.json'));
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name));

const byHash = new Map();
for (const f of files) {
  if (/index\.d\.[mc]ts$/.test(f)) continue;
  const h = createHash('sha256').update(readFileSync(f)).digest('hex');
  assert.ok(!byHash.has(h), `${relative(root, f)} and ${relative(root, byHash.get(h) ?? '')} are the same bytes`);
  byHash.set(h, f);
}

const wasm = files.filter((f) => f.endsWith('.wasm')).map((f) => relative(root, f)).sort();
assert.deepEqual(wasm, [
  'assets/cl100k_base.wasm',
  'assets/ironlung-web.wasm',
  'assets/ironlung-zstd.wasm',
  'assets/ironlung.wasm',
  'assets/o200k_base.wasm',
  'assets/p50k_base.wasm',
  'assets/r50k_base.wasm',
]);
const withCode = wasm.filter((f) => {
  const m = new WebAssembly.Module(readFileSync(join(root, f)));
  const ranks = WebAssembly.Module.customSections(m, 'ironlung.ranks');
  const exported = WebAssembly.Module.exports(m).length;
  if (/ironlung(-web|-zstd)?\.wasm$/.test(f)) assert.equal(ranks.length, 0, f);
  else assert.ok(ranks.length === 1 && exported === 0 && WebAssembly.Module.imports(m).length === 0, `${f} is not a code-less rank file`);
  return exported > 0;
});
assert.deepEqual(withCode, ['assets/ironlung-web.wasm', 'assets/ironlung-zstd.wasm', 'assets/ironlung.wasm']);
// That the web module's imports and exports are the whole one's but the log's and zstd's,
// and zstd's module has zstd's: scripts/wasm-web-check.mjs, which scripts/test-consumer.sh
// runs on these three files.
const size = (f) => readFileSync(join(root, f)).length;
console.log(
  `shipped: ${files.length} files, wasm modules ${size('assets/ironlung.wasm')} B, ${size('assets/ironlung-web.wasm')} B (web) ` +
    `and ${size('assets/ironlung-zstd.wasm')} B (zstd), ` +
    `rank files ${wasm.filter((f) => f.includes('_base')).map((f) => `${f.slice(7)} ${size(f)} B`).join(', ')}`,
);
