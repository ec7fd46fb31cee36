// ironlung's benchmark: ironlung (native and wasm) against its npm peers, side by side, in one
// run, every table with ratios to hypertok.
//
//   npm run bench                     full run (~4-5 min on 2 cores, then ~8-10 min of zstd and
//                                     ~5 min of the session log), report on stdout
//   npm run bench -- --quick          smoke run (~1 min): fewer rounds, 256 KiB of each corpus
//   npm run bench -- --write          also write the report to BENCHMARKS.md
//   npm run bench -- --only=throughput,cold,percall,rss,worst,download,zstd,log
//   npm run bench -- --only=zstd      the zstd benchmark alone (bench/zstd.mjs, issue #15;
//                                     ~8-10 min, ~1.5 min with --quick)
//   npm run bench -- --only=log       the session log benchmark alone (bench/log.mjs, issue #16;
//                                     ~5 min, ~1.5 min with --quick; the first run also builds
//                                     its workload and a 1 GiB log, ~4 min, both cached)
//   npm run bench -- --no-wait        do not wait for other people's compilers (see sampleBusy)
//
// On this shared machine other builds run at the same time: before each measurement the run
// waits (up to 2 min each, 5 min per full run, 15 s per quick run) while cargo/rustc/ld/...
// are running or other processes keep more than half a core busy, measures the CPU other
// processes used during each measurement (/proc/stat), repeats a disturbed throughput
// measurement once, and the report warns when a compiler was still running or when the
// ironlung build outputs changed during the run. Raw results: bench/.corpus/last-results*.json.
//
// It sets itself up: peers are installed into bench/node_modules from bench/package-lock.json
// when missing, and the corpora are built into bench/.corpus (bench/corpus.mjs). Each
// measurement runs in a fresh child process (bench/worker.mjs), one implementation at a time.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DISTURBED, createQuiet, foreignMeter } from './quiet.mjs';
import { median, num, ratio, warningLines } from './stats.mjs';
import { BENCH_DIR, ROOT, IMPLS, IMPL_ORDER, THROUGHPUT_ORDER, ENCODINGS, hypertokVocabPath } from './impls.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const WRITE = args.includes('--write');
const ONLY = (args.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const WAIT = !args.includes('--no-wait');
const WAIT_EACH_S = 120;
const WAIT_TOTAL_S = QUICK ? 15 : 300;
const want = (section) => ONLY.length === 0 || ONLY.includes(section);
const log = (s) => process.stderr.write(s + '\n');

const CFG = QUICK
  ? { warmMs: 150, rounds: 3, limit: 256 << 10, coldSpawns: 3, callRounds: 3, calls: 1000, worstSizes: [1e4, 1e5], worstTimeoutS: 5, rssEncodings: ['cl100k_base'] }
  : { warmMs: 300, rounds: 5, limit: Infinity, coldSpawns: 7, callRounds: 5, calls: 2000, worstSizes: [1e5, 1e6], worstTimeoutS: 60, rssEncodings: ENCODINGS };
const CHECK_BYTES = 10 * 1024;
const WORKER = path.join(BENCH_DIR, 'worker.mjs');
const ENC_SHORT = { cl100k_base: 'cl100k', o200k_base: 'o200k' };
const CORPUS_LABEL = { english: 'English', code: 'Code', multilingual: 'Multilingual' };

// -----------------------------------------------------------------------------------------
// Setup

function sh(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

function ensurePeers() {
  const pkg = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'package.json'), 'utf8'));
  const stale = Object.entries(pkg.dependencies).filter(([name, version]) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version !== version;
    } catch {
      return true;
    }
  });
  if (stale.length === 0) return;
  log(`bench: installing peers into bench/node_modules (${stale.map((s) => s[0]).join(', ')})`);
  const r = sh('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: BENCH_DIR });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error('bench: npm ci in bench/ failed');
  }
}

function ensureIronlungBuild() {
  const needed = ['js/gen/node.mjs', 'js/gen/wasm.mjs', 'assets/ironlung.wasm'];
  const nativeDir = path.join(ROOT, 'npm', 'linux-x64-gnu');
  const hasNative = fs.existsSync(nativeDir) && fs.readdirSync(nativeDir).some((f) => f.endsWith('.node'));
  const missing = needed.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length === 0 && (hasNative || process.platform !== 'linux' || process.arch !== 'x64')) return;
  if (sh('pgrep', ['-x', 'cargo']).status === 0) {
    throw new Error(`bench: ironlung build outputs are missing (${missing.join(', ') || 'native addon'}) and a cargo build is running; run again when it is done`);
  }
  log('bench: ironlung build outputs missing, running scripts/build.sh (about 2 minutes)');
  const r = sh('bash', ['scripts/build.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('bench: scripts/build.sh failed');
}

// -----------------------------------------------------------------------------------------
// Child processes

/**
 * Runs bench/worker.mjs; resolves with its "@@bench" results. `timeoutS` is a per-result
 * timeout: the child is killed if no new result arrives within it.
 */
const { busy, sampleBusy } = createQuiet({ wait: WAIT, eachS: WAIT_EACH_S, totalS: WAIT_TOTAL_S, probeMs: QUICK ? 100 : 200, name: 'bench', log });

/** Other processes' CPU use during each measurement, in cores (1 = one core fully busy). */
const foreignLoad = [];

/** Where in the run the ironlung build outputs changed (someone rebuilt them). */
const rebuilds = [];
let lastStamp = null;
function noteRebuild(what) {
  const st = buildStamp();
  if (lastStamp !== null && st !== lastStamp) rebuilds.push(what);
  lastStamp = st;
}

function runWorker(mode, impl, encoding, target, opts = {}, { timeoutS = 600 } = {}) {
  sampleBusy();
  noteRebuild(`${mode} ${impl} ${encoding}${mode === 'throughput' ? ' ' + path.basename(target, '.txt') : ''}`);
  const meter = foreignMeter(foreignLoad);
  return new Promise((resolve) => {
    const env = { ...process.env, ...(IMPLS[impl]?.env || {}) };
    if (!IMPLS[impl]?.env) delete env.IRONLUNG_BACKEND;
    const child = spawn(process.execPath, ['--expose-gc', WORKER, mode, impl, encoding, target, JSON.stringify(opts)], {
      cwd: BENCH_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const results = [];
    let childCpuMs = null;
    let out = '';
    let err = '';
    let timedOut = false;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutS * 1000);
    };
    arm();
    child.stdout.on('data', (d) => {
      out += d;
      let i;
      while ((i = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, i);
        out = out.slice(i + 1);
        if (line.startsWith('@@bench ')) {
          results.push(JSON.parse(line.slice(8)));
          arm();
        } else if (line.startsWith('@@cpu ')) childCpuMs = Number(line.slice(6)) / 1000;
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const error = timedOut ? null : code !== 0 ? errorLine(err) || `exit ${code}` : null;
      const { foreign } = meter(childCpuMs);
      resolve({ results, timedOut, error, foreign });
    });
  });
}

/** The most telling line of a crashed child's stderr ("RuntimeError: unreachable", ...). */
function errorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error|Error)\b.*:|^\w+Error$|^IronlungError/.test(l)) || lines.filter((l) => !/^at |^Node\.js v/.test(l)).pop() || '';
}

function wallMs(argv, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: BENCH_DIR, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, out: r.stdout, ok: r.status === 0, err: r.stderr };
}

// -----------------------------------------------------------------------------------------
// Statistics and formatting

const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const mb = (bytes) => (bytes / 1e6).toFixed(3);

function mdTable(headers, rows, align) {
  const al = align || headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = al.map((a) => (a === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const label = (impl) => IMPLS[impl]?.label ?? impl;

/** "ironlung native / hypertok = 1.62×" lines for one table. */
function ironlungVsHypertok(cols, valueOf, note = '', impls = ['ironlung-native', 'ironlung-wasm']) {
  const lines = [];
  for (const impl of impls) {
    const parts = cols.map(([key, title]) => `${title} **${fmtRatio(ratio(valueOf(impl, key), valueOf('hypertok', key)))}**`);
    lines.push(`- ${label(impl)} / hypertok${note}: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

// -----------------------------------------------------------------------------------------
// Browser download: ES module graphs plus their wasm and rank files, each file gzip -9'd.

function resolveBare(spec, fromDir) {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = '.' + spec.slice(name.length);
  let dir = fromDir;
  for (;;) {
    const cand = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(cand, 'package.json'))) {
      const pkg = JSON.parse(fs.readFileSync(path.join(cand, 'package.json'), 'utf8'));
      const pick = (e) => {
        if (typeof e === 'string') return e;
        if (e && typeof e === 'object') for (const c of ['browser', 'import', 'module', 'default']) if (e[c]) return pick(e[c]);
        return null;
      };
      let rel = null;
      if (pkg.exports !== undefined) {
        const ex = pkg.exports;
        const subpaths = typeof ex === 'object' && Object.keys(ex).some((k) => k.startsWith('.'));
        rel = pick(subpaths ? ex[sub] : sub === '.' ? ex : undefined);
      }
      if (!rel) rel = sub === '.' ? (typeof pkg.browser === 'string' && pkg.browser) || pkg.module || pkg.main || 'index.js' : sub;
      return path.join(cand, rel);
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot resolve ${spec}`);
    dir = up;
  }
}

/** Files reachable by static imports from `entries` (dynamic import() is not followed). */
function esmGraph(entries) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length) {
    const f = queue.shift();
    if (seen.has(f)) continue;
    seen.add(f);
    if (!/\.(m?js)$/.test(f)) continue;
    const src = fs.readFileSync(f, 'utf8');
    const specs = [
      ...src.matchAll(/(?:^|;)\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"\n]+)['"]/gm),
      ...src.matchAll(/(?:^|;)\s*import\s*['"]([^'"\n]+)['"]/gm),
    ].map((m) => m[1].replace(/\?.*$/, ''));
    for (const s of specs) {
      const target = s.startsWith('.') ? path.resolve(path.dirname(f), s) : s.startsWith('node:') ? null : resolveBare(s, path.dirname(f));
      if (target && fs.existsSync(target)) queue.push(target);
    }
  }
  return [...seen];
}

function gzipSize(file) {
  const r = spawnSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 256 << 20 });
  if (r.status === 0) return r.stdout.length;
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length; // no gzip binary
}

const ENC_FILE_RE = /(r50k|p50k|cl100k|o200k)/;
/** What a browser downloads for `encoding`, per implementation: [{ impl, files }]. */
function downloadSets(encoding) {
  const nm = path.join(BENCH_DIR, 'node_modules');
  const short = ENC_SHORT[encoding];
  // ironlung: the browser entry's module graph (js/web.mjs -> js/*.mjs -> the wasm-bindgen
  // glues) plus the files assets/urls.mjs names, as bundlers copy them and browsers fetch them
  // (the web module and the rank files; not ironlung.wasm, which only Node, Bun and Deno
  // load); a rank file counts only for its own encoding. Not zstd's module: a page that counts
  // tokens never fetches it (__test__/consumer/browser.test.mjs checks that it does not).
  const urls = fs.readFileSync(path.join(ROOT, 'assets', 'urls.mjs'), 'utf8');
  const webFiles = [...new Set([...urls.matchAll(/new URL\('\.\/([^']+)', import\.meta\.url\)/g)].map((m) => m[1]))]
    .filter((f) => {
      const m = ENC_FILE_RE.exec(f);
      return (!m || m[1] === short) && f !== 'ironlung-zstd.wasm';
    })
    .map((f) => path.join(ROOT, 'assets', f))
    .filter((f) => fs.existsSync(f)); // the module's comments name the form with './file'
  return [
    { impl: 'ironlung-wasm', files: [...new Set([...esmGraph([path.join(ROOT, 'js', 'web.mjs')]), ...webFiles])] },
    {
      impl: 'hypertok',
      // The single-thread artifact (what a page without cross-origin isolation runs).
      files: [...esmGraph([path.join(nm, 'hypertok', 'src', 'index.mjs')]), path.join(nm, 'hypertok', 'wasm', 'single', 'hypertok_wasm_core_bg.wasm'), hypertokVocabPath(encoding)],
    },
    {
      impl: 'tiktoken',
      // tiktoken/lite (rank-less wasm) plus the encoder JSON, the README's browser recipe.
      files: [...esmGraph([path.join(nm, 'tiktoken', 'lite', 'tiktoken.js')]), path.join(nm, 'tiktoken', 'encoders', `${encoding}.json`)],
    },
    { impl: 'js-tiktoken', files: esmGraph([path.join(nm, 'js-tiktoken', 'dist', 'lite.js'), path.join(nm, 'js-tiktoken', 'dist', 'ranks', `${encoding}.js`)]) },
    { impl: 'gpt-tokenizer', files: esmGraph([path.join(nm, 'gpt-tokenizer', 'esm', 'encoding', `${encoding}.js`)]) },
  ].map((s) => ({ ...s, files: [...new Set(s.files)].filter((f) => fs.statSync(f).isFile()) }));
}

// -----------------------------------------------------------------------------------------
// Machine

/** mtime and size of every ironlung build output the benchmark loads. */
function buildStamp() {
  const files = [];
  for (const d of ['npm/linux-x64-gnu', 'assets', 'js/gen']) {
    const dir = path.join(ROOT, d);
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) files.push(path.join(dir, f));
  }
  return files
    .map((f) => {
      try {
        const st = fs.statSync(f);
        return `${f}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${f}:gone`;
      }
    })
    .join('\n');
}

/**
 * Of two passes' cells for `impl`, keeps in `cells` the one whose median is `better` (or the
 * one without an error), and notes the other's median on it as `otherMedian`.
 */
function keepBetterPass(cells, impl, cell, better) {
  const prev = cells[impl];
  if (prev && !prev.error) cell.otherMedian = prev.median;
  if (!prev || prev.error || better(cell.median, prev.median)) cells[impl] = cell;
  else prev.otherMedian = cell.median;
}

function machineInfo() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = sh('nproc', []).stdout?.trim() || String(os.availableParallelism?.() ?? os.cpus().length);
  const git = (a) => sh('git', a, { cwd: ROOT }).stdout?.trim() ?? '';
  const mtime = (f) => {
    try {
      return fs.statSync(path.join(ROOT, f)).mtime.toISOString();
    } catch {
      return 'missing';
    }
  };
  const nativeDir = path.join(ROOT, 'npm', 'linux-x64-gnu');
  const nativeFile = fs.existsSync(nativeDir) ? fs.readdirSync(nativeDir).find((f) => f.endsWith('.node')) : null;
  const peers = {};
  for (const p of ['hypertok', '@hypertok/vocab-cl100k', '@hypertok/vocab-o200k', 'tiktoken', 'js-tiktoken', 'gpt-tokenizer']) {
    try {
      peers[p] = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      peers[p] = 'missing';
    }
  }
  return {
    date: new Date().toISOString(),
    nproc,
    cpu: model,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'crates', 'wasm', 'js']) ? ' (uncommitted changes in crates/wasm/js)' : ''}`,
    nativeBuilt: nativeFile ? mtime(path.join('npm', 'linux-x64-gnu', nativeFile)) : 'missing',
    wasmBuilt: mtime('assets/ironlung.wasm'),
    peers,
  };
}

// -----------------------------------------------------------------------------------------
// Main

/**
 * A section measured by a script of its own (bench/zstd.mjs, issue #15; bench/log.mjs, issue
 * #16), in a child process; its progress goes to stderr, its markdown is returned.
 */
function sectionOf(script) {
  const argv = [path.join(BENCH_DIR, script), ...(QUICK ? ['--quick'] : []), ...(WAIT ? [] : ['--no-wait'])];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench/${script} failed (exit ${r.status})`);
  return r.stdout.replace(/^\n+/, '');
}
const zstdSection = () => sectionOf('zstd.mjs');
const logSection = () => sectionOf('log.mjs');

/** The standalone sections: --only naming nothing else runs them alone, and --write replaces them. */
const SECTIONS = { zstd: { heading: '# zstd benchmark', run: zstdSection }, log: { heading: '# Session log benchmark', run: logSection } };

/**
 * BENCHMARKS.md with the section that starts with `heading` (up to the next "# ", or the hand-kept
 * measurements of bench/history.md) replaced by
 * `md`; a section not there yet goes before the hand-kept measurements (bench/history.md), or
 * at the end.
 */
function withSection(old, heading, md) {
  const start = old.indexOf('\n' + heading);
  if (start === -1) {
    const hist = old.indexOf('\n## Measurements behind the code');
    if (hist === -1) return old.trimEnd() + '\n\n' + md.trimEnd() + '\n';
    return old.slice(0, hist + 1) + md.trimEnd() + '\n\n' + old.slice(hist + 1);
  }
  // It ends at the next "# " heading, or where the hand-kept measurements (whose headings are
  // "## ") begin, which a full run puts after the last section.
  const ends = [old.indexOf('\n# ', start + 1), old.indexOf('\n## Measurements behind the code', start + 1)].filter((i) => i !== -1);
  const next = ends.length ? Math.min(...ends) : -1;
  return old.slice(0, start + 1) + md.trimEnd() + '\n' + (next === -1 ? '' : '\n' + old.slice(next + 1));
}

async function main() {
  const tStart = Date.now();
  ensurePeers();
  ensureIronlungBuild();
  if (ONLY.length && ONLY.every((s) => s in SECTIONS)) {
    // --only=zstd, --only=log (or both): those sections alone; --write replaces them in
    // BENCHMARKS.md.
    const file = path.join(ROOT, 'BENCHMARKS.md');
    for (const name of ONLY) {
      const md = SECTIONS[name].run();
      process.stdout.write('\n' + md + '\n');
      if (WRITE) {
        fs.writeFileSync(file, withSection(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', SECTIONS[name].heading, md));
        log(`bench: wrote the ${name} section of BENCHMARKS.md`);
      }
    }
    return;
  }
  const { ensureCorpora, CORPORA, CORPUS_DIR } = await import('./corpus.mjs');
  const manifest = ensureCorpora({ log });
  const corpusFile = (name) => path.join(CORPUS_DIR, manifest.files[name].name);
  noteRebuild('start');
  const R = { meta: machineInfo(), quick: QUICK, cfg: CFG, manifest, warnings: [] };
  const impls = IMPL_ORDER;
  const warn = (s) => {
    R.warnings.push(s);
    log(`\n!!!!!!!! WARNING: ${s}\n`);
  };

  // --- how loaded the machine's memory is (see worker.mjs memprobe), at the start, before
  // the per-call section (which is the most memory-bound) and at the end.
  R.memprobe = [];
  const memprobe = async (when) => {
    const r = await runWorker('memprobe', 'baseline', '-', '-');
    const res = r.results[0];
    if (res) {
      R.memprobe.push({ when, memoryNs: res.memoryNs, cacheNs: res.cacheNs });
      log(`bench: memory latency ${num(res.memoryNs)} ns (64 MiB walk), ${num(res.cacheNs)} ns (256 KiB walk), ${when}`);
    }
  };
  await memprobe('start');

  // --- correctness guard: counts of the first 10 KB of each corpus, against tiktoken
  log(`bench: correctness check (first ${CHECK_BYTES / 1024} KB of each corpus vs tiktoken)`);
  const checkFiles = Object.fromEntries([...CORPORA, 'english-nows'].map((c) => [c, manifest.files[c].name]));
  R.check = {};
  R.bad = {}; // bad[impl][enc][corpus] = note
  const markBad = (impl, enc, corpus, note) => {
    ((R.bad[impl] ??= {})[enc] ??= {})[corpus] = note;
  };
  for (const enc of ENCODINGS) {
    for (const impl of impls) {
      const r = await runWorker('check', impl, enc, CORPUS_DIR, { files: checkFiles, bytes: CHECK_BYTES });
      (R.check[impl] ??= {})[enc] = r.results[0]?.counts ?? { error: r.error };
      if (!r.results[0]) warn(`${label(impl)} failed to run (${enc}): ${r.error}`);
    }
    const ref = R.check.tiktoken?.[enc];
    for (const impl of impls) {
      for (const c of Object.keys(checkFiles)) {
        const got = R.check[impl][enc]?.[c];
        if (ref?.[c] === undefined) continue;
        if (got !== ref[c]) {
          markBad(impl, enc, c, `count ${got} ≠ tiktoken ${ref[c]} on the first 10 KB`);
          warn(`${label(impl)} ${enc} ${c}: count ${got} differs from tiktoken's ${ref[c]} on the first 10 KB`);
        }
      }
    }
  }

  // --- throughput
  if (want('throughput')) {
    R.throughput = {};
    let rot = 0;
    for (const enc of ENCODINGS) {
      for (const corpus of CORPORA) {
        const order = THROUGHPUT_ORDER.map((_, i) => THROUGHPUT_ORDER[(i + rot) % THROUGHPUT_ORDER.length]);
        rot++;
        // Two processes per cell, the second pass in the reverse order, and the faster median
        // kept: the machine is shared, and a neighbour's burst can halve one process's figures
        // without showing up as CPU use here.
        for (const pass of [0, 1]) {
          for (const impl of pass ? [...order].reverse() : order) {
            const measure = () =>
              runWorker('throughput', impl, enc, corpusFile(corpus), { rounds: CFG.rounds, limit: Number.isFinite(CFG.limit) ? CFG.limit : 1e12, warmMs: CFG.warmMs });
            let r = await measure();
            // Disturbed by other processes (more than DISTURBED cores of foreign CPU)? Measure
            // again, in a fresh process, and keep the quieter of the two.
            if (r.results[0] && r.foreign > DISTURBED && (!WAIT || busy.waitedS < WAIT_TOTAL_S)) {
              const again = await measure();
              log(`bench: ${label(impl)} ${enc} ${corpus} measured again: other processes used ${r.foreign.toFixed(2)} cores (now ${again.foreign?.toFixed(2)})`);
              if (again.results[0] && !(again.foreign > r.foreign)) r = again;
            }
            const res = r.results[0];
            const cell = res
              ? { median: median(res.rounds.map((x) => x.mbps)), mbps: res.rounds.map((x) => x.mbps), tokens: res.rounds.map((x) => x.tokens), bytes: res.rounds.map((x) => x.bytes), loadMs: res.loadMs, foreign: r.foreign }
              : { median: NaN, error: r.error || 'timeout' };
            keepBetterPass((R.throughput[enc] ??= {})[corpus] ??= {}, impl, cell, (a, b) => a > b);
            log(`throughput ${ENC_SHORT[enc].padEnd(6)} ${corpus.padEnd(12)} ${label(impl).padEnd(16)} ${num(cell.median).padStart(7)} MB/s  [${(cell.mbps || []).map((x) => num(x)).join(' ')}]${cell.error ? ' ERROR ' + cell.error : ''} (pass ${pass + 1})`);
          }
        }
        // whole-corpus agreement: every round's count against tiktoken's for the same part
        const ref = R.throughput[enc][corpus].tiktoken?.tokens;
        for (const impl of THROUGHPUT_ORDER) {
          const t = R.throughput[enc][corpus][impl].tokens;
          if (ref && t && t.some((n, i) => n !== ref[i])) {
            markBad(impl, enc, corpus, `measured parts count ${t.join('/')} tokens, tiktoken ${ref.join('/')}`);
            warn(`${label(impl)} ${enc} ${corpus}: per-round counts ${t.join('/')} differ from tiktoken's ${ref.join('/')}`);
          }
        }
      }
    }
  }

  // --- cold start
  if (want('cold')) {
    log('bench: cold start');
    const enc = 'cl100k_base';
    const samples = { baseline: [] };
    const bad = {};
    const envFor = (impl) => {
      const e = { ...process.env, ...(IMPLS[impl]?.env || {}) };
      if (!IMPLS[impl]?.env) delete e.IRONLUNG_BACKEND;
      return e;
    };
    // one unmeasured spawn each, so every measured spawn sees a warm file cache
    wallMs(['-e', ''], envFor('baseline'));
    for (const impl of impls) wallMs(['-e', IMPLS[impl].cold(enc)], envFor(impl));
    for (let i = 0; i < CFG.coldSpawns; i++) {
      sampleBusy();
      samples.baseline.push(wallMs(['-e', ''], envFor('baseline')).ms);
      for (const impl of impls) {
        const r = wallMs(['-e', IMPLS[impl].cold(enc)], envFor(impl));
        (samples[impl] ??= []).push(r.ok ? r.ms : NaN);
        if (!r.ok || r.out.trim() !== '2') bad[impl] = r.ok ? `printed ${JSON.stringify(r.out.trim())}, expected 2` : r.err.trim().split('\n').pop();
      }
    }
    const base = median(samples.baseline);
    R.cold = { encoding: enc, baseline: base, samples, bad, impls: {} };
    for (const impl of impls) {
      const raw = median(samples[impl]);
      R.cold.impls[impl] = { raw, net: raw - base };
      if (bad[impl]) warn(`cold start of ${label(impl)}: ${bad[impl]}`);
      log(`cold ${label(impl).padEnd(16)} ${num(raw)} ms (net ${num(raw - base)} ms, baseline ${num(base)} ms)`);
    }
  }

  // --- per call on ~100-byte strings
  if (want('percall')) {
    await memprobe('before per call');
    R.percall = {};
    for (const enc of ENCODINGS) {
      // As for throughput: two processes per cell, the second pass in the reverse order, and
      // the faster median kept. A short count on fresh text waits on memory, and a
      // neighbour's memory traffic can double one process's figures (see memprobe).
      for (const pass of [0, 1]) {
        for (const impl of pass ? [...impls].reverse() : impls) {
          const r = await runWorker('percall', impl, enc, corpusFile('english'), { rounds: CFG.callRounds, calls: CFG.calls, warmMs: CFG.warmMs });
          const res = r.results[0];
          const cell = res ? { median: median(res.rounds.map((x) => x.nsPerCall)), ns: res.rounds.map((x) => x.nsPerCall), meanBytes: res.rounds[0].bytes / res.rounds[0].calls } : { median: NaN, error: r.error };
          keepBetterPass((R.percall[enc] ??= {}), impl, cell, (a, b) => a < b);
          log(`per call ${ENC_SHORT[enc].padEnd(6)} ${label(impl).padEnd(16)} ${num(cell.median / 1000)} µs${cell.error ? ' ERROR ' + cell.error : ''} (pass ${pass + 1})`);
        }
      }
    }
  }

  // --- peak RSS
  if (want('rss')) {
    R.rss = {};
    for (const enc of CFG.rssEncodings) {
      for (const impl of ['baseline', ...impls]) {
        const r = await runWorker('rss', impl, enc, corpusFile('english'));
        const res = r.results[0];
        (R.rss[enc] ??= {})[impl] = res ? { maxRSS: res.maxRSS, vmHWM: res.vmHWM, tokens: res.tokens } : { maxRSS: NaN, error: r.error };
        log(`rss ${ENC_SHORT[enc].padEnd(6)} ${label(impl).padEnd(16)} ${res ? mb(res.maxRSS) + ' MB' : 'ERROR ' + r.error}`);
      }
    }
  }

  // --- worst cases
  if (want('worst')) {
    const enc = 'cl100k_base';
    R.worst = { encoding: enc, sizes: CFG.worstSizes, timeoutS: CFG.worstTimeoutS, cases: {} };
    const cases = { 'repeat-a': 'repeat-a', 'no-whitespace': corpusFile('english-nows') };
    for (const [kase, target] of Object.entries(cases)) {
      for (const impl of impls) {
        const r = await runWorker('worst', impl, enc, target, { sizes: CFG.worstSizes, warm: corpusFile('english.warm'), warmMs: CFG.warmMs }, { timeoutS: CFG.worstTimeoutS });
        const bySize = {};
        let failed = false;
        for (const s of CFG.worstSizes) {
          const hit = r.results.find((x) => x.size === s);
          if (hit) bySize[s] = { ms: hit.ms, tokens: hit.tokens };
          else if (failed) bySize[s] = { ms: NaN, notRun: true, timedOut: r.timedOut };
          else {
            failed = true;
            bySize[s] = { ms: NaN, timedOut: r.timedOut, error: r.timedOut ? null : r.error || 'failed' };
            if (!r.timedOut) warn(`${label(impl)} crashed on the worst case ${kase}, n = ${s}: ${bySize[s].error}`);
          }
        }
        (R.worst.cases[kase] ??= {})[impl] = bySize;
        log(`worst ${kase.padEnd(14)} ${label(impl).padEnd(16)} ${CFG.worstSizes.map((s) => (Number.isFinite(bySize[s].ms) ? num(bySize[s].ms) + ' ms' : bySize[s].timedOut ? `> ${CFG.worstTimeoutS} s` : bySize[s].notRun ? 'not run' : 'crash')).join(' / ')}`);
      }
      const ref = R.worst.cases[kase].tiktoken;
      for (const impl of impls) {
        for (const s of CFG.worstSizes) {
          const a = R.worst.cases[kase][impl][s].tokens;
          const b = ref?.[s]?.tokens;
          if (a !== undefined && b !== undefined && a !== b) warn(`${label(impl)} worst case ${kase} ${s}: ${a} tokens, tiktoken ${b}`);
        }
      }
    }
  }

  // --- browser download
  if (want('download')) {
    R.download = {};
    for (const enc of ENCODINGS) {
      for (const set of downloadSets(enc)) {
        const files = set.files.map((f) => ({ file: path.relative(ROOT, f), bytes: fs.statSync(f).size, gzip: gzipSize(f) }));
        (R.download[enc] ??= {})[set.impl] = { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
      }
    }
  }

  await memprobe('end');
  R.elapsedS = (Date.now() - tStart) / 1000;
  R.busy = { samples: busy.samples, busy: busy.busy, seen: [...busy.seen].sort(), waitedS: busy.waitedS };
  R.foreign = { median: median(foreignLoad), max: Math.max(...foreignLoad, 0), disturbed: foreignLoad.filter((x) => x > DISTURBED).length, n: foreignLoad.length };
  noteRebuild('the end of the run');
  if (rebuilds.length) warn(`the ironlung build outputs (native addon, wasm or rank files) changed during the run, first seen before: ${rebuilds.join('; ')}. Someone rebuilt them, so the numbers mix builds; run again`);
  if (busy.busy) warn(`a compiler (${R.busy.seen.join(', ')}) was running at the start of ${busy.busy} of ${busy.samples} measurements: numbers are noisier than usual`);
  R.targets = evaluateTargets(R);
  let md = report(R);
  // The toolkit section (isWithinLimit's early stop, `ironlung count` on a tree) runs last.
  try {
    md += '\n' + execFileSync(process.execPath, [path.join(ROOT, 'bench', 'toolkit.mjs')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    warn(`bench/toolkit.mjs failed: ${e.message}`);
  }
  if (want('worst')) {
    try {
      md += '\n' + execFileSync(process.execPath, [path.join(ROOT, 'bench', 'worst-toolkit.mjs')], { encoding: 'utf8', maxBuffer: 1 << 26 });
    } catch (e) {
      warn(`bench/worst-toolkit.mjs failed: ${e.message}`);
    }
  }
  // The zstd benchmark (issue #15): its own section, measured after the tokenizer's.
  if (want('zstd')) {
    try {
      md += '\n' + zstdSection();
    } catch (e) {
      warn(`bench/zstd.mjs failed: ${e.message}`);
    }
  }
  // The session log benchmark (issue #16): its own section; it keeps the earlier runs' tables
  // from BENCHMARKS.md.
  if (want('log')) {
    try {
      md += '\n' + logSection();
    } catch (e) {
      warn(`bench/log.mjs failed: ${e.message}`);
    }
  }
  // What no run measures again (the figures behind the code's shape) is kept by hand.
  md += '\n' + fs.readFileSync(path.join(ROOT, 'bench', 'history.md'), 'utf8').replace(/^<!--.*-->\n/, '');
  process.stdout.write('\n' + md + '\n');
  if (WRITE) {
    fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), md + '\n');
    log('bench: wrote BENCHMARKS.md');
  }
  fs.writeFileSync(path.join(CORPUS_DIR, QUICK ? 'last-results-quick.json' : 'last-results.json'), JSON.stringify(R, null, 2));
  if (R.warnings.length) log(`\nbench: ${R.warnings.length} warning(s), see the report`);
}

// -----------------------------------------------------------------------------------------
// Targets

function evaluateTargets(R) {
  const T = [];
  const add = (name, measured, limit, pass, note = '') => T.push({ name, measured, limit, pass, note });
  if (R.throughput) {
    for (const enc of ENCODINGS) {
      for (const corpus of ['english', 'code', 'multilingual']) {
        const tp = R.throughput[enc]?.[corpus];
        if (!tp) continue;
        const multi = corpus === 'multilingual';
        for (const [impl, min] of [
          ['ironlung-native', multi ? 2 : 1.5],
          ['ironlung-wasm', multi ? 1 : 0.8],
        ]) {
          const r = ratio(tp[impl]?.median, tp.hypertok?.median);
          const one = impl === 'ironlung-native' ? ratio(tp['ironlung-native-1t']?.median, tp.hypertok?.median) : NaN;
          add(`${label(impl)} count, ${CORPUS_LABEL[corpus]}, ${ENC_SHORT[enc]}: ≥ ${min}× hypertok`, fmtRatio(r), `≥ ${min}×`, r >= min, Number.isFinite(one) ? `1 thread: ${fmtRatio(one)}` : '');
        }
      }
    }
  }
  if (R.cold) {
    for (const [impl, max] of [
      ['ironlung-native', 15],
      ['ironlung-wasm', 40],
    ]) {
      const v = R.cold.impls[impl].net;
      add(`${label(impl)} cold start, cl100k, minus the empty \`node -e ''\` baseline: ≤ ${max} ms`, `${num(v)} ms`, `≤ ${max} ms`, v <= max, `raw ${num(R.cold.impls[impl].raw)} ms, baseline ${num(R.cold.baseline)} ms`);
    }
  }
  if (R.percall) {
    for (const enc of ENCODINGS) {
      const v = R.percall[enc]?.['ironlung-native']?.median / 1000;
      add(`ironlung native per call on 100-byte strings, ${ENC_SHORT[enc]}: ≤ 1 µs`, `${num(v)} µs`, '≤ 1 µs', v <= 1);
    }
  }
  if (R.download) {
    for (const [enc, max] of [
      ['cl100k_base', 0.5],
      ['o200k_base', 1.1],
    ]) {
      const v = R.download[enc]['ironlung-wasm'].gzip / 1e6;
      add(`browser download (wasm + ${ENC_SHORT[enc]}), gzip -9: ≤ ${max} MB`, `${v.toFixed(3)} MB`, `≤ ${max} MB`, v <= max);
    }
  }
  return T;
}

// -----------------------------------------------------------------------------------------
// Report

function report(R) {
  const m = R.meta;
  const out = [];
  const P = (s = '') => out.push(s);
  const flag = (impl, enc, corpus) => (R.bad[impl]?.[enc]?.[corpus] ? ' ⚠' : '');
  P('# ironlung benchmarks');
  P();
  P(`Generated by \`npm run bench${R.quick ? ' -- --quick' : ''}${WRITE ? ' -- --write' : ''}\` (bench/run.mjs) on ${m.date}, in ${R.elapsedS.toFixed(0)} s.` + (R.quick ? ' **Quick run: fewer rounds and 256 KiB of each corpus; use the full run for real numbers.**' : ''));
  P('Every ratio is *this / hypertok*; MB means 10^6 bytes, MB/s is UTF-8 input bytes per second.');
  P();
  P(
    'Run it again with `npm run bench -- --write` (about 5 minutes; `npm run bench -- --quick` is a one-minute smoke run that only prints). It installs the peers into `bench/node_modules` and builds the corpora into `bench/.corpus` itself. The core alone, without bindings: `cargo bench -p ironlung-core --bench count` (same corpora, same rounds).',
  );
  P();
  for (const line of warningLines(R.warnings)) P(line);
  P('## Machine');
  P();
  P(
    mdTable(
      ['', ''],
      [
        ['CPU', `${m.cpu} (\`nproc\` = ${m.nproc})`],
        ['Memory', m.memory],
        ['OS', m.os],
        ['Node.js', m.node],
        ['Load average at the start', m.loadavg],
        ...(R.memprobe?.length
          ? [['Memory latency (ns per dependent load, random walk over 64 MiB / 256 KiB)', R.memprobe.map((p) => `${p.when}: ${num(p.memoryNs)} / ${num(p.cacheNs)}`).join('; ')]]
          : []),
        ['ironlung commit', m.commit],
        ['ironlung native addon built', m.nativeBuilt],
        ['ironlung wasm built', m.wasmBuilt],
        ['Peers', Object.entries(m.peers).map(([k, v]) => `${k} ${v}`).join(', ')],
      ],
      ['l', 'l'],
    ),
  );
  P();
  P('The machine is shared and noisy (2 cores): expect ±20% between runs; ratios from one run are more stable than absolute numbers.');
  if (R.foreign?.n) {
    P();
    P(
      `Other processes' CPU use during the measurements (from /proc/stat, minus the measuring process's own CPU time): median ${R.foreign.median.toFixed(2)} cores, max ${R.foreign.max.toFixed(2)}; ${R.foreign.disturbed} of ${R.foreign.n} measurements above ${DISTURBED} cores (a disturbed throughput measurement is repeated once and the quieter one kept; ~ marks a throughput cell still above ${DISTURBED}). The run waited ${R.busy.waitedS.toFixed(0)} s for other people's compilers and CPU-heavy processes to finish.`,
    );
  }
  P();

  if (R.throughput) {
    P('## Throughput: `count` on fresh text (MB/s, higher is better)');
    P();
    P(`Median of ${R.cfg.rounds} rounds; round *r* counts part *r* of ${R.quick ? 'the first 256 KiB of ' : ''}the corpus, so every implementation sees every part once (no text is counted twice by the same process). ⚠ marks a count that differs from tiktoken.`);
    for (const enc of ENCODINGS) {
      P();
      P(`### ${enc}`);
      P();
      const tp = R.throughput[enc];
      const corpora = Object.keys(tp);
      const rows = THROUGHPUT_ORDER.map((impl) => [
        label(impl),
        ...corpora.flatMap((c) => {
          const v = tp[c][impl];
          return [v.error ? `error` : (v.foreign > DISTURBED ? '~' : '') + num(v.median) + flag(impl, enc, c), fmtRatio(ratio(v.median, tp[c].hypertok.median))];
        }),
      ]);
      P(mdTable(['implementation', ...corpora.flatMap((c) => [`${CORPUS_LABEL[c]} MB/s`, '/ hypertok'])], rows));
      P();
      P(ironlungVsHypertok(corpora.map((c) => [c, CORPUS_LABEL[c]]), (impl, c) => tp[c][impl]?.median, '', ['ironlung-native', 'ironlung-native-1t', 'ironlung-wasm']));
    }
    P();
  }

  if (R.cold) {
    P('## Cold start (ms, lower is better)');
    P();
    P(
      `A fresh \`node -e '<code>'\` process: import or require the library, load ${R.cold.encoding}, count \`'hello world'\`, exit. Median of ${R.cfg.coldSpawns} spawns, round-robin over the implementations, after one unmeasured spawn each. *Net* subtracts the median of an empty \`node -e ''\` measured in the same run: **${num(R.cold.baseline)} ms**.`,
    );
    P();
    const rows = IMPL_ORDER.map((impl) => {
      const c = R.cold.impls[impl];
      return [label(impl), num(c.raw), num(c.net), fmtRatio(ratio(c.raw, R.cold.impls.hypertok.raw)), fmtRatio(ratio(c.net, R.cold.impls.hypertok.net))];
    });
    P(mdTable(['implementation', 'raw ms', 'net ms', 'raw / hypertok', 'net / hypertok'], rows));
    P();
    P(ironlungVsHypertok([['net', 'net']], (impl) => R.cold.impls[impl]?.net, ' (lower is better)'));
    P();
  }

  if (R.percall) {
    P('## Per call on ~100-byte strings (µs per call, lower is better)');
    P();
    const mean = R.percall.cl100k_base?.['ironlung-native']?.meanBytes;
    P(`Distinct chunks of the English corpus cut at ≤ 100 bytes on character boundaries (mean ${num(mean, 1)} bytes); ${R.cfg.callRounds} rounds of ${R.cfg.calls} calls, each chunk counted once; median of the rounds. Warm-up: 500 chunks of separate text, repeated for ${R.cfg.warmMs} ms. Each cell is measured in two processes at different times (the second pass in the reverse order) and the faster median kept, for every implementation alike; the details below give both.`);
    P();
    const encs = Object.keys(R.percall);
    const rows = IMPL_ORDER.map((impl) => [label(impl), ...encs.flatMap((e) => [num(R.percall[e][impl].median / 1000), fmtRatio(ratio(R.percall[e][impl].median, R.percall[e].hypertok.median))])]);
    P(mdTable(['implementation', ...encs.flatMap((e) => [`${ENC_SHORT[e]} µs`, '/ hypertok'])], rows));
    P();
    P(ironlungVsHypertok(encs.map((e) => [e, ENC_SHORT[e]]), (impl, e) => R.percall[e][impl]?.median, ' (lower is better)'));
    P();
  }

  if (R.rss) {
    P('## Peak RSS counting the whole English corpus (MB, lower is better)');
    P();
    P('A fresh process reads the 1 MiB English corpus, loads the encoding and counts the whole text in one call; `process.resourceUsage().maxRSS` at the end. *baseline* does the same without a tokenizer.');
    P();
    const encs = Object.keys(R.rss);
    const rows = ['baseline', ...IMPL_ORDER].map((impl) => [impl === 'baseline' ? 'baseline (node + corpus)' : label(impl), ...encs.flatMap((e) => [R.rss[e][impl].error ? 'error' : (R.rss[e][impl].maxRSS / 1e6).toFixed(1), fmtRatio(ratio(R.rss[e][impl].maxRSS, R.rss[e].hypertok.maxRSS))])]);
    P(mdTable(['implementation', ...encs.flatMap((e) => [`${ENC_SHORT[e]} MB`, '/ hypertok'])], rows));
    P();
    P(ironlungVsHypertok(encs.map((e) => [e, ENC_SHORT[e]]), (impl, e) => R.rss[e][impl]?.maxRSS, ' (lower is better)'));
    P();
  }

  if (R.worst) {
    const [s1, s2] = R.worst.sizes;
    const fmtS = (s) => (s >= 1e6 ? `${s / 1e6}e6` : `${s / 1e5 >= 1 ? s / 1e5 + 'e5' : s / 1e4 + 'e4'}`);
    P(`## Worst cases (${R.worst.encoding}, ms, lower is better)`);
    P();
    P(
      `One call on \`'a'.repeat(n)\` and on the first n bytes of the English corpus with all whitespace removed, n = ${fmtS(s1)} and ${fmtS(s2)}; one process per implementation and case, killed after ${R.worst.timeoutS} s without a result. Growth = t(${fmtS(s2)}) / t(${fmtS(s1)}): 10× is linear, 100× quadratic.`,
    );
    for (const [kase, byImpl] of Object.entries(R.worst.cases)) {
      P();
      P(`### ${kase === 'repeat-a' ? "`'a'.repeat(n)`" : 'English without whitespace'}`);
      P();
      const crashes = [];
      const cellMs = (x, impl, n) => {
        if (Number.isFinite(x.ms)) return num(x.ms);
        if (x.notRun) return x.timedOut ? `> ${R.worst.timeoutS} s (not run)` : 'not run';
        if (x.timedOut) return `> ${R.worst.timeoutS} s`;
        crashes.push(`- † ${label(impl)} at n = ${fmtS(n)}: ${x.error}`);
        return 'crash †';
      };
      const rows = IMPL_ORDER.map((impl) => {
        const a = byImpl[impl][s1];
        const b = byImpl[impl][s2];
        const g = ratio(b.ms, a.ms);
        const growth = Number.isFinite(g) ? `${g.toFixed(1)}×` : Number.isFinite(a.ms) && b.timedOut ? `> ${num((R.worst.timeoutS * 1000) / a.ms)}×` : '–';
        return [label(impl), cellMs(a, impl, s1), cellMs(b, impl, s2), growth, fmtRatio(ratio(b.ms, byImpl.hypertok[s2].ms))];
      });
      P(mdTable(['implementation', `n = ${fmtS(s1)} ms`, `n = ${fmtS(s2)} ms`, 'growth', `${fmtS(s2)} / hypertok`], rows));
      P();
      if (crashes.length) {
        P(crashes.join('\n'));
        P();
      }
      P(ironlungVsHypertok([[s2, `n = ${fmtS(s2)}`]], (impl, s) => byImpl[impl]?.[s]?.ms, ' (lower is better)'));
    }
    P();
  }

  if (R.download) {
    P('## Browser download (gzip -9, MB, lower is better)');
    P();
    P(
      'Each file gzipped on its own (`gzip -9 -n`), as a server would send it, and summed. ironlung: the browser entry `js/web.mjs` and the ES modules it imports statically (`js/*.mjs`, `js/gen/*.mjs`, `assets/urls.mjs`) plus the files `assets/urls.mjs` names for bundlers to copy (`assets/ironlung-web.wasm` and the rank files; not `assets/ironlung-zstd.wasm`, which a page fetches only when it first uses zstd, nor `assets/ironlung.wasm`, which only Node, Bun and Deno load); a rank file (`assets/<enc>.wasm`) counts only for its encoding, since the browser fetches only the rank file of the encoding it loads. hypertok: `src/index.mjs` and its static imports, the single-thread wasm (`wasm/single`), the `@hypertok/vocab-*` `.htk` file. tiktoken: `tiktoken/lite` (rank-less wasm) and `encoders/<enc>.json`. js-tiktoken: `js-tiktoken/lite` and `ranks/<enc>.js` (with `base64-js`). gpt-tokenizer: `esm/encoding/<enc>.js` and its static imports.',
    );
    P();
    const rows = ['ironlung-wasm', 'hypertok', 'tiktoken', 'js-tiktoken', 'gpt-tokenizer'].map((impl) => [
      impl === 'ironlung-wasm' ? 'ironlung (wasm)' : label(impl),
      ...ENCODINGS.flatMap((e) => [mb(R.download[e][impl].gzip), mb(R.download[e][impl].bytes), fmtRatio(ratio(R.download[e][impl].gzip, R.download[e].hypertok.gzip))]),
    ]);
    P(mdTable(['implementation', ...ENCODINGS.flatMap((e) => [`${ENC_SHORT[e]} gzip MB`, 'raw MB', '/ hypertok'])], rows));
    P();
    P(ironlungVsHypertok(ENCODINGS.map((e) => [e, ENC_SHORT[e]]), (impl, e) => R.download[e][impl === 'ironlung-native' ? 'ironlung-wasm' : impl]?.gzip, ' (gzip, lower is better; both rows are the wasm build)').split('\n')[1]);
    P();
    P('<details><summary>Files counted</summary>');
    P();
    for (const e of ENCODINGS)
      for (const [impl, d] of Object.entries(R.download[e])) P(`- ${ENC_SHORT[e]} ${label(impl)}: ${d.files.map((f) => `\`${f.file.replace(/^bench\/node_modules\//, '')}\` ${mb(f.gzip)}`).join(', ')}`);
    P();
    P('</details>');
    P();
  }

  P('## Targets');
  P();
  P(mdTable(['target', 'measured', 'result'], R.targets.map((t) => [t.name + (t.note ? ` (${t.note})` : ''), t.measured, t.pass ? '**PASS**' : '**FAIL**']), ['l', 'r', 'l']));
  P();
  P(`${R.targets.filter((t) => t.pass).length} of ${R.targets.length} targets pass.`);
  P();

  P('## Correctness guard');
  P();
  P(`Before timing, each implementation counts the first ${CHECK_BYTES / 1024} KB of every corpus (and of the no-whitespace text) in a process of its own; every count must equal tiktoken's. The throughput rounds are compared with tiktoken's counts of the same parts as well.`);
  P();
  const checkCols = Object.keys(R.check.tiktoken?.cl100k_base ?? {}).filter((k) => k !== 'error');
  for (const enc of ENCODINGS) {
    const rows = IMPL_ORDER.map((impl) => [label(impl), ...checkCols.map((c) => `${R.check[impl]?.[enc]?.[c] ?? 'error'}${R.bad[impl]?.[enc]?.[c] ? ' ⚠' : ''}`)]);
    P(`${enc}:`);
    P();
    P(mdTable(['implementation', ...checkCols], rows));
    P();
  }
  const badLines = Object.entries(R.bad).flatMap(([impl, e]) => Object.entries(e).flatMap(([enc, cs]) => Object.entries(cs).map(([c, note]) => `- ⚠ ${label(impl)}, ${enc}, ${c}: ${note}`)));
  P(badLines.length ? badLines.join('\n') : 'All counts agree with tiktoken.');
  P();

  P('## Method');
  P();
  P(
    [
      `- Implementations: ironlung through \`js/node.bundle.cjs\` (the package's CommonJS entry) with \`IRONLUNG_BACKEND=native\` or \`=wasm\` (\`enc.count\`); hypertok \`fromBytes(<.htk bytes>, { tier: 'single' })\` and \`encodeSync(text).length\` (the single tier is what Node gets by default: Node has no global \`Worker\`); tiktoken \`get_encoding(e).encode_ordinary(text).length\`; js-tiktoken \`new Tiktoken(ranks).encode(text, [], []).length\` (\`js-tiktoken/lite\`); gpt-tokenizer \`countTokens\` from \`gpt-tokenizer/encoding/<e>\`.`,
      '- Every measurement runs in its own child process (`bench/worker.mjs <mode> <impl> <encoding> <path>`), one at a time, so JIT state, GC heaps and caches never carry over between implementations; the order of implementations rotates between corpora.',
      `- Throughput: the process loads the encoding and warms up on a 64 KiB text that is not part of the measured corpus (the next blocks of the same source stream), repeated to the size of a part and counted again and again for ${R.cfg.warmMs} ms, so V8 has tiered up the hot JS and wasm code and wasm memory has grown (one pass of 64 KiB left the first round of the wasm implementations 2-3× slower). Then it counts each part once, \`performance.now()\` around the one call, \`gc()\` between rounds. MB/s = part bytes / 10^6 / seconds. The first round is often still the slowest (the first fresh text fills per-piece caches), which the median absorbs. Each cell is measured in two such processes at different times (the second pass goes through the implementations in reverse order) and the one with the higher median is kept, for every implementation alike: a neighbour on this shared machine can slow one process down without showing up as CPU use here.`,
      `- Per call: as above, ${R.cfg.calls} distinct ~100-byte chunks per round, timed as one loop.`,
      `- Worst cases: one process per implementation and case warms up on the English warm-up text for ${R.cfg.warmMs} ms, then runs n = small then n = large and prints each result as it finishes; the parent kills it when no result arrives within the timeout. One call per size, so small times are noisy.`,
      `- ironlung native splits a \`count\` of 64 KiB or more across the machine's cores (${os.cpus().length} here: the calling thread plus long-lived helper threads; the parts are cut where every pattern ends a piece, so the count is the sequential one). *ironlung native, 1 thread* is the same addon with \`IRONLUNG_THREADS=1\`: one core's speed. The wasm build and the peers use one thread.`,
      '- Medians everywhere; the per-round numbers are in the details below.',
    ].join('\n'),
  );
  P();
  P('## Corpora');
  P();
  P(
    `Built by \`bench/corpus.mjs\` into \`bench/.corpus\` (git-ignored) from Debian packages, which it installs with apt-get when missing. Each source is cut into ~4 KB blocks at blank lines; the blocks of a corpus's sources are interleaved by weight (deterministically), so every part has the same mix. Each corpus is the first ${R.manifest.files.english.bytes} bytes (1 MiB, cut on a character boundary) of its stream; the warm-up text is the next 64 KiB. Documents are taken in sha256-of-path order, for a broad, reproducible sample.`,
  );
  for (const [name, srcs] of Object.entries(R.manifest.sources)) {
    P();
    P(`**${CORPUS_LABEL[name]}** (\`${R.manifest.files[name].name}\`, sha256 \`${R.manifest.files[name].sha256.slice(0, 16)}…\`):`);
    P();
    for (const s of srcs) P(`- ${s.describe}: ${(s.bytesInCorpus / 1024).toFixed(0)} KiB`);
  }
  P();
  P(`**English without whitespace** (\`english-nows.txt\`): the English stream with every \`\\s\` removed, first ${R.manifest.files['english-nows'].bytes} bytes.`);
  P();
  P(`Package versions: ${Object.entries(R.manifest.packages).map(([p, v]) => `${p} ${v}`).join(', ')}.`);
  P();
  P('<details><summary>Per-round numbers</summary>');
  P();
  if (R.throughput)
    for (const [enc, byC] of Object.entries(R.throughput))
      for (const [c, byI] of Object.entries(byC)) P(`- ${ENC_SHORT[enc]} ${c}: ${THROUGHPUT_ORDER.map((i) => `${label(i)} [${(byI[i].mbps || []).map((x) => num(x)).join(', ')}]${byI[i].otherMedian !== undefined ? ` (other process: median ${num(byI[i].otherMedian)})` : ''}`).join('; ')} MB/s`);
  if (R.percall) for (const [enc, byI] of Object.entries(R.percall)) P(`- per call ${ENC_SHORT[enc]}: ${IMPL_ORDER.map((i) => `${label(i)} [${(byI[i].ns || []).map((x) => num(x / 1000)).join(', ')}]${byI[i].otherMedian ? ` (other pass's median ${num(byI[i].otherMedian / 1000)})` : ''}`).join('; ')} µs`);
  if (R.cold) P(`- cold start: ${['baseline', ...IMPL_ORDER].map((i) => `${label(i)} [${R.cold.samples[i].map((x) => num(x)).join(', ')}]`).join('; ')} ms`);
  P();
  P('</details>');
  return out.join('\n');
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
