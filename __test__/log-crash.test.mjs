// The session log's durability promise, tested by killing its writer: a child appends with
// durability 'sync' and prints each acknowledged seq; the parent SIGKILLs it at a random
// moment, reopens the log, and checks that every acknowledged record is there, byte for
// byte, and that nothing else is but whole records. The same for appendBatch (all of a
// batch or none), for checkpoint + compact and compact({ repack }) (the old log or the new
// one, never a mix), for repacks that keep a frame an earlier one packed, and for appends
// with 'flush' (which promises the same against a crash of the process). With 'none', which
// promises nothing against a kill, what survives must still be whole, right records in seq
// order: its writes are 4 MiB groups, so kills land in large frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { il, rng, tempDir } from './helpers.mjs';
import { record, parse } from './fixtures/log-records.mjs';

const CHILD = fileURLToPath(new URL('./fixtures/log-writer.mjs', import.meta.url));
const KILLS = Number(process.env.IRONLUNG_CRASH_KILLS || 200);
/** A fresh log after this many kills, so each check reads a log of bounded size. */
const PER_LOG = 25;

/**
 * Runs the child on `path` until it has acknowledged something, waits `delayMs`, kills it.
 * @returns {Promise<{ acked: number[], checkpoints: number[], compactions: number, repacks: number, first: number, inCompaction: boolean }>}
 */
function runAndKill(path, mode, durability, seed, delayMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, mode, String(seed), durability], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = [];
    const checkpoints = [];
    let compactions = 0;
    let repacks = 0;
    let first = 0;
    let out = '';
    let err = '';
    let timer = null;
    child.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const [what, n] = line.split(' ');
        if (what === 'ready') first = Number(n);
        else if (what === 'ack') acked.push(Number(n));
        else if (what === 'checkpoint') checkpoints.push(Number(n));
        else if (what === 'compacted') {
          compactions++;
          if (n === 'repack') repacks++;
        }
        if (what === 'ack' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    // A child that never acknowledges (a bug) is killed too, and fails the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(timer);
      if (signal !== 'SIGKILL' || acked.length === 0) {
        reject(new Error(`the writer ended with ${signal || code} after ${acked.length} acks: ${err}`));
      } else {
        // Killed while a compaction was writing its new file.
        resolve({ acked, checkpoints, compactions, repacks, first, inCompaction: existsSync(`${path}.compact`) });
      }
    });
  });
}

/** Reads the whole log and checks it against what the writers acknowledged. */
async function check(path, acked, mode, durability) {
  const log = await il.openLog(path, { durability: 'sync' });
  try {
    assert.equal(existsSync(`${path}.compact`), false, 'an interrupted compaction is cleaned up');
    const stats = await log.stats();
    const cp = await log.lastCheckpoint();
    if (stats.firstSeq > 1) {
      // Compacted: the checkpoint covers everything the log no longer holds.
      assert.ok(cp && cp.seq >= stats.firstSeq - 1, `records before ${stats.firstSeq} dropped without a checkpoint covering them`);
    }
    if (cp) assert.deepEqual(cp.meta, { at: cp.seq });
    let expect = stats.firstSeq;
    /** @type {Map<number, { start: number, n: number }>} */
    const batches = new Map();
    for await (const e of log.entries()) {
      assert.equal(e.seq, expect++, 'seqs run without gaps');
      const p = parse(e.data);
      assert.ok(p && p.seq === e.seq, `record ${e.seq} is not the record written: ${String(e.data).slice(0, 80)}`);
      const want = record(e.seq, p.size, p.start, p.n);
      if (want instanceof Uint8Array) assert.ok(Buffer.from(want).equals(Buffer.from(e.data)), `record ${e.seq} differs`);
      else assert.deepEqual(e.data, want, `record ${e.seq} differs`);
      if (p.n > 1) batches.set(p.start, p);
    }
    const last = expect - 1;
    assert.equal(last, stats.lastSeq);
    for (const seq of durability === 'none' ? [] : acked) {
      assert.ok(seq <= last, `acknowledged record ${seq} is missing (the log ends at ${last})`);
    }
    if (mode === 'batch') {
      for (const [start, b] of batches) {
        // Every batch that has a record in the log has all of them.
        assert.ok(start >= stats.firstSeq && start + b.n - 1 <= last, `batch ${start}+${b.n} is cut: log ends at ${last}`);
      }
    }
    assert.equal((await log.verify()).ok, true);
    return { last, recovered: log.recovered };
  } finally {
    await log.close();
  }
}

for (const [mode, durability] of [
  ['append', 'sync'],
  ['batch', 'sync'],
  ['compact', 'sync'],
  ['repack', 'sync'],
  ['append', 'flush'],
  ['append', 'none'],
]) {
  // 'none' logs grow by whole 4 MiB groups: fewer kills, and a fresh log more often. The
  // repacks that keep a frame are one path of compact's, which 'compact' covers whole.
  const kills = durability === 'none' || mode === 'repack' ? Math.min(KILLS, 100) : KILLS;
  const perLog = durability === 'none' ? 5 : PER_LOG;
  const promise = durability === 'none' ? 'what survives is whole records in order' : 'every acknowledged record survives';
  test(`SIGKILL during ${mode} ('${durability}'): ${kills} kills, ${promise}`, { timeout: 900_000 }, async () => {
    const tmp = tempDir();
    const r = rng(mode.length * 7919 + durability.length);
    const counts = { kills: 0, acked: 0, torn: 0, checkpoints: 0, compactions: 0, repacks: 0, inCompaction: 0, keepingRepacks: 0, inKeepingRepack: 0 };
    try {
      let path = '';
      /** Every seq acknowledged on the current log. */
      let acked = [];
      /** The current log has been repacked: its first frame is packed, and each repack since keeps it. */
      let packed = false;
      for (let i = 0; i < kills; i++) {
        if (i % perLog === 0) {
          path = tmp.path(`crash-${i}.ilog`);
          acked = [];
          packed = false;
        }
        const run = await runAndKill(path, mode, durability, r.next(), r.below(60));
        counts.kills++;
        if (run.inCompaction) counts.inCompaction++;
        if (mode === 'repack') {
          counts.keepingRepacks += Math.max(0, run.repacks - (packed ? 0 : 1));
          if (run.inCompaction && (packed || run.repacks > 0)) counts.inKeepingRepack++;
          if (run.repacks > 0) packed = true;
        }
        counts.acked += run.acked.length;
        counts.checkpoints += run.checkpoints.length;
        counts.compactions += run.compactions;
        counts.repacks += run.repacks;
        acked.push(...run.acked);
        const { recovered } = await check(path, acked, mode, durability);
        if (recovered) counts.torn++;
      }
      console.log(`# crash test (${il.backend}, ${mode}, '${durability}'): ${JSON.stringify(counts)}`);
      assert.equal(counts.kills, kills);
      // The test proves something only if kills landed inside compactions, not just between.
      if (mode === 'compact' && KILLS >= 100) assert.ok(counts.inCompaction > 0, `no kill of ${KILLS} landed inside a compaction: ${JSON.stringify(counts)}`);
      if (mode === 'compact' && KILLS >= 100) assert.ok(counts.repacks > 0, `no repack in ${KILLS} runs: ${JSON.stringify(counts)}`);
      if (mode === 'repack' && KILLS >= 100) {
        assert.ok(counts.keepingRepacks > 0 && counts.inKeepingRepack > 0, `no repack that keeps a frame, or no kill inside one: ${JSON.stringify(counts)}`);
      }
    } finally {
      tmp.cleanup();
    }
  });
}
