// The session log's durability, seen in its system calls (strace) on the backend under test.
// A kill cannot tell 'sync' from 'flush' (the page cache survives a process), so the crash
// test cannot either: only the calls show that a 'sync' append is on stable storage before it
// resolves, that 'flush' writes to the OS without a sync, and that compact() syncs the new file
// before renaming it and the directory after. scripts/setup.sh installs strace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { il, tempDir } from './helpers.mjs';
import { TRACED, callsOn, dsyncFds, durableWrite, fdOf, isSync, isWrite, on, parseTrace, straceArgs, syncsOf, windows, writesOf } from './consumer/strace.mjs';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());
let n = 0;

/**
 * Runs `code` (an ES module body with `il`, `path` the log's path and `mark(text)`, which
 * writes `text` to a file of its own, synchronously) under strace, and returns the calls
 * on the log's file, its compaction file, its directory and the marks, with the calls
 * between marks (`windows`).
 * @param {string} code
 * @param {string} [trace] the calls strace records
 */
function traced(code, trace = TRACED) {
  const dir = tmp.path(`sys-${n++}`);
  const path = `${dir}/a.ilog`;
  const marks = `${dir}/marks`;
  const out = `${dir}.strace`;
  const helpers = new URL('./helpers.mjs', import.meta.url).href;
  const body = `
    const fs = await import('node:fs');
    fs.mkdirSync(${JSON.stringify(dir)});
    const { il } = await import(${JSON.stringify(helpers)});
    const path = ${JSON.stringify(path)};
    const markFd = fs.openSync(${JSON.stringify(marks)}, 'w');
    const mark = (text) => fs.writeSync(markFd, text);
    ${code}
  `;
  const r = spawnSync('strace', [...straceArgs(out, trace), process.execPath, '--input-type=module', '-e', body], { encoding: 'utf8', env: process.env });
  assert.equal(r.error, undefined, `strace did not run (scripts/setup.sh installs it): ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  const calls = callsOn(parseTrace(readFileSync(out, 'utf8')), [path, `${path}.compact`, dir, marks]);
  return { calls, path, dir, windows: windows(calls, marks) };
}

describe('durability, in system calls', { skip: process.platform !== 'linux' && 'strace is Linux only' }, () => {
  test("'sync': each append is on stable storage before it resolves; the new log and its directory too", () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'sync', dictionary: false });
      mark('open');
      for (let i = 1; i <= 12; i++) {
        const seq = await log.append({ i, text: 'x'.repeat(i * 300) });
        mark('ack ' + seq);
      }
      await log.close();
    `);
    const w = t.windows;
    const dsync = dsyncFds(t.calls, t.path);
    assert.equal(w.length, 14, w.map((x) => x.mark).join());
    // The header, and the directory that now names the file, before the open resolved.
    assert.equal(w[0].mark, 'open');
    assert.ok(durableWrite(w[0].calls, t.path, dsync), 'the header synced');
    assert.ok(syncsOf(w[0].calls, t.dir) >= 1, 'the directory synced');
    for (let k = 1; k <= 12; k++) {
      assert.equal(w[k].mark, `ack ${k}`);
      assert.ok(durableWrite(w[k].calls, t.path, dsync), `append ${k} resolved with no synced write of it`);
    }
  });

  test("'sync': appends made together share a write and its sync", () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'sync', dictionary: false });
      await log.append('first');
      mark('go');
      const seqs = await Promise.all(Array.from({ length: 64 }, (_, i) => log.append({ i })));
      mark('acked ' + seqs.length);
      await log.close();
    `);
    const w = t.windows;
    const dsync = dsyncFds(t.calls, t.path);
    const go = w.findIndex((x) => x.mark === 'go');
    assert.equal(w[go + 1].mark, 'acked 64');
    const calls = w[go + 1].calls;
    assert.ok(durableWrite(calls, t.path, dsync));
    // 64 appends, at most a few writes: the first alone, then the 63 queued behind it.
    const writes = writesOf(calls, t.path);
    assert.ok(writes >= 1 && writes <= 4, `${writes} writes for 64 appends made together`);
  });

  test("'flush': each append is written to the OS before it resolves, with no sync", () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'flush', dictionary: false });
      mark('open');
      for (let i = 1; i <= 12; i++) mark('ack ' + (await log.append({ i, text: 'x'.repeat(i * 300) })));
      // Neither does a checkpoint sync under 'flush'; sync() does.
      mark('checkpoint ' + (await log.checkpoint({ at: 12 })));
      await log.sync();
      mark('synced');
      await log.close();
    `);
    const w = t.windows;
    const dsync = dsyncFds(t.calls, t.path);
    assert.equal(dsync.size, 0, "'flush' opens no O_DSYNC descriptor");
    for (let k = 1; k <= 12; k++) {
      assert.equal(w[k].mark, `ack ${k}`);
      assert.ok(writesOf(w[k].calls, t.path) >= 1, `append ${k} resolved before its write`);
      assert.equal(syncsOf(w[k].calls, t.path), 0, `append ${k} synced under 'flush'`);
    }
    assert.equal(w[13].mark, 'checkpoint 12');
    assert.ok(writesOf(w[13].calls, t.path) >= 1);
    assert.equal(syncsOf(w[13].calls, t.path), 0, "a checkpoint synced under 'flush'");
    assert.equal(w[14].mark, 'synced');
    assert.ok(syncsOf(w[14].calls, t.path) >= 1, 'sync() made no fdatasync');
  });

  test("'none': nothing synced until sync(), which writes and syncs what waited", () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'none', dictionary: false });
      mark('open');
      for (let i = 1; i <= 50; i++) await log.append({ i });
      mark('appended');
      await log.sync();
      mark('synced');
      await log.close();
    `);
    const w = t.windows;
    assert.deepEqual(w.map((x) => x.mark), ['open', 'appended', 'synced', null]);
    // The event loop did not turn during the loop: the appends wait, unwritten.
    assert.equal(writesOf(w[1].calls, t.path), 0);
    assert.ok(durableWrite(w[2].calls, t.path, new Set()), 'sync() left the records unsynced');
    assert.equal(syncsOf(w[1].calls, t.path), 0, "'none' synced an append");
  });

  test('compact(): the new file is synced before it is renamed over the log, and the directory after', () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'flush', dictionary: false });
      for (let i = 1; i <= 20; i++) await log.append({ i });
      await log.checkpoint({ upTo: 20 });
      await log.append('after');
      mark('compact');
      const r = await log.compact();
      mark('compacted ' + r.droppedRecords);
      await log.close();
    `);
    const w = t.windows;
    const c = w.find((x) => x.mark === 'compacted 20');
    assert.ok(c, w.map((x) => x.mark).join());
    const calls = c.calls;
    const tmpPath = `${t.path}.compact`;
    const renamed = calls.findIndex((x) => x.call.startsWith('rename') && x.args.includes(tmpPath));
    assert.ok(renamed > 0, 'renamed over the log');
    const before = calls.slice(0, renamed);
    const after = calls.slice(renamed + 1);
    assert.ok(writesOf(before, tmpPath) >= 1, 'the new file written');
    // Synced after its last write: a power loss after the rename finds it whole.
    const lastWrite = before.findLastIndex((x) => isWrite(x) && x.args.includes(`<${tmpPath}>`));
    assert.ok(before.slice(lastWrite + 1).some((x) => isSync(x) && x.args.includes(`<${tmpPath}>`)), 'the new file not synced before the rename');
    // And the rename made durable before compact() resolved.
    assert.ok(syncsOf(after, t.dir) >= 1, 'the directory not synced after the rename');
  });

  // The writer's lock on the file itself (flock): the wasm backend takes none (README.md,
  // "Session log": the one-writer promise).
  test('a writer locks its file before it writes to it; compact() locks the new file before the rename, and writes on through it', { skip: il.backend !== 'native' && 'the wasm backend locks no file' }, () => {
    const t = traced(`
      const log = await il.openLog(path, { durability: 'flush', dictionary: false });
      mark('open');
      for (let i = 1; i <= 20; i++) await log.append({ i });
      await log.checkpoint({ upTo: 20 });
      mark('compact');
      const r = await log.compact();
      mark('compacted ' + r.droppedRecords);
      await log.append('after');
      mark('appended');
      await log.close();
    `, `${TRACED},flock,close`);
    const w = t.windows;
    const tmpPath = `${t.path}.compact`;
    const locks = (/** @type {string} */ p) => (/** @type {import('./consumer/strace.mjs').Call} */ c) => c.call === 'flock' && on(p)(c) && c.args.includes('LOCK_EX|LOCK_NB') && c.ret === '0';
    const writes = (/** @type {string} */ p) => (/** @type {import('./consumer/strace.mjs').Call} */ c) => (isWrite(c) || c.call === 'ftruncate') && on(p)(c);
    const open = w.find((x) => x.mark === 'open')?.calls ?? [];
    const locked = open.findIndex(locks(t.path));
    assert.ok(locked >= 0, "the writer's open took no lock on its file");
    assert.ok(locked < open.findIndex(writes(t.path)), 'the header written before the lock');
    const c = w.find((x) => x.mark === 'compacted 20')?.calls;
    assert.ok(c, w.map((x) => x.mark).join());
    const lockedNew = c.findIndex(locks(tmpPath));
    const renamed = c.findIndex((x) => x.call.startsWith('rename') && x.args.includes(tmpPath));
    assert.ok(lockedNew >= 0 && renamed > lockedNew, 'the new file not locked before the rename');
    assert.ok(lockedNew < c.findIndex(writes(tmpPath)), 'the new file written before it was locked');
    // The descriptor that holds the lock is never closed: it is the log's file from then on.
    const fd = fdOf(c[lockedNew]);
    assert.ok(!c.slice(lockedNew).some((x) => x.call === 'close' && fdOf(x) === fd), 'the locked descriptor closed in the swap');
    const next = w.find((x) => x.mark === 'appended')?.calls ?? [];
    const appended = next.filter(writes(t.path));
    assert.ok(appended.length >= 1 && appended.every((x) => fdOf(x) === fd), 'the next append not written through the locked descriptor');
  });

  test("a failed sync of the directory after compact()'s rename: compact() rejects, the log goes on with the new file, and a 'sync' write syncs the directory first", async () => {
    // strace fails the directory's fsyncs (-P: only calls on the directory; the log's own
    // file has another path), the first only (`when=1`) or every one (`1+`). One pool thread,
    // so that its count is every pool call's (strace counts per thread). Before this, the
    // writer wrote on into the file the rename had unlinked: appends resolved, 'sync' and
    // sync() too, and were gone at the next open.
    const helpers = new URL('./helpers.mjs', import.meta.url).href;
    for (const [when, durability, expected, kept] of [
      ['1', 'sync', { compacted: 'EIO', seq: 7, synced: 'ok', fsyncs: 2 }, true],
      ['1', 'flush', { compacted: 'EIO', seq: 7, synced: 'ok', fsyncs: 2 }, true],
      ['1+', 'sync', { compacted: 'EIO', seq: 'EIO', synced: 'EIO', fsyncs: 3 }, false],
      ['1+', 'flush', { compacted: 'EIO', seq: 7, synced: 'EIO', fsyncs: 2 }, true],
    ]) {
      const dir = tmp.path(`dirsync-${n++}`);
      mkdirSync(dir);
      const path = `${dir}/a.ilog`;
      const made = await il.openLog(path, { durability: 'flush', dictionary: false });
      for (let i = 0; i < 5; i++) await made.append({ i });
      await made.checkpoint({ upTo: 5 });
      await made.append('after the checkpoint');
      await made.close();
      const out = `${dir}.strace`;
      const body = `
        const { il } = await import(${JSON.stringify(helpers)});
        const log = await il.openLog(${JSON.stringify(path)}, { durability: ${JSON.stringify(durability)} });
        let compacted = null;
        try { await log.compact(); } catch (e) { compacted = e.code; if (!/the log is compacted and goes on/.test(e.message)) throw e; }
        const seq = await log.append('after compaction').catch((e) => e.code);
        const synced = await log.sync().then(() => 'ok', (e) => e.code);
        await log.close();
        console.log(JSON.stringify({ compacted, seq, synced }));
      `;
      const r = spawnSync(
        'strace',
        ['-f', '-qq', '-o', out, '-P', dir, '-e', 'trace=fsync', '-e', `inject=fsync:error=EIO:when=${when}`, process.execPath, '--input-type=module', '-e', body],
        { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: '1' } },
      );
      assert.equal(r.error, undefined, `strace did not run (scripts/setup.sh installs it): ${r.error}`);
      assert.equal(r.status, 0, r.stderr);
      const fsyncs = readFileSync(out, 'utf8').split('\n').filter((l) => /\bfsync\(/.test(l)).length;
      const label = `${when} ${durability}`;
      assert.deepEqual({ ...JSON.parse(r.stdout), fsyncs }, expected, label);
      const log = await il.openLog(path, { readOnly: true });
      const data = [];
      for await (const e of log.entries()) data.push([e.seq, e.data]);
      assert.deepEqual(data, kept ? [[6, 'after the checkpoint'], [7, 'after compaction']] : [[6, 'after the checkpoint']], label);
      assert.equal((await log.lastCheckpoint())?.seq, 5, label);
      await log.close();
    }
  });
});
