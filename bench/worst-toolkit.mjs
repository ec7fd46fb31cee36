// The toolkit's worst cases: chunk, truncate from the start and special-token handling on
// inputs built to make them quadratic, at n = 10^5 and 10^6. Growth = t(10^6) / t(10^5):
// 10× is linear, 100× quadratic. One child process per backend and case; one call each.
// Then one piece of 10^8 bytes (a run of one letter, nothing to break it) through count,
// encode and truncate from the start, with the child's peak RSS: it must complete, not
// abort (issue 13).
//
//   node bench/worst-toolkit.mjs       prints a markdown section (bench/run.mjs includes it)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [1e5, 1e6];
const TIMEOUT_S = 120;

// Each case: its input for size n, and the one call timed.
const CASES = {
  "chunk 'a'×n, maxTokens 100": `
    const input = 'a'.repeat(n);
    run = () => enc.chunk(input, { maxTokens: 100 }).length;`,
  "chunk 'a'×n, maxTokens 100, overlap 20, line": `
    const input = 'a'.repeat(n);
    run = () => enc.chunk(input, { maxTokens: 100, overlap: 20, boundary: 'line' }).length;`,
  'truncate from start, words, budget 90%': `
    const input = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(n / 28)).slice(0, n);
    const budget = Math.floor(enc.count(input) * 0.9);
    run = () => enc.truncate(input, budget, { from: 'start' }).length;`,
  "truncate from start, 'a'×n, budget 90%": `
    const input = 'a'.repeat(n);
    const budget = Math.floor(enc.count(input) * 0.9);
    run = () => enc.truncate(input, budget, { from: 'start' }).length;`,
  'encode, n/16 specials, allowedSpecial of n/5 names': `
    const input = 'x <|endoftext|> y <|fim_prefix|>'.repeat(Math.ceil(n / 32)).slice(0, n);
    // The two found last in the list, as in a long list a program assembled.
    const allowed = [...Array(n / 5 - 2).fill('<|fim_middle|>'), '<|endoftext|>', '<|fim_prefix|>'];
    run = () => enc.encode(input, { allowedSpecial: allowed }).length;`,
};

function measure(backend, body, n) {
  const script = `
    const il = require(${JSON.stringify(join(root, 'js', 'node.bundle.cjs'))});
    const enc = il.getEncoding('cl100k_base');
    const n = ${n};
    let run;
    ${body}
    const t = process.hrtime.bigint();
    const out = run();
    process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t) / 1e6, out }));`;
  return runChild(backend, script, TIMEOUT_S);
}

/** Runs `script` in a child on `backend`: its JSON output, `{ timedOut }`, or `{ error }`
 * (an exit or signal that is not the timeout's: an abort must not read as slow). */
function runChild(backend, script, timeoutS) {
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, IRONLUNG_BACKEND: backend }, encoding: 'utf8', timeout: timeoutS * 1e3 });
  if (r.error?.code === 'ETIMEDOUT') return { timedOut: true };
  if (r.status !== 0) return { error: `exit ${r.status} ${r.signal ?? ''} ${r.stderr.trim().split('\n').pop() ?? ''}` };
  return JSON.parse(r.stdout);
}

const show = (r) => (r.timedOut ? `> ${TIMEOUT_S} s` : r.error ? 'error' : r.ms >= 100 ? r.ms.toFixed(0) : r.ms.toFixed(1));
const lines = [
  '### Toolkit worst cases (cl100k_base, ms for one call, lower is better)',
  '',
  `One process per backend, case and size; killed after ${TIMEOUT_S} s. Growth = t(10^6) / t(10^5): 10× is linear, 100× quadratic.`,
  '',
  '| case | backend | n = 10^5 | n = 10^6 | growth |',
  '| --- | --- | ---: | ---: | ---: |',
];
for (const [name, body] of Object.entries(CASES)) {
  for (const backend of ['native', 'wasm']) {
    const [a, b] = SIZES.map((n) => measure(backend, body, n));
    const growth = a.ms && b.ms ? `${(b.ms / a.ms).toFixed(1)}×` : '–';
    lines.push(`| ${name} | ${backend} | ${show(a)} | ${show(b)} | ${growth} |`);
    process.stderr.write(`worst-toolkit: ${name}, ${backend}: ${show(a)} / ${show(b)} ms\n`);
  }
}

// One 100 MB piece: about 30 bytes per byte while it merges, within the 4 GiB of wasm memory.
const PIECE = 1e8;
const PIECE_TIMEOUT_S = 300;
function measurePiece(backend) {
  const script = `
    const il = require(${JSON.stringify(join(root, 'js', 'node.bundle.cjs'))});
    const enc = il.getEncoding('cl100k_base');
    const s = 'a'.repeat(${PIECE});
    const out = {};
    for (const [name, f] of [['count', () => enc.count(s)], ['encode', () => enc.encode(s).length], ['truncate', () => enc.truncate(s, 1000, { from: 'start' }).length]]) {
      const t = process.hrtime.bigint();
      try { f(); out[name] = (Number(process.hrtime.bigint() - t) / 1e6).toFixed(0); } catch (e) { out[name] = e.code; }
    }
    out.after = enc.count('hello world');
    out.peakMB = (process.resourceUsage().maxRSS / 1024).toFixed(0);
    process.stdout.write(JSON.stringify(out));`;
  return runChild(backend, script, PIECE_TIMEOUT_S);
}
lines.push(
  '',
  `### One piece of 10^8 bytes (\`'a'.repeat(1e8)\`, cl100k_base, ms for one call)`,
  '',
  `One process per backend, killed after ${PIECE_TIMEOUT_S} s; peak RSS of that process. A call that runs out of memory shows its error code.`,
  '',
  '| backend | count | encode | truncate from start to 1000 | count after | peak RSS, MB |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
);
for (const backend of ['native', 'wasm']) {
  const r = measurePiece(backend);
  const row = r.timedOut ? [`> ${PIECE_TIMEOUT_S} s`, '', '', '', ''] : r.error ? [r.error, '', '', '', ''] : [r.count, r.encode, r.truncate, r.after, r.peakMB];
  lines.push(`| ${backend} | ${row.join(' | ')} |`);
  process.stderr.write(`worst-toolkit: one 10^8-byte piece, ${backend}: ${row.join(' / ')}\n`);
}
console.log(lines.join('\n'));
