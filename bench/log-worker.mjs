// One session-log measurement in a fresh process, for bench/log.mjs (issue #16):
//
//   node bench/log-worker.mjs <mode> <impl> '<json options>'
//
// Prints "@@bench <json>" per result and "@@cpu <µs>" (its own CPU time) at the end.
// Implementations (<impl>):
//   jsonl                one JSON line per event through fs.appendFileSync on a descriptor kept
//                        open (codex-rs's rollout: write_all + flush per line); durability
//                        'sync' adds fs.fsyncSync after each line
//   sqlite               better-sqlite3, WAL, one INSERT per event (autocommit); 'flush' is
//                        better-sqlite3's WAL default (synchronous=NORMAL: no fsync at commit),
//                        'sync' is synchronous=FULL (the WAL is fsynced at every commit)
//   sqlite-checkpoint    better-sqlite3, WAL, LangGraph.js SqliteSaver's table and put(): one
//                        checkpoint row per turn holding the thread's whole message list
//   ironlung-native, ironlung-wasm
//                        openLog(path, { durability }) with the defaults otherwise
//                        (compression level 3, dictionary 'auto'); log.append(event)
//   ironlung-native-checkpoint
//                        as ironlung-native, plus log.checkpoint(state) per turn, the same
//                        state as sqlite-checkpoint's
//   ironlung-native-text as ironlung-native, each event appended as its JSON text (a string)
// Modes:
//   latency       n events appended one after another, each awaited: µs per append; with
//                 `refBlock`, bare write + fdatasync samples interleaved (see interleavedRef)
//   full          the whole transcript, one append per event ('flush' class), then bytes on
//                 disk and replay (3 times, median), every record checked against its line;
//                 ironlung-native and -wasm then compact({ repack: true }) the log, and the
//                 bytes on disk and the replay are measured again
//   concurrency   k appenders (k = 1 or 8), each awaiting its own appends, for `seconds`
//   fsync         the reference: write a 200-byte record at the end of a file + fdatasync
//   build1g       ironlung native: a log of at least `bytes` bytes, once (cached by bench/log.mjs)
//   open          ironlung: open (writer, with recovery) the big log n times, µs each; then
//                 100 records read from a seq in its middle and at its end, 5 times each
//   probe         versions and settings
// IRONLUNG_BENCH_ENTRY=<path to js/node.bundle.cjs or js/node.cjs> measures another ironlung build (another worktree).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { emit, workerMain } from './worker-io.mjs';
import { percentiles } from './stats.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const require = createRequire(path.join(BENCH_DIR, 'package.json'));
const [mode, implName, optsJson = '{}'] = process.argv.slice(2);
const opts = JSON.parse(optsJson);
const now = () => performance.now();
const gc = globalThis.gc || (() => {});
const pkgVersion = (p) => JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', p, 'package.json'), 'utf8')).version;

/** A turn: this many events between two checkpoints (SqliteSaver style). */
export const TURN_EVENTS = 10;
/** A thread: this many events, then the state (the message list) starts again. */
export const THREAD_EVENTS = 100;

// -----------------------------------------------------------------------------------------
// The workload

/** The first `count` lines of the events file, read no further than needed. */
function readEventLines(file, count) {
  const fd = fs.openSync(file, 'r');
  const lines = [];
  const buf = Buffer.allocUnsafe(8 << 20);
  let carry = Buffer.alloc(0);
  let pos = 0;
  try {
    while (lines.length < count) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      let nl;
      while (lines.length < count && (nl = chunk.indexOf(10, start)) !== -1) {
        lines.push(chunk.toString('utf8', start, nl));
        start = nl + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
    }
  } finally {
    fs.closeSync(fd);
  }
  if (lines.length < count) throw new Error(`${file} has ${lines.length} events, fewer than ${count}`);
  return lines;
}

const utf8Bytes = (lines) => lines.reduce((s, l) => s + Buffer.byteLength(l), 0);

/**
 * The SqliteSaver-style state after event `i` of a thread whose messages are `msgs`: a
 * LangGraph checkpoint (`channel_values.messages` is the whole list) and its metadata.
 */
function checkpointOf(thread, step, msgs, ts) {
  const id = `1ef4f797-8335-6428-${thread.toString(16).padStart(4, '0')}-${step.toString(16).padStart(12, '0')}`;
  return {
    id,
    parent: step > 0 ? `1ef4f797-8335-6428-${thread.toString(16).padStart(4, '0')}-${(step - 1).toString(16).padStart(12, '0')}` : null,
    checkpoint: {
      v: 1,
      id,
      ts,
      channel_values: { messages: msgs },
      channel_versions: { __start__: 1, messages: step + 2, agent: step + 1, tools: step },
      versions_seen: { __input__: {}, __start__: { __start__: 1 }, agent: { messages: step + 1 }, tools: { messages: step + 1 } },
      pending_sends: [],
    },
    metadata: { source: 'loop', step, parents: {}, thread_id: `thread-${thread}` },
  };
}

// -----------------------------------------------------------------------------------------
// The implementations: open(file, durability) -> store

function ironlungFor(backend) {
  process.env.IRONLUNG_BACKEND = backend;
  const il = require(process.env.IRONLUNG_BENCH_ENTRY || path.join(ROOT, 'js', 'node.bundle.cjs'));
  if (il.backend !== backend) throw new Error(`ironlung loaded the ${il.backend} backend, not ${backend}`);
  return il;
}

const sizeOf = (f) => {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
};

const IMPLS = {
  jsonl: {
    async open(file, durability) {
      const fd = fs.openSync(file, 'a');
      const sync = durability === 'sync';
      return {
        append(obj) {
          fs.appendFileSync(fd, JSON.stringify(obj) + '\n');
          if (sync) fs.fsyncSync(fd);
        },
        async close() {
          fs.closeSync(fd);
        },
      };
    },
    diskBytes: (file) => sizeOf(file),
    /** Streams the file in 1 MiB reads, cuts lines, JSON.parse each. */
    async replay(file, lines, check) {
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.allocUnsafe(1 << 20);
      let carry = null;
      let pos = 0;
      let n = 0;
      try {
        for (;;) {
          const got = fs.readSync(fd, buf, 0, buf.length, pos);
          if (got === 0) break;
          pos += got;
          const chunk = carry ? Buffer.concat([carry, buf.subarray(0, got)]) : buf.subarray(0, got);
          let start = 0;
          let nl;
          while ((nl = chunk.indexOf(10, start)) !== -1) {
            const v = JSON.parse(chunk.toString('utf8', start, nl));
            if (check && n % 97 === 0 && JSON.stringify(v) !== lines[n]) throw new Error(`jsonl replay: line ${n} differs`);
            n++;
            start = nl + 1;
          }
          carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
        }
      } finally {
        fs.closeSync(fd);
      }
      return n;
    },
  },

  sqlite: {
    async open(file, durability) {
      const Database = require('better-sqlite3');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      if (durability === 'sync') db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, data TEXT NOT NULL)');
      const ins = db.prepare('INSERT INTO events (time, data) VALUES (?, ?)');
      return {
        append(obj) {
          ins.run(Date.now(), JSON.stringify(obj));
        },
        async close() {
          db.close();
        },
      };
    },
    diskBytes: (file) => sizeOf(file) + sizeOf(file + '-wal') + sizeOf(file + '-shm'),
    async replay(file, lines, check) {
      const Database = require('better-sqlite3');
      const db = new Database(file, { readonly: true });
      let n = 0;
      try {
        for (const row of db.prepare('SELECT seq, time, data FROM events ORDER BY seq').iterate()) {
          const v = JSON.parse(row.data);
          if (check && n % 97 === 0 && JSON.stringify(v) !== lines[n]) throw new Error(`sqlite replay: row ${n} differs`);
          n++;
        }
      } finally {
        db.close();
      }
      return n;
    },
  },

  'sqlite-checkpoint': {
    checkpoints: true,
    async open(file, durability) {
      const Database = require('better-sqlite3');
      const db = new Database(file);
      // SqliteSaver.setup(): WAL and its two tables, nothing else (so better-sqlite3's
      // synchronous=NORMAL in WAL mode)
      db.pragma('journal_mode = WAL');
      if (durability === 'sync') db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE IF NOT EXISTS checkpoints (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
  parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));`);
      db.exec(`CREATE TABLE IF NOT EXISTS writes (
  thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, value BLOB,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));`);
      return {
        // events live only in the state: nothing to do per event
        append() {},
        checkpoint(cp) {
          // SqliteSaver.put(): a prepared INSERT OR REPLACE of the serialized checkpoint and
          // metadata (its serde is JSON)
          db.prepare(
            'INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ).run(cp.metadata.thread_id, '', cp.id, cp.parent, 'json', JSON.stringify(cp.checkpoint), JSON.stringify(cp.metadata));
        },
        async close() {
          db.close();
        },
      };
    },
    diskBytes: (file) => sizeOf(file) + sizeOf(file + '-wal') + sizeOf(file + '-shm'),
    /** Resume: SqliteSaver.getTuple() of the last thread (its newest checkpoint). */
    async resume(file) {
      const Database = require('better-sqlite3');
      const db = new Database(file, { readonly: true });
      try {
        const last = db.prepare('SELECT thread_id FROM checkpoints ORDER BY rowid DESC LIMIT 1').get();
        const row = db
          .prepare('SELECT thread_id, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1')
          .get(last.thread_id, '');
        const cp = JSON.parse(row.checkpoint);
        return { messages: cp.channel_values.messages.length, bytes: Buffer.byteLength(row.checkpoint) };
      } finally {
        db.close();
      }
    },
  },
};

for (const backend of ['native', 'wasm']) {
  const base = {
    async open(file, durability) {
      const il = ironlungFor(backend);
      const log = await il.openLog(file, { durability, ...(opts.logOptions || {}) });
      return {
        append: (obj) => log.append(obj),
        checkpoint: (cp) => log.checkpoint(cp.checkpoint, { meta: cp.metadata }),
        stats: () => log.stats(),
        close: () => log.close(),
      };
    },
    diskBytes: (file) => sizeOf(file),
    async replay(file, lines, check) {
      const il = ironlungFor(backend);
      const log = await il.openLog(file, { readOnly: true });
      let n = 0;
      try {
        for await (const e of log.entries()) {
          if (check && n % 97 === 0 && (e.seq !== n + 1 || (typeof e.data === 'string' ? e.data : JSON.stringify(e.data)) !== lines[n])) throw new Error(`ironlung replay: record ${n + 1} differs`);
          n++;
        }
      } finally {
        await log.close();
      }
      return n;
    },
    /** compact({ repack: true }) of the log the cell wrote: { ms, bytesBefore, bytesAfter }. */
    async repack(file) {
      const il = ironlungFor(backend);
      const log = await il.openLog(file, { durability: 'flush' });
      try {
        const t0 = now();
        const r = await log.compact({ repack: true });
        return { ms: now() - t0, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter };
      } finally {
        await log.close();
      }
    },
    async resume(file) {
      const il = ironlungFor(backend);
      const log = await il.openLog(file, { readOnly: true });
      try {
        const cp = await log.lastCheckpoint();
        return { messages: cp.state.channel_values.messages.length, seq: cp.seq };
      } finally {
        await log.close();
      }
    },
    version() {
      const il = ironlungFor(backend);
      return `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version} (${il.backend})${process.env.IRONLUNG_BENCH_ENTRY ? ` from ${process.env.IRONLUNG_BENCH_ENTRY}` : ''}`;
    },
  };
  const { resume, repack, ...plain } = base;
  IMPLS[`ironlung-${backend}`] = { ...plain, repack };
  IMPLS[`ironlung-${backend}-checkpoint`] = { ...plain, resume, checkpoints: true };
  // the same events appended as their JSON text: entries() hands back strings, no JSON.parse
  IMPLS[`ironlung-${backend}-text`] = { ...plain, text: true };
}

// -----------------------------------------------------------------------------------------
// Modes

/**
 * Appends lines[0..n) one after another, each awaited; with checkpoints, one per turn.
 * `between(i)` runs after event i, untimed (the interleaved fdatasync reference).
 */
async function appendAll(impl, store, lines, n, between = null) {
  const us = new Float64Array(n);
  const turnUs = [];
  let msgs = [];
  let thread = 0;
  for (let i = 0; i < n; i++) {
    const obj = impl.text ? lines[i] : JSON.parse(lines[i]);
    const t0 = now();
    const r = store.append(obj);
    if (r) await r;
    us[i] = (now() - t0) * 1000;
    if (impl.checkpoints) {
      msgs.push(obj.payload);
      if ((i + 1) % TURN_EVENTS === 0 || i === n - 1) {
        const step = ((i % THREAD_EVENTS) / TURN_EVENTS) | 0;
        const cp = checkpointOf(thread, step, msgs, obj.timestamp);
        const t1 = now();
        const r2 = store.checkpoint(cp);
        if (r2) await r2;
        turnUs.push((now() - t1) * 1000);
        if ((i + 1) % THREAD_EVENTS === 0) {
          msgs = [];
          thread++;
        }
      }
    }
    if (between) between(i);
  }
  return { us, turnUs };
}

/**
 * The fdatasync reference interleaved with a cell: after every `block` events, as many bare
 * 200-byte writes + fdatasync on a file beside it as the block timed (appends, or turns), so
 * that the reference sees the disk as the cell did (this VM's fdatasync swings between ~0.15
 * and ~4 ms over seconds, with other tenants' I/O).
 */
function interleavedRef(file, block, perBlock) {
  const fd = fs.openSync(file, 'w');
  const rec = refRecord();
  const us = [];
  let pos = 0;
  return {
    us,
    between(i) {
      if ((i + 1) % block !== 0) return;
      for (let k = 0; k < perBlock; k++) {
        const t0 = now();
        fs.writeSync(fd, rec, 0, rec.length, pos);
        fs.fdatasyncSync(fd);
        us.push((now() - t0) * 1000);
        pos += rec.length;
      }
    },
    close() {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
    },
  };
}

const refRecord = () => Buffer.from(JSON.stringify({ timestamp: '2026-01-15T09:00:00.000Z', type: 'response_item', payload: { role: 'assistant', content: 'x'.repeat(100) } }) + '\n');

async function latency(impl) {
  const lines = readEventLines(opts.events, opts.n);
  fs.rmSync(opts.file, { force: true });
  const store = await impl.open(opts.file, opts.durability);
  const ref = opts.refBlock ? interleavedRef(opts.file + '.ref', opts.refBlock, impl.checkpoints ? opts.refBlock / TURN_EVENTS : opts.refBlock) : null;
  gc();
  const { us, turnUs } = await appendAll(impl, store, lines, opts.n, ref?.between);
  ref?.close();
  const stats = store.stats ? await store.stats() : null;
  await store.close();
  emit({ durability: opts.durability, append: percentiles(us), turn: turnUs.length ? percentiles(turnUs) : null, ref: ref ? percentiles(ref.us) : null, stats, diskBytes: impl.diskBytes(opts.file) });
  cleanup(opts.file);
}

async function full(impl) {
  const lines = readEventLines(opts.events, opts.n);
  const rawBytes = utf8Bytes(lines);
  fs.rmSync(opts.file, { force: true });
  cleanup(opts.file);
  const store = await impl.open(opts.file, opts.durability);
  gc();
  const t0 = now();
  const { us, turnUs } = await appendAll(impl, store, lines, opts.n);
  const stats = store.stats ? await store.stats() : null;
  await store.close();
  const writeMs = now() - t0;
  const res = { durability: opts.durability, events: opts.n, rawBytes, jsonlBytes: rawBytes + lines.length, writeMs, append: percentiles(us), turn: turnUs.length ? percentiles(turnUs) : null, stats, diskBytes: impl.diskBytes(opts.file) };
  // replay: first a checked pass, then `replays` timed ones (the file is in the page cache)
  if (impl.replay) {
    gc();
    const n = await impl.replay(opts.file, lines, true);
    if (n !== opts.n) throw new Error(`replay returned ${n} records, ${opts.n} were appended`);
    res.replayMs = [];
    for (let k = 0; k < opts.replays; k++) {
      gc();
      const t1 = now();
      await impl.replay(opts.file, lines, false);
      res.replayMs.push(now() - t1);
    }
  }
  if (impl.repack) {
    // the same log after compact({ repack: true }): its size, and its replay as above
    gc();
    res.repack = { ...(await impl.repack(opts.file)), diskBytes: impl.diskBytes(opts.file), replayMs: [] };
    const n = await impl.replay(opts.file, lines, true);
    if (n !== opts.n) throw new Error(`replay after the repack returned ${n} records, ${opts.n} were appended`);
    for (let k = 0; k < opts.replays; k++) {
      gc();
      const t1 = now();
      await impl.replay(opts.file, lines, false);
      res.repack.replayMs.push(now() - t1);
    }
  }
  if (impl.resume) {
    res.resumeMs = [];
    for (let k = 0; k < opts.replays; k++) {
      const t1 = now();
      res.resume = await impl.resume(opts.file);
      res.resumeMs.push(now() - t1);
    }
  }
  if (implName === 'jsonl') {
    // JSON.parse alone, on the lines in memory: the ceiling of any replay that returns objects
    res.parseMs = [];
    for (let k = 0; k < opts.replays; k++) {
      gc();
      const t1 = now();
      for (const l of lines) JSON.parse(l);
      res.parseMs.push(now() - t1);
    }
  }
  emit(res);
  cleanup(opts.file);
}

function cleanup(file) {
  for (const f of [file, file + '-wal', file + '-shm', file + '.lock']) fs.rmSync(f, { force: true });
}

async function concurrency(impl) {
  const lines = readEventLines(opts.events, opts.pool);
  const pool = lines.map((l) => JSON.parse(l));
  fs.rmSync(opts.file, { force: true });
  cleanup(opts.file);
  const store = await impl.open(opts.file, opts.durability);
  // warm-up: appends one after another for `warmMs` (JIT and wasm tier-up, file growth)
  const w0 = now();
  for (let i = 0; now() - w0 < opts.warmMs || i < 20; i++) {
    const r = store.append(pool[i % pool.length]);
    if (r) await r;
  }
  const before = store.stats ? await store.stats() : null;
  let next = 0;
  let done = 0;
  const deadline = now() + opts.seconds * 1000;
  const appender = async () => {
    while (now() < deadline) {
      const r = store.append(pool[next++ % pool.length]);
      // a synchronous store (fs.appendFileSync, better-sqlite3) still yields between appends
      await r;
      done++;
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: opts.appenders }, appender));
  const ms = now() - t0;
  const after = store.stats ? await store.stats() : null;
  await store.close();
  emit({
    durability: opts.durability,
    appenders: opts.appenders,
    appends: done,
    ms,
    perSec: (done * 1000) / ms,
    // group commit at work: appends per frame written
    perFrame: before && after ? done / (after.segments - before.segments) : null,
  });
  cleanup(opts.file);
}

function fsyncRef() {
  fs.rmSync(opts.file, { force: true });
  const fd = fs.openSync(opts.file, 'w');
  const rec = refRecord();
  const us = new Float64Array(opts.n);
  let pos = 0;
  try {
    for (let i = 0; i < opts.n; i++) {
      const t0 = now();
      fs.writeSync(fd, rec, 0, rec.length, pos);
      fs.fdatasyncSync(fd);
      us[i] = (now() - t0) * 1000;
      pos += rec.length;
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(opts.file, { force: true });
  }
  emit({ recordBytes: rec.length, append: percentiles(us), samples: Array.from(us, (x) => +x.toFixed(1)) });
}

async function build1g() {
  const il = ironlungFor('native');
  const lines = readEventLines(opts.events, opts.eventsCount);
  const tmp = opts.file + '.building';
  cleanup(tmp);
  const log = await il.openLog(tmp, { durability: 'none' });
  const t0 = now();
  let records = 0;
  let passes = 0;
  outer: for (;;) {
    for (let i = 0; i < lines.length; i += TURN_EVENTS) {
      await log.appendBatch(lines.slice(i, i + TURN_EVENTS));
      records += Math.min(TURN_EVENTS, lines.length - i);
      if (records % 20000 < TURN_EVENTS && sizeOf(tmp) >= opts.bytes) break outer;
    }
    passes++;
  }
  const stats = await log.stats();
  await log.close();
  fs.renameSync(tmp, opts.file);
  const meta = { bytes: sizeOf(opts.file), records, passes, stats, buildMs: now() - t0, built: new Date().toISOString(), by: IMPLS['ironlung-native'].version() };
  fs.writeFileSync(opts.file + '.json', JSON.stringify(meta, null, 2) + '\n');
  emit(meta);
}

function rchar() {
  const m = /rchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function openBig(impl) {
  const backend = implName.replace('ironlung-', '');
  const il = ironlungFor(backend);
  const us = [];
  const readBytes = [];
  // what reading /proc/self/io itself counts
  const r0 = rchar();
  const probe = rchar() - r0;
  let stats = null;
  for (let k = 0; k < opts.n + 1; k++) {
    const a = rchar();
    const t0 = now();
    const log = await il.openLog(opts.file);
    const t = (now() - t0) * 1000;
    const b = rchar();
    if (k === 0) stats = await log.stats();
    await log.close();
    us.push(t);
    readBytes.push(b - a - probe);
  }
  // Reading 100 records from a seq: in the middle (the reading start found by bisection) and
  // at the end (near the newest checkpoint). A reader, opened once.
  const seeks = {};
  const log = await il.openLog(opts.file, { readOnly: true });
  for (const [where, from] of [['middle', Math.floor(stats.records / 2)], ['end', stats.records - 99]]) {
    const t = [];
    const read = [];
    for (let k = 0; k < 5; k++) {
      const a = rchar();
      const t0 = now();
      let n = 0;
      for await (const e of log.entries({ from, to: from + 100 })) n += e.seq >= from ? 1 : 0;
      t.push((now() - t0) * 1000);
      read.push(rchar() - a - probe);
      if (n !== 100) throw new Error(`entries({ from: ${from} }) gave ${n} records, not 100`);
    }
    seeks[where] = { from, us: t, median: percentiles(t).p50, readBytes: read };
  }
  await log.close();
  emit({ firstUs: us[0], us: us.slice(1), median: percentiles(us.slice(1)).p50, readBytes: readBytes.slice(1), firstReadBytes: readBytes[0], fileBytes: sizeOf(opts.file), stats, seeks });
}

function probe() {
  const out = { node: process.version };
  if (implName.startsWith('ironlung')) out.version = IMPLS[implName].version();
  if (implName.startsWith('sqlite')) {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    out.version = `better-sqlite3 ${pkgVersion('better-sqlite3')}, SQLite ${db.prepare('SELECT sqlite_version() AS v').get().v}`;
    const opt = db.pragma('compile_options').map((r) => r.compile_options);
    out.walSynchronous = opt.find((o) => o.startsWith('DEFAULT_WAL_SYNCHRONOUS')) || 'DEFAULT_WAL_SYNCHRONOUS not set';
    db.close();
  }
  if (implName === 'jsonl') out.version = `node:fs ${process.version}`;
  emit(out);
}

async function main() {
  const impl = IMPLS[implName];
  if (!impl && !['fsync', 'build1g'].includes(mode)) throw new Error(`unknown implementation ${implName}`);
  if (mode === 'latency') await latency(impl);
  else if (mode === 'full') await full(impl);
  else if (mode === 'concurrency') await concurrency(impl);
  else if (mode === 'fsync') fsyncRef();
  else if (mode === 'build1g') await build1g();
  else if (mode === 'open') await openBig(impl);
  else if (mode === 'probe') probe();
  else throw new Error(`unknown mode ${mode}`);
}

workerMain(main);
