// Toolkit benchmarks: isWithinLimit's early stop, and `ironlung count` on a directory.
//
//   node bench/toolkit.mjs            prints a markdown section
//
// Each measurement runs in a child process per backend, like the main bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, 'bench', '.corpus', 'english.txt');

const LIMIT_SCRIPT = `
const il = require(${JSON.stringify(join(root, 'js', 'node.bundle.cjs'))});
const text = require('fs').readFileSync(${JSON.stringify(corpus)}, 'utf8');
const enc = il.getEncoding('cl100k_base');
const kb = text.slice(0, 1000), mb = text.slice(0, 1_000_000);
const time = (f, n) => { for (let i = 0; i < 50; i++) f(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); return Number(process.hrtime.bigint() - t) / n / 1e3; };
const med = (f, n) => { const xs = [1, 2, 3, 4, 5].map(() => time(f, n)).sort((a, b) => a - b); return xs[2]; };
// Fresh slices so no round counts text another round saw.
let k = 0;
const fresh = (len) => () => { k = (k + 9973) % (text.length - len); return text.slice(k, k + len); };
const kbFresh = fresh(1000), mbFresh = fresh(1_000_000);
const out = {
  limit100_1kb: med(() => enc.isWithinLimit(kbFresh(), 100), 2000),
  limit100_1mb: med(() => enc.isWithinLimit(mbFresh(), 100), 2000),
  // A limit whose length shortcut (128 bytes a token at most) cannot decide: the prefix path.
  limit10k_100kb: med(() => enc.isWithinLimit(fresh(100_000)(), 10_000), 50),
  limit10k_1mb: med(() => enc.isWithinLimit(mbFresh(), 10_000), 50),
  count_1kb: med(() => enc.count(kbFresh()), 2000),
  count_1mb: med(() => enc.count(mbFresh()), 5),
};
process.stdout.write(JSON.stringify(out));
`;

function limits(backend) {
  const r = spawnSync(process.execPath, ['-e', LIMIT_SCRIPT], { env: { ...process.env, IRONLUNG_BACKEND: backend }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function treeRate(backend, tree) {
  const bin = join(root, 'bin', 'ironlung.cjs');
  const runs = [];
  let report;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const out = execFileSync(process.execPath, [bin, 'count', '--json', tree], { env: { ...process.env, IRONLUNG_BACKEND: backend }, maxBuffer: 1 << 28, encoding: 'utf8' });
    runs.push(Number(process.hrtime.bigint() - t) / 1e9);
    report = JSON.parse(out);
  }
  runs.sort((a, b) => a - b);
  return { files: report.total.files, tokens: report.total.tokens, seconds: runs[1], rate: report.total.files / runs[1] };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const lines = ['## Toolkit', '', '### `isWithinLimit` stops early (cl100k_base, µs per call, median of 5 rounds, fresh slices)', ''];
lines.push('| backend | limit 100, 1 KB | limit 100, 1 MB | 1 MB / 1 KB | limit 10 000, 100 KB | limit 10 000, 1 MB | 1 MB / 100 KB | `count` 1 KB | `count` 1 MB |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const b of ['native', 'wasm']) {
  const r = limits(b);
  lines.push(`| ${b} | ${fmt(r.limit100_1kb)} | ${fmt(r.limit100_1mb)} | ${(r.limit100_1mb / r.limit100_1kb).toFixed(2)}× | ${fmt(r.limit10k_100kb)} | ${fmt(r.limit10k_1mb)} | ${(r.limit10k_1mb / r.limit10k_100kb).toFixed(2)}× | ${fmt(r.count_1kb)} | ${fmt(r.count_1mb)} |`);
}
const trees = ['/usr/lib/rustlib/src/rust/library', join(root, 'crates')].filter(existsSync);
lines.push('', `### \`ironlung count\` on a directory (files per second, median of 3 runs, whole process)`, '');
lines.push('| tree | backend | files | tokens | seconds | files/s |', '| --- | --- | ---: | ---: | ---: | ---: |');
for (const tree of trees.slice(0, 1)) {
  for (const b of ['native', 'wasm']) {
    const r = treeRate(b, tree);
    lines.push(`| \`${tree}\` | ${b} | ${r.files} | ${r.tokens} | ${r.seconds.toFixed(2)} | ${r.rate.toFixed(0)} |`);
  }
}
console.log(lines.join('\n'));
