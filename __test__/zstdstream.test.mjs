// zstd streams (WHATWG and node:stream) on the backend under test: round trips, frames, the
// cap on the whole stream, bounded memory, backpressure, errors, and the zstd CLI's frames.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline, finished } from 'node:stream/promises';
import { writeFileSync, readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { il, rng, throwsCode, tempDir } from './helpers.mjs';

const enc = new TextEncoder();

/** Agent-shaped text: JSON tool calls and their outputs. */
function transcript(lines, seed = 1) {
  const r = rng(seed);
  const tools = ['read_file', 'run_shell', 'grep', 'write_file'];
  let s = '';
  for (let i = 0; i < lines; i++) {
    s += JSON.stringify({ seq: i, tool: tools[r.below(4)], args: { path: `src/m${r.below(50)}.rs` }, out: `ok ${r.next() % 1e6}` }) + '\n';
  }
  return enc.encode(s);
}

/** `bytes` cut into pieces of varying sizes, as a network or a file reader delivers them. */
function pieces(bytes, seed, max = 70_000) {
  const r = rng(seed);
  const out = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + r.below(max);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

function streamOf(chunks) {
  return new ReadableStream({
    pull(c) {
      if (chunks.length) c.enqueue(chunks.shift());
      else c.close();
    },
  });
}

/** `parts` joined. */
function concatAll(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function collect(readable) {
  const parts = [];
  for await (const p of readable) parts.push(p);
  return concatAll(parts);
}

const through = (chunks, transform) => collect(streamOf([...chunks]).pipeThrough(transform));

async function nodeThrough(chunks, ...transforms) {
  const parts = [];
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), ...transforms, new Writable({ write: (c, _e, cb) => (parts.push(c), cb()) }));
  return new Uint8Array(Buffer.concat(parts));
}

async function rejectsWith(promise, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/** Equal bytes, without assert's diff of megabytes (which takes gigabytes). */
function sameBytes(actual, expected, what = 'bytes') {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  assert.fail(`${what}: ${a.length} bytes, expected ${b.length}; first difference at byte ${i}`);
}

const hasZstdCli = spawnSync('zstd', ['--version']).status === 0;

describe(`zstd streams (${il.backend})`, () => {
  const data = transcript(20_000);

  test('WHATWG: a stream in any pieces round trips, and one-shot decompress reads it', async () => {
    for (const seed of [1, 2, 3]) {
      const packed = await through(pieces(data, seed), new il.ZstdCompressionStream({ level: seed * 3 }));
      assert.ok(packed.length < data.length / 4);
      sameBytes(il.decompress(packed), data);
      sameBytes(await through(pieces(packed, seed, 5000), new il.ZstdDecompressionStream()), data);
    }
    assert.deepEqual(await through([], new il.ZstdDecompressionStream()).catch((e) => e.code), 'ERR_CORRUPT_DATA');
    const empty = await through([], new il.ZstdCompressionStream());
    assert.deepEqual(il.decompress(empty), new Uint8Array(0));
  });

  test('WHATWG: readable and writable are read-only, as the types and CompressionStream say', () => {
    for (const s of [new il.ZstdCompressionStream(), new il.ZstdDecompressionStream()]) {
      assert.throws(() => {
        s.readable = new ReadableStream();
      }, TypeError);
      assert.throws(() => {
        s.writable = new WritableStream();
      }, TypeError);
      assert.ok(s.readable instanceof ReadableStream && s.writable instanceof WritableStream);
    }
  });

  test('WHATWG: strings, ArrayBuffers and typed arrays are accepted as chunks', async () => {
    const packed = await through(['héllo ', new Uint16Array([0x6f77, 0x6c72]).buffer, new Uint8Array([100])], new il.ZstdCompressionStream());
    assert.equal(new TextDecoder().decode(il.decompress(packed)), 'héllo world');
  });

  test('WHATWG: a chunk that is not bytes errors the readable side too, so a pipe ends', { timeout: 20_000 }, async () => {
    for (const [make, bad, words] of [
      [() => new il.ZstdCompressionStream(), 5, 'a chunk must be a string, Uint8Array or ArrayBuffer, got number 5'],
      [() => new il.ZstdCompressionStream(), null, 'got null'],
      [() => new il.ZstdDecompressionStream(), {}, 'a chunk must be a Uint8Array or ArrayBuffer, got an Object'],
      // Compressed data is bytes: a string is refused, as decompress refuses it.
      [() => new il.ZstdDecompressionStream(), 'text', 'got a string'],
    ]) {
      const body = new ReadableStream({
        start(c) {
          c.enqueue(new Uint8Array([1]));
          c.enqueue(bad);
          c.close();
        },
      });
      await assert.rejects(new Response(body.pipeThrough(make())).arrayBuffer(), (e) => e.code === 'ERR_INVALID_ARG' && e.message.includes(words));
    }
  });

  test('WHATWG: cancelling the readable or aborting the writable leaves no write or close waiting', { timeout: 60_000 }, async () => {
    // Incompressible, and over the 1 MiB that native gathers: each write has output at once,
    // which the reader never takes, so the next write waits for room.
    const noise = randomFillSync(new Uint8Array(3 << 20));
    const packed = il.compress(new Uint8Array(16 << 20));
    const settle = (p) => p.then(() => 'resolved', (e) => e);
    /** Lets a write reach its wait for the reader (no assertion rests on how long). */
    const aWhile = () => new Promise((r) => setTimeout(r, 100));
    for (const [make, chunk] of [
      [() => new il.ZstdCompressionStream({ level: 1 }), noise],
      [() => new il.ZstdDecompressionStream(), packed],
    ]) {
      // Cancelled, then written to: the write is refused with the reason, and so is the
      // close (with a TypeError, as the streams standard says of an errored stream).
      let s = make();
      let w = s.writable.getWriter();
      await s.readable.cancel('gone');
      assert.equal(await settle(w.write(chunk.subarray(0, 10))), 'gone');
      assert.ok((await settle(w.close())) instanceof TypeError);
      // Cancelled while writes and the close wait for the reader: each settles.
      s = make();
      w = s.writable.getWriter();
      const waiting = [w.write(chunk), w.write(chunk), w.close()].map(settle);
      await aWhile();
      await s.readable.cancel('gone');
      for (const outcome of await Promise.all(waiting)) assert.ok(outcome === 'resolved' || outcome === 'gone', String(outcome));
      // Aborted while a write or the close waits for the reader: the abort goes through (its
      // promise rejects when it cut a close short, as the streams standard says).
      s = make();
      w = s.writable.getWriter();
      const held = [w.write(chunk), w.write(chunk), w.close()].map(settle);
      await aWhile();
      held.push(settle(w.abort('stop')));
      for (const outcome of await Promise.all(held)) assert.ok(outcome === 'resolved' || outcome === 'stop', String(outcome));
      await assert.rejects(s.readable.getReader().read(), (e) => e === 'stop');
    }
  });

  test('node:stream Transforms round trip through pipeline', async () => {
    const packed = await nodeThrough(pieces(data, 4), il.createZstdCompress({ level: 1 }));
    sameBytes(il.decompress(packed), data);
    sameBytes(await nodeThrough(pieces(packed, 5, 999), il.createZstdDecompress()), data);
    sameBytes(await nodeThrough(pieces(data, 6), il.createZstdCompress(), il.createZstdDecompress()), data);
    // Small chunks gathered, then one larger than the gathering buffer (1 MiB on native).
    const big = new Uint8Array(Buffer.concat([data, transcript(20_000, 2), transcript(20_000, 3)]));
    assert.ok(big.length > 2.5 * (1 << 20));
    const mixed = [big.subarray(0, 1000), big.subarray(1000, 700_000), big.subarray(700_000)];
    sameBytes(il.decompress(await nodeThrough(mixed, il.createZstdCompress())), big);
  });

  test("node:stream: destroy() mid-write is a premature close, as node:zlib's is", async () => {
    const chunk = Buffer.from(randomFillSync(new Uint8Array(3 << 20)));
    const packed = Buffer.from(il.compress(new Uint8Array(16 << 20)));
    for (const [make, input] of [
      [() => il.createZstdCompress(), chunk],
      [() => il.createZstdDecompress(), packed],
    ]) {
      const t = make();
      const done = finished(t);
      t.write(input);
      t.destroy();
      // Not the error of the write it cut short, which would replace node's own.
      await assert.rejects(done, (e) => e.code === 'ERR_STREAM_PREMATURE_CLOSE');
      await new Promise((r) => setImmediate(r));
      assert.equal(t.errored, null);
    }
  });

  test('node:stream: an exception a data listener throws errors the stream, never stalls it', async () => {
    for (const [make, input] of [
      [() => il.createZstdCompress(), data],
      [() => il.createZstdDecompress(), il.compress(data)],
    ]) {
      const t = make();
      const boom = new Error('a listener threw');
      t.on('data', () => {
        throw boom;
      });
      const failed = new Promise((resolve) => t.on('error', resolve));
      t.end(input);
      assert.equal(await failed, boom);
    }
  });

  test('a chunk detached before its write resolved is an error, never a read of freed memory', { timeout: 120_000 }, () => {
    // In a child process, so that a crash shows as its exit status instead of ending the suite.
    // The caller transfers its buffer away while the write is under way, and the collector
    // takes the new owner; on native the pool would read it in place.
    const script = `
      const il = require(${JSON.stringify(join(import.meta.dirname, '..', 'js', 'node.bundle.cjs'))});
      const turn = () => new Promise((r) => setImmediate(r));
      const big = () => { const b = new Uint8Array(32 << 20); for (let i = 0; i < b.length; i += 4096) b[i] = i & 0xff; return b; };
      const drop = async (buf) => {
        structuredClone(buf.buffer, { transfer: [buf.buffer] });
        for (let i = 0; i < 10; i++) { gc(); new Uint8Array(8 << 20).fill(1); await turn(); }
      };
      const outcome = (p) => p.then(() => 'ok', (e) => e.code || String(e));
      (async () => {
        const seen = [];
        for (const later of [true, false]) {
          const s = new il.ZstdCompressionStream({ level: 19 });
          const out = new Response(s.readable).arrayBuffer().catch(() => null);
          const w = s.writable.getWriter();
          await w.ready;
          const buf = big();
          const wrote = outcome(w.write(buf));
          if (later) await turn();
          await drop(buf);
          seen.push(await wrote);
          if (later) {
            await w.close();
            const back = il.decompress(new Uint8Array(await out));
            seen.push(back.length === 32 << 20 && back[4096 * 7] === ((4096 * 7) & 0xff) ? 'same' : 'changed');
          }
          const t = il.createZstdCompress({ level: 19 });
          const failed = new Promise((r) => t.on('error', (e) => r(e.code)).on('finish', () => r('ok')));
          t.resume();
          const tbuf = big();
          t.write(tbuf);
          if (later) await turn();
          await drop(tbuf);
          t.end();
          seen.push(await failed);
        }
        console.log(seen.join(' '));
      })();
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env: process.env });
    assert.equal(child.status, 0, `the child ended with status ${child.status}, signal ${child.signal}: ${child.stderr}`);
    // Taken before the transfer (a Transform's write takes its chunk at once): compressed as
    // it was. Transferred before the stream took it: ERR_INVALID_ARG, naming the sizes.
    assert.equal(child.stdout.trim(), 'ok same ok ERR_INVALID_ARG ok');
  });

  test('a compressed chunk transferred before the decoder took it is an error, not lost input', async () => {
    // The first frame decodes to more than the readable side holds: with no one reading yet,
    // the decoder waits, and the next chunk waits in its queue, the caller's buffer unread.
    const first = il.compress(new Uint8Array(4 << 20));
    const second = il.compress(randomFillSync(new Uint8Array(3 << 20)), { level: 1 });
    const s = new il.ZstdDecompressionStream();
    const w = s.writable.getWriter();
    await w.write(first);
    const wrote = w.write(second).then(() => 'ok', (e) => e.code);
    structuredClone(second.buffer, { transfer: [second.buffer] });
    const closed = w.close().then(() => 'ok', (e) => e.code);
    const e = await collect(s.readable).catch((err) => err);
    // Not the first frame's output alone, with the second lost.
    assert.equal(e.code, 'ERR_INVALID_ARG', e instanceof Uint8Array ? `the stream ended with ${e.length} bytes` : String(e));
    assert.match(e.message, /transferred or resized before its write resolved \(\d+ bytes when written, 0 now\)/);
    assert.equal(await closed, 'ERR_INVALID_ARG');
    assert.ok(['ok', 'ERR_INVALID_ARG'].includes(await wrote));
  });

  test('a writer may reuse its buffer once its write resolved', async () => {
    const packed = il.compress(data, { level: 1 });
    const s = new il.ZstdDecompressionStream();
    const out = collect(s.readable);
    const w = s.writable.getWriter();
    const buf = new Uint8Array(4096);
    for (let at = 0; at < packed.length; at += buf.length) {
      const n = Math.min(buf.length, packed.length - at);
      buf.set(packed.subarray(at, at + n));
      await w.write(buf.subarray(0, n));
      buf.fill(0xff);
    }
    await w.close();
    sameBytes(await out, data);
  });

  test('a node:stream writer may reuse its Buffer once its write called back', async () => {
    const packed = il.compress(data, { level: 1 });
    const t = il.createZstdDecompress();
    const out = [];
    t.on('data', (c) => out.push(c));
    const ended = new Promise((resolve, reject) => t.on('end', resolve).on('error', reject));
    // A Buffer, whose slice() is a view of the same memory.
    const buf = Buffer.alloc(4096);
    for (let at = 0; at < packed.length; at += buf.length) {
      const n = Math.min(buf.length, packed.length - at);
      buf.set(packed.subarray(at, at + n));
      await new Promise((resolve, reject) => t.write(buf.subarray(0, n), (e) => (e ? reject(e) : resolve())));
      buf.fill(0xff);
    }
    t.end();
    await ended;
    sameBytes(new Uint8Array(Buffer.concat(out)), data);
  });

  test("node:zlib's options that would change the result are refused, not ignored", async () => {
    const cases = [
      [() => il.createZstdDecompress({ maxOutputLength: 10 }), /zstd decompression options have no maxOutputLength \(node:zlib's\); ironlung's maxOutputBytes caps the whole output/],
      [() => new il.ZstdDecompressionStream({ maxOutputLength: 10 }), /give maxOutputBytes$/],
      [() => il.createZstdCompress({ params: { 100: 9 } }), /zstd compression options have no params \(node:zlib's\); give level and checksum instead of params$/],
      [() => new il.ZstdCompressionStream({ params: {} }), /no params/],
      [() => il.compress(data, { params: {} }), /^compress options have no params/],
      [() => il.decompress(il.compress(data), { maxOutputLength: 10 }), /^decompress options have no maxOutputLength/],
    ];
    for (const [make, message] of cases) assert.match(throwsCode(make, 'ERR_INVALID_ARG').message, message);
    await rejectsWith(il.compressAsync(data, { params: {} }), 'ERR_INVALID_ARG', /no params/);
  });

  test("flush(kind, callback), node:zlib's form, flushes a block", async () => {
    const t = il.createZstdCompress();
    /** @type {Buffer[]} */
    const out = [];
    t.on('data', (c) => out.push(c));
    t.write(data.subarray(0, 5000));
    await new Promise((resolve) => t.flush(1, resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const sofar = new Uint8Array(Buffer.concat(out));
    // What came out so far decodes to all that was written, though the frame has not ended.
    const d = new il.ZstdDecompressionStream();
    const w = d.writable.getWriter();
    w.write(sofar);
    const r = d.readable.getReader();
    let got = 0;
    // Without the flush, the decoder would wait for more input: fail, not hang.
    let timer;
    const stuck = new Promise((resolve) => (timer = setTimeout(resolve, 10_000, { value: null })));
    try {
      while (got < 5000) {
        const { value } = await Promise.race([r.read(), stuck]);
        assert.ok(value, `only ${got} of 5000 bytes decodable after the flush`);
        got += value.length;
      }
    } finally {
      clearTimeout(timer);
    }
    assert.equal(got, 5000);
    t.end();
    assert.throws(() => t.flush('now'), (e) => e.code === 'ERR_INVALID_ARG');
  });

  test("createZstdCompress: flush() after end() calls back, as node:zlib's does, with no error", async () => {
    const t = il.createZstdCompress();
    const errors = [];
    t.on('error', (e) => errors.push(e));
    t.resume();
    t.end('last words');
    // Ended, not yet finished: called back at the end.
    await new Promise((resolve) => t.flush(resolve));
    assert.ok(t.writableFinished);
    // Finished: called back at once.
    await new Promise((resolve) => t.flush(0, resolve));
    t.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(errors, []);
  });

  test('a long stream lets the event loop turn: off the JS thread (native), or yielding (wasm)', async () => {
    // Not a timing test: a stream that ran its work on this thread without yielding would
    // leave a 1 ms interval no turn at all until it ended.
    const chunks = Array.from({ length: 24 }, (_, i) => transcript(12_000, i + 20));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    try {
      const packed = await through(chunks, new il.ZstdCompressionStream({ level: 9 }));
      const compressTicks = ticks;
      const compressMs = performance.now() - t0;
      const out = await nodeThrough([packed], il.createZstdDecompress());
      assert.equal(out.length, chunks.reduce((n, c) => n + c.length, 0));
      assert.ok(compressMs < 40 || compressTicks >= 3, `a 1 ms timer ran ${compressTicks} times in ${compressMs.toFixed(0)} ms of compression`);
    } finally {
      clearInterval(timer);
    }
  });

  test('each decompressed chunk is a plain Uint8Array that owns its bytes and no others', async () => {
    // The native decoder fills memory that is not zeroed first: a chunk that was a view on
    // part of a larger buffer would let a reader see what that memory held before.
    const data = transcript(60_000, 7);
    const packed = il.compress(data, { level: 1 });
    const owned = (c) => c.byteOffset === 0 && c.buffer.byteLength === c.byteLength;
    for (const seed of [1, 2, 3]) {
      const chunks = [];
      const readable = streamOf(pieces(packed, seed, 40_000)).pipeThrough(new il.ZstdDecompressionStream());
      for await (const c of readable) chunks.push(c);
      assert.ok(chunks.length > 4, `${chunks.length} chunks`);
      for (const c of chunks) {
        assert.equal(Object.getPrototypeOf(c), Uint8Array.prototype);
        assert.ok(owned(c), `a chunk of ${c.byteLength} bytes at ${c.byteOffset} of a buffer of ${c.buffer.byteLength}`);
      }
      sameBytes(concatAll(chunks), data, `seed ${seed}`);
      const nodeChunks = [];
      await pipeline(Readable.from(pieces(packed, seed, 40_000)), il.createZstdDecompress(), new Writable({ write(c, _e, cb) { nodeChunks.push(c); cb(); } }));
      for (const c of nodeChunks) assert.ok(owned(c), `a Transform chunk of ${c.byteLength} bytes at ${c.byteOffset} of a buffer of ${c.buffer.byteLength}`);
      sameBytes(concatAll(nodeChunks), data, `Transform, seed ${seed}`);
    }
  });

  test('many frames, skippable ones included, decode as one stream', async () => {
    const skippable = new Uint8Array([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const parts = [data.subarray(0, 1000), data.subarray(1000, 50_000), data.subarray(50_000)];
    const frames = [il.compress(parts[0]), skippable, await through([parts[1]], new il.ZstdCompressionStream({ checksum: false })), il.compress(parts[2], { level: 19 })];
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (all.set(f, at), at + f.length), 0);
    sameBytes(await through(pieces(all, 7, 3000), new il.ZstdDecompressionStream()), data);
    sameBytes(await nodeThrough(pieces(all, 8, 3000), il.createZstdDecompress()), data);
  });

  test('an empty skippable frame ends where its header does, at the end or between frames', async () => {
    const empty = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
    const frame = il.compress(data.subarray(0, 5000));
    const join = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
    sameBytes(await through([join(frame, empty)], new il.ZstdDecompressionStream()), data.subarray(0, 5000));
    sameBytes(await nodeThrough([join(frame, empty)], il.createZstdDecompress()), data.subarray(0, 5000));
    // The frame after it gets the stream's checks: its declared size is over the cap.
    const big = il.compress(data.subarray(0, 20_000));
    await rejectsWith(through([join(frame, empty, big)], new il.ZstdDecompressionStream({ maxOutputBytes: 10_000 })), 'ERR_OUTPUT_TOO_LARGE');
  });

  test('maxOutputBytes caps the whole stream, not each frame or chunk', async () => {
    const half = data.subarray(0, 300_000);
    const frame = await through([half], new il.ZstdCompressionStream());
    const two = new Uint8Array([...frame, ...frame]);
    assert.equal((await through([two], new il.ZstdDecompressionStream({ maxOutputBytes: 600_000 }))).length, 600_000);
    const msg = /exceeds maxOutputBytes 599999 \(the data does not declare its size; stopped after decoding 600000 bytes\)/;
    await rejectsWith(through(pieces(two, 9, 4000), new il.ZstdDecompressionStream({ maxOutputBytes: 599_999 })), 'ERR_OUTPUT_TOO_LARGE', msg);
    await rejectsWith(nodeThrough([two], il.createZstdDecompress({ maxOutputBytes: 599_999 })), 'ERR_OUTPUT_TOO_LARGE', msg);
    // Past the cap in a piece decoded ahead (native decodes the next piece while the reader
    // takes this one): the stream errors, nothing else.
    // Made by a stream, so that no declared size lets the header refuse it first.
    const bomb = await through(Array.from({ length: 64 }, () => new Uint8Array(1 << 20)), new il.ZstdCompressionStream({ level: 1 }));
    assert.equal(il.frameInfo(bomb).contentSize, null);
    const capped = /exceeds maxOutputBytes 10485760 \(the data does not declare its size; stopped after decoding \d+ bytes\)/;
    await rejectsWith(nodeThrough([bomb], il.createZstdDecompress({ maxOutputBytes: 10 << 20 })), 'ERR_OUTPUT_TOO_LARGE', capped);
    await rejectsWith(through([bomb], new il.ZstdDecompressionStream({ maxOutputBytes: 10 << 20 })), 'ERR_OUTPUT_TOO_LARGE', capped);
    // A frame that declares its size is refused from its header.
    const declared = il.compress(half);
    await rejectsWith(
      through([declared, declared], new il.ZstdDecompressionStream({ maxOutputBytes: 400_000 })),
      'ERR_OUTPUT_TOO_LARGE',
      /at least 600000 bytes exceeds maxOutputBytes 400000/,
    );
  });

  test('maxOutputBytes past 4 GiB holds as given, on wasm32 too', { timeout: 120_000 }, async () => {
    // A frame of 32769 RLE blocks of 128 KiB (no declared size, a 128 KiB window): 4 GiB
    // and 128 KiB of output from 128 KiB of input.
    const blocks = 32769;
    const frame = new Uint8Array(6 + blocks * 4);
    frame.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]);
    for (let i = 0; i < blocks; i++) {
      const header = (131072 << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
      frame.set([header & 0xff, (header >> 8) & 0xff, header >> 16, 0x61], 6 + i * 4);
    }
    const size = blocks * 131072;
    assert.ok(size > 2 ** 32);
    let seen = 0;
    for await (const piece of streamOf([frame]).pipeThrough(new il.ZstdDecompressionStream({ maxOutputBytes: size }))) seen += piece.length;
    assert.equal(seen, size);
  });

  test('a 1 GiB bomb with no declared size ends at the default cap in bounded memory', async () => {
    // The bomb is made by a stream, so its frame declares no size.
    const zeros = new Uint8Array(1 << 20);
    const bomb = await through(Array.from({ length: 1024 }, () => zeros), new il.ZstdCompressionStream({ level: 1 }));
    assert.ok(bomb.length < 256 * 1024, `${bomb.length}`);
    assert.equal(il.frameInfo ? il.frameInfo(bomb).contentSize : null, null);
    const before = process.memoryUsage().rss;
    let peak = before;
    let seen = 0;
    const err = await (async () => {
      try {
        for await (const piece of streamOf([bomb]).pipeThrough(new il.ZstdDecompressionStream())) {
          seen += piece.length;
          if ((seen & 0xffffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
        }
      } catch (e) {
        return e;
      }
    })();
    assert.equal(err?.code, 'ERR_OUTPUT_TOO_LARGE');
    assert.equal(seen, il.DEFAULT_MAX_OUTPUT_BYTES, 'every byte up to the cap came out, none past it');
    const grew = (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20;
    assert.ok(grew < 100, `RSS grew ${grew.toFixed(0)} MiB while 256 MiB streamed out`);
  });

  test('decoding waits for the reader: a paused reader holds back the decoder', async () => {
    const zeros = new Uint8Array(64 << 20);
    const bomb = il.compress(zeros); // 64 MiB of output from a few KiB
    const t = il.createZstdDecompress();
    t.write(bomb);
    await new Promise((r) => setTimeout(r, 300));
    // At most one piece (1 MiB off the JS thread) past the reader's 16 KiB buffer.
    assert.ok(t.readableLength <= 2 << 20, `${t.readableLength} bytes decoded ahead of a reader that never read`);
    let total = 0;
    t.on('data', (c) => (total += c.length));
    t.end();
    await new Promise((resolve, reject) => t.on('end', resolve).on('error', reject));
    assert.equal(total, zeros.length);

    // A paused reader: writes are taken while the decoder's queue has room (256 KiB off the
    // JS thread, none on it: the decoder takes a chunk once the one before is used up), then
    // wait for the reader.
    const room = il.backend === 'native' ? 256 << 10 : 0;
    const s = new il.ZstdDecompressionStream();
    const w = s.writable.getWriter();
    const reader = s.readable.getReader();
    const writes = Array.from({ length: Math.ceil((2 * room) / bomb.length) + 10 }, () => w.write(bomb));
    let settled = 0;
    for (const p of writes) p.then(() => settled++, () => {});
    const first = (await reader.read()).value;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(settled >= 1 && settled * bomb.length <= room + 2 * bomb.length, `${settled} writes of ${bomb.length} bytes taken ahead of a paused reader`);
    assert.ok(first.length <= 1 << 20);
    // Reading on lets the writes go on.
    const before = settled;
    for (let read = 0; read < 4 * zeros.length && settled === before; ) {
      read += (await reader.read()).value.length;
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(settled > before, 'writes go on once the reader reads');
    await reader.cancel();
  });

  test('flush() makes everything written so far decodable, for live logs', async () => {
    const cs = new il.ZstdCompressionStream();
    const w = cs.writable.getWriter();
    const r = cs.readable.getReader();
    const ds = new il.ZstdDecompressionStream();
    const dw = ds.writable.getWriter();
    const dr = ds.readable.getReader();
    await w.write('first event\n');
    await cs.flush();
    const { value } = await r.read();
    dw.write(value);
    assert.equal(new TextDecoder().decode((await dr.read()).value), 'first event\n');

    const t = il.createZstdCompress();
    const out = [];
    t.on('data', (c) => out.push(c));
    t.write('second event\n');
    await new Promise((resolve) => t.flush(resolve));
    const d = il.createZstdDecompress();
    const got = new Promise((resolve) => d.once('data', resolve));
    d.write(Buffer.concat(out));
    assert.equal(String(await got), 'second event\n');
    d.destroy();
    t.destroy();
  });

  test('flush() covers writes made before it that the writable still queues', async () => {
    const cs = new il.ZstdCompressionStream();
    const w = cs.writable.getWriter();
    const parts = [];
    const reading = (async () => {
      for await (const p of cs.readable) parts.push(p);
    })();
    // Not awaited: the writable queues them, and flush() is called before the stream's
    // sink has seen any of them.
    const writes = ['first\n', 'second\n', 'third\n'].map((line) => w.write(line));
    await cs.flush();
    await Promise.all(writes);
    // Flushed, and the frame not ended: all three decode from what came out so far.
    const sofar = new Uint8Array(Buffer.concat(parts));
    const ds = new il.ZstdDecompressionStream();
    ds.writable.getWriter().write(sofar);
    const r = ds.readable.getReader();
    let text = '';
    while (text.length < 'first\nsecond\nthird\n'.length) text += Buffer.from((await r.read()).value);
    assert.equal(text, 'first\nsecond\nthird\n');
    await w.close();
    await reading;
    // A flush waiting for writes the stream will not take (made after close, or after an
    // error) settles too.
    const closed = new il.ZstdCompressionStream();
    const w1 = closed.writable.getWriter();
    closed.readable.pipeTo(new WritableStream());
    const closing = w1.close();
    await assert.rejects(w1.write('too late'), TypeError);
    await assert.rejects(closed.flush(), (e) => e.code === 'ERR_INVALID_ARG');
    await closing;
    const again = new il.ZstdCompressionStream();
    const w2 = again.writable.getWriter();
    const piped = again.readable.pipeTo(new WritableStream()).catch((e) => e);
    const bad = w2.write(5);
    const late = again.flush();
    await assert.rejects(bad, (e) => e.code === 'ERR_INVALID_ARG');
    await assert.rejects(late, (e) => e.code === 'ERR_INVALID_ARG');
    assert.equal((await piped).code, 'ERR_INVALID_ARG');
  });

  test('corrupt, truncated and trailing bytes are errors with the offset', async () => {
    const frame = il.compress(data.subarray(0, 10_000));
    await rejectsWith(through([frame.subarray(0, frame.length - 3)], new il.ZstdDecompressionStream()), 'ERR_CORRUPT_DATA', /ends inside a frame \(frame at byte offset 0\)/);
    await rejectsWith(
      through([frame, enc.encode('garbage')], new il.ZstdDecompressionStream()),
      'ERR_CORRUPT_DATA',
      new RegExp(`trailing garbage after the last frame \\(at byte offset ${frame.length}\\)`),
    );
    await rejectsWith(nodeThrough([enc.encode('not zstd at all')], il.createZstdDecompress()), 'ERR_CORRUPT_DATA', /^input is not zstd data/);
    const flipped = frame.slice();
    flipped[flipped.length - 1] ^= 1;
    await rejectsWith(through([flipped], new il.ZstdDecompressionStream()), 'ERR_CORRUPT_DATA', /checksum/);
    // A frame that declares 141 bytes and holds one empty block. zstd 1.5.7's streaming
    // decoder ended it without complaint, and the stream's own count of the content caught
    // it; 1.6.0's rejects the block. Either way it is corrupt, at the frame's offset.
    const short = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x8d, 0x01, 0x00, 0x00, 0x99, 0xe9, 0xd8, 0x51]);
    await rejectsWith(through([short], new il.ZstdDecompressionStream()), 'ERR_CORRUPT_DATA', /^zstd data is truncated or corrupt: .*frame at byte offset 0/);
  });

  test('dictionaries: prepared or as bytes, checked by id on the way back', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ type: 'tool_call', id: `call_${i}`, tool: ['grep', 'read_file'][i % 2], path: `src/m${i % 37}.rs` }));
    const bytes = il.trainDictionary(records.slice(100), { maxBytes: 4096 });
    const dict = new il.ZstdDictionary(bytes, { level: 5 });
    const sample = enc.encode(records.slice(0, 100).join('\n'));
    for (const dictionary of [dict, bytes]) {
      const packed = await through(pieces(sample, 13, 500), new il.ZstdCompressionStream({ dictionary }));
      assert.equal(il.frameInfo(packed).dictionaryId, dict.id);
      sameBytes(il.decompress(packed, { dictionary: dict }), sample, 'one-shot reads the streamed frame');
      sameBytes(await through([packed], new il.ZstdDecompressionStream({ dictionary })), sample, 'WHATWG');
      sameBytes(await nodeThrough([packed], il.createZstdDecompress({ dictionary })), sample, 'node:stream');
      await rejectsWith(through([packed], new il.ZstdDecompressionStream()), 'ERR_DICTIONARY_MISMATCH', new RegExp(`dictionary ${dict.id}`));
    }
    const viaNode = await nodeThrough([sample], il.createZstdCompress({ dictionary: dict }));
    sameBytes(il.decompress(viaNode, { dictionary: bytes }), sample, 'node:stream compress with a dictionary');
    throwsCode(() => new il.ZstdCompressionStream({ dictionary: dict, level: 3 }), 'ERR_INVALID_ARG', 'level 3 was given with a ZstdDictionary prepared at level 5');
    throwsCode(() => il.createZstdDecompress({ dictionary: 'nope' }), 'ERR_INVALID_ARG', 'dictionary must be a Uint8Array or a ZstdDictionary');
  });

  test('bad options are ERR_INVALID_ARG, naming the value', () => {
    throwsCode(() => new il.ZstdCompressionStream({ level: 99 }), 'ERR_INVALID_ARG', 'level 99');
    throwsCode(() => new il.ZstdCompressionStream({ checksum: 'yes' }), 'ERR_INVALID_ARG', 'checksum must be a boolean, got');
    throwsCode(() => il.createZstdCompress(7), 'ERR_INVALID_ARG', 'options must be an object');
    throwsCode(() => new il.ZstdDecompressionStream({ maxOutputBytes: -1 }), 'ERR_INVALID_ARG', 'maxOutputBytes');
  });

  test('pledgedSrcSize declares the content size, and is held to it', async () => {
    for (const make of [
      (o) => through(pieces(data, 21), new il.ZstdCompressionStream(o)),
      (o) => nodeThrough(pieces(data, 22), il.createZstdCompress(o)),
    ]) {
      const out = await make({ pledgedSrcSize: data.length, level: 5 });
      assert.equal(il.frameInfo(out).contentSize, data.length);
      sameBytes(il.decompress(out), data);
      const withDict = await make({ pledgedSrcSize: data.length, dictionary: il.trainDictionary(pieces(data, 23, 3000), { maxBytes: 8192 }) });
      assert.equal(il.frameInfo(withDict).contentSize, data.length);
      await rejectsWith(make({ pledgedSrcSize: data.length - 1 }), 'ERR_INVALID_ARG', new RegExp(`^the stream's input reached \\d+ bytes, more than its pledgedSrcSize of ${data.length - 1} bytes$`));
      await rejectsWith(make({ pledgedSrcSize: data.length + 1 }), 'ERR_INVALID_ARG', new RegExp(`^the stream's input ended at ${data.length} bytes, short of its pledgedSrcSize of ${data.length + 1} bytes$`));
    }
    const empty = await through([], new il.ZstdCompressionStream({ pledgedSrcSize: 0 }));
    assert.equal(il.frameInfo(empty).contentSize, 0);
    for (const bad of [-1, 1.5, 2 ** 53, Infinity, '10', null]) {
      throwsCode(() => new il.ZstdCompressionStream({ pledgedSrcSize: bad }), 'ERR_INVALID_ARG', 'pledgedSrcSize must be a non-negative integer up to 2^53 - 1, got');
    }
  });

  test('the zstd CLI reads our streams, and we read its frames', { skip: !hasZstdCli && 'no zstd CLI' }, async () => {
    const tmp = tempDir();
    const dir = tmp.dir;
    const ours = await through(pieces(data, 11), new il.ZstdCompressionStream({ level: 5 }));
    writeFileSync(join(dir, 'ours.zst'), ours);
    sameBytes(new Uint8Array(execFileSync('zstd', ['-d', '-c', join(dir, 'ours.zst')], { maxBuffer: 1 << 30 })), data);
    // Ours in several frames: a one-shot one, a skippable one, a stream's (no declared size)
    // with a flush in it, and one without a checksum.
    const cs = new il.ZstdCompressionStream({ level: 1 });
    const streamed = collect(cs.readable);
    const w = cs.writable.getWriter();
    await w.write(data.subarray(50_000, 60_000));
    await cs.flush();
    await w.write(data.subarray(60_000, 200_000));
    await w.close();
    const frames = [
      il.compress(data.subarray(0, 50_000), { level: 19 }),
      new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 1, 2]),
      await streamed,
      await through([data.subarray(200_000)], new il.ZstdCompressionStream({ checksum: false })),
    ];
    writeFileSync(join(dir, 'many.zst'), Buffer.concat(frames));
    sameBytes(new Uint8Array(execFileSync('zstd', ['-d', '-c', join(dir, 'many.zst')], { maxBuffer: 1 << 30 })), data);
    writeFileSync(join(dir, 'a.txt'), data.subarray(0, 100_000));
    writeFileSync(join(dir, 'b.txt'), data.subarray(100_000));
    // Two frames the CLI wrote, one of them streamed from stdin (no declared size).
    const a = execFileSync('zstd', ['-c', '-q', '-19', join(dir, 'a.txt')]);
    const b = execFileSync('zstd', ['-c', '-q', '--no-check'], { input: readFileSync(join(dir, 'b.txt')), maxBuffer: 1 << 30 });
    const both = new Uint8Array(Buffer.concat([a, b]));
    sameBytes(await through(pieces(both, 12, 2000), new il.ZstdDecompressionStream()), data);
    sameBytes(await nodeThrough([both], il.createZstdDecompress()), data);
    tmp.cleanup();
  });

  test('a stream made before a wasm trap fails cleanly after it', { skip: il.backend !== 'wasm' && 'wasm only' }, async () => {
    const s = new il.ZstdDecompressionStream();
    throwsCode(() => il.__panicForTest(), 'ERR_INTERNAL');
    await rejectsWith(through([il.compress('x')], s), 'ERR_INTERNAL', /lost when ironlung's wasm module trapped/);
    assert.deepEqual(await through([il.compress('x')], new il.ZstdDecompressionStream()), enc.encode('x'));
  });

  test("a stream's end after a wasm trap frees nothing in the fresh instance", { skip: il.backend !== 'wasm' && 'wasm only' }, async () => {
    const lost = /lost when ironlung's wasm module trapped/;
    const transforms = [il.createZstdCompress(), il.createZstdDecompress()];
    const whatwg = new il.ZstdCompressionStream();
    const w = whatwg.writable.getWriter();
    await w.write('before the trap');
    throwsCode(() => il.__panicForTest(), 'ERR_INTERNAL');
    // Freeing its object would free a pointer of the trapped instance in the fresh one: a
    // trap there (a RuntimeError with no code), or a corrupt heap.
    for (const t of transforms) {
      const failed = new Promise((resolve) => t.on('error', resolve));
      t.end(il.compress('after the trap'));
      const e = await failed;
      assert.equal(e.code, 'ERR_INTERNAL', e.message);
      assert.match(e.message, lost);
    }
    await rejectsWith(w.close(), 'ERR_INTERNAL', lost);
    assert.deepEqual(il.decompress(await through(['fresh'], new il.ZstdCompressionStream())), enc.encode('fresh'));
  });
});
