// ironlung's session log benchmark (issue #16): openLog on both backends against the ways
// TypeScript agents store a session today, side by side, in one run, with ratios and the
// issue's targets.
//
//   node bench/log.mjs              full run (~5 min on 2 cores; the first run also builds the
//                                   workload, ~2 min, and the 1 GiB log, ~2 min, both cached)
//   node bench/log.mjs --quick      smoke run (~1 min): 10^4 events, fewer samples, a 128 MiB log
//   node bench/log.mjs --no-wait    do not wait for a quiet CPU
//   npm run bench -- --only=log     the same through bench/run.mjs (--write puts it in BENCHMARKS.md)
//
// Workload: bench/agentdata.mjs's agent session (the zstd benchmark's, same seed, continued) as
// 10^5 events of 100 B - 20 KB of JSON (bench/.corpus/agent-events.jsonl). Stores
// (bench/log-worker.mjs has the details):
//   - JSONL through fs.appendFileSync, the codex-rs rollout style, without and with fsync;
//   - better-sqlite3 in WAL mode: an INSERT per event, and LangGraph.js SqliteSaver's
//     checkpoint per turn (10 events) holding the thread's whole message list (threads of 100
//     events);
//   - ironlung openLog on the native and the wasm backend, durability 'sync', 'flush', 'none'.
// Each measurement runs in a fresh child process (bench/log-worker.mjs), one at a time, after
// bench/quiet.mjs has waited for a quiet CPU; the other processes' CPU and the disk's other
// writes during each are recorded. Files live in bench/.cache/log (git-ignored), on the disk the
// benchmark runs from; the 1 GiB log is built there once and kept.
//
// Every run is kept: the section this prints ends with a table per run, those of earlier runs
// read back from BENCHMARKS.md. Raw results: bench/.corpus/last-log-results*.json.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISTURBED, createQuiet, foreignMeter } from './quiet.mjs';
import { fmtR, mdTable, median, num, ratio, targetCounts, warningLines } from './stats.mjs';
import { spawnWorker } from './spawn-worker.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const CACHE = path.join(BENCH_DIR, '.cache', 'log');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const WAIT = !args.includes('--no-wait');
const log = (s) => process.stderr.write(s + '\n');
const WORKER = path.join(BENCH_DIR, 'log-worker.mjs');
const WAIT_EACH_S = 120;
const WAIT_TOTAL_S = QUICK ? 15 : 300;
export const RUNS_BEGIN = '<!-- log-runs:begin -->';
export const RUNS_END = '<!-- log-runs:end -->';

const CFG = QUICK
  ? { events: 10_000, n: 2000, nSync: 200, refBlock: 50, pool: 2000, warmMs: 300, seconds: 1, syncSeconds: 2, replays: 3, opens: 7, bigBytes: 128 << 20 }
  : { events: 100_000, n: 20_000, nSync: 2000, refBlock: 100, pool: 5000, warmMs: 500, seconds: 3, syncSeconds: 5, replays: 3, opens: 21, bigBytes: 1 << 30 };

const IMPLS = {
  jsonl: { label: 'JSONL, fs.appendFileSync', sync: 'JSONL, fs.appendFileSync + fsyncSync' },
  sqlite: { label: 'better-sqlite3 WAL, INSERT per event', flushNote: 'synchronous=NORMAL (its WAL default)', syncNote: 'synchronous=FULL' },
  'sqlite-checkpoint': { label: 'better-sqlite3 WAL, SqliteSaver checkpoint per turn', perTurn: true },
  'ironlung-native': { label: 'ironlung native' },
  'ironlung-wasm': { label: 'ironlung wasm' },
  'ironlung-native-checkpoint': { label: 'ironlung native, append + checkpoint per turn', perTurn: true },
  'ironlung-native-text': { label: 'ironlung native, events appended as JSON text (strings)' },
};
const FULL_IMPLS = ['jsonl', 'sqlite', 'sqlite-checkpoint', 'ironlung-native', 'ironlung-wasm', 'ironlung-native-checkpoint', 'ironlung-native-text'];
const label = (impl, durability) => {
  const i = IMPLS[impl];
  if (!i) return impl;
  if (impl === 'jsonl') return durability === 'sync' ? i.sync : i.label;
  if (impl.startsWith('sqlite')) return `${i.label} (${durability === 'sync' ? 'synchronous=FULL' : 'synchronous=NORMAL, the WAL default'})`;
  return `${i.label}, '${durability}'`;
};

// -----------------------------------------------------------------------------------------
// Child processes

const { busy, sampleBusy } = createQuiet({ wait: WAIT, eachS: WAIT_EACH_S, totalS: WAIT_TOTAL_S, probeMs: QUICK ? 100 : 200, name: 'log bench', log });
const foreignLoad = [];

/** The block device that holds `dir`, as /proc/diskstats names it (null where unknown). */
function diskOf(dir) {
  try {
    const dev = fs.statSync(dir).dev;
    const major = Math.floor(dev / 256) & 0xfff;
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    const line = fs.readFileSync('/proc/diskstats', 'utf8').split('\n').find((l) => {
      const f = l.trim().split(/\s+/);
      return Number(f[0]) === major && Number(f[1]) === minor;
    });
    return line ? line.trim().split(/\s+/)[2] : null;
  } catch {
    return null;
  }
}

/** Bytes written to `disk` so far (null where unknown). */
function diskWritten(disk) {
  if (!disk) return null;
  try {
    const f = fs.readFileSync('/proc/diskstats', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((x) => x[2] === disk);
    return f ? Number(f[9]) * 512 : null;
  } catch {
    return null;
  }
}

let DISK = null;

async function runWorker(mode, impl, opts = {}, { timeoutS = 900 } = {}) {
  sampleBusy();
  const meter = foreignMeter(foreignLoad);
  const w0 = diskWritten(DISK);
  const args = ['--expose-gc', '--max-old-space-size=6144', WORKER, mode, impl, JSON.stringify(opts)];
  const { results, childCpuMs, error } = await spawnWorker(process.execPath, args, { cwd: BENCH_DIR, timeoutS });
  const { foreign, wall } = meter(childCpuMs);
  const w1 = diskWritten(DISK);
  return { results, error, foreign, wallMs: wall, diskMB: w0 !== null && w1 !== null ? (w1 - w0) / 1e6 : null };
}

// -----------------------------------------------------------------------------------------
// Formatting

const us = (x) => (Number.isFinite(x) ? (x >= 1000 ? `${num(x / 1000)} ms` : `${num(x)} µs`) : '–');

// -----------------------------------------------------------------------------------------
// Main

export async function runLogBench() {
  const tStart = Date.now();
  const { ensureLogEvents, logEventFiles } = await import('./agentdata.mjs');
  const manifest = ensureLogEvents({ log });
  const EVENTS = logEventFiles().events;
  fs.mkdirSync(CACHE, { recursive: true });
  DISK = diskOf(CACHE);
  const R = { date: new Date().toISOString(), quick: QUICK, cfg: CFG, warnings: [], loadavgStart: os.loadavg(), disk: DISK, manifest, nice: os.getPriority() };
  const warn = (s) => {
    R.warnings.push(s);
    log(`\n!!!!!!!! WARNING: ${s}\n`);
  };
  const cell = (name) => path.join(CACHE, `cell-${name}`);
  const base = { events: EVENTS, replays: CFG.replays };

  // What each store is.
  R.probe = {};
  for (const impl of ['jsonl', 'sqlite', 'ironlung-native', 'ironlung-wasm']) {
    const r = await runWorker('probe', impl);
    R.probe[impl] = r.results[0] ?? { error: r.error };
    if (!r.results[0]) warn(`${impl} could not be loaded: ${r.error}`);
  }
  R.commit = gitRev();

  const keep = (r, what) => {
    const res = r.results[0];
    if (!res) warn(`${what} failed: ${r.error}`);
    return res ? { ...res, foreign: r.foreign, diskMB: r.diskMB, wallMs: r.wallMs } : { error: r.error, foreign: r.foreign };
  };

  // --- 'sync': bare fdatasync before and after the cells that sync, so the reference is
  // measured on the same disk at the same time
  R.fsync = [];
  const fsyncCell = async (when) => {
    const r = await runWorker('fsync', '-', { file: cell('fsync.bin'), n: CFG.nSync });
    const c = keep(r, `bare fdatasync (${when})`);
    c.when = when;
    R.fsync.push(c);
    log(`log fsync ${when.padEnd(6)} P50 ${us(c.append?.p50)} P99 ${us(c.append?.p99)} P999 ${us(c.append?.p999)} (other CPU ${num(r.foreign, 2)}, disk ${num(r.diskMB)} MB written)`);
  };
  R.latency = {};
  const latencyCell = async (impl, durability, n) => {
    const r = await runWorker('latency', impl, { ...base, file: cell(`${impl}-${durability}.db`), n, durability, refBlock: durability === 'sync' ? CFG.refBlock : 0 });
    const c = keep(r, `${impl} ${durability} latency`);
    (R.latency[impl] ??= {})[durability] = c;
    const a = IMPLS[impl].perTurn ? c.turn : c.append;
    log(`log latency ${durability.padEnd(5)} ${impl.padEnd(28)} n ${a?.n} P50 ${us(a?.p50)} P99 ${us(a?.p99)} P999 ${us(a?.p999)} max ${us(a?.max)}${c.ref ? ` | interleaved fdatasync n ${c.ref.n} P50 ${us(c.ref.p50)} P99 ${us(c.ref.p99)}` : ''}${c.error ? ' ERROR ' + c.error : ''} (other CPU ${num(r.foreign, 2)}, disk ${num(r.diskMB)} MB)`);
  };
  await fsyncCell('before');
  for (const impl of ['jsonl', 'sqlite', 'sqlite-checkpoint', 'ironlung-native', 'ironlung-wasm']) await latencyCell(impl, 'sync', CFG.nSync);
  await fsyncCell('after');
  // --- 'none': ironlung only (the others have no such mode)
  for (const impl of ['ironlung-native', 'ironlung-wasm']) await latencyCell(impl, 'none', CFG.n);

  // --- the whole transcript, 'flush' class: latency, bytes on disk, replay
  R.full = {};
  for (const impl of FULL_IMPLS) {
    const r = await runWorker('full', impl, { ...base, file: cell(`${impl}-full.db`), n: CFG.events, durability: 'flush' });
    const c = keep(r, `${impl} whole transcript`);
    R.full[impl] = c;
    const a = IMPLS[impl].perTurn ? c.turn : c.append;
    log(
      `log full ${impl.padEnd(28)} write ${num(c.writeMs / 1000)} s, P50 ${us(a?.p50)} P99 ${us(a?.p99)} P999 ${us(a?.p999)}, disk ${num(c.diskBytes / 1e6)} MB (${fmtR(ratio(c.diskBytes, c.jsonlBytes))} of JSONL), replay ${c.replayMs ? num(c.rawBytes / 1e3 / median(c.replayMs)) + ' MB/s' : '–'}${c.resumeMs ? `, resume ${num(median(c.resumeMs))} ms` : ''}${c.error ? ' ERROR ' + c.error : ''} (other CPU ${num(r.foreign, 2)})`,
    );
    if (c.repack) {
      log(
        `log full ${impl.padEnd(28)} compact({ repack: true }) ${num(c.repack.ms / 1000)} s: disk ${num(c.repack.diskBytes / 1e6)} MB (${fmtR(ratio(c.repack.diskBytes, c.jsonlBytes))} of JSONL), replay ${num(c.rawBytes / 1e3 / median(c.repack.replayMs))} MB/s`,
      );
    }
  }

  // --- what zstd makes of the whole JSONL in one frame, at the log's level: the room left
  // by compressing each record (or group) on its own
  R.zstdWhole = zstdWhole(EVENTS, CFG.events, manifest);
  if (R.zstdWhole) log(`log zstd -3 of the whole JSONL: ${num(R.zstdWhole.bytes / 1e6)} MB (1/${num(R.zstdWhole.jsonlBytes / R.zstdWhole.bytes, 2)})`);

  // --- appends per second, 1 and 8 appenders on one store
  R.conc = {};
  const concSet = [
    ['jsonl', ['flush', 'sync']],
    ['sqlite', ['flush', 'sync']],
    ['ironlung-native', ['none', 'flush', 'sync']],
    ['ironlung-wasm', ['none', 'flush', 'sync']],
  ];
  for (const [impl, durs] of concSet) {
    for (const durability of durs) {
      for (const appenders of [1, 8]) {
        const seconds = durability === 'sync' ? CFG.syncSeconds : CFG.seconds;
        const measure = () => runWorker('concurrency', impl, { ...base, file: cell(`${impl}-${durability}-c${appenders}.db`), pool: CFG.pool, durability, appenders, seconds, warmMs: CFG.warmMs });
        let r = await measure();
        // As bench/run.mjs and bench/zstd.mjs do for throughput: a cell other processes
        // disturbed (more than DISTURBED cores) is measured once more, the quieter one kept.
        let other = null;
        if (r.results[0] && r.foreign > DISTURBED && (!WAIT || busy.waitedS < WAIT_TOTAL_S)) {
          const again = await measure();
          log(`log bench: ${impl} ${durability} ${appenders} appenders measured again: other processes used ${r.foreign.toFixed(2)} cores (now ${again.foreign?.toFixed(2)})`);
          if (again.results[0] && !(again.foreign > r.foreign)) [r, other] = [again, r];
          else other = again;
        }
        const c = keep(r, `${impl} ${durability} ${appenders} appenders`);
        if (other?.results[0]) c.other = { perSec: other.results[0].perSec, foreign: other.foreign };
        ((R.conc[impl] ??= {})[durability] ??= {})[appenders] = c;
        log(`log appends/s ${durability.padEnd(5)} ${impl.padEnd(18)} ${appenders} appender(s): ${num(c.perSec)}/s${c.perFrame ? `, ${num(c.perFrame)} appends per frame` : ''}${c.error ? ' ERROR ' + c.error : ''} (other CPU ${num(r.foreign, 2)})`);
      }
    }
  }

  // --- open (with recovery) of a 1 GiB log, built once
  const big = path.join(CACHE, `big-${QUICK ? '128M' : '1G'}.${manifest.sha256.slice(0, 12)}.ilog`);
  let bigMeta = null;
  try {
    bigMeta = JSON.parse(fs.readFileSync(big + '.json', 'utf8'));
    if (fs.statSync(big).size !== bigMeta.bytes) bigMeta = null;
  } catch {}
  R.open = {};
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!bigMeta) {
      log(`log bench: building the ${QUICK ? '128 MiB' : '1 GiB'} log once (${path.relative(ROOT, big)}; ~${QUICK ? '10 s' : '2 min'})`);
      const r = await runWorker('build1g', '-', { ...base, file: big, bytes: CFG.bigBytes, eventsCount: CFG.events }, { timeoutS: 3600 });
      bigMeta = r.results[0] ?? null;
      if (!bigMeta) {
        warn(`building the big log failed: ${r.error}`);
        break;
      }
      R.bigBuilt = true;
    }
    R.bigMeta = bigMeta;
    for (const impl of ['ironlung-native', 'ironlung-wasm']) {
      const r = await runWorker('open', impl, { file: big, n: CFG.opens });
      R.open[impl] = keep(r, `${impl} open of the big log`);
      log(`log open ${impl.padEnd(16)} ${num(bigMeta.bytes / 1e9, 2)} GB: first ${us(R.open[impl].firstUs)}, median ${us(R.open[impl].median)} of ${CFG.opens}, ${R.open[impl].readBytes ? num(median(R.open[impl].readBytes) / 1024) + ' KiB read' : ''}${R.open[impl].error ? ' ERROR ' + R.open[impl].error : ''}`);
    }
    // A log the format no longer reads (ERR_CORRUPT_LOG from a newer build): build it again.
    if (!R.bigBuilt && Object.values(R.open).some((o) => /ERR_CORRUPT_LOG|not a log|format version/.test(o.error || ''))) {
      warn('the cached big log does not open with this build: building it again');
      bigMeta = null;
      R.open = {};
      continue;
    }
    break;
  }

  R.elapsedS = (Date.now() - tStart) / 1000;
  R.busy = { samples: busy.samples, busy: busy.busy, seen: [...busy.seen].sort(), waitedS: busy.waitedS };
  R.foreign = { median: median(foreignLoad), max: Math.max(...foreignLoad, 0), disturbed: foreignLoad.filter((x) => x > DISTURBED).length, n: foreignLoad.length };
  if (busy.busy) warn(`a compiler (${R.busy.seen.join(', ')}) was running at the start of ${busy.busy} of ${busy.samples} measurements: numbers are noisier than usual`);
  R.targets = targets(R);
  fs.writeFileSync(path.join(BENCH_DIR, '.corpus', QUICK ? 'last-log-results-quick.json' : 'last-log-results.json'), JSON.stringify(R, null, 2));
  return report(R);
}

/** `zstd -3` (the CLI, one frame) of the first `events` lines: { bytes, jsonlBytes }, cached. */
function zstdWhole(file, events, manifest) {
  const out = path.join(CACHE, `zstd3-${manifest.sha256.slice(0, 12)}-${events}.json`);
  try {
    return JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {}
  const tmp = path.join(CACHE, 'zstd-input.jsonl');
  try {
    const buf = fs.readFileSync(file);
    let at = 0;
    for (let k = 0; k < events; k++) at = buf.indexOf(10, at) + 1;
    fs.writeFileSync(tmp, buf.subarray(0, at));
    const z = execFileSync('zstd', ['-3', '-q', '-c', '--single-thread', tmp], { maxBuffer: 1 << 30 });
    const res = { bytes: z.length, jsonlBytes: at, cli: execFileSync('zstd', ['--version'], { encoding: 'utf8' }).trim() };
    fs.writeFileSync(out, JSON.stringify(res));
    return res;
  } catch {
    return null;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function gitRev() {
  try {
    const git = (...a) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    const rev = git('rev-parse', '--short', 'HEAD');
    // the commit that last changed the library itself (the benchmark's own commits aside)
    const lib = git('log', '-1', '--format=%h', '--', 'crates', 'js', 'wasm', 'Cargo.lock');
    const dirty = git('status', '--porcelain', '--', 'crates', 'js', 'wasm');
    return `${rev}${lib && lib !== rev ? ` (library as of ${lib})` : ''}${dirty ? ' (uncommitted changes in crates/js/wasm)' : ''}`;
  } catch {
    return '?';
  }
}

// -----------------------------------------------------------------------------------------
// Derived numbers and targets

/** Bare fdatasync P99 over both reference cells' samples together. */
function fsyncP99(R) {
  const all = R.fsync.flatMap((c) => c.samples || []).sort((a, b) => a - b);
  if (!all.length) return NaN;
  return all[Math.min(all.length - 1, Math.ceil(0.99 * all.length) - 1)];
}

/** The latency cell for a store and durability: 'flush' cells come from the whole-transcript run. */
function latencyOf(R, impl, durability) {
  const c = durability === 'flush' ? R.full?.[impl] : R.latency?.[impl]?.[durability];
  if (!c) return null;
  return { cell: c, a: IMPLS[impl]?.perTurn ? c.turn : c.append };
}

function targets(R) {
  const T = [];
  const add = (name, measured, status, limits = '') => T.push({ name, measured, status, limits });
  const st = (ok) => (ok === null ? 'NOT MEASURED' : ok ? 'MET' : 'MISSED');
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const p99 = latencyOf(R, impl, 'flush')?.a?.p99;
    add(`${IMPLS[impl].label}: append P99 with 'flush' < 1 ms`, `${us(p99)} (n = ${latencyOf(R, impl, 'flush')?.a?.n ?? '–'}; P50 ${us(latencyOf(R, impl, 'flush')?.a?.p50)})`, st(Number.isFinite(p99) ? p99 < 1000 : null));
  }
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const c = latencyOf(R, impl, 'sync')?.cell;
    const p99 = c?.append?.p99;
    const ref = c?.ref?.p99;
    const r = ratio(p99, ref);
    add(
      `${IMPLS[impl].label}: append P99 with 'sync' ≤ 1.5× a bare fdatasync's P99 (same disk, interleaved in the same process)`,
      `${us(p99)} vs ${us(ref)} = ${fmtR(r)} (vs the separate reference cells' ${us(fsyncP99(R))}: ${fmtR(ratio(p99, fsyncP99(R)))})`,
      st(Number.isFinite(r) ? r <= 1.5 : null),
    );
  }
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const c = R.conc?.[impl]?.sync;
    const r = ratio(c?.[8]?.perSec, c?.[1]?.perSec);
    add(`${IMPLS[impl].label}: 8 concurrent appenders ≥ 4× the appends/s of 1, 'sync'`, `${num(c?.[8]?.perSec)} vs ${num(c?.[1]?.perSec)}/s = ${fmtR(r)}`, st(Number.isFinite(r) ? r >= 4 : null));
  }
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const c = R.full?.[impl];
    const r = ratio(c?.diskBytes, c?.jsonlBytes);
    add(`${IMPLS[impl].label}: on disk ≤ 1/5 of the JSONL (${R.quick ? `${R.cfg.events} events, quick run` : `${R.cfg.events} events`})`, `${num(c?.diskBytes / 1e6)} MB vs ${num(c?.jsonlBytes / 1e6)} MB = 1/${num(1 / r, 2)}`, st(Number.isFinite(r) ? r <= 0.2 : null));
  }
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const c = R.full?.[impl];
    const p = c?.repack;
    const r = ratio(p?.diskBytes, c?.jsonlBytes);
    add(
      `${IMPLS[impl].label}: on disk ≤ 1/5 of the JSONL after compact({ repack: true }) (${R.quick ? `${R.cfg.events} events, quick run` : `${R.cfg.events} events`})`,
      p ? `${num(p.diskBytes / 1e6)} MB vs ${num(c.jsonlBytes / 1e6)} MB = 1/${num(1 / r, 2)}, the repack took ${num(p.ms / 1000)} s` : '–',
      st(Number.isFinite(r) ? r <= 0.2 : null),
    );
  }
  {
    const c = R.full?.['ironlung-native'];
    const mbps = c?.replayMs ? c.rawBytes / 1e3 / median(c.replayMs) : NaN;
    add(`ironlung native: replay ≥ 200 MB/s of decoded records (entries() over the whole log)`, `${num(mbps)} MB/s`, st(Number.isFinite(mbps) ? mbps >= 200 : null));
  }
  for (const impl of ['ironlung-native', 'ironlung-wasm']) {
    const o = R.open?.[impl];
    const full = R.cfg.bigBytes >= 1 << 30;
    add(
      `${IMPLS[impl].label}: open (with recovery) of a ${full ? '1 GiB' : `${R.cfg.bigBytes >> 20} MiB (quick run)`} log < 100 ms`,
      o?.median !== undefined ? `median ${us(o.median)} of ${R.cfg.opens}, first ${us(o.firstUs)}; ${num(median(o.readBytes) / 1024)} KiB read per open` : o?.error || '–',
      st(Number.isFinite(o?.median) ? o.median < 100_000 : null),
    );
  }
  return T;
}

// -----------------------------------------------------------------------------------------
// Report

/** The compact table of one run, as the "Every run" list keeps it. */
function runTable(R) {
  const rows = [];
  rows.push([
    'bare write + fdatasync, cells of their own (before / after)',
    'sync',
    R.fsync.map((c) => `${us(c.append?.p50)}`).join(' / '),
    R.fsync.map((c) => `${us(c.append?.p99)}`).join(' / '),
    R.fsync.map((c) => `${us(c.append?.p999)}`).join(' / '),
    '',
    '',
    '',
    '',
  ]);
  const order = [
    ['jsonl', ['sync', 'flush']],
    ['sqlite', ['sync', 'flush']],
    ['sqlite-checkpoint', ['sync', 'flush']],
    ['ironlung-native', ['sync', 'flush', 'none']],
    ['ironlung-wasm', ['sync', 'flush', 'none']],
    ['ironlung-native-checkpoint', ['flush']],
    ['ironlung-native-text', ['flush']],
  ];
  for (const [impl, durs] of order) {
    for (const d of durs) {
      const l = latencyOf(R, impl, d);
      const c = R.conc?.[impl]?.[d];
      const f = d === 'flush' ? R.full?.[impl] : null;
      const replay = f?.replayMs ? `${num(f.rawBytes / 1e3 / median(f.replayMs))}` : f?.resumeMs ? `resume ${num(median(f.resumeMs))} ms` : '';
      rows.push([
        label(impl, d) + (IMPLS[impl].perTurn ? ' †' : ''),
        d,
        us(l?.a?.p50),
        us(l?.a?.p99) + (l?.cell?.ref ? ` (fdatasync beside it: ${us(l.cell.ref.p99)})` : ''),
        us(l?.a?.p999),
        c ? num(c[1]?.perSec) : '',
        c ? `${num(c[8]?.perSec)} (${fmtR(ratio(c[8]?.perSec, c[1]?.perSec))})` : '',
        f ? `${num(f.diskBytes / 1e6)} (${fmtR(ratio(f.diskBytes, f.jsonlBytes))})` : '',
        replay,
      ]);
      if (f?.repack) {
        const p = f.repack;
        rows.push([`${label(impl, d)}, then \`compact({ repack: true })\` (${num(p.ms / 1000)} s)`, d, '', '', '', '', '', `${num(p.diskBytes / 1e6)} (${fmtR(ratio(p.diskBytes, f.jsonlBytes))})`, num(f.rawBytes / 1e3 / median(p.replayMs))]);
      }
    }
  }
  const t = mdTable(['store', 'durability', 'P50', 'P99', 'P999', 'appends/s, 1', 'appends/s, 8 (8/1)', 'on disk MB (/ JSONL)', 'replay MB/s'], rows);
  const open = ['ironlung-native', 'ironlung-wasm'].map((i) => `${IMPLS[i].label} ${us(R.open?.[i]?.median)} (first ${us(R.open?.[i]?.firstUs)})`).join(', ');
  return `${t}\n\n† per turn (a checkpoint each 10 events). Open of the ${num((R.bigMeta?.bytes ?? NaN) / 1e9, 2)} GB log, median of ${R.cfg.opens}: ${open}. Sync latencies n = ${R.cfg.nSync} (SqliteSaver: ${R.cfg.nSync / 10} turns), 'flush' from the whole transcript (n = ${R.cfg.events}), 'none' n = ${R.cfg.n}.`;
}

function runEntry(R, k) {
  const t = R.targets.map((x) => `${x.name.replace(/ \([^)]*\)$/, '')}: **${x.status}** (${x.measured})`);
  return [
    `### Run ${k}: ${R.date}${R.quick ? ' (quick)' : ''}`,
    '',
    `ironlung ${R.commit}, ${R.elapsedS.toFixed(0)} s, load average at the start ${R.loadavgStart.map((x) => x.toFixed(2)).join(' ')}, nice ${R.nice}; other processes' CPU during the measurements: median ${num(R.foreign.median, 2)} cores, max ${num(R.foreign.max, 2)} (${R.foreign.disturbed} of ${R.foreign.n} above ${DISTURBED}); waited ${R.busy.waitedS.toFixed(0)} s for a quiet CPU.${R.warnings.length ? ` Warnings: ${R.warnings.join('; ')}.` : ''}`,
    '',
    runTable(R),
    '',
    ...t.map((x) => `- ${x}`),
  ].join('\n');
}

/** The "Every run" block of BENCHMARKS.md so far (its entries), or ''. */
function earlierRuns() {
  try {
    const md = fs.readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8');
    const a = md.indexOf(RUNS_BEGIN);
    const b = md.indexOf(RUNS_END);
    if (a === -1 || b === -1 || b < a) return '';
    return md.slice(a + RUNS_BEGIN.length, b).trim();
  } catch {
    return '';
  }
}

function report(R) {
  const out = [];
  const P = (s = '') => out.push(s);
  const m = R.manifest;
  P('# Session log benchmark (issue #16)');
  P();
  P(
    `Generated by \`node bench/log.mjs${R.quick ? ' --quick' : ''}\` (or \`npm run bench -- --only=log\`) on ${R.date}, in ${R.elapsedS.toFixed(0)} s, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${process.version}, load average at the start ${R.loadavgStart.map((x) => x.toFixed(2)).join(' ')}, ironlung ${R.commit}.` +
      (R.quick ? ' **Quick run: 10^4 events, fewer samples, a 128 MiB log for the open; use the full run for real numbers.**' : ''),
  );
  P('µs and ms are per append (per turn where marked †); MB = 10^6 bytes; MB/s of replay is the records\' JSON bytes decoded per second.');
  P();
  for (const line of warningLines(R.warnings)) P(line);
  P('## Machine and method');
  P();
  P(
    `- Disk: the files live in \`bench/.cache/log\` on \`${R.disk ?? '?'}\` (${diskNote(R.disk)}). Every \`'sync'\` figure is this disk's fdatasync, and on this virtual machine fdatasync swings between ~0.15 ms and ~4 ms over seconds, with other tenants' I/O. So each \`'sync'\` cell carries its own reference: after every ${R.cfg.refBlock} events it writes as many bare 200-byte records + \`fdatasync\` (from the main thread, untimed) to a file beside its store, and its P99 is compared with the P99 of those (*interleaved fdatasync*). Two reference cells of their own (${R.cfg.nSync} bare write + fdatasync each) run just before and just after the \`'sync'\` cells, to show how far apart two moments can be.`,
  );
  P(
    `- The run ran at nice ${R.nice} (the machine is shared: 2 cores; a process at nice 10 gets little CPU while others compete, which shows in the tails); before each measurement it waited for compilers and other CPU-heavy processes (bench/quiet.mjs), ${R.busy.waitedS.toFixed(0)} s in all. Other processes' CPU during the measurements: median ${num(R.foreign.median, 2)} cores, max ${num(R.foreign.max, 2)}; ${R.foreign.disturbed} of ${R.foreign.n} measurements above ${DISTURBED} cores. The disk's other writers are not controlled: "disk MB" in the details below is everything written to ${R.disk ?? 'the disk'} during a cell (/proc/diskstats), this process's writes included as far as they reached the disk.`,
  );
  P(
    `- Workload: \`bench/.corpus/${m.name}\`, ${m.events} events, ${num(m.bytes / 1e6)} MB of JSONL (sha256 \`${m.sha256.slice(0, 16)}…\`), built by \`bench/agentdata.mjs\` (the zstd benchmark's agent session, same seed, continued): codex-rs rollout lines \`{"timestamp","type":"response_item","payload":<chat message>}\`, a message longer than 20 KB cut into parts. Event sizes: min ${m.eventBytes.min} B, P10 ${m.eventBytes.p10}, median ${m.eventBytes.p50}, P90 ${m.eventBytes.p90}, P99 ${m.eventBytes.p99}, max ${m.eventBytes.max}, mean ${m.eventBytes.mean}. Mix by bytes: ${Object.entries(m.mix).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}. The code pool (Rust std, glibc headers, Python stdlib: ~21 MB) is read over and over (up to ${m.sourcesReused.codeLaps} times for the headers); every record is compressed on its own, so repetition far apart in the log does not make it smaller.`,
  );
  P(
    `- Each event is appended as the object it parses to (\`JSON.parse\` outside the timed part); every store serialises it itself (\`JSON.stringify\` for JSONL and SQLite, \`log.append(obj)\` for ironlung). Latency: \`performance.now()\` around one append and its await, one append after another. Replay: one checked pass (every 97th record compared with its line), then ${R.cfg.replays} timed passes over the whole store, median; the files are in the page cache (just written). Each cell runs in a fresh process.`,
  );
  P(
    `- Stores: ${R.probe.jsonl?.version ?? 'node:fs'} (\`appendFileSync(fd, JSON.stringify(e) + '\\n')\` on a descriptor kept open, as codex-rs keeps its rollout file; \`'sync'\` adds \`fsyncSync(fd)\`); ${R.probe.sqlite?.version ?? 'better-sqlite3'} (${R.probe.sqlite?.walSynchronous ?? '?'}: in WAL mode a commit is not fsynced unless \`synchronous=FULL\`), \`journal_mode=WAL\`, a prepared \`INSERT\` per event (autocommit); SqliteSaver: its \`checkpoints\` table and \`put()\` statement (\`INSERT OR REPLACE\`, the checkpoint and metadata as JSON), one checkpoint per turn of 10 events whose \`channel_values.messages\` is the thread's **whole** message list so far (LangGraph's messages channel without trimming), a new thread every 100 events (10 turns), so each checkpoint holds 10-100 messages and a turn rewrites all of them; ironlung ${R.probe['ironlung-native']?.version ?? '?'} and ${R.probe['ironlung-wasm']?.version ?? '?'}, \`openLog(path, { durability })\` with the defaults (zstd level 3, \`dictionary: 'auto'\`); "append + checkpoint per turn" also calls \`log.checkpoint(state)\` with SqliteSaver's state each turn.`,
  );
  P(
    `- Durability classes: \`'flush'\` rows are the stores that survive a process crash but not a power loss (JSONL without fsync, SQLite WAL with synchronous=NORMAL, ironlung \`'flush'\`); \`'sync'\` rows survive a power loss (fsync / synchronous=FULL / ironlung \`'sync'\`). \`'none'\` is ironlung's buffered mode.`,
  );
  P();

  // ---- latency
  P("## Append latency (lower is better)");
  P();
  P(
    `One append after another, each awaited. \`'sync'\`: ${R.cfg.nSync} appends (SqliteSaver: ${R.cfg.nSync / 10} turns); \`'flush'\`: every append of the whole-transcript run below (${R.cfg.events}); \`'none'\`: ${R.cfg.n}. Percentiles are nearest-rank: P999 of ${R.cfg.nSync} samples is the ${R.cfg.nSync - Math.ceil(0.999 * R.cfg.nSync) + 1 === 1 ? 'slowest' : R.cfg.nSync - Math.ceil(0.999 * R.cfg.nSync) + 1 === 2 ? 'second-slowest' : 'third-slowest'}.`,
  );
  P();
  const refP = fsyncP99(R);
  const jsonlP99 = { sync: latencyOf(R, 'jsonl', 'sync')?.a?.p99, flush: latencyOf(R, 'jsonl', 'flush')?.a?.p99, none: latencyOf(R, 'jsonl', 'flush')?.a?.p99 };
  const latRows = [];
  for (const c of R.fsync) latRows.push([`bare write + fdatasync, a cell of its own (${c.when} the cells below)`, 'sync', c.append?.n ?? '–', us(c.append?.p50), us(c.append?.p99), us(c.append?.p999), us(c.append?.max), '–', '–', '–']);
  for (const [d, impls] of [
    ['sync', ['jsonl', 'sqlite', 'sqlite-checkpoint', 'ironlung-native', 'ironlung-wasm']],
    ['flush', ['jsonl', 'sqlite', 'sqlite-checkpoint', 'ironlung-native', 'ironlung-wasm', 'ironlung-native-checkpoint']],
    ['none', ['ironlung-native', 'ironlung-wasm']],
  ]) {
    for (const impl of impls) {
      const l = latencyOf(R, impl, d);
      const a = l?.a;
      latRows.push([
        label(impl, d) + (IMPLS[impl].perTurn ? ' †' : ''),
        d,
        a?.n ?? (l?.cell?.error ? 'error' : '–'),
        us(a?.p50),
        us(a?.p99),
        us(a?.p999),
        us(a?.max),
        IMPLS[impl].perTurn ? '–' : `**${fmtR(ratio(a?.p99, jsonlP99[d]))}**`,
        d === 'sync' && l?.cell?.ref ? `${us(l.cell.ref.p50)} / ${us(l.cell.ref.p99)}` : '',
        d === 'sync' && l?.cell?.ref ? `**${fmtR(ratio(a?.p99, l.cell.ref.p99))}**` : '',
      ]);
    }
  }
  P(mdTable(['store', 'durability', 'n', 'P50', 'P99', 'P999', 'max', `P99 / JSONL's (same durability; 'none': / 'flush')`, 'interleaved fdatasync P50 / P99', 'P99 / interleaved fdatasync P99'], latRows));
  P();
  P(`*Interleaved fdatasync*: see "Machine and method". The two reference cells of their own together: P99 ${us(refP)}.`);
  P();
  {
    const ck = R.full?.['ironlung-native-checkpoint'];
    P(
      `† per turn: the checkpoint call alone (SqliteSaver's \`put()\`; \`log.checkpoint()\`), once every 10 events. ironlung's append + checkpoint row also appended each event: append P50 ${us(ck?.append?.p50)}, P99 ${us(ck?.append?.p99)}, P999 ${us(ck?.append?.p999)}.`,
    );
  }
  const spikes = ['ironlung-native', 'ironlung-wasm'].map((i) => {
    const a = latencyOf(R, i, 'flush')?.a;
    return a?.worst ? `${IMPLS[i].label} ${a.worst.map(([k, v]) => `#${k + 1}: ${us(v)}`).join(', ')}` : null;
  }).filter(Boolean);
  if (spikes.length) P(`The slowest \`'flush'\` appends (append number: µs): ${spikes.join('; ')}.`);
  P();

  // ---- throughput
  P('## Appends per second: 1 and 8 concurrent appenders on one store (higher is better)');
  P();
  P(
    `Each appender awaits its own appends, one after another, for ${R.cfg.seconds} s (${R.cfg.syncSeconds} s with \`'sync'\`), over a pool of the first ${R.cfg.pool} events, after ${R.cfg.warmMs} ms of unmeasured appends one after another. A cell during which other processes used more than ${DISTURBED} cores is measured once more and the quieter of the two kept (~ marks one still above ${DISTURBED}; the details give both). For ironlung, 8 appenders are group commit: appends queued while a write (and its fdatasync) is under way go out together in the next one. The JSONL and SQLite calls are synchronous, so their 8 appenders take turns on the one thread (the honest equivalent in one Node process).`,
  );
  P();
  const cRows = [];
  for (const [impl, durs] of [
    ['jsonl', ['sync', 'flush']],
    ['sqlite', ['sync', 'flush']],
    ['ironlung-native', ['sync', 'flush', 'none']],
    ['ironlung-wasm', ['sync', 'flush', 'none']],
  ]) {
    for (const d of durs) {
      const c = R.conc?.[impl]?.[d];
      const jl = R.conc?.jsonl?.[d === 'none' ? 'flush' : d];
      cRows.push([
        label(impl, d),
        d,
        c?.[1]?.error ? 'error' : (c?.[1]?.foreign > DISTURBED ? '~' : '') + num(c?.[1]?.perSec),
        c?.[8]?.error ? 'error' : (c?.[8]?.foreign > DISTURBED ? '~' : '') + num(c?.[8]?.perSec),
        `**${fmtR(ratio(c?.[8]?.perSec, c?.[1]?.perSec))}**`,
        c?.[8]?.perFrame ? num(c[8].perFrame) : '–',
        impl === 'jsonl' ? '–' : `${fmtR(ratio(c?.[1]?.perSec, jl?.[1]?.perSec))} / ${fmtR(ratio(c?.[8]?.perSec, jl?.[8]?.perSec))}`,
      ]);
    }
  }
  P(mdTable(['store', 'durability', '1 appender /s', '8 appenders /s', '8 / 1', 'appends per frame (8)', "/ JSONL's (1 / 8)"], cRows));
  P();

  // ---- whole transcript
  P(`## The whole transcript: write, bytes on disk, replay (${R.cfg.events} events, 'flush' class)`);
  P();
  P(
    `One append per event, each awaited, then the store closed; bytes on disk after closing (SQLite: the database and any -wal/-shm file). Replay: ironlung \`entries()\` over a log opened \`readOnly\` (records come back as objects); JSONL read in 1 MiB pieces, cut at newlines, \`JSON.parse\` per line; SQLite \`SELECT … ORDER BY seq\` with \`.iterate()\`, \`JSON.parse\` per row. MB/s = the records' JSON bytes (${num((R.full?.jsonl?.rawBytes ?? NaN) / 1e6)} MB) per second. SqliteSaver's store cannot be replayed as a transcript (each thread's events live in its checkpoints): *resume* is its \`getTuple()\` of the last thread (newest checkpoint, parsed); ironlung's is \`lastCheckpoint()\` on a log opened \`readOnly\`.`,
  );
  P();
  const fRows = [];
  const jl = R.full?.jsonl;
  const jlReplay = jl?.replayMs ? jl.rawBytes / 1e3 / median(jl.replayMs) : NaN;
  for (const impl of FULL_IMPLS) {
    const c = R.full?.[impl];
    if (!c || c.error) {
      fRows.push([label(impl, 'flush'), 'error', '', '', '', '', '', '']);
      continue;
    }
    const rep = c.replayMs ? c.rawBytes / 1e3 / median(c.replayMs) : NaN;
    fRows.push([
      label(impl, 'flush'),
      num(c.writeMs / 1000),
      num((c.events * 1000) / c.writeMs),
      num(c.diskBytes / 1e6),
      `**${fmtR(ratio(c.diskBytes, c.jsonlBytes))}**${c.stats?.storedBytes ? ` (1/${num(c.jsonlBytes / c.diskBytes, 2)})` : ''}`,
      Number.isFinite(rep) ? num(rep) : '–',
      Number.isFinite(rep) ? `**${fmtR(ratio(rep, jlReplay))}**` : '–',
      c.resumeMs ? `${num(median(c.resumeMs))} ms (${c.resume?.messages} messages)` : '–',
    ]);
  }
  if (R.zstdWhole) fRows.push([`\`zstd -3\` of the whole JSONL file, one frame (${R.zstdWhole.cli.replace(/^\*+\s*|\s*\*+$/g, '').replace(/,.*$/, '')}): what compressing each record on its own gives up`, '', '', num(R.zstdWhole.bytes / 1e6), `${fmtR(ratio(R.zstdWhole.bytes, R.zstdWhole.jsonlBytes))} (1/${num(R.zstdWhole.jsonlBytes / R.zstdWhole.bytes, 2)})`, '', '', '']);
  fRows.push(['`JSON.parse` alone, the lines in memory (a ceiling for any replay returning objects)', '', '', '', '', jl?.parseMs ? num(jl.rawBytes / 1e3 / median(jl.parseMs)) : '–', jl?.parseMs ? fmtR(ratio(jl.rawBytes / 1e3 / median(jl.parseMs), jlReplay)) : '–', '']);
  P(mdTable(['store', 'write s', 'events/s', 'on disk MB', 'on disk / JSONL', 'replay MB/s', 'replay / JSONL', 'resume'], fRows));
  P();
  const sn = R.full?.['ironlung-native']?.stats;
  if (sn) P(`ironlung native's log: ${sn.records} records in ${sn.segments} frames, ${sn.rawBytes} raw bytes stored in ${sn.storedBytes} (${num(sn.rawBytes / sn.storedBytes, 2)}:1 on the records' JSON), dictionary ${sn.dictionaryId ?? 'none'}.`);
  P();

  // ---- open
  P(`## Open of a ${R.cfg.bigBytes >= 1 << 30 ? '1 GiB' : `${R.cfg.bigBytes >> 20} MiB`} log (lower is better)`);
  P();
  const bm = R.bigMeta;
  P(
    `\`await openLog(path)\` (a writer: lock, header, the last frame found from the end, torn-tail recovery, the dictionary loaded), then \`close()\`, ${R.cfg.opens} times in one process after one unmeasured open; the median. The log${bm ? ` (${num(bm.bytes / 1e9, 3)} GB, ${bm.stats?.records} records in ${bm.stats?.segments} frames, ${bm.passes} passes over the transcript as \`appendBatch\` of one turn, records as their JSON text; built ${bm.built} in ${num(bm.buildMs / 1000)} s${R.bigBuilt ? ', in this run' : ', cached'})` : ''} is in \`bench/.cache/log\`; its pages are mostly not in the page cache. *Read per open*: bytes the process read (\`rchar\` of /proc/self/io) during one open.`,
  );
  P();
  P(
    mdTable(
      ['backend', 'first open', `median of ${R.cfg.opens}`, 'max', 'read per open'],
      ['ironlung-native', 'ironlung-wasm'].map((i) => {
        const o = R.open?.[i];
        if (!o || o.error) return [IMPLS[i].label, o?.error ?? '–', '', '', ''];
        return [IMPLS[i].label, us(o.firstUs), `**${us(o.median)}**`, us(Math.max(...o.us)), `${num(median(o.readBytes) / 1024)} KiB`];
      }),
    ),
  );
  P();
  P(
    `Then \`entries({ from, to: from + 100 })\` on a reader of the same log, 5 times each: from a seq in the middle and the last 100. The log holds no checkpoint (it is built with appends alone), so each start is found by bisecting the file on its frames' seqs. *Read*: bytes the process read during one such read, against the ${bm ? num(bm.bytes / 2 ** 20) : '?'} MiB a read from the file's start would cover.`,
  );
  P();
  P(
    mdTable(
      ['backend', 'from', 'first', 'median of 5', 'read'],
      ['ironlung-native', 'ironlung-wasm'].flatMap((i) =>
        Object.entries(R.open?.[i]?.seeks ?? {}).map(([where, s]) => [
          IMPLS[i].label,
          `${s.from} (${where})`,
          us(s.us[0]),
          `**${us(s.median)}**`,
          `${num(median(s.readBytes) / 1024)} KiB`,
        ]),
      ),
    ),
  );
  P();

  // ---- targets
  P('## Targets');
  P();
  P(mdTable(['target', 'measured', 'result'], R.targets.map((t) => [t.name, t.measured, `**${t.status}**`])));
  P();
  P(`${targetCounts(R.targets)}. What limits each: see "What limits each target" below.`);
  P();

  // ---- details
  P('<details><summary>Per-cell details</summary>');
  P();
  for (const c of R.fsync) P(`- bare fdatasync (${c.when}): P90 ${us(c.append?.p90)}, mean ${us(c.append?.mean)}, slowest ${(c.append?.worst || []).map(([k, v]) => `#${k + 1} ${us(v)}`).join(', ')}; other CPU ${num(c.foreign, 2)}, disk ${num(c.diskMB)} MB written during the cell`);
  for (const [impl, byD] of Object.entries(R.latency)) for (const [d, c] of Object.entries(byD)) { const a = IMPLS[impl].perTurn ? c.turn : c.append; P(`- ${label(impl, d)}: P90 ${us(a?.p90)}, mean ${us(a?.mean)}, slowest ${(a?.worst || []).map(([k, v]) => `#${k + 1} ${us(v)}`).join(', ')}; other CPU ${num(c.foreign, 2)}, disk ${num(c.diskMB)} MB${c.error ? `; error: ${c.error}` : ''}`); }
  for (const [impl, c] of Object.entries(R.full)) { const a = IMPLS[impl].perTurn ? c.turn : c.append; P(`- whole transcript, ${label(impl, 'flush')}: P90 ${us(a?.p90)}, mean ${us(a?.mean)}, slowest ${(a?.worst || []).map(([k, v]) => `#${k + 1} ${us(v)}`).join(', ')}; replay ms [${(c.replayMs || []).map((x) => num(x)).join(', ')}]${c.resumeMs ? `, resume ms [${c.resumeMs.map((x) => num(x)).join(', ')}]` : ''}; other CPU ${num(c.foreign, 2)}, disk ${num(c.diskMB)} MB${c.error ? `; error: ${c.error}` : ''}`); }
  for (const [impl, byD] of Object.entries(R.conc)) for (const [d, byK] of Object.entries(byD)) P(`- appends/s ${label(impl, d)}: ${Object.entries(byK).map(([k, c]) => `${k}: ${c.appends} appends in ${num(c.ms / 1000)} s, other CPU ${num(c.foreign, 2)}, disk ${num(c.diskMB)} MB${c.other ? ` (the other measurement: ${num(c.other.perSec)}/s, other CPU ${num(c.other.foreign, 2)})` : ''}`).join('; ')}`);
  for (const [impl, o] of Object.entries(R.open)) P(`- open ${IMPLS[impl].label}: µs [${(o.us || []).map((x) => num(x)).join(', ')}], read per open [${(o.readBytes || []).join(', ')}] bytes`);
  P();
  P('</details>');
  P();

  // ---- hand-kept analysis, then every run
  const notes = path.join(BENCH_DIR, 'log-notes.md');
  if (fs.existsSync(notes)) {
    P(fs.readFileSync(notes, 'utf8').replace(/^<!--.*-->\n/, '').trimEnd());
    P();
  }
  P('## Every run');
  P();
  P('Each run of this benchmark, oldest first, as it printed (quick runs included, marked); not only the best.');
  P();
  P(RUNS_BEGIN);
  const before = earlierRuns();
  const k = (before.match(/^### Run \d+/gm) || []).length + 1;
  if (before) {
    P(before);
    P();
  }
  P(runEntry(R, k));
  P(RUNS_END);
  return out.join('\n');
}

function diskNote(disk) {
  if (!disk) return 'unknown device';
  const rd = (f) => {
    try {
      return fs.readFileSync(`/sys/block/${disk}/queue/${f}`, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  let fsType = '?';
  try {
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f.length > 2 && (CACHE + '/').startsWith(f[1] === '/' ? '/' : f[1] + '/'));
    fsType = mounts.sort((a, b) => b[1].length - a[1].length)[0]?.[2] ?? '?';
  } catch {}
  return `a virtio disk; the kernel sees it as ${rd('rotational') === '0' ? 'non-rotational' : rd('rotational') === '1' ? 'rotational' : '?'} with a ${rd('write_cache')} cache; ${fsType}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runLogBench()
    .then((md) => process.stdout.write('\n' + md + '\n'))
    .catch((e) => {
      console.error(e && e.stack ? e.stack : e);
      process.exit(1);
    });
}
