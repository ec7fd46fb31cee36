// The session log in the installed package, the same scenario under every runtime the log
// supports (node.test.mjs, bun.test.mjs, deno.test.mjs call it): a session's events, a
// checkpoint and compaction, a repack, a reader beside the writer, the lock, a torn tail, `'none'`
// appends written at exit, `'sync'` appends seen on stable storage in their system calls, and a
// writer killed mid-append `kills` times, spawned with the runtime itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callsOn, dsyncFds, durableWrite, parseTrace, straceArgs, windows } from './strace.mjs';

async function all(log) {
  const out = [];
  for await (const e of log.entries()) out.push(e);
  return out;
}

/**
 * @param {typeof import('ironlung')} il
 * @param {{ kills: number, command: (script: string, ...args: string[]) => string[] }} crash
 *   how to run a script with this runtime (Node: [execPath, script], Deno: [deno, run, -A, script])
 */
export async function logScenario(il, crash) {
  // The real path: strace names files by it.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ironlung-log-')));
  try {
    const path = join(dir, 'session.ilog');
    const log = await il.openLog(path);
    const events = [
      { role: 'user', content: 'fix the failing test' },
      { role: 'assistant', tool_calls: [{ name: 'run_shell', args: { cmd: 'npm test' } }] },
      'raw tool output\nwith lines',
      new Uint8Array([0, 1, 2, 255]),
    ];
    assert.deepEqual(await log.appendBatch(events.slice(0, 2)), [1, 2]);
    assert.equal(await log.append(events[2]), 3);
    assert.equal(await log.append(events[3]), 4);
    assert.equal(await log.checkpoint({ turn: 1 }, { meta: { model: 'm' } }), 4);
    assert.equal(await log.append('after the checkpoint'), 5);
    await assert.rejects(il.openLog(path), (e) => e.code === 'ERR_LOG_LOCKED');
    const reader = await il.openLog(path, { readOnly: true });
    const read = await all(reader);
    assert.deepEqual(read.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(read[0].data, events[0]);
    assert.deepEqual([...read[3].data], [0, 1, 2, 255]);
    await reader.close();
    const compacted = await log.compact();
    assert.equal(compacted.droppedRecords, 4);
    assert.deepEqual((await log.lastCheckpoint()).state, { turn: 1 });
    assert.deepEqual((await all(log)).map((e) => e.data), ['after the checkpoint']);
    assert.equal((await log.verify()).ok, true);
    await log.close();

    // A torn last write is cut away on open.
    const size = statSync(path).size;
    const again = await il.openLog(path);
    await again.append('x'.repeat(5000));
    await again.close();
    truncateSync(path, statSync(path).size - 7);
    const recovered = await il.openLog(path);
    assert.equal(recovered.recovered?.offset, size);
    assert.equal(statSync(path).size, size);
    assert.equal((await recovered.stats()).lastSeq, 5);
    await recovered.close();

    // A log repacked at a session's end: the same records, in one frame compressed in steps.
    const packPath = join(dir, 'packed.ilog');
    const packLog = await il.openLog(packPath, { durability: 'flush' });
    const lines = Array.from({ length: 600 }, (_, i) => ({ i, tool: 'read_file', output: `line ${i} `.repeat(100) }));
    for (const l of lines) await packLog.append(l);
    const before = await packLog.stats();
    const packed = await packLog.compact({ repack: true });
    const after = await packLog.stats();
    assert.equal(packed.droppedRecords, 0);
    assert.deepEqual([before.segments, after.segments, after.records], [600, 1, 600]);
    assert.ok(packed.bytesAfter < packed.bytesBefore / 4, JSON.stringify(packed));
    assert.deepEqual((await all(packLog)).map((e) => e.data), lines);
    await packLog.close();

    await exitWrites(il, dir, crash.command);
    durableAppends(dir, crash.command);
    return await crashLoop(il, dir, crash);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `'none'` appends that resolved are in the log after an exit right after them. */
async function exitWrites(il, dir, command) {
  const script = fileURLToPath(new URL('./log-exit.mjs', import.meta.url));
  for (const [how, then] of (globalThis.Deno ? ['process', 'deno'] : ['process']).flatMap((how) => [[how, ''], [how, 'close']])) {
    const path = join(dir, `exit-${how}${then}.ilog`);
    const [cmd, ...args] = command(script, path, '300', how, then);
    const code = await new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    assert.equal(code, 0);
    const log = await il.openLog(path, { readOnly: true });
    const records = await all(log);
    await log.close();
    assert.deepEqual(records.map((e) => e.data.i), Array.from({ length: 300 }, (_, k) => k + 1), `${how} ${then}`);
  }
}

/**
 * `'sync'` appends are on stable storage when they resolve: under strace, each mark the writer
 * makes once an append resolved follows a write of the log through an O_DSYNC descriptor, or
 * a write and an fdatasync of it. (A kill cannot tell: the page cache survives a process.)
 */
function durableAppends(dir, command) {
  const script = fileURLToPath(new URL('./log-durable.mjs', import.meta.url));
  const [path, marks, out] = ['durable.ilog', 'durable.marks', 'durable.strace'].map((f) => join(dir, f));
  const n = 8;
  const r = spawnSync('strace', [...straceArgs(out), ...command(script, path, marks, String(n))], { stdio: 'inherit' });
  assert.equal(r.error, undefined, `strace did not run (scripts/setup.sh installs it): ${r.error}`);
  assert.equal(r.status, 0);
  const calls = callsOn(parseTrace(readFileSync(out, 'utf8')), [path, marks]);
  const w = windows(calls, marks);
  const dsync = dsyncFds(calls, path);
  assert.deepEqual(w.map((x) => x.mark), [...Array.from({ length: n }, (_, k) => `ack ${k + 1}`), null]);
  for (let k = 0; k < n; k++) assert.ok(durableWrite(w[k].calls, path, dsync), `'sync' append ${k + 1} resolved with no synced write of it`);
}

async function crashLoop(il, dir, { kills, command }) {
  const writer = fileURLToPath(new URL('./log-writer.mjs', import.meta.url));
  const path = join(dir, 'crash.ilog');
  const acked = [];
  for (let i = 0; i < kills; i++) {
    const [cmd, ...args] = command(writer, path);
    const got = await new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const seqs = [];
      let out = '';
      let err = '';
      let timer = null;
      child.stdout.on('data', (d) => {
        out += d;
        let nl;
        while ((nl = out.indexOf('\n')) >= 0) {
          seqs.push(Number(out.slice(0, nl)));
          out = out.slice(nl + 1);
          timer ??= setTimeout(() => child.kill('SIGKILL'), 5 + ((i * 37) % 50));
        }
      });
      child.stderr.on('data', (d) => (err += d));
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code, signal) => {
        clearTimeout(guard);
        clearTimeout(timer);
        if (signal === 'SIGKILL' && seqs.length) resolve(seqs);
        else reject(new Error(`writer ended with ${signal || code} after ${seqs.length} acks: ${err}`));
      });
    });
    acked.push(...got);
    const log = await il.openLog(path);
    const records = await all(log);
    await log.close();
    records.forEach((e, k) => {
      assert.equal(e.seq, k + 1);
      assert.equal(e.data, `record ${e.seq} ${'.'.repeat(e.seq % 500)}`);
    });
    for (const seq of acked) assert.ok(seq <= records.length, `acknowledged record ${seq} lost after kill ${i + 1}`);
  }
  return { kills, acked: acked.length };
}
