// zstd: round trips, levels, caps and corrupt input, on the backend under test.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { il, rng, throwsCode, rejectsCode } from './helpers.mjs';

const enc = new TextEncoder();
const dec = new TextDecoder();

function randomBytes(n, seed) {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.below(256);
  return out;
}

describe(`compress (${il.backend})`, () => {
  test('round trips strings and bytes of every shape', () => {
    const inputs = [
      '',
      'hello',
      'héllo 😀 中文 '.repeat(1000),
      new Uint8Array(0),
      randomBytes(100_000, 7),
      new Uint8Array(1 << 20), // a MiB of zeros
    ];
    for (const input of inputs) {
      const packed = il.compress(input);
      assert.ok(packed instanceof Uint8Array);
      const bytes = typeof input === 'string' ? enc.encode(input) : input;
      assert.deepEqual(il.decompress(packed), bytes);
    }
    // Other views of memory are accepted.
    const buf = new Uint16Array([1, 2, 3, 65535]);
    assert.deepEqual(il.decompress(il.compress(buf)), new Uint8Array(buf.buffer));
    assert.deepEqual(il.decompress(il.compress(buf.buffer)), new Uint8Array(buf.buffer));
    assert.deepEqual(il.decompress(il.compress(Buffer.from('buf'))), enc.encode('buf'));
  });

  test('levels: negative, default, maximum; out of range is ERR_INVALID_ARG', () => {
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(2000);
    const sizes = {};
    for (const level of [-131072, -50, -5, -1, 0, 1, 3, 9, 19, 22]) {
      const packed = il.compress(text, { level });
      sizes[level] = packed.length;
      assert.equal(dec.decode(il.decompress(packed)), text, `level ${level}`);
    }
    assert.equal(il.compress(text).length, il.compress(text, { level: 3 }).length, 'default is 3');
    assert.ok(sizes[-50] > sizes[19], 'negative levels trade ratio for speed');
    throwsCode(() => il.compress('x', { level: 23 }), 'ERR_INVALID_ARG', ['23', '-131072', '22']);
    throwsCode(() => il.compress('x', { level: -131073 }), 'ERR_INVALID_ARG', ['-131073']);
    throwsCode(() => il.compress('x', { level: 1.5 }), 'ERR_INVALID_ARG', ['1.5']);
    throwsCode(() => il.compress('x', { level: '3' }), 'ERR_INVALID_ARG', ['"3"']);
    throwsCode(() => il.compress('x', { level: 2 ** 40 }), 'ERR_INVALID_ARG', [String(2 ** 40)]);
    throwsCode(() => il.compress(12345), 'ERR_INVALID_ARG', ['number 12345']);
    throwsCode(() => il.compress(null), 'ERR_INVALID_ARG', ['null']);
  });

  test('maxOutputBytes caps output, checked from the frame header before allocating', () => {
    const packed = il.compress(new Uint8Array(1_000_000));
    assert.equal(il.decompress(packed, { maxOutputBytes: 1_000_000 }).length, 1_000_000);
    throwsCode(() => il.decompress(packed, { maxOutputBytes: 999_999 }), 'ERR_OUTPUT_TOO_LARGE', ['1000000', '999999']);
    throwsCode(() => il.decompress(packed, { maxOutputBytes: 0 }), 'ERR_OUTPUT_TOO_LARGE', ['maxOutputBytes 0']);
    throwsCode(() => il.decompress(packed, { maxOutputBytes: -1 }), 'ERR_INVALID_ARG', ['maxOutputBytes', '-1']);
    // A frame that declares 4 GiB is refused at once (header only, no payload needed).
    // 64 MiB of zeros packs into a few KiB; the cap refuses it from the header.
    const bomb = il.compress(new Uint8Array(64 << 20));
    assert.ok(bomb.length < 64 * 1024);
    throwsCode(() => il.decompress(bomb, { maxOutputBytes: 1 << 20 }), 'ERR_OUTPUT_TOO_LARGE', ['67108864', 'maxOutputBytes 1048576']);
    // A header that declares 4 GiB in a 16-byte frame is refused as corrupt before any allocation.
    const lie = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 1, 0, 0, 0, 0x01, 0, 0]);
    throwsCode(() => il.decompress(lie, { maxOutputBytes: Number.MAX_SAFE_INTEGER }), 'ERR_CORRUPT_DATA', ['4294967296']);
    assert.equal(il.DEFAULT_MAX_OUTPUT_BYTES, 256 * 1024 * 1024);
  });

  test('corrupt, truncated and empty inputs are ERR_CORRUPT_DATA', () => {
    const packed = il.compress('some text that compresses '.repeat(50));
    for (let cut = 0; cut < packed.length; cut += Math.max(1, Math.floor(packed.length / 17))) {
      throwsCode(() => il.decompress(packed.subarray(0, cut)), 'ERR_CORRUPT_DATA');
    }
    throwsCode(() => il.decompress(packed.subarray(0, packed.length - 1)), 'ERR_CORRUPT_DATA');
    throwsCode(() => il.decompress(new Uint8Array(0)), 'ERR_CORRUPT_DATA', ['empty']);
    throwsCode(() => il.decompress(enc.encode('definitely not zstd')), 'ERR_CORRUPT_DATA');
    const trailing = new Uint8Array([...packed, 1, 2, 3]);
    throwsCode(() => il.decompress(trailing), 'ERR_CORRUPT_DATA');
    const flipped = packed.slice();
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    assert.throws(() => il.decompress(flipped), (e) => e.code === 'ERR_CORRUPT_DATA' || e.code === 'ERR_OUTPUT_TOO_LARGE');
    throwsCode(() => il.decompress('a string'), 'ERR_INVALID_ARG', ['string']);
  });

  test('frames that declare no content are decoded and checked all the same', () => {
    const empty = il.compress(new Uint8Array(0));
    assert.equal(il.decompress(empty).length, 0);
    assert.equal(il.decompress(new Uint8Array([...empty, ...empty])).length, 0);
    const badSum = empty.slice();
    badSum[badSum.length - 1] ^= 1;
    throwsCode(() => il.decompress(badSum), 'ERR_CORRUPT_DATA', ['checksum']);
    // Declares 0 bytes; its one block is an RLE block of 0 bytes, which zstd calls corrupt.
    const rle = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00, 0x05, 0x00, 0x00, 0x99, 0xe9, 0xd8, 0x51]);
    throwsCode(() => il.decompress(rle), 'ERR_CORRUPT_DATA', ['block']);
  });

  // 0.1's wasm build had no zstd error strings ("Error strings stripped") and a different
  // window limit than native; the messages are ironlung's own now, the same on both backends.
  test("zstd errors read the same on both backends, in ironlung's words", () => {
    const packed = il.compress('hello hello hello hello');
    const flipped = packed.slice();
    flipped[flipped.length - 1] ^= 1;
    const cases = [
      [packed.subarray(0, packed.length - 2), 'zstd data is truncated or corrupt: the data ends inside a frame (frame at byte offset 0)'],
      [flipped, 'zstd data is truncated or corrupt: the content checksum does not match (frame at byte offset 0)'],
      // The frame at fault is named when it is not the first.
      [new Uint8Array([...il.compress('first frame'), ...flipped]), `zstd data is truncated or corrupt: the content checksum does not match (frame at byte offset ${il.compress('first frame').length})`],
      [new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0, 0, 0, 0]), 'zstd data is truncated or corrupt: the data ends inside a frame (frame at byte offset 0)'],
    ];
    for (const [bytes, message] of cases) {
      const e = throwsCode(() => il.decompress(bytes), 'ERR_CORRUPT_DATA');
      assert.equal(e.message, message);
      assert.doesNotMatch(e.message, /Error strings stripped/);
    }
    // `printf 'hello stream' | zstd --long=31`: a 2 GiB window, refused alike whatever the cap.
    const window2g = Uint8Array.from(Buffer.from('28b52ffd04a861000068656c6c6f2073747265616d74ad16ad', 'hex'));
    for (const maxOutputBytes of [undefined, 2 ** 32]) {
      throwsCode(() => il.decompress(window2g, { maxOutputBytes }), 'ERR_CORRUPT_DATA', [
        'zstd data needs a decoding window of 2147483648 bytes, larger than 1073741824 bytes, the most ironlung allows on any backend',
      ]);
    }
  });

  test('concatenated frames decompress to the concatenation', () => {
    const a = il.compress('first ');
    const b = il.compress('second');
    assert.equal(dec.decode(il.decompress(new Uint8Array([...a, ...b]))), 'first second');
  });

  test('async twins give the same bytes and the same errors', async () => {
    const text = 'async '.repeat(10_000);
    const packed = await il.compressAsync(text, { level: 5 });
    assert.deepEqual(packed, il.compress(text, { level: 5 }));
    assert.equal(dec.decode(await il.decompressAsync(packed)), text);
    await rejectsCode(() => il.decompressAsync(packed, { maxOutputBytes: 10 }), 'ERR_OUTPUT_TOO_LARGE');
    await rejectsCode(() => il.decompressAsync(new Uint8Array([1, 2, 3])), 'ERR_CORRUPT_DATA');
    await rejectsCode(() => il.compressAsync('x', { level: 99 }), 'ERR_INVALID_ARG', ['99']);
    // Many concurrent jobs settle independently.
    const many = await Promise.all(Array.from({ length: 32 }, (_, i) => il.compressAsync(`job ${i} `.repeat(100))));
    many.forEach((p, i) => assert.equal(dec.decode(il.decompress(p)), `job ${i} `.repeat(100)));
  });

  test('on the native backend the async twins leave the JS thread free', { skip: il.backend !== 'native' }, async () => {
    // Not a timing test: while a large job is in flight, the event loop must get to run
    // other callbacks before the job settles, which cannot happen if it ran on this thread.
    const big = new Uint8Array(32 << 20).map((_, i) => (i * 2654435761) >>> 24);
    /** `job()`'s value, and how often the event loop turned while it was in flight. */
    const turnsDuring = async (job) => {
      let turns = 0;
      let settled = false;
      const spin = () => {
        if (!settled) {
          turns++;
          setImmediate(spin);
        }
      };
      setImmediate(spin);
      const value = await job();
      settled = true;
      return [value, turns];
    };
    // Without a dictionary, with one prepared, and with a dictionary's bytes.
    const samples = Array.from({ length: 400 }, (_, i) => `{"tool":"grep","args":{"path":"src/m${i % 37}.rs","line":${i}}}`);
    const bytes = il.trainDictionary(samples, { maxBytes: 4096 });
    const prepared = new il.ZstdDictionary(bytes, { level: 9 });
    for (const [what, c, d] of [
      ['no dictionary', { level: 9 }, {}],
      ['a ZstdDictionary', { dictionary: prepared }, { dictionary: prepared }],
      ["a dictionary's bytes", { level: 9, dictionary: bytes }, { dictionary: bytes }],
    ]) {
      const [packed, whileCompressing] = await turnsDuring(() => il.compressAsync(big, c));
      assert.ok(whileCompressing > 0, `the event loop ran while compressAsync (${what}) was in flight`);
      const [back, whileDecompressing] = await turnsDuring(() => il.decompressAsync(packed, d));
      assert.ok(whileDecompressing > 0, `the event loop ran while decompressAsync (${what}) was in flight`);
      assert.ok(Buffer.from(back).equals(Buffer.from(big)), what);
    }
  });

  test('async input buffers may be reused once the call returns', async () => {
    const buf = enc.encode('stable input '.repeat(1000));
    const pending = il.compressAsync(buf);
    buf.fill(0);
    assert.equal(dec.decode(il.decompress(await pending)), 'stable input '.repeat(1000));
  });

  test('on wasm32, output past what one buffer holds names that limit, not a maxOutputBytes never given', { skip: il.backend !== 'wasm' && 'wasm only' }, () => {
    // A frame that declares 5 GiB, and holds it: 40960 RLE blocks of 128 KiB.
    const blocks = 40960;
    const frame = new Uint8Array(14 + blocks * 4);
    frame.set([0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x38]);
    new DataView(frame.buffer).setBigUint64(6, BigInt(blocks * 131072), true);
    for (let i = 0; i < blocks; i++) {
      const header = (131072 << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
      frame.set([header & 0xff, (header >> 8) & 0xff, header >> 16, 0x61], 14 + i * 4);
    }
    for (const maxOutputBytes of [Infinity, 2 ** 40]) {
      const e = throwsCode(() => il.decompress(frame, { maxOutputBytes }), 'ERR_OUTPUT_TOO_LARGE');
      assert.doesNotMatch(e.message, /maxOutputBytes 4294967295/);
      assert.equal(e.message, 'decompressed size 5368709120 bytes is more than one buffer holds on wasm32 (4294967295 bytes); decompress it with a ZstdDecompressionStream');
    }
    // The cap given, when it is the limit, is named as before.
    throwsCode(() => il.decompress(frame, { maxOutputBytes: 2 ** 30 }), 'ERR_OUTPUT_TOO_LARGE', 'exceeds maxOutputBytes 1073741824');
  });
});
