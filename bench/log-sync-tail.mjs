// Where the time of a 'sync' append goes, native backend (a diagnostic beside bench/log.mjs,
// not part of `npm run bench`):
//
//   node bench/log-sync-tail.mjs [appends=2000]
//
// Prints, for the same disk and minute: bare write + fdatasync on the main thread (200 B),
// fs.promises write + datasync, the addon's LogFile.write(offset, bytes, true) alone (800 B),
// and whole `log.append` calls (durability 'sync', dictionary false) split into the time
// before the codec, the codec, the write, and after it, with the slowest appends and the GC
// pauses that overlap them. The events are bench/.corpus/agent-events.jsonl
// (`npm run bench -- --only=log` builds it).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentiles } from './stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The development checkout's addon, the very module js/node.cjs loads (require caches it),
// so that the timing wrappers below see the log's calls.
const triple = require(path.join(ROOT, 'js/loader.cjs')).platformTriple();
const B = require(path.join(ROOT, 'npm', triple, `ironlung.${triple}.node`));
process.env.IRONLUNG_BACKEND = 'native';
const il = require(path.join(ROOT, 'js/node.bundle.cjs'));
const N = Number(process.argv[2] ?? 2000);
const events = fs
  .readFileSync(path.join(ROOT, 'bench/.corpus/agent-events.jsonl'), 'utf8')
  .split('\n', N)
  .map((l) => JSON.parse(l));
const dir = fs.mkdtempSync(path.join(ROOT, 'target', 'log-sync-tail-'));

/** @param {number[]} us */
function pct(us) {
  const p = percentiles(us);
  return `P50 ${p.p50.toFixed(0)} P90 ${p.p90.toFixed(0)} P99 ${p.p99.toFixed(0)} max ${p.max.toFixed(0)} µs (n=${p.n})`;
}

// Timestamps of the codec call and of the file write, taken around the addon's methods.
const at = { codecStart: 0, codec: 0, writeStart: 0, writeEnd: 0 };
const writeRecords = B.LogCodec.prototype.writeRecords;
B.LogCodec.prototype.writeRecords = function (...a) {
  at.codecStart = performance.now();
  const r = writeRecords.apply(this, a);
  at.codec = performance.now() - at.codecStart;
  return r;
};
const write = B.LogFile.prototype.write;
B.LogFile.prototype.write = function (...a) {
  at.writeStart = performance.now();
  return write.apply(this, a).then((v) => ((at.writeEnd = performance.now()), v));
};

const gcs = [];
new PerformanceObserver((l) => l.getEntries().forEach((e) => gcs.push([e.startTime, e.duration]))).observe({ entryTypes: ['gc'] });

const ref = { bare: [], promises: [], logFile: [] };
const rec200 = Buffer.alloc(200, 120);
const rec800 = Buffer.alloc(800, 121);
for (let round = 0; round < 5; round++) {
  const fd = fs.openSync(path.join(dir, 'bare'), 'a');
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    fs.writeSync(fd, rec200);
    fs.fdatasyncSync(fd);
    ref.bare.push((performance.now() - t) * 1e3);
  }
  fs.closeSync(fd);
  const h = await fs.promises.open(path.join(dir, 'promises'), 'a');
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await h.write(rec200);
    await h.datasync();
    ref.promises.push((performance.now() - t) * 1e3);
  }
  await h.close();
  const f = new B.LogFile(path.join(dir, 'logfile'), false, true);
  let off = Number(await f.size());
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await f.write(off, rec800, true);
    off += rec800.length;
    ref.logFile.push((performance.now() - t) * 1e3);
  }
  f.close();
}
console.log('bare write + fdatasync, main thread, 200 B  ', pct(ref.bare));
console.log('fs.promises write + datasync, 200 B         ', pct(ref.promises));
console.log('addon LogFile.write(.., true) alone, 800 B  ', pct(ref.logFile));

const log = await il.openLog(path.join(dir, 'log'), { durability: 'sync', dictionary: false });
const rows = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await log.append(events[i]);
  const end = performance.now();
  rows.push({
    i,
    t,
    total: (end - t) * 1e3,
    before: (at.codecStart - t) * 1e3,
    codec: at.codec * 1e3,
    write: (at.writeEnd - at.writeStart) * 1e3,
    after: (end - at.writeEnd) * 1e3,
  });
}
await log.close();
await new Promise((r) => setTimeout(r, 100));
for (const k of ['total', 'before', 'codec', 'write', 'after']) console.log(`log.append ${k.padEnd(7)}`.padEnd(45), pct(rows.map((r) => r[k])));
console.log('\nslowest appends, µs: seq total before codec write after | GC pauses inside (ms)');
for (const r of rows.sort((a, b) => b.total - a.total).slice(0, 15)) {
  const inside = gcs.filter(([s, d]) => s + d >= r.t && s <= r.t + r.total / 1e3).map(([, d]) => d.toFixed(2));
  console.log(r.i, ...['total', 'before', 'codec', 'write', 'after'].map((k) => r[k].toFixed(0)), '|', inside.join(' '));
}
console.log(`GC: ${gcs.length} pauses, ${gcs.reduce((s, [, d]) => s + d, 0).toFixed(1)} ms`);
fs.rmSync(dir, { recursive: true });
