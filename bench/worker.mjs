// One measurement of one implementation, in a process of its own (spawned by bench/run.mjs):
//
//   node --expose-gc bench/worker.mjs <mode> <impl> <encoding> <path> [json options]
//
// Modes:
//   check       <path> = corpus dir: counts of the first opts.bytes (10 KB) of each corpus file
//   throughput  <path> = corpus file: warm up on <name>.warm.txt (repeated for opts.warmMs,
//               default 300 ms), then count each of
//               opts.rounds parts of the first opts.limit bytes once; ms per part
//   percall     <path> = corpus file: ~100-byte chunks on character boundaries, opts.calls
//               distinct chunks per round, opts.rounds rounds; ns per call
//   rss         <path> = corpus file: count the whole file in one call; peak RSS
//   worst       <path> = 'repeat-a' or a file: after a warm-up on opts.warm, count texts of
//               opts.sizes bytes, one result line each
//   memprobe    (impl 'baseline'): ns per dependent load of a random walk over 64 MiB
//               (memory) and over 256 KiB (cache), to describe the machine's state
//
// Results are printed as lines "@@bench <json>" on stdout (anything else is ignored).

import fs from 'node:fs';
import path from 'node:path';
import { charBoundary } from './corpus.mjs';
import { IMPLS } from './impls.mjs';

const [mode, implName, encoding, target, optsJson] = process.argv.slice(2);
const opts = optsJson ? JSON.parse(optsJson) : {};
const emit = (obj) => process.stdout.write(`@@bench ${JSON.stringify(obj)}\n`);
// This process's CPU time (all its threads, in µs), so the parent can tell how much CPU other
// processes took during the measurement.
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stdout.write(`@@cpu ${u.user + u.system}\n`);
});
const gc = globalThis.gc ?? (() => {});
const now = () => performance.now();

/** `rounds` consecutive parts of buf[0, limit), each ending after a newline when one is near. */
function splitParts(buf, rounds, limit) {
  const end = charBoundary(buf, Math.min(limit, buf.length));
  const parts = [];
  let start = 0;
  for (let r = 1; r <= rounds; r++) {
    let cut = r === rounds ? end : charBoundary(buf, Math.floor((end * r) / rounds));
    if (r < rounds) {
      const nl = buf.indexOf(10, cut);
      if (nl !== -1 && nl < cut + 4096 && nl < end) cut = nl + 1;
    }
    parts.push(buf.subarray(start, cut));
    start = cut;
  }
  return parts;
}

/** Chunks of at most `size` bytes, cut on character boundaries. */
function chunks(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; ) {
    let j = charBoundary(buf, i + size);
    if (j <= i) j = Math.min(buf.length, i + size);
    out.push(buf.subarray(i, j).toString('utf8'));
    i = j;
  }
  return out;
}

function warmPath(file) {
  return file.replace(/\.txt$/, '.warm.txt');
}

function peakRss() {
  let vmHWM = null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) vmHWM = Number(m[1]) * 1024;
  } catch {}
  return { maxRSS: process.resourceUsage().maxRSS * 1024, vmHWM };
}

async function load() {
  if (implName === 'baseline') return () => 0;
  const impl = IMPLS[implName];
  if (!impl) throw new Error(`unknown implementation ${implName}`);
  const t0 = now();
  const count = await impl.load(encoding);
  const loadMs = now() - t0;
  const t1 = now();
  count('hello world');
  return Object.assign(count, { loadMs, firstCallMs: now() - t1 });
}

const count = await load();

/**
 * Warm-up on text that is never measured: repeated until opts.warmMs (default 300 ms) have
 * passed, so that V8 has tiered up the hot JS and wasm functions before the first timed round
 * (one pass of 64 KiB is not enough for the wasm implementations to reach their steady speed).
 */
function warmUp(fn) {
  const budget = opts.warmMs ?? 300;
  const t0 = now();
  let passes = 0;
  do {
    fn();
    passes++;
  } while (now() - t0 < budget && passes < 100);
  return { warmMs: now() - t0, warmPasses: passes };
}

if (mode === 'check') {
  const counts = {};
  for (const [name, file] of Object.entries(opts.files)) {
    const buf = fs.readFileSync(path.join(target, file));
    counts[name] = count(buf.subarray(0, charBoundary(buf, opts.bytes)).toString('utf8'));
  }
  emit({ counts });
} else if (mode === 'throughput') {
  const buf = fs.readFileSync(target);
  const parts = splitParts(buf, opts.rounds, opts.limit).map((b) => ({ bytes: b.length, text: b.toString('utf8') }));
  // Repeated up to the size of the largest part, so that buffers (wasm memory) have grown to
  // their working size before the first timed round.
  const warmOnce = fs.readFileSync(warmPath(target), 'utf8');
  const warm = warmOnce.repeat(Math.max(1, Math.ceil((Math.max(...parts.map((p) => p.bytes)) * 1.1) / Buffer.byteLength(warmOnce))));
  const warmed = warmUp(() => count(warm));
  const rounds = [];
  for (const p of parts) {
    gc();
    const t0 = now();
    const n = count(p.text);
    const ms = now() - t0;
    rounds.push({ bytes: p.bytes, ms, tokens: n, mbps: p.bytes / 1e6 / (ms / 1e3) });
  }
  emit({ loadMs: count.loadMs, ...warmed, rounds });
} else if (mode === 'percall') {
  const all = chunks(fs.readFileSync(target), 100);
  const warm = chunks(fs.readFileSync(warmPath(target)), 100).slice(0, 500);
  warmUp(() => {
    for (const c of warm) count(c);
  });
  const rounds = [];
  let sink = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const batch = all.slice(r * opts.calls, (r + 1) * opts.calls);
    if (batch.length < opts.calls) throw new Error(`corpus too small for ${opts.rounds} x ${opts.calls} calls`);
    const bytes = batch.reduce((s, c) => s + Buffer.byteLength(c), 0);
    gc();
    const t0 = now();
    for (let i = 0; i < batch.length; i++) sink += count(batch[i]);
    const ms = now() - t0;
    rounds.push({ calls: batch.length, bytes, nsPerCall: (ms * 1e6) / batch.length });
  }
  emit({ rounds, sink });
} else if (mode === 'memprobe') {
  // A pointer chase: each load's address comes from the previous one, so the time per step
  // is the latency of wherever the array lives. On this shared machine a neighbour's memory
  // traffic slows memory-bound work (a short count on fresh text) while leaving an empty
  // process start, the other gauge of a run, untouched.
  const walk = (bytes, steps) => {
    const n = bytes >> 2;
    const next = new Uint32Array(n);
    for (let i = 0; i < n; i++) next[i] = i;
    // Sattolo's shuffle: one cycle through every slot. Deterministic (xorshift).
    let x = 0x9e3779b9;
    for (let i = n - 1; i > 0; i--) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = (x >>> 0) % i;
      const t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
    let at = 0;
    for (let i = 0; i < steps / 4; i++) at = next[at];
    const t0 = now();
    for (let i = 0; i < steps; i++) at = next[at];
    return { ns: ((now() - t0) * 1e6) / steps, sink: at };
  };
  const memory = walk(64 << 20, 2_000_000);
  const cache = walk(256 << 10, 4_000_000);
  emit({ memoryNs: memory.ns, cacheNs: cache.ns, sink: memory.sink + cache.sink });
} else if (mode === 'rss') {
  const text = fs.readFileSync(target, 'utf8');
  const t0 = now();
  const tokens = count(text);
  emit({ tokens, ms: now() - t0, bytes: Buffer.byteLength(text), ...peakRss() });
} else if (mode === 'worst') {
  const src = target === 'repeat-a' ? null : fs.readFileSync(target);
  if (opts.warm) {
    const warm = fs.readFileSync(opts.warm, 'utf8');
    warmUp(() => count(warm));
  }
  for (const size of opts.sizes) {
    const text = src ? src.subarray(0, charBoundary(src, size)).toString('utf8') : 'a'.repeat(size);
    gc();
    const t0 = now();
    const tokens = count(text);
    emit({ size, bytes: Buffer.byteLength(text), ms: now() - t0, tokens });
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
