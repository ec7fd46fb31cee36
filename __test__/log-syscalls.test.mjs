// The session log's durability, seen in its system calls (strace) on the backend under test.
// A kill cannot tell 'sync' from 'flush' (the page cache survives a process), so the crash
// test cannot either: only the calls show that a 'sync' append is on stable storage before it
// resolves, that 'flush' writes to the OS without a sync, and that compact() syncs the new file
// before renaming it and the directory after. scripts/setup.sh installs strace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tempDir } from './helpers.mjs';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());
let n = 0;
const TRACED = 'openat,pwrite64,pwritev,pwritev2,write,writev,fdatasync,fsync,rename,renameat,renameat2,ftruncate';

/**
 * @typedef {{ call: string, args: string, ret: string }} Call one completed system call,
 *   in the order the calls completed
 */

/**
 * Parses strace's `-f -y` output: a call cut by another thread's (`<unfinished ...>`) counts
 * where it resumed, which is where it completed.
 * @param {string} text
 * @returns {Call[]}
 */
function parseTrace(text) {
  /** @type {Map<string, { call: string, args: string }>} */
  const open = new Map();
  /** @type {Call[]} */
  const calls = [];
  for (const line of text.split('\n')) {
    let m = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    if (m) {
      open.set(m[1], { call: m[2], args: m[3] });
      continue;
    }
    m = /^(\d+)\s+<\.\.\. (\w+) resumed>(.*)\)\s+= (.*)$/.exec(line);
    if (m) {
      const begun = open.get(m[1]);
      open.delete(m[1]);
      calls.push({ call: m[2], args: (begun ? begun.args : '') + m[3], ret: m[4] });
      continue;
    }
    m = /^(\d+)\s+(\w+)\((.*)\)\s+= (.*)$/.exec(line);
    if (m) calls.push({ call: m[2], args: m[3], ret: m[4] });
  }
  return calls;
}

/**
 * Runs `code` (an ES module body with `il`, `path` the log's path and `mark(text)`, which
 * writes `text` to a file of its own, synchronously) under strace, and returns the calls
 * on the log's file, its directory and the marks.
 * @param {string} code
 */
function traced(code) {
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
  const r = spawnSync('strace', ['-f', '-y', '-qq', '-e', `trace=${TRACED}`, '-o', out, process.execPath, '--input-type=module', '-e', body], {
    encoding: 'utf8',
    env: process.env,
  });
  assert.equal(r.error, undefined, `strace did not run (scripts/setup.sh installs it): ${r.error}`);
  assert.equal(r.status, 0, r.stderr);
  const all = parseTrace(readFileSync(out, 'utf8'));
  // With -y an fd prints as `21</path>`: the calls on the log, its compaction file, its
  // directory and the marks, in the order they completed.
  const on = (p) => (c) =>
    c.args.startsWith(`${/^\d+/.exec(c.args)?.[0]}<${p}>`) || ((c.call.startsWith('rename') || c.call === 'openat') && c.args.includes(`"${p}"`));
  const calls = all.filter((c) => [path, `${path}.compact`, dir, marks].some((p) => on(p)(c)));
  return { calls, path, dir, marks, on };
}

/** The fds opened on `path` with O_DSYNC or O_SYNC: each write through them is synchronised. */
function dsyncFds(calls, path) {
  const fds = new Set();
  for (const c of calls) {
    if (c.call === 'openat' && c.args.includes(`"${path}"`) && /O_DSYNC|O_SYNC/.test(c.args)) fds.add(/^(\d+)/.exec(c.ret)?.[1]);
  }
  return fds;
}

const isWrite = (c) => /^pwrite/.test(c.call) || c.call === 'write' || c.call === 'writev';
const isSync = (c) => c.call === 'fdatasync' || c.call === 'fsync';
const fdOf = (c) => /^(\d+)</.exec(c.args)?.[1];

/**
 * The calls between marks: one window per mark, `{ mark, calls }` with the calls made after
 * the mark before it and before this one; then the calls after the last (`mark: null`).
 */
function windows(t) {
  /** @type {{ mark: string | null, calls: Call[] }[]} */
  const w = [];
  let calls = [];
  for (const c of t.calls) {
    if (t.on(t.marks)(c) && isWrite(c)) {
      w.push({ mark: /"(.*?)"/.exec(c.args)?.[1] ?? '', calls });
      calls = [];
    } else {
      calls.push(c);
    }
  }
  w.push({ mark: null, calls });
  return w;
}

/**
 * Whether `calls` hold a write of `path` made stable before they end: through an fd opened
 * O_DSYNC, or followed by an fdatasync (or fsync) of the file.
 */
function durableWrite(calls, path, dsync) {
  const on = (c) => c.args.includes(`<${path}>`);
  let written = false;
  for (const c of calls) {
    if (isWrite(c) && on(c)) {
      if (dsync.has(fdOf(c))) return true;
      written = true;
    } else if (written && isSync(c) && on(c)) {
      return true;
    }
  }
  return false;
}

const syncsOf = (calls, path) => calls.filter((c) => isSync(c) && c.args.includes(`<${path}>`)).length;
const writesOf = (calls, path) => calls.filter((c) => isWrite(c) && c.args.includes(`<${path}>`)).length;

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
    const w = windows(t);
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
    const w = windows(t);
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
    const w = windows(t);
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
    const w = windows(t);
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
    const w = windows(t);
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
});
