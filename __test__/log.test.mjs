// The session log (openLog) on the backend under test: what goes in comes out, batches,
// checkpoints, compaction, stats, the dictionary, the writer lock, readers beside a writer,
// torn writes and flipped bits, and a full disk. The crash test is log-crash.test.mjs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, renameSync, statSync, truncateSync, lstatSync, existsSync, mkdirSync, readdirSync, symlinkSync, linkSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI, il, noise, rng, tempDir, rejectsCode } from './helpers.mjs';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());
let n = 0;
const fresh = () => tmp.path(`log-${n++}.ilog`);

async function all(log, range) {
  const out = [];
  for await (const e of log.entries(range)) out.push(e);
  return out;
}

/**
 * `n` records of 64 KiB that do not compress, the first byte of each its index: a log of
 * them spans many of the reading loop's windows.
 */
function incompressible(n, seed) {
  return Array.from({ length: n }, (_, i) => noise(64 << 10, (seed << 16) + i + 1).fill(i, 0, 1));
}

/** Agent-shaped events: tool calls and outputs. */
function event(i, r = rng(i + 1)) {
  const tools = ['read_file', 'run_shell', 'grep', 'write_file'];
  return {
    type: i % 2 ? 'tool_result' : 'tool_call',
    tool: tools[r.below(4)],
    args: { path: `src/module_${r.below(40)}.ts`, line: r.below(900) },
    output: `ok: ${'line of output '.repeat(r.below(30))}${r.next() % 100000}`,
  };
}

describe('records', () => {
  test('strings, bytes and JSON values come back as appended, in seq order', async () => {
    const log = await il.openLog(fresh());
    const values = ['', 'hello', 'é😀\u0000\n', new Uint8Array([]), new Uint8Array([0, 255, 7]), null, 0, -1.5, true,
      [1, 'two', { three: 3 }], { nested: { deep: [null] } }, 'x'.repeat(300_000)];
    const before = Date.now();
    const seqs = [];
    for (const v of values) seqs.push(await log.append(v));
    assert.deepEqual(seqs, values.map((_, i) => i + 1));
    const got = await all(log);
    assert.equal(got.length, values.length);
    got.forEach((e, i) => {
      assert.equal(e.seq, i + 1);
      assert.ok(e.time >= before - 1 && e.time <= Date.now() + 1);
      if (values[i] instanceof Uint8Array) assert.ok(e.data instanceof Uint8Array && Buffer.from(e.data).equals(values[i]));
      else assert.deepEqual(e.data, values[i]);
    });
    await log.close();
  });

  test('the caller changing a buffer after append does not change the record', async () => {
    const log = await il.openLog(fresh(), { durability: 'none' });
    // A Buffer too, whose slice() is a view of its bytes, not a copy.
    for (const buf of [new Uint8Array([1, 2, 3]), Buffer.from([1, 2, 3])]) {
      const p = log.append(buf);
      buf[0] = 9;
      await p;
      buf[1] = 9;
    }
    const got = (await all(log)).map((e) => [...e.data]);
    assert.deepEqual(got, [[1, 2, 3], [1, 2, 3]]);
    await log.close();
  });

  test('values with no JSON form are refused, and nothing is written', async () => {
    const log = await il.openLog(fresh());
    for (const bad of [undefined, () => 1, Symbol('s'), 10n]) {
      await rejectsCode(() => log.append(bad), 'ERR_INVALID_ARG');
    }
    await rejectsCode(() => log.appendBatch(['ok', undefined]), 'ERR_INVALID_ARG', ['records[1]']);
    await rejectsCode(() => log.appendBatch('nope'), 'ERR_INVALID_ARG');
    // Values JSON would silently turn into something else: {} or an object of indexes.
    const bytes = new Int16Array([1, 2]);
    for (const [bad, hint] of [
      [bytes, 'JSON would turn an Int16Array into {} or an object of indexes; pass its bytes as a Uint8Array'],
      [bytes.buffer, 'an ArrayBuffer'],
      [new DataView(bytes.buffer), 'a DataView'],
      [new Map([['a', 1]]), 'pass Object.fromEntries(map)'],
      [new Set([1]), 'pass [...set]'],
    ]) {
      await rejectsCode(() => log.append(bad), 'ERR_INVALID_ARG', ['record cannot be stored', hint]);
    }
    await rejectsCode(() => log.checkpoint(new Map()), 'ERR_INVALID_ARG', ['pass Object.fromEntries(map)']);
    // The same inside a value, named by where it sits; and what else JSON turns into {}.
    for (const [bad, hint] of [
      [{ a: { b: [1, new Map()] } }, 'JSON would turn record.a.b[1], a Map, into {}; pass Object.fromEntries(map)'],
      [[{ 'x y': new Uint8Array(2) }], 'record[0]["x y"], a Uint8Array, into {} or an object of indexes; bytes inside a JSON value need an encoding'],
      [{ b: Buffer.from('hi') }, 'record.b, a Buffer,'],
      [{ s: [[new Set([1])]] }, 'record.s[0][0], a Set, into {}; pass [...set]'],
      [{ error: new RangeError('boom') }, 'record.error, a RangeError, into {}, as its message and stack are not enumerable'],
      [{ result: Promise.resolve(1) }, 'record.result, a Promise, into {}; await it first'],
      [{ pattern: /x/ }, 'record.pattern, a RegExp, into {}; pass String(regexp)'],
      [{ seen: new WeakSet() }, 'record.seen, a WeakSet, into {}'],
      [new TypeError('top'), 'JSON would turn a TypeError into {}, as its message'],
      // Values JSON writes as null, and a string UTF-8 cannot hold.
      [NaN, 'JSON would turn number NaN into null; pass a finite number'],
      [{ loss: [1, -Infinity] }, 'record.loss[1], number -Infinity, into null'],
      [{ calls: [undefined] }, 'record.calls[0], undefined, into null in an array; pass null'],
      [{ calls: [, 1] }, 'record.calls[0], undefined, into null in an array'],
      ['a\ud800b', 'the string has a lone surrogate'],
    ]) {
      await rejectsCode(() => log.append(bad), 'ERR_INVALID_ARG', ['record cannot be stored', hint]);
    }
    await rejectsCode(() => log.appendBatch(['ok', { y: new Float32Array(1) }]), 'ERR_INVALID_ARG', ['records[1].y, a Float32Array']);
    await rejectsCode(() => log.checkpoint({ tools: new Map() }), 'ERR_INVALID_ARG', ['state.tools, a Map']);
    await rejectsCode(() => log.checkpoint({}, { meta: { at: new Uint8Array(1) } }), 'ERR_INVALID_ARG', ['meta.at, a Uint8Array']);
    await rejectsCode(() => log.checkpoint({}, { meta: new Uint8Array(2) }), 'ERR_INVALID_ARG', ['meta cannot be stored', 'meta is JSON: pass a plain value']);
    await rejectsCode(() => log.checkpoint({}, 'meta'), 'ERR_INVALID_ARG', ['checkpoint options must be an object ({ meta }), got string "meta"']);
    await rejectsCode(() => all(log, 'x'), 'ERR_INVALID_ARG', ['entries takes { from, to } or nothing, got string "x"']);
    await rejectsCode(() => all(log, null), 'ERR_INVALID_ARG', ['got null']);
    assert.deepEqual(await log.appendBatch([]), []);
    assert.equal((await log.stats()).records, 0);
    // What JSON gives a form of its own choosing is stored in that form, where it sits.
    // A property that is undefined is left out, as JSON leaves it out: it reads back as
    // undefined still. A lone surrogate inside JSON is escaped, and comes back whole.
    const kept = { at: new Date(0), custom: { toJSON: () => ['mine'], hidden: new Map() }, nested: [{ ok: null }], gone: undefined, text: 'a\ud800b' };
    await log.append(kept);
    assert.deepEqual((await all(log)).map((e) => e.data), [{ at: '1970-01-01T00:00:00.000Z', custom: ['mine'], nested: [{ ok: null }], text: 'a\ud800b' }]);
    await log.close();
  });

  test('concurrent appends get consecutive seqs in call order, sharing frames', async () => {
    for (const durability of ['sync', 'flush', 'none']) {
      const log = await il.openLog(fresh(), { durability });
      const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(event(i))));
      assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
      const got = await all(log);
      got.forEach((e, i) => assert.deepEqual(e.data, event(i)));
      const s = await log.stats();
      assert.ok(s.segments < 200, `${durability}: ${s.segments} frames for 200 concurrent appends: no group commit`);
      await log.close();
    }
  });

  test('appendBatch resolves to its seqs; entries honours from and to', async () => {
    const log = await il.openLog(fresh());
    await log.append('a');
    assert.deepEqual(await log.appendBatch(['b', 'c', 'd']), [2, 3, 4]);
    await log.append('e');
    assert.deepEqual((await all(log, { from: 2, to: 4 })).map((e) => e.data), ['b', 'c']);
    assert.deepEqual((await all(log, { from: 4 })).map((e) => e.seq), [4, 5]);
    assert.deepEqual(await all(log, { from: 9 }), []);
    await rejectsCode(async () => all(log, { from: -1 }), 'ERR_INVALID_ARG');
    await log.close();
  });

  test('options are checked', async () => {
    for (const [o, words] of [
      [{ durability: 'fast' }, ['durability']],
      [{ compression: 'high' }, ['level']],
      [{ dictionary: 5 }, ['dictionary']],
      [{ compression: false, dictionary: new Uint8Array(300) }, ['compression: false']],
      [{ readOnly: 'yes' }, ['readOnly']],
      [{ onCorrupt: 'ignore' }, ['onCorrupt']],
    ]) {
      await rejectsCode(() => il.openLog(fresh(), o), 'ERR_INVALID_ARG', words);
    }
    await rejectsCode(() => il.openLog(fresh(), 'sync'), 'ERR_INVALID_ARG');
  });
});

describe('checkpoints and compaction', () => {
  test('lastCheckpoint returns the newest, with its meta and the seq it covers', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    assert.equal(await log.lastCheckpoint(), null);
    await log.appendBatch(['a', 'b']);
    assert.equal(await log.checkpoint({ turn: 1 }, { meta: { model: 'x' } }), 2);
    await log.append('c');
    assert.equal(await log.checkpoint('state two'), 3);
    const cp = await log.lastCheckpoint();
    assert.deepEqual({ ...cp, time: 0 }, { seq: 3, time: 0, state: 'state two', meta: undefined });
    await log.close();
    const again = await il.openLog(path, { readOnly: true });
    assert.equal((await again.lastCheckpoint()).state, 'state two');
    await again.close();
  });

  test('compact drops what the checkpoint covers and keeps the rest, across reopening', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    for (let i = 0; i < 50; i++) await log.append(event(i));
    await log.checkpoint({ upTo: 50 }, { meta: { turn: 5 } });
    for (let i = 50; i < 60; i++) await log.append(event(i));
    // (A 'sync' writer's file runs on past the log's end, by the zeros it writes ahead.)
    const before = (await log.stats()).storedBytes;
    const r = await log.compact();
    assert.equal(r.droppedRecords, 50);
    assert.equal(r.bytesBefore, before);
    assert.equal(r.bytesAfter, (await log.stats()).storedBytes);
    assert.ok(r.bytesAfter < before / 2);
    const s = await log.stats();
    assert.deepEqual([s.records, s.firstSeq, s.lastSeq], [10, 51, 60]);
    assert.deepEqual((await all(log)).map((e) => e.seq), Array.from({ length: 10 }, (_, i) => 51 + i));
    assert.equal(await log.append('next'), 61);
    assert.deepEqual((await log.lastCheckpoint()).meta, { turn: 5 });
    await log.close();
    const again = await il.openLog(path);
    assert.deepEqual((await all(again)).map((e) => e.seq).slice(-2), [60, 61]);
    assert.deepEqual((await again.lastCheckpoint()).state, { upTo: 50 });
    // Nothing left to drop: the file is left as it is, not copied.
    const ino = statSync(path).ino;
    assert.deepEqual(await again.compact(), { droppedRecords: 0, bytesBefore: statSync(path).size, bytesAfter: statSync(path).size });
    assert.equal(statSync(path).ino, ino);
    // A second checkpoint with no record before it: the first one goes.
    await again.checkpoint({ upTo: 61 });
    const two = statSync(path).size;
    const r2 = await again.compact();
    assert.equal(r2.droppedRecords, 11);
    assert.ok(r2.bytesAfter < two && statSync(path).ino !== ino);
    const ino2 = statSync(path).ino;
    assert.equal((await again.compact()).droppedRecords, 0);
    assert.equal(statSync(path).ino, ino2);
    assert.deepEqual((await again.lastCheckpoint()).state, { upTo: 61 });
    await again.close();
  });

  test('compact({ repack }) writes the records it keeps into a few large frames: every seq, time and value stays', async () => {
    const path = fresh();
    const dict = il.trainDictionary(Array.from({ length: 300 }, (_, i) => JSON.stringify(event(i + 1000))), { maxBytes: 4096 });
    const log = await il.openLog(path, { durability: 'flush', dictionary: dict });
    for (let i = 0; i < 400; i++) {
      if (i % 50 === 7) await log.appendBatch([event(i), `text ${i}`, new Uint8Array([i & 255, 1, 2])]);
      else await log.append(i % 3 ? event(i) : `line ${i}: ${'output '.repeat(i % 40)}`);
    }
    // A record that does not compress, and one past a packed frame's 4 MiB.
    await log.append(noise(300_000, 9));
    await log.append(new Uint8Array(5 << 20).fill(7));
    await log.append({ last: true });
    const before = await all(log);
    const s0 = await log.stats();
    const r = await log.compact({ repack: true });
    assert.equal(r.droppedRecords, 0);
    assert.equal(r.bytesBefore, s0.storedBytes);
    const s1 = await log.stats();
    assert.equal(r.bytesAfter, s1.storedBytes);
    assert.deepEqual([s1.records, s1.firstSeq, s1.lastSeq, s1.rawBytes, s1.dictionaryId], [s0.records, 1, s0.lastSeq, s0.rawBytes, s0.dictionaryId]);
    // The dictionary, then the records in 4 MiB frames: the small ones and the noise in
    // one, the 5 MiB record on its own, and the last.
    assert.equal(s1.segments, 4, JSON.stringify(s1));
    assert.ok(s0.segments > 400 && r.bytesAfter < r.bytesBefore, JSON.stringify({ s0, s1 }));
    const after = await all(log);
    assert.equal(after.length, before.length);
    for (let i = 0; i < before.length; i++) assert.deepEqual(after[i], before[i], `record ${before[i].seq}`);
    // Reads from inside a packed frame.
    assert.deepEqual(await all(log, { from: 123, to: 130 }), before.slice(122, 129));
    assert.equal((await log.verify()).ok, true);
    // The writer goes on, into small frames after the packed ones; a reopen reads all.
    assert.equal(await log.append('next'), s0.lastSeq + 1);
    await log.close();
    const again = await il.openLog(path, { readOnly: true });
    const reread = await all(again);
    assert.deepEqual(reread.slice(0, -1), before);
    assert.equal(reread.at(-1).data, 'next');
    await again.close();
  });

  test('compact({ repack }) after a checkpoint drops what it covers and packs the rest, at the level given', async () => {
    const path = fresh();
    const log = await il.openLog(path, { compression: 1, dictionary: false });
    for (let i = 0; i < 100; i++) await log.append(event(i));
    await log.checkpoint({ upTo: 100 }, { meta: { turn: 10 } });
    for (let i = 100; i < 300; i++) await log.append(event(i));
    const kept = await all(log, { from: 101 });
    const cp = await log.lastCheckpoint();
    assert.deepEqual([cp.seq, cp.state, cp.meta], [100, { upTo: 100 }, { turn: 10 }]);
    const r = await log.compact({ repack: { level: 19 } });
    assert.equal(r.droppedRecords, 100);
    const s = await log.stats();
    // The checkpoint, and one frame of the 200 records.
    assert.deepEqual([s.records, s.firstSeq, s.lastSeq, s.segments], [200, 101, 300, 2]);
    assert.deepEqual(await all(log), kept);
    assert.deepEqual(await log.lastCheckpoint(), cp);
    // A repack of a packed log packs the same records again.
    const again = await log.compact({ repack: { level: 19 } });
    assert.deepEqual(again, { droppedRecords: 0, bytesBefore: r.bytesAfter, bytesAfter: r.bytesAfter });
    assert.deepEqual(await all(log), kept);
    await log.close();
  });

  test('a repack keeps the full frames an earlier repack packed at its level or higher, and packs the rest', async () => {
    const path = fresh();
    const log = await il.openLog(path, { durability: 'flush', dictionary: false });
    // 5 MiB of records: once packed, one full 4 MiB frame and a tail of about 1 MiB.
    let n = 0;
    while ((await log.stats()).rawBytes < 5 << 20) await log.appendBatch(Array.from({ length: 100 }, () => event(n++)));
    const before = await all(log);
    const fast = await log.compact({ repack: { level: 1 } });
    assert.equal((await log.stats()).segments, 2);
    // Level 9 over frames packed at 1: every record packed again, smaller.
    const nine = await log.compact({ repack: true });
    assert.ok(nine.bytesAfter < fast.bytesAfter, JSON.stringify({ fast, nine }));
    // Level 1 over frames packed at 9 keeps the full frame as it is and packs the tail
    // again: what the log weighs then is between the two. Packing all of it at 1 again would
    // give `fast`'s bytes (zstd is deterministic).
    const s0 = await log.stats();
    const kept = await log.compact({ repack: { level: 1 } });
    assert.ok(kept.bytesAfter > nine.bytesAfter && kept.bytesAfter < fast.bytesAfter, JSON.stringify({ fast, nine, kept }));
    assert.deepEqual(await all(log), before);
    // The counts a kept frame carries on are the new file's.
    const s1 = await log.stats();
    assert.deepEqual([s1.records, s1.firstSeq, s1.lastSeq, s1.rawBytes, s1.segments], [s0.records, s0.firstSeq, s0.lastSeq, s0.rawBytes, 2]);
    assert.equal(s1.storedBytes, kept.bytesAfter);
    // Appends after it, then a repack at 9: the full frame is kept, the tail and the new
    // records packed together.
    for (let i = 0; i < 50; i++) await log.append(event(n++));
    const grown = await all(log);
    await log.compact({ repack: true });
    assert.equal((await log.stats()).segments, 2);
    assert.deepEqual(await all(log), grown);
    assert.equal((await log.verify()).ok, true);
    await log.close();
    const reader = await il.openLog(path, { readOnly: true });
    assert.deepEqual(await all(reader), grown);
    await reader.close();
  });

  test('a repack keeps no packed frame whose dictionary is damaged: ERR_CORRUPT_LOG, and the log stands', async () => {
    const path = fresh();
    const dict = il.trainDictionary(Array.from({ length: 300 }, (_, i) => JSON.stringify(event(i + 1000))), { maxBytes: 4096 });
    const log = await il.openLog(path, { durability: 'flush', dictionary: dict });
    await log.append('covered');
    await log.checkpoint({ turn: 1 });
    let n = 0;
    while ((await log.stats()).rawBytes < 5 << 20) await log.appendBatch(Array.from({ length: 100 }, () => event(n++)));
    await log.compact({ repack: true });
    // The dictionary, the checkpoint, a full packed frame that needs the dictionary, and the
    // rest: a compaction reads on from the checkpoint.
    assert.equal((await log.stats()).segments, 4);
    await log.close();
    const bad = readFileSync(path);
    bad[64 + 200] ^= 8; // inside the dictionary frame, the log's first
    writeFileSync(path, bad);
    const w = await il.openLog(path, { onCorrupt: 'skip' });
    await rejectsCode(() => w.compact({ repack: true }), 'ERR_CORRUPT_LOG', [`cannot compact '${path}'`, "needs the log's dictionary, which is damaged"]);
    await w.close();
    assert.deepEqual(readFileSync(path), bad);
  });

  test('compact({ repack }) of a log stored raw groups its records raw, or compresses them at a level given', async () => {
    const path = fresh();
    const log = await il.openLog(path, { compression: false, durability: 'flush' });
    for (let i = 0; i < 200; i++) await log.append(event(i));
    const before = await all(log);
    const s0 = await log.stats();
    const raw = await log.compact({ repack: true });
    const s1 = await log.stats();
    assert.equal(s1.segments, 1);
    // Only the frames' headers go: 84 bytes each, and the payloads' base times.
    assert.ok(raw.bytesAfter < raw.bytesBefore - (s0.segments - 1) * 84, JSON.stringify({ raw, s0 }));
    assert.ok(raw.bytesAfter > s0.rawBytes, JSON.stringify({ raw, s1 }));
    const zstd = await log.compact({ repack: { level: 3 } });
    assert.ok(zstd.bytesAfter < raw.bytesAfter / 3, JSON.stringify(zstd));
    assert.deepEqual(await all(log), before);
    await log.close();
    const reader = await il.openLog(path, { readOnly: true });
    assert.deepEqual(await all(reader), before);
    await reader.close();
  });

  test('compact() options are checked before anything is written; a repack over damage is ERR_CORRUPT_LOG', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    for (let i = 0; i < 20; i++) await log.append(event(i));
    const size = statSync(path).size;
    for (const bad of [null, 5, 'repack']) {
      await rejectsCode(() => log.compact(bad), 'ERR_INVALID_ARG', ['compact options must be an object']);
    }
    for (const bad of ['yes', 1, null]) {
      await rejectsCode(() => log.compact({ repack: bad }), 'ERR_INVALID_ARG', ['repack must be a boolean or { level }']);
    }
    await rejectsCode(() => log.compact({ repack: { level: 1.5 } }), 'ERR_INVALID_ARG', ['level must be an integer zstd level', '1.5']);
    await rejectsCode(() => log.compact({ repack: { level: 99 } }), 'ERR_INVALID_ARG', ['compression level 99 is out of range']);
    assert.equal(existsSync(`${path}.compact`), false);
    assert.equal(statSync(path).size, size);
    assert.equal(await log.append('still'), 21);
    await log.close();
    // A flipped bit in the 10th record's frame: the repack stops there, and the log stands.
    const bytes = readFileSync(path);
    const probe = await il.openLog(path, { readOnly: true });
    const entries = await all(probe);
    await probe.close();
    assert.equal(entries.length, 21);
    const at = Math.floor(bytes.length / 2);
    bytes[at] ^= 0x10;
    writeFileSync(path, bytes);
    const damaged = await il.openLog(path);
    const report = await damaged.verify();
    assert.equal(report.ok, false);
    await rejectsCode(() => damaged.compact({ repack: true }), 'ERR_CORRUPT_LOG', ["cannot compact", `offset ${report.damaged[0].offset}`]);
    assert.equal(existsSync(`${path}.compact`), false);
    assert.deepEqual(readFileSync(path), bytes);
    await damaged.close();
  });

  test('a read under way when compact() runs ends on the file it began on, which then closes', async () => {
    const path = fresh();
    const log = await il.openLog(path, { durability: 'none' });
    const recs = incompressible(48, 11);
    for (const rec of recs.slice(0, 24)) await log.append(rec);
    await log.checkpoint({ at: 24 });
    for (const rec of recs.slice(24)) await log.append(rec);
    const fds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const before = fds();
    const seqs = [];
    for await (const e of log.entries()) {
      assert.deepEqual(e.data, recs[e.seq - 1]);
      seqs.push(e.seq);
      if (seqs.length === 3) assert.equal((await log.compact()).droppedRecords, 24);
    }
    assert.deepEqual(seqs, recs.map((_, i) => i + 1));
    assert.equal(fds(), before, 'the replaced file is closed once the read is done');
    assert.deepEqual((await all(log)).map((e) => e.seq), seqs.slice(24));
    // A read stopped early lets the replaced file go too.
    await log.checkpoint({ at: 48 });
    for await (const e of log.entries()) {
      await log.compact();
      assert.equal(e.seq, 25);
      break;
    }
    assert.equal(fds(), before);
    assert.deepEqual(await all(log), []);
    await log.close();
  });

  test('compact() with the newest checkpoint damaged is ERR_CORRUPT_LOG at its offset; the log stands', async () => {
    const path = fresh();
    const log = await il.openLog(path, { compression: false });
    for (let i = 0; i < 10; i++) await log.append(`before ${i}`);
    const cpAt = (await log.stats()).storedBytes;
    await log.checkpoint({ state: 'x'.repeat(500) });
    for (let i = 0; i < 10; i++) await log.append(`after ${i}`);
    await log.close();
    const bytes = readFileSync(path);
    bytes[cpAt + 200] ^= 0x40;
    writeFileSync(path, bytes);
    const again = await il.openLog(path, { onCorrupt: 'skip' });
    await rejectsCode(() => again.compact(), 'ERR_CORRUPT_LOG', [path, `byte offset ${cpAt}`]);
    await rejectsCode(() => again.lastCheckpoint(), 'ERR_CORRUPT_LOG', [path, `byte offset ${cpAt}`]);
    assert.equal(existsSync(`${path}.compact`), false);
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal((await all(again)).length, 20);
    assert.equal(await again.append('next'), 21);
    await again.close();
  });

  test('a writer resuming after a checkpoint that is its last frame reads none of it', async (t) => {
    // Bytes read, not time: what the process read from files (Linux).
    if (!existsSync('/proc/self/io')) return t.skip('needs /proc/self/io');
    const read = () => Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
    const path = fresh();
    const log = await il.openLog(path, { compression: false });
    await log.append('before');
    const covered = await log.checkpoint(noise(16 << 20, 5));
    const before = read();
    assert.deepEqual(await all(log, { from: covered + 1 }), []);
    const bytes = read() - before;
    assert.ok(bytes < 1 << 20, `read ${bytes} bytes past a checkpoint of 16 MiB`);
    await log.append('after');
    assert.deepEqual((await all(log, { from: covered + 1 })).map((e) => e.data), ['after']);
    await log.close();
  });

  test('a compaction file left by a crash is removed on open; the old log stands', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    await log.append('kept');
    await log.close();
    writeFileSync(`${path}.compact`, 'half-written');
    const again = await il.openLog(path);
    assert.equal(existsSync(`${path}.compact`), false);
    assert.deepEqual((await all(again)).map((e) => e.data), ['kept']);
    await again.close();
  });
});

describe('stats and the dictionary', () => {
  test("'auto' trains a dictionary from the first records; a reader needs nothing handed to it", async () => {
    const path = fresh();
    // One frame per append ('flush', one at a time): small frames are what a dictionary helps.
    const log = await il.openLog(path, { durability: 'flush' });
    const plain = await il.openLog(fresh(), { durability: 'flush', dictionary: false });
    let i = 0;
    for (; i < 1000; i++) {
      await log.append(event(i));
      await plain.append(event(i));
    }
    // A loop of awaited appends that never lets the event loop turn gets its dictionary too.
    let s = await log.stats();
    assert.equal(typeof s.dictionaryId, 'number', `no dictionary after ${i} records`);
    const [a, b] = [s.storedBytes, (await plain.stats()).storedBytes];
    const first = i;
    for (; i < first + 300; i++) {
      await log.append(event(i));
      await plain.append(event(i));
    }
    const withDict = (await log.stats()).storedBytes - a;
    const without = (await plain.stats()).storedBytes - b;
    assert.ok(withDict * 1.5 < without, `300 records took ${withDict} bytes with the dictionary, ${without} without`);
    await log.close();
    await plain.close();
    const reader = await il.openLog(path, { readOnly: true });
    const got = await all(reader);
    assert.equal(got.length, i);
    got.forEach((e, k) => assert.deepEqual(e.data, event(k)));
    assert.equal((await reader.stats()).dictionaryId, s.dictionaryId);
    await reader.close();
  });

  test("'auto' trains on the records as written, whether kept since the log was empty or read back", async () => {
    // Records of all three kinds, single and batched, views into larger buffers that are
    // changed once written, and one record larger than all the samples: the training must
    // see what the file holds.
    const records = Array.from({ length: 1100 }, (_, i) => (i % 3 === 0 ? JSON.stringify(event(i)) : i % 3 === 1 ? event(i) : new TextEncoder().encode(JSON.stringify(event(i)))));
    const shared = JSON.stringify({ tool: 'read_file', note: 'the same text in sixty records', body: noise(600, 3).join(',') });
    /** @param {string} path @param {number | null} reopenAt */
    async function write(path, reopenAt) {
      let log = await il.openLog(path, { durability: 'flush' });
      for (let i = 0; i < records.length; i++) {
        if (i === reopenAt) {
          await log.close();
          log = await il.openLog(path, { durability: 'flush' });
        }
        // Past the samples' 2 MiB: kept or read back, only its first part is a sample.
        if (i === 300) await log.append(Array.from({ length: 10000 }, (_, k) => event(k + 7)));
        if (i >= 100 && i < 160) {
          const wide = new TextEncoder().encode(`[${shared}]`);
          await log.append(wide.subarray(1, wide.length - 1));
          wide.fill(0x20);
        }
        if (i % 10 === 5) await log.appendBatch([records[i], `${i}`]);
        else await log.append(records[i]);
      }
      const s = await log.stats();
      await log.close();
      return s;
    }
    const kept = await write(fresh(), null);
    const readBack = await write(fresh(), 40);
    assert.equal(typeof kept.dictionaryId, 'number', 'no dictionary, kept samples');
    assert.equal(typeof readBack.dictionaryId, 'number', 'no dictionary, samples read back');
    assert.equal(kept.dictionaryId, readBack.dictionaryId);
  });

  test('a dictionary given as bytes is stored in the log and used', async () => {
    const samples = Array.from({ length: 300 }, (_, i) => JSON.stringify(event(i)));
    const dict = il.trainDictionary(samples, { maxBytes: 4096 });
    const path = fresh();
    const log = await il.openLog(path, { dictionary: dict });
    await log.append(event(1));
    assert.equal((await log.stats()).dictionaryId, new il.ZstdDictionary(dict).id);
    await log.close();
    const again = await il.openLog(path, { readOnly: true });
    assert.deepEqual((await all(again))[0].data, event(1));
    await again.close();
    // Compacted, the log is its dictionary, the checkpoint and what follows: a second
    // compact() has nothing to drop, and leaves the file as it is.
    const w = await il.openLog(path);
    await w.checkpoint({ upTo: 1 });
    await w.append(event(2));
    assert.equal((await w.compact()).droppedRecords, 1);
    const ino = statSync(path).ino;
    assert.equal((await w.compact()).droppedRecords, 0);
    assert.equal(statSync(path).ino, ino);
    assert.deepEqual((await all(w)).map((e) => e.data), [event(2)]);
    assert.equal((await w.stats()).dictionaryId, new il.ZstdDictionary(dict).id);
    await w.close();
  });

  test('compression: false stores records raw; stats count records and bytes', async () => {
    const log = await il.openLog(fresh(), { compression: false });
    await log.appendBatch(['abc', 'defg']);
    const s = await log.stats();
    assert.deepEqual([s.records, s.rawBytes, s.segments, s.dictionaryId], [2, 7, 1, null]);
    assert.ok(s.storedBytes > 64 + 7);
    await log.close();
  });
});

describe("'sync' writes zeros ahead", () => {
  const helpers = JSON.stringify(new URL('./helpers.mjs', import.meta.url).href);
  const zerosAfter = (path, end) => readFileSync(path).subarray(end).every((b) => b === 0);

  test('the file runs on past the log in zeros, which readers read past and close() cuts', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    // Past the first zeros (64 KiB), so that the file is extended more than once.
    for (let i = 0; i < 60; i++) await log.appendBatch(Array.from({ length: 10 }, (_, k) => noise(200, i * 10 + k + 1)));
    const end = (await log.stats()).storedBytes;
    const size = statSync(path).size;
    assert.ok(end > 64 << 10 && size > end && size % 4096 === 0, `file ${size} bytes, log ${end}`);
    assert.ok(zerosAfter(path, end));
    const reader = await il.openLog(path, { readOnly: true });
    assert.equal(reader.recovered, null);
    assert.equal((await all(reader)).length, 600);
    assert.deepEqual((await all(reader, { from: 595 })).map((e) => e.seq), [595, 596, 597, 598, 599, 600]);
    assert.deepEqual(await reader.verify(), { ok: true, records: 600, bytes: end, damaged: [] });
    // The writer appends into the zeros the reader read past; the reader's next read has it.
    await log.append('next');
    assert.equal((await all(reader)).length, 601);
    assert.equal((await reader.stats()).lastSeq, 601);
    await reader.close();
    await log.close();
    assert.equal(statSync(path).size, (await il.openLog(path, { readOnly: true }).then(async (r) => [(await r.stats()).storedBytes, await r.close()]))[0]);
    // 'flush' and 'none' write nothing ahead.
    for (const durability of ['flush', 'none']) {
      const p = fresh();
      const w = await il.openLog(p, { durability });
      for (let i = 0; i < 20; i++) await w.append(event(i));
      await w.sync();
      assert.equal(statSync(p).size, (await w.stats()).storedBytes, durability);
      await w.close();
    }
  });

  test('a killed writer leaves its zeros, which are not damage: open cuts them and recovers nothing', async () => {
    const path = fresh();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { il } = await import(${helpers});
      const log = await il.openLog(${JSON.stringify(path)});
      for (let i = 0; i < 30; i++) await log.append({ i, text: 'record ' + i });
      console.log((await log.stats()).storedBytes);
      process.kill(process.pid, 'SIGKILL');
    `], { encoding: 'utf8', env: process.env });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const end = Number(child.stdout.trim());
    assert.ok(statSync(path).size > end && zerosAfter(path, end));
    const reader = await il.openLog(path, { readOnly: true });
    assert.equal(reader.recovered, null);
    assert.deepEqual((await reader.verify()).damaged, []);
    await reader.close();
    const verify = spawnSync(process.execPath, [CLI, 'log', 'verify', path], { encoding: 'utf8', env: process.env });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const log = await il.openLog(path);
    assert.equal(log.recovered, null);
    assert.equal(statSync(path).size, end);
    assert.equal(await log.append('after'), 31);
    assert.deepEqual((await all(log)).map((e) => e.data).slice(-2), [{ i: 29, text: 'record 29' }, 'after']);
    await log.close();
  });

  test('a torn write into the zeros is recovered as what it was, not as the zeros after it', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    for (let i = 0; i < 10; i++) await log.append(event(i));
    const end = (await log.stats()).storedBytes;
    await log.append(event(10));
    const after = (await log.stats()).storedBytes;
    await log.close();
    // The last frame half written, the zeros ahead still there: as a power loss can leave them.
    const bytes = readFileSync(path);
    const torn = Buffer.alloc(64 << 10);
    bytes.copy(torn, 0, 0, end + Math.floor((after - end) / 2));
    writeFileSync(path, torn);
    const again = await il.openLog(path);
    assert.deepEqual(again.recovered, { offset: end, droppedBytes: torn.length - end });
    assert.equal((await all(again)).length, 10);
    await again.close();
  });

  test('an exit without close() cuts the zeros too', () => {
    const path = fresh();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { il } = await import(${helpers});
      const log = await il.openLog(${JSON.stringify(path)});
      for (let i = 0; i < 30; i++) await log.append('record ' + i);
      console.log((await log.stats()).storedBytes);
      process.exit(0);
    `], { encoding: 'utf8', env: process.env });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(statSync(path).size, Number(child.stdout.trim()));
  });
});

describe('one writer, many readers', () => {
  /** A child process tries to open `path` for writing, then reads it: what it prints. */
  const openInChild = (path) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { il } = await import(${JSON.stringify(new URL('./helpers.mjs', import.meta.url).href)});
      try { await il.openLog(${JSON.stringify(path)}); console.log('opened'); } catch (e) { console.log(e.code); }
      const r = await il.openLog(${JSON.stringify(path)}, { readOnly: true });
      for await (const e of r.entries()) console.log(e.data);
    `], { encoding: 'utf8', env: process.env });

  test('a second writer gets ERR_LOG_LOCKED, in this process and in another; readers may open', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    await log.append('w');
    await rejectsCode(() => il.openLog(path), 'ERR_LOG_LOCKED', [path]);
    const child = openInChild(path);
    assert.equal(child.stdout.trim(), 'ERR_LOG_LOCKED\nw', child.stderr);
    await log.close();
    const next = await il.openLog(path);
    await next.close();
  });

  test('a second name for the log (a symbolic link) shares its lock; compact() keeps the link', async () => {
    const path = fresh();
    const link = `${path}.link`;
    const log = await il.openLog(path);
    await log.append('first');
    symlinkSync(path, link);
    await rejectsCode(() => il.openLog(link), 'ERR_LOG_LOCKED', [link]);
    await log.close();
    // Through the link: the lock, the compaction's rename and the reader all reach the file.
    const viaLink = await il.openLog(link);
    await rejectsCode(() => il.openLog(path), 'ERR_LOG_LOCKED', [path]);
    await viaLink.append('second');
    await viaLink.checkpoint({ at: 2 });
    await viaLink.append('third');
    assert.equal((await viaLink.compact()).droppedRecords, 2);
    await viaLink.close();
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.ok(!existsSync(`${path}.lock`) && !existsSync(`${link}.lock`));
    const r = await il.openLog(path, { readOnly: true });
    assert.deepEqual((await all(r)).map((e) => e.data), ['third']);
    await r.close();
    // A link to a log not created yet creates the file it names.
    const target = fresh();
    const ahead = `${target}.ahead`;
    symlinkSync(target, ahead);
    const created = await il.openLog(ahead);
    await created.append(1);
    await created.close();
    assert.ok(lstatSync(ahead).isSymbolicLink() && statSync(target).isFile());
    // A relative link is followed from where it really is: a/sub is a link to b/c, so
    // a/sub/l -> ../t.ilog names b/t.ilog, as the kernel would.
    mkdirSync(tmp.path('b/c'), { recursive: true });
    mkdirSync(tmp.path('a'));
    symlinkSync(tmp.path('b/c'), tmp.path('a/sub'));
    symlinkSync('../t.ilog', tmp.path('a/sub/l'));
    const throughDir = await il.openLog(tmp.path('a/sub/l'));
    await throughDir.append('through a linked directory');
    await throughDir.close();
    assert.ok(statSync(tmp.path('b/t.ilog')).isFile() && !existsSync(tmp.path('a/t.ilog')));
    // A directory that does not exist is named as such, not through the lock's files.
    await rejectsCode(() => il.openLog(tmp.path('no-such-dir/x.ilog')), 'ENOENT', ['no-such-dir']);
    // A path that names no file.
    for (const bad of ['', tmp.path('dir-like/')]) {
      await rejectsCode(() => il.openLog(bad), 'ERR_INVALID_ARG', [`openLog's path must name a file, got ${JSON.stringify(bad)}`]);
    }
  });

  test('a log with a second name (a hard link) opens for no writer, under either name; readers may open it', async () => {
    const path = fresh();
    const hard = `${path}.hard`;
    const log = await il.openLog(path);
    await log.append('first');
    linkSync(path, hard);
    // Each name has its own lock file: the link count is what tells a writer of the other name.
    const err = await rejectsCode(() => il.openLog(hard), 'ERR_LOG_LOCKED', [`'${hard}'`, '2 names', 'readOnly: true']);
    assert.doesNotMatch(err.message, /process \d+/, 'no holder is named: the other writer is not known');
    const child = openInChild(hard);
    assert.equal(child.stdout.trim(), 'ERR_LOG_LOCKED\nfirst', child.stderr);
    await log.append('second');
    await log.close();
    // Closed, it has two names still: neither opens for writing, and no lock file is left.
    for (const name of [path, hard]) await rejectsCode(() => il.openLog(name), 'ERR_LOG_LOCKED', [`'${name}'`, '2 names']);
    assert.ok(!existsSync(`${path}.lock`) && !existsSync(`${hard}.lock`));
    const reader = await il.openLog(hard, { readOnly: true });
    assert.deepEqual((await all(reader)).map((e) => e.data), ['first', 'second']);
    await reader.close();
    // As the message says: a copy renamed over the name gives it a file of its own; the
    // other name keeps the old one (a backup made with `cp -al`, say).
    copyFileSync(path, `${path}.copy`);
    renameSync(`${path}.copy`, path);
    const mine = await il.openLog(path);
    await mine.append('third');
    // A link made while a writer has the log open: the writer compacts, which renames a new
    // file over its name; the other name keeps the file it had, a log of its own.
    linkSync(path, `${path}.snap`);
    await rejectsCode(() => il.openLog(`${path}.snap`), 'ERR_LOG_LOCKED', ['2 names']);
    await mine.checkpoint('cp');
    await mine.append('fourth');
    assert.equal((await mine.compact()).droppedRecords, 3);
    const snap = await il.openLog(`${path}.snap`);
    assert.deepEqual((await all(snap)).map((e) => e.data), ['first', 'second', 'third', 'fourth']);
    await snap.close();
    assert.deepEqual((await all(mine)).map((e) => e.data), ['fourth']);
    await mine.close();
  });

  // A lock file is a name's: a log renamed or moved while its writer has it open has a free
  // lock file under its new name. The native backend's writer also locks the open file itself;
  // the wasm backend cannot lock a file without waiting, and a second writer of the new name
  // opens the log there: the gap README.md states ("Session log", the one-writer promise),
  // asserted as such below, so that a change either way is seen.
  const fileLocked = il.backend === 'native';

  test('a log renamed or moved under its writer gets no second writer by its new name (native), in this process or another', async () => {
    const path = fresh();
    const log = await il.openLog(path);
    const written = ['first'];
    assert.equal(await log.append('first'), 1);
    mkdirSync(tmp.path('moved'), { recursive: true });
    let name = path;
    for (const to of [`${path}.renamed`, tmp.path(`moved/${path.split('/').pop()}`)]) {
      renameSync(name, to);
      name = to;
      const child = openInChild(name);
      if (fileLocked) {
        await rejectsCode(() => il.openLog(name), 'ERR_LOG_LOCKED', [`'${name}'`, 'the file itself', 'readOnly: true']);
        assert.equal(child.stdout.trim(), ['ERR_LOG_LOCKED', ...written].join('\n'), child.stderr);
      } else {
        // Closed before it writes: two writers that both wrote would lose records.
        await (await il.openLog(name)).close();
        assert.equal(child.stdout.trim(), ['opened', ...written].join('\n'), child.stderr);
      }
      written.push(`after the move to ${to}`);
      assert.equal(await log.append(written.at(-1)), written.length);
    }
    await log.close();
    assert.ok(!existsSync(`${path}.lock`), "the first writer's lock file is gone");
    const r = await il.openLog(name, { readOnly: true });
    assert.deepEqual((await all(r)).map((e) => e.data), written);
    assert.deepEqual((await r.verify()).damaged, []);
    await r.close();
    // Closed, the log opens for a writer by its new name.
    const next = await il.openLog(name);
    assert.equal(await next.append('next'), written.length + 1);
    await next.close();
  });

  test("compact() keeps the writer's lock: the new file, renamed after it, gets no second writer (native)", async () => {
    const path = fresh();
    const moved = `${path}.moved`;
    const log = await il.openLog(path);
    await log.appendBatch(['a', 'b']);
    await log.checkpoint('at b');
    await log.append('c');
    assert.equal((await log.compact()).droppedRecords, 2);
    renameSync(path, moved);
    const child = openInChild(moved);
    if (fileLocked) {
      await rejectsCode(() => il.openLog(moved), 'ERR_LOG_LOCKED', [`'${moved}'`, 'the file itself', 'readOnly: true']);
      assert.equal(child.stdout.trim(), 'ERR_LOG_LOCKED\nc', child.stderr);
    } else {
      await (await il.openLog(moved)).close();
      assert.equal(child.stdout.trim(), 'opened\nc', child.stderr);
    }
    assert.equal(await log.append('d'), 4);
    await log.close();
    const r = await il.openLog(moved, { readOnly: true });
    assert.deepEqual((await all(r)).map((e) => [e.seq, e.data]), [[3, 'c'], [4, 'd']]);
    assert.equal((await r.lastCheckpoint()).state, 'at b');
    await r.close();
  });

  test('compact() of a log renamed, moved or replaced under its writer is ERR_LOG_MOVED, and the moved file goes on', async () => {
    // Before, compact() wrote its new file under the name the log was opened by, renamed it
    // there, and wrote on into it: the moved file kept the records up to then, the old name
    // got the rest, and neither was the log.
    const setup = async () => {
      const path = fresh();
      const log = await il.openLog(path);
      await log.appendBatch(['a', 'b']);
      await log.checkpoint('at b');
      await log.append('c');
      return { path, log };
    };
    const dropped = (/** @type {string} */ p) => !existsSync(p) && !existsSync(`${p}.compact`);
    {
      const { path, log } = await setup();
      const moved = `${path}.moved`;
      renameSync(path, moved);
      await rejectsCode(() => log.compact(), 'ERR_LOG_MOVED', [`'${path}'`, 'no file has that name', 'open it by its new name']);
      assert.ok(dropped(path), 'compact() left a file under the old name');
      assert.equal(await log.append('d'), 4, 'appends go on, into the moved file');
      await log.close();
      const r = await il.openLog(moved);
      assert.deepEqual((await all(r)).map((e) => e.data), ['a', 'b', 'c', 'd']);
      // By its new name, it compacts.
      assert.equal((await r.compact()).droppedRecords, 2);
      assert.deepEqual((await all(r)).map((e) => [e.seq, e.data]), [[3, 'c'], [4, 'd']]);
      await r.close();
    }
    {
      // Another file given the name: the log's file, unlinked, is still the writer's.
      const { path, log } = await setup();
      const other = await il.openLog(`${path}.other`);
      await other.append('other');
      await other.close();
      renameSync(`${path}.other`, path);
      await rejectsCode(() => log.compact(), 'ERR_LOG_MOVED', [`'${path}'`, 'that name names another file']);
      await log.close();
      const r = await il.openLog(path, { readOnly: true });
      assert.deepEqual((await all(r)).map((e) => e.data), ['other'], 'the file given the name is untouched');
      await r.close();
    }
    // A hard link made while the writer has the log open is no move: "a link made while a
    // writer has the log open" above compacts.
  });

  test('close() waits for the calls made before it; a call made after it began rejects', async () => {
    for (const durability of ['sync', 'flush', 'none']) {
      const path = fresh();
      const log = await il.openLog(path, { durability });
      const before = [log.append('a'), log.appendBatch(['b', 'c']), log.checkpoint({ n: 3 }), log.append('d')];
      const closing = log.close();
      for (const late of [() => log.append('x'), () => log.appendBatch(['y', 'z']), () => log.checkpoint({}), () => log.compact(), () => log.stats(), () => all(log)]) {
        await rejectsCode(late, 'ERR_LOG_CLOSED', [path]);
      }
      assert.equal(log.close(), closing, 'a second close() is the first one');
      assert.deepEqual(await Promise.all(before), [1, [2, 3], 3, 4], durability);
      await closing;
      const again = await il.openLog(path, { readOnly: true });
      assert.deepEqual((await all(again)).map((e) => e.data), ['a', 'b', 'c', 'd'], durability);
      assert.equal((await again.lastCheckpoint()).seq, 3);
      await again.close();
    }
  });

  test('a reader opens the file a compaction made, on its next call', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'flush' });
    await w.appendBatch([1, 2, 3]);
    const r = await il.openLog(path, { readOnly: true });
    assert.equal((await r.stats()).records, 3);
    await w.checkpoint('state at 3');
    await w.append(4);
    await w.compact();
    await w.append(5);
    assert.deepEqual((await all(r)).map((e) => e.seq), [4, 5]);
    const s = await r.stats();
    assert.deepEqual([s.firstSeq, s.lastSeq, s.records], [4, 5, 2]);
    assert.equal((await r.lastCheckpoint()).state, 'state at 3');
    // Again, with stats() the first call after it.
    await w.checkpoint('state at 5');
    await w.compact();
    await w.append(6);
    assert.deepEqual([(await r.stats()).firstSeq, (await r.stats()).lastSeq], [6, 6]);
    assert.deepEqual((await all(r)).map((e) => e.data), [6]);
    // And with verify() the first call after it.
    await w.checkpoint('state at 6');
    await w.append(7);
    await w.compact();
    const report = await r.verify();
    assert.deepEqual([report.ok, report.records], [true, 1]);
    await w.close();
    await r.close();
  });

  test('a reader whose path names a broken file keeps what it had, and opens the next whole log', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'flush' });
    await w.appendBatch(['a', 'b', 'c']);
    await w.close();
    const r = await il.openLog(path, { readOnly: true });
    assert.equal((await r.stats()).records, 3);
    // Something that is not a log renamed over it: each call says so...
    writeFileSync(`${path}.tmp`, 'xyz');
    renameSync(`${path}.tmp`, path);
    await rejectsCode(() => r.stats(), 'ERR_CORRUPT_LOG', ['shorter than a log']);
    await rejectsCode(() => all(r), 'ERR_CORRUPT_LOG', ['shorter than a log']);
    // ...and a whole log renamed over it is read from the next call on.
    const other = fresh();
    const w2 = await il.openLog(other, { durability: 'flush' });
    await w2.appendBatch(['x', 'y']);
    await w2.close();
    renameSync(other, path);
    assert.equal((await r.stats()).records, 2);
    assert.deepEqual((await all(r)).map((e) => e.data), ['x', 'y']);
    await r.close();
  });

  test('a reader sees what the writer appends after it opened', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'flush' });
    await w.append(1);
    const r = await il.openLog(path, { readOnly: true });
    await w.appendBatch([2, 3]);
    assert.deepEqual((await all(r)).map((e) => e.data), [1, 2, 3]);
    assert.equal((await r.stats()).lastSeq, 3);
    await rejectsCode(() => r.append(4), 'ERR_LOG_READ_ONLY');
    await w.close();
    await r.close();
    await rejectsCode(() => w.append(5), 'ERR_LOG_CLOSED');
    await rejectsCode(() => il.openLog(tmp.path('missing.ilog'), { create: false }), 'ENOENT');
    await rejectsCode(() => il.openLog(tmp.path('missing2.ilog'), { readOnly: true }), 'ENOENT');
  });

  test('a reader opened before the dictionary existed reads the records compressed with it', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'flush' });
    await w.append(event(0));
    const r = await il.openLog(path, { readOnly: true });
    for (let i = 1; i < 1100; i++) await w.append(event(i));
    assert.equal(typeof (await w.stats()).dictionaryId, 'number');
    const got = await all(r);
    assert.equal(got.length, 1100);
    got.forEach((e, k) => assert.deepEqual(e.data, event(k)));
    await w.close();
    await r.close();
  });

  test('a reader opened before the dictionary existed reads from a seq far past it', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'none' });
    await w.append('first');
    const r = await il.openLog(path, { readOnly: true });
    // Hex of random bytes: compresses, though not to nothing, so the log grows past the
    // reading start's search range after the dictionary.
    const ev = (i) => ({ i, blob: Buffer.from(noise(3000, i + 7)).toString('hex') });
    for (let i = 0; i < 3000; i += 50) await w.appendBatch(Array.from({ length: 50 }, (_, k) => ev(i + k)));
    const st = await w.stats();
    assert.equal(typeof st.dictionaryId, 'number');
    assert.ok(st.storedBytes > 4 << 20, `${st.storedBytes} bytes`);
    const got = await all(r, { from: 2990 });
    assert.deepEqual(got.map((e) => e.seq), Array.from({ length: 12 }, (_, k) => 2990 + k));
    got.forEach((e) => assert.deepEqual(e.data, ev(e.seq - 2)));
    await w.close();
    await r.close();
  });

  test('a panic elsewhere (a wasm trap) leaves open logs usable; a read under way ends cleanly', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'flush' });
    const recs = incompressible(40, 5);
    await w.appendBatch(recs.slice(0, 20));
    await w.appendBatch(recs.slice(20));
    const r = await il.openLog(path, { readOnly: true });
    const it = r.entries();
    const got = [(await it.next()).value];
    assert.throws(() => il.__panicForTest(), (e) => e.code === 'ERR_INTERNAL');
    // On wasm the trap replaced the module the read's state lived in: the read ends with
    // ERR_INTERNAL, never with other records or a crash. On native it reads on.
    try {
      for (let n = await it.next(); !n.done; n = await it.next()) got.push(n.value);
      assert.equal(got.length, 40);
    } catch (e) {
      assert.equal(il.backend, 'wasm');
      assert.equal(/** @type {any} */ (e).code, 'ERR_INTERNAL');
    }
    got.forEach((e, k) => assert.ok(e.seq === k + 1 && Buffer.from(e.data).equals(recs[k]), `seq ${e.seq}`));
    // The logs go on: appends, a checkpoint, a compaction, reads from any seq.
    assert.deepEqual(await w.appendBatch(['after', 'the trap']), [41, 42]);
    assert.equal(await w.checkpoint({ at: 42 }), 42);
    assert.equal(await w.append('last'), 43);
    assert.equal((await w.compact()).droppedRecords, 42);
    assert.deepEqual((await all(w)).map((e) => e.data), ['last']);
    // The reader opens the compacted file: 43 is the first record it holds.
    assert.deepEqual((await all(r, { from: 40 })).map((e) => e.seq), [43]);
    await w.close();
    await r.close();
    const again = await il.openLog(path, { readOnly: true });
    assert.deepEqual((await all(again)).map((e) => e.data), ['last']);
    assert.deepEqual((await again.lastCheckpoint())?.state, { at: 42 });
    await again.close();
  });

  test('reads running side by side, or stopped early with the log closed at once, stay whole', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'none' });
    const recs = incompressible(96, 7);
    for (const rec of recs) await w.append(rec);
    await w.close();
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let stop = 0; stop < 96; stop += 19) {
        const log = await il.openLog(path, { readOnly: true });
        let k = 0;
        for await (const e of log.entries()) {
          assert.deepEqual(e.data, recs[k]);
          if (k++ === stop) break;
        }
        await log.close();
      }
      // Two reads of one log, their steps interleaved: each has its own reader.
      const log = await il.openLog(path, { readOnly: true });
      const [a, b] = [log.entries(), log.entries({ from: 41 })];
      for (let k = 0; k < 96; k++) {
        const x = await a.next();
        assert.deepEqual(x.value.data, recs[k]);
        if (k + 40 < 96) assert.deepEqual((await b.next()).value.data, recs[k + 40]);
      }
      assert.equal((await a.next()).done, true);
      assert.equal((await b.next()).done, true);
      await log.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  test('a file that is not a log is ERR_CORRUPT_LOG', async () => {
    const path = fresh();
    writeFileSync(path, 'this is a text file, not a log, and it is long enough to hold a header.....');
    await rejectsCode(() => il.openLog(path), 'ERR_CORRUPT_LOG', ['offset 0', path]);
    // A directory: the same code and the path on both backends.
    await rejectsCode(() => il.openLog(tmp.dir, { readOnly: true }), 'EISDIR', [tmp.dir]);
    // Shorter than a header, and not the start of one: refused, and left as it was.
    const small = fresh();
    writeFileSync(small, '{"apiKey":"abc123"}\n');
    await rejectsCode(() => il.openLog(small), 'ERR_CORRUPT_LOG', [`'${small}' is 20 bytes and does not start with the ironlung log magic`]);
    assert.equal(readFileSync(small, 'utf8'), '{"apiKey":"abc123"}\n');
    // A FIFO, a device: refused at once (a FIFO's open would wait for a writer), and left be.
    const fifo = fresh();
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      for (const readOnly of [false, true]) {
        await rejectsCode(() => il.openLog(fifo, { readOnly }), 'ERR_NOT_REGULAR_FILE', [`'${fifo}' is not a regular file (it is a FIFO)`]);
      }
      assert.ok(lstatSync(fifo).isFIFO());
    }
    await rejectsCode(() => il.openLog('/dev/null', { readOnly: true }), 'ERR_NOT_REGULAR_FILE', ["'/dev/null' is not a regular file (it is a character device)"]);
    await rejectsCode(() => il.openLog(`${fresh()}\0x`), 'ERR_INVALID_ARG', ['path must not contain NUL bytes']);
  });

  test('a header cut short, or zeros, is a creation cut short: the log starts anew', async () => {
    const whole = fresh();
    await (await il.openLog(whole)).close();
    const header = readFileSync(whole);
    for (const bytes of [header.subarray(0, 1), header.subarray(0, 8), header.subarray(0, 63), Buffer.alloc(40)]) {
      const path = fresh();
      writeFileSync(path, bytes);
      const log = await il.openLog(path);
      assert.deepEqual(log.recovered, { offset: 0, droppedBytes: bytes.length });
      assert.equal(await log.append('first'), 1);
      await log.close();
    }
  });
});

/** A compressed log with a dictionary and a checkpoint: its bytes, records, frame ends. */
async function sample() {
  const path = fresh();
  const dict = il.trainDictionary(Array.from({ length: 300 }, (_, i) => JSON.stringify(event(i))), { maxBytes: 2048 });
  const log = await il.openLog(path, { dictionary: dict });
  const end = async () => (await log.stats()).storedBytes;
  const ends = [await end()];
  const records = [];
  for (let i = 0; i < 12; i++) {
    if (i === 6) {
      await log.checkpoint({ at: i });
      ends.push(await end());
    }
    const batch = [event(i), `text ${i}`];
    await log.appendBatch(batch);
    records.push(...batch);
    ends.push(await end());
  }
  await log.close();
  const bytes = readFileSync(path);
  // close() cut the zeros written ahead: the file ends where the log does.
  assert.equal(bytes.length, ends.at(-1));
  return { path, bytes, records, ends };
}

describe('torn writes and damage', () => {
  test('a log cut at every byte of its last frames opens with every whole record', async () => {
    const s = await sample();
    const from = s.ends.at(-4);
    const path = fresh();
    for (let cut = from; cut <= s.bytes.length; cut++) {
      writeFileSync(path, s.bytes.subarray(0, cut));
      const log = await il.openLog(path);
      const whole = s.ends.filter((e) => e <= cut).at(-1);
      assert.equal(statSync(path).size, whole, `cut at ${cut}`);
      assert.deepEqual(log.recovered, cut === whole ? null : { offset: whole, droppedBytes: cut - whole });
      const got = await all(log);
      got.forEach((e, i) => assert.deepEqual(e.data, s.records[i]));
      assert.equal(got.length % 2, 0, 'a batch is whole or absent');
      assert.equal(await log.append('after'), got.length + 1);
      await log.close();
    }
  });

  test('a reader stops at a damaged last frame, a torn write, as a writer would cut it', async () => {
    const s = await sample();
    const path = fresh();
    // The last frame whole in length but zero-filled: what a power loss can leave.
    const bad = Buffer.from(s.bytes);
    bad.fill(0, s.ends.at(-2) + 10, s.ends.at(-1));
    writeFileSync(path, bad);
    const reader = await il.openLog(path, { readOnly: true });
    assert.deepEqual(reader.recovered, { offset: s.ends.at(-2), droppedBytes: s.ends.at(-1) - s.ends.at(-2) });
    const got = await all(reader);
    assert.equal(got.length, s.records.length - 2);
    got.forEach((e) => assert.deepEqual(e.data, s.records[e.seq - 1]));
    assert.equal(statSync(path).size, bad.length, 'a reader leaves the file as it is');
    await reader.close();
  });

  test('a file cut shorter while it is read ends the read: a reader at the cut, a writer with ERR_CORRUPT_LOG', { timeout: 120_000 }, async () => {
    // (The timeout only turns a hang into a failure: such reads once read the cut window again and again.)
    const path = fresh();
    const w = await il.openLog(path, { compression: false });
    const recs = incompressible(64, 11);
    for (const rec of recs) await w.append(rec);
    const size = statSync(path).size;
    // A reader: its second window is being read ahead when the first record comes; the third
    // is read after the cut, as after a writer cut a torn tail away.
    const reader = await il.openLog(path, { readOnly: true });
    const got = [];
    for await (const e of reader.entries()) {
      if (got.length === 0) truncateSync(path, Math.floor(size * 0.6));
      got.push(e);
    }
    assert.ok(got.length > 16 && got.length < 64, `${got.length} records`);
    got.forEach((e, i) => assert.deepEqual(e.data, recs[i]));
    await reader.close();
    // The writer knows its log ends further: the records past the cut are lost, which it says.
    const it = w.entries();
    const first = it.next();
    truncateSync(path, Math.floor(size / 2) + 100);
    await rejectsCode(async () => {
      for (let r = await first; !r.done; r = await it.next());
    }, 'ERR_CORRUPT_LOG', ['byte offset']);
    await w.close();
  });

  test('entries({ to }) stops at to: damage after it is not read', async () => {
    const s = await sample();
    const path = fresh();
    const bad = Buffer.from(s.bytes);
    const mid = s.ends.at(-5);
    bad[mid + 90] ^= 0xff;
    writeFileSync(path, bad);
    const log = await il.openLog(path, { readOnly: true });
    const got = await all(log, { to: 5 });
    assert.deepEqual(got.map((e) => e.seq), [1, 2, 3, 4]);
    await rejectsCode(async () => all(log), 'ERR_CORRUPT_LOG', [`offset ${mid}`]);
    await log.close();
  });

  test('resuming after the checkpoint reads from the checkpoint on: damage before it is not read', async () => {
    const s = await sample();
    const path = fresh();
    const bad = Buffer.from(s.bytes);
    bad[s.ends[2] + 90] ^= 0xff; // a records frame well before the checkpoint
    writeFileSync(path, bad);
    const log = await il.openLog(path, { readOnly: true });
    const cp = await log.lastCheckpoint();
    const got = await all(log, { from: cp.seq + 1 });
    assert.deepEqual(got.map((e) => e.data), s.records.slice(cp.seq));
    await rejectsCode(async () => all(log), 'ERR_CORRUPT_LOG');
    await log.close();
  });

  test('entries({ from }) on a log of many MiB starts near from: damage far before it is not read', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'none', compression: false });
    const recs = Array.from({ length: 400 }, (_, i) => noise(16 << 10, i + 1));
    for (let i = 0; i < recs.length; i += 4) await w.appendBatch(recs.slice(i, i + 4));
    await w.close();
    const bad = readFileSync(path);
    assert.ok(bad.length > 6 << 20);
    bad[64 + 90] ^= 0xff; // the first frame's payload
    writeFileSync(path, bad);
    for (const readOnly of [true, false]) {
      const log = await il.openLog(path, { readOnly });
      for (const from of [398, 301, 250, 200, 150]) {
        const got = await all(log, { from, to: from + 3 });
        assert.deepEqual(got.map((e) => e.seq), [from, from + 1, from + 2]);
        got.forEach((e) => assert.ok(Buffer.from(e.data).equals(recs[e.seq - 1]), `seq ${e.seq}`));
      }
      assert.deepEqual((await all(log, { from: 400 })).map((e) => e.seq), [400]);
      assert.deepEqual(await all(log, { from: 401 }), []);
      await rejectsCode(async () => all(log, { from: 2 }), 'ERR_CORRUPT_LOG', ['offset 64']);
      await log.close();
    }
  });

  test('entries({ from, to }) gives exactly its records for any from, with checkpoints, a dictionary and large frames', async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'none' });
    const r = rng(99);
    /** @type {unknown[]} */
    const recs = [];
    // Small compressible events, batches, records of up to 300 KB that do not compress (frames
    // larger than a probe's first read), and checkpoints of up to 1.5 MB (frames a probe reads
    // through), well past the 1 MiB under which a log is read from its start.
    while ((await w.stats()).storedBytes < 3 << 20) {
      const k = r.below(100);
      if (k < 70) {
        const e = event(recs.length);
        recs.push(e);
        await w.append(e);
      } else if (k < 97) {
        const batch = Array.from({ length: 1 + r.below(20) }, (_, i) => event(recs.length + i));
        recs.push(...batch);
        await w.appendBatch(batch);
      } else if (k < 99) {
        const big = noise(1 + r.below(300_000), recs.length + 1);
        recs.push(big);
        await w.append(big);
      } else {
        await w.checkpoint(Buffer.from(noise(r.below(1_500_000), recs.length + 7)).toString('base64'), { meta: { at: recs.length } });
      }
    }
    const same = (e) => {
      const want = recs[e.seq - 1];
      if (want instanceof Uint8Array) return e.data instanceof Uint8Array && Buffer.from(e.data).equals(want);
      assert.deepEqual(e.data, want);
      return true;
    };
    const n = recs.length;
    assert.ok(n > 1000, `${n} records`);
    const r2 = await il.openLog(path, { readOnly: true });
    for (const log of [w, r2]) {
      for (let k = 0; k < 25; k++) {
        const from = k === 0 ? n : k === 1 ? 1 : 1 + r.below(n);
        const to = from + 1 + r.below(30);
        const got = await all(log, { from, to });
        const want = Array.from({ length: Math.min(to, n + 1) - from }, (_, i) => from + i);
        assert.deepEqual(got.map((e) => e.seq), want, `from ${from} to ${to}`);
        got.forEach((e) => assert.ok(same(e), `seq ${e.seq}`));
      }
    }
    await w.close();
    await r2.close();
  });

  test("a damaged dictionary: ERR_CORRUPT_LOG, or with 'skip' its frames are damage and the log goes on", async () => {
    const s = await sample();
    const path = fresh();
    const bad = Buffer.from(s.bytes);
    bad[64 + 200] ^= 8; // inside the dictionary frame, the log's first
    writeFileSync(path, bad);
    // The message names the log, of the many a process may have open.
    await rejectsCode(() => il.openLog(path), 'ERR_CORRUPT_LOG', ['offset 64', path]);
    await rejectsCode(() => il.openLog(path, { readOnly: true }), 'ERR_CORRUPT_LOG', ['offset 64', path]);
    const log = await il.openLog(path, { onCorrupt: 'skip' });
    const report = await log.verify();
    assert.equal(report.damaged[0].offset, 64);
    assert.ok(report.damaged.some((d) => /needs the log's dictionary/.test(d.reason)), JSON.stringify(report.damaged));
    // Whatever reads is what was written: here, records stored raw (no dictionary helped them).
    for (const e of await all(log)) assert.deepEqual(e.data, s.records[e.seq - 1], `record ${e.seq}`);
    // The writer goes on without a dictionary, and trains no second one.
    const seq = await log.append({ after: 'the damage' });
    assert.equal(seq, s.records.length + 1);
    assert.equal((await log.stats()).dictionaryId, null);
    await log.close();
    const r = await il.openLog(path, { readOnly: true, onCorrupt: 'skip' });
    assert.deepEqual((await all(r, { from: seq })).map((e) => e.data), [{ after: 'the damage' }]);
    await r.close();
    // A writer that gives a dictionary of its own opens it too, and stores no second one.
    const given = await il.openLog(path, { onCorrupt: 'skip', dictionary: il.trainDictionary(s.records.map((x) => JSON.stringify(x)).concat(Array.from({ length: 300 }, (_, i) => JSON.stringify(event(i + 50)))), { maxBytes: 2048 }) });
    assert.equal((await given.stats()).dictionaryId, null);
    await given.close();
    // Compaction keeps no frame that needs the damaged dictionary, and leaves that behind:
    // once a checkpoint covers every such frame, the compacted log is whole again.
    const w = await il.openLog(path, { onCorrupt: 'skip' });
    await rejectsCode(() => w.compact(), 'ERR_CORRUPT_LOG', [`cannot compact '${path}'`, "needs the log's dictionary, which is damaged"]);
    await w.checkpoint({ all: 'covered' });
    await w.compact();
    const kept = await w.append('after compaction');
    await w.close();
    const healed = await il.openLog(path, { readOnly: true });
    assert.deepEqual((await healed.verify()).damaged, []);
    assert.equal((await healed.stats()).dictionaryId, null);
    assert.deepEqual((await healed.lastCheckpoint())?.state, { all: 'covered' });
    assert.deepEqual((await all(healed)).map((e) => [e.seq, e.data]), [[kept, 'after compaction']]);
    await healed.close();
  });

  test('a flipped bit anywhere is reported or skipped, never returned as data', async () => {
    await flips(await sample(), 150, 5);
  });

  test('a flipped bit in a repacked log is reported or skipped, never returned as data', async () => {
    const s = await sample();
    const log = await il.openLog(s.path);
    await log.compact({ repack: true });
    const stats = await log.stats();
    await log.close();
    // The dictionary, the checkpoint, and the records after it in one frame.
    assert.equal(stats.segments, 3);
    const bytes = readFileSync(s.path);
    await flips({ ...s, bytes, ends: [] }, 60, 6);
  });
});

/**
 * Flips a bit at `count` random offsets of the log `s` (and its header's and just past each
 * of `s.ends`), one at a time, and checks what each copy reads.
 */
async function flips(s, count, seed) {
  const path = fresh();
  const r = rng(seed);
  // Every region: file header, dictionary frame, record frames, the checkpoint, the last frame.
  const offsets = new Set([3, 20, 63]);
  for (let k = 0; k < count; k++) offsets.add(64 + r.below(s.bytes.length - 64));
  for (const e of s.ends) for (const d of [1, 30, 80]) if (e + d < s.bytes.length) offsets.add(e + d);
  for (const at of offsets) {
    const bad = Buffer.from(s.bytes);
    bad[at] ^= 1 << r.below(8);
    writeFileSync(path, bad);
    let log;
    try {
      log = await il.openLog(path, { onCorrupt: 'skip' });
    } catch (e) {
      // Only the file header makes the whole log unreadable: a damaged dictionary leaves
      // the frames compressed with it as damaged ranges.
      assert.equal(e.code, 'ERR_CORRUPT_LOG', `flip at ${at}: ${e.message}`);
      assert.ok(at < 64, `flip at ${at}: ${e.message}`);
      continue;
    }
    const got = await all(log);
    for (const e of got) assert.deepEqual(e.data, s.records[e.seq - 1], `flip at ${at}: record ${e.seq} is wrong`);
    const report = await log.verify();
    const cutAway = log.recovered !== null;
    if (!cutAway) {
      assert.equal(report.ok, false, `flip at ${at} went unnoticed`);
      assert.ok(report.damaged.some((d) => d.offset <= at && at < d.offset + d.length), `flip at ${at}: ${JSON.stringify(report.damaged)}`);
    }
    await log.close();
    // Without 'skip', reading over the damage is ERR_CORRUPT_LOG naming its offset.
    if (!cutAway && report.damaged[0].offset >= 64) {
      // (A damaged dictionary is met as the log opens.)
      const strict = il.openLog(path, { readOnly: true });
      await rejectsCode(async () => {
        const log = await strict;
        try {
          await all(log);
        } finally {
          await log.close();
        }
      }, 'ERR_CORRUPT_LOG', [`offset ${report.damaged[0].offset}`]);
    }
  }
}

describe('a full disk', () => {
  const FILL = fileURLToPath(new URL('./fixtures/log-fill.mjs', import.meta.url));

  function fill(path, durability, prefix = [], compact = false) {
    const cmd = [...prefix, process.execPath, FILL, path, durability, ...(compact ? ['compact'] : [])];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: process.env, shell: false });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  async function checkAfter(path, res) {
    const log = await il.openLog(path);
    assert.equal((await log.stats()).lastSeq, res.acked);
    assert.equal((await log.verify()).ok, true);
    await log.close();
  }

  test('a write past the file-size limit rejects with EFBIG; the log keeps every earlier record', async () => {
    const acked = {};
    for (const durability of ['sync', 'flush', 'none']) {
      const path = fresh();
      const res = fill(path, durability, ['bash', '-c', 'ulimit -f 512 && exec "$@"', 'bash']);
      acked[durability] = res.acked;
      assert.equal(res.code, 'EFBIG', JSON.stringify(res));
      assert.equal(res.after, 'EFBIG');
      assert.ok(res.acked > 10);
      if (durability === 'none') {
        // The appends whose write failed had resolved already (that is 'none': up to 4 MiB
        // of them wait for one write); the next call carries the error, and reads go on over
        // every record written: those before the checkpoint, which waited for them, at least.
        assert.ok(res.read >= 10 && res.read < res.acked, JSON.stringify(res));
        assert.equal(res.closed, 'EFBIG', 'close() carries it too');
        await checkAfter(path, { ...res, acked: res.read });
      } else {
        assert.equal(res.read, res.acked);
        assert.equal(res.closed, null);
        await checkAfter(path, res);
      }
    }
    // The zeros a 'sync' log writes ahead fail first near the limit; the appends that fit
    // are written all the same, as many as 'flush' writes.
    assert.equal(acked.sync, acked.flush, JSON.stringify(acked));
  });

  test('a full tmpfs rejects appends and compaction with ENOSPC; the log keeps every earlier record', (t) => {
    const dir = tmp.path('small-fs');
    mkdirSync(dir);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mount.status !== 0) {
      t.skip(`cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || '').trim()}); the EFBIG test covers a failed write`);
      return;
    }
    return (async () => {
      try {
        const path = `${dir}/full.ilog`;
        const res = fill(path, 'sync', [], true);
        assert.equal(res.code, 'ENOSPC', JSON.stringify(res));
        // The compacted file has no room either: its OS code, and no new file left behind.
        assert.equal(res.compact, 'ENOSPC', JSON.stringify(res));
        assert.equal(res.compactLeft, false);
        assert.equal(res.read, res.acked);
        await checkAfter(path, res);
      } finally {
        spawnSync('umount', [dir]);
      }
    })();
  });
});
