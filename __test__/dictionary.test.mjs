// zstd dictionaries and frame info: training, prepared and raw dictionaries, mismatches,
// frameInfo, interop with the zstd command line (Debian's zstd package), and the same bytes
// from both backends.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, rng, tempDir, throwsCode, rejectsCode } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const enc = new TextEncoder();
const dec = new TextDecoder();

const TOOLS = ['read_file', 'run_shell', 'search_code', 'write_file', 'list_dir', 'fetch_url'];
const WORDS = ['config', 'handler', 'parser', 'client', 'server', 'utils', 'index', 'router', 'cache', 'schema', 'worker', 'auth'];
const STATUS = ['ok', 'ok', 'ok', 'error', 'timeout'];

/**
 * JSON records of an agent's log: tool calls and their outputs, with the keys, tool names
 * and shapes repeating and the ids, paths, numbers and text varying, as they do.
 */
function agentRecords(n, seed) {
  const r = rng(seed);
  const pick = (list) => list[r.below(list.length)];
  const path = () => `src/${pick(WORDS)}/${pick(WORDS)}_${r.below(90)}.${pick(['ts', 'rs', 'py', 'json'])}`;
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = `call_${r.next().toString(36).slice(0, 10)}`;
    const tool = pick(TOOLS);
    if (i % 2 === 0) {
      const args =
        tool === 'run_shell'
          ? { command: `${pick(['npm test', 'cargo build', 'ls -la', 'git status', 'pytest -q'])} ${pick(WORDS)}`, timeout_ms: 1000 * r.below(120) }
          : tool === 'fetch_url'
            ? { url: `https://example.com/${pick(WORDS)}/${r.below(1000)}`, max_bytes: 65536 }
            : { path: path(), offset: r.below(400), limit: 50 * (1 + r.below(8)) };
      out.push(JSON.stringify({ type: 'tool_call', id, session: `sess_${seed}`, turn: i >> 1, name: tool, arguments: args }));
    } else {
      const lines = Array.from({ length: 1 + r.below(4) }, () => `${path()}:${r.below(900)}: ${pick(WORDS)} ${pick(WORDS)} updated`);
      out.push(
        JSON.stringify({
          type: 'tool_result',
          call_id: id,
          status: pick(STATUS),
          duration_ms: r.below(5000),
          output: { lines: lines.length, text: lines.join('\n'), truncated: r.below(10) === 0 },
        }),
      );
    }
  }
  return out;
}

const samples = agentRecords(3000, 11);
const heldOut = agentRecords(200, 99);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function sh(cmd, cwd) {
  const r = spawnSync('bash', ['-c', cmd], { cwd, encoding: 'buffer', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe(`zstd dictionaries (${il.backend})`, () => {
  const dictBytes = il.trainDictionary(samples, { maxBytes: 16384 });
  const dictionary = new il.ZstdDictionary(dictBytes);

  test('trainDictionary writes a standard zstd dictionary, the same for the same samples', () => {
    assert.ok(dictBytes instanceof Uint8Array);
    assert.ok(dictBytes.length > 256 && dictBytes.length <= 16384, `${dictBytes.length}`);
    assert.deepEqual([...dictBytes.subarray(0, 4)], [0x37, 0xa4, 0x30, 0xec], 'the zstd dictionary magic');
    assert.equal(sha256(il.trainDictionary(samples, { maxBytes: 16384 })), sha256(dictBytes), 'deterministic');
    // Strings train as their UTF-8 bytes.
    const asBytes = il.trainDictionary(samples.map((s) => enc.encode(s)), { maxBytes: 16384 });
    assert.equal(sha256(asBytes), sha256(dictBytes));
    assert.ok(il.trainDictionary(samples).length > 16384, 'the default maxBytes is 112640, larger than 16384');
    assert.ok(il.trainDictionary(samples).length <= 112640);
  });

  test('a ZstdDictionary knows its id, level and size, and is frozen', () => {
    const id = new DataView(dictBytes.buffer, dictBytes.byteOffset).getUint32(4, true);
    assert.equal(dictionary.id, id);
    assert.equal(dictionary.level, 3);
    assert.equal(dictionary.size, dictBytes.length);
    assert.ok(Object.isFrozen(dictionary));
    const at19 = new il.ZstdDictionary(dictBytes, { level: 19 });
    assert.equal(at19.level, 19);
    const raw = new il.ZstdDictionary(enc.encode('any bytes serve as raw content'));
    assert.equal(raw.id, 0);
  });

  test('held-out small records compress at least 2x better with the dictionary', (t) => {
    let raw = 0;
    let plain = 0;
    let withDict = 0;
    for (const record of heldOut) {
      const bytes = enc.encode(record);
      raw += bytes.length;
      plain += il.compress(bytes).length;
      const packed = il.compress(bytes, { dictionary });
      withDict += packed.length;
      assert.equal(dec.decode(il.decompress(packed, { dictionary })), record);
    }
    const ratio = (n) => (raw / n).toFixed(2);
    t.diagnostic(`${heldOut.length} records, ${raw} bytes: ratio ${ratio(plain)} without, ${ratio(withDict)} with the dictionary`);
    assert.ok(plain >= 2 * withDict, `ratio ${ratio(plain)} without, ${ratio(withDict)} with the dictionary`);
  });

  test('round trips with a dictionary: prepared or raw, sync or async, strings and bytes', async () => {
    const long = heldOut.join('\n');
    for (const input of ['', heldOut[0], long, enc.encode(heldOut[1])]) {
      const want = typeof input === 'string' ? enc.encode(input) : input;
      for (const d of [dictionary, dictBytes]) {
        assert.deepEqual(il.decompress(il.compress(input, { dictionary: d }), { dictionary: d }), want);
        const packed = await il.compressAsync(input, { dictionary: d });
        assert.deepEqual(packed, il.compress(input, { dictionary: d }));
        assert.deepEqual(await il.decompressAsync(packed, { dictionary: d }), want);
      }
    }
    // A frame without a dictionary decodes the same with one given.
    const plain = il.compress(heldOut[2]);
    assert.equal(dec.decode(il.decompress(plain, { dictionary })), heldOut[2]);
    // maxOutputBytes still caps the output.
    const packed = il.compress(heldOut[3], { dictionary });
    throwsCode(() => il.decompress(packed, { dictionary, maxOutputBytes: 10 }), 'ERR_OUTPUT_TOO_LARGE', ['maxOutputBytes 10']);
    // Raw content dictionaries work too (frames cannot name them).
    const rawDict = enc.encode(samples.slice(0, 50).join(''));
    const rawPacked = il.compress(heldOut[4], { dictionary: rawDict });
    assert.equal(dec.decode(il.decompress(rawPacked, { dictionary: rawDict })), heldOut[4]);
    assert.equal(il.frameInfo(rawPacked).dictionaryId, null);
  });

  test('a raw Uint8Array and a ZstdDictionary give identical frames, at every level', () => {
    for (const level of [undefined, 1, 3, 9, 19, -5]) {
      const prepared = new il.ZstdDictionary(dictBytes, level === undefined ? undefined : { level });
      for (const record of heldOut.slice(0, 20)) {
        const a = il.compress(record, { dictionary: prepared });
        const b = il.compress(record, { dictionary: dictBytes, level });
        assert.deepEqual(a, b, `level ${level}`);
        // Given explicitly, the dictionary's own level is accepted.
        assert.deepEqual(il.compress(record, { dictionary: prepared, level: prepared.level }), a);
      }
    }
    // An ArrayBuffer or another view of the same bytes is the same dictionary.
    const copy = dictBytes.slice();
    assert.deepEqual(il.compress(heldOut[0], { dictionary: copy.buffer }), il.compress(heldOut[0], { dictionary }));
  });

  test('a level other than a ZstdDictionary\'s own is ERR_INVALID_ARG naming both', async () => {
    const err = throwsCode(() => il.compress(heldOut[0], { dictionary, level: 19 }), 'ERR_INVALID_ARG', [
      'level 19',
      'prepared at level 3',
      'fixed when it is prepared',
    ]);
    assert.equal(err.message, "level 19 was given with a ZstdDictionary prepared at level 3: a ZstdDictionary's level is fixed when it is prepared; leave level out, or prepare one with { level: 19 }");
    await rejectsCode(() => il.compressAsync(heldOut[0], { dictionary, level: 1 }), 'ERR_INVALID_ARG', ['level 1', 'level 3']);
  });

  test('a ZstdDictionary made from a Buffer is the same after a wasm trap, whatever the Buffer holds since', { skip: il.backend !== 'wasm' && 'wasm only' }, () => {
    // A Buffer, whose slice() is a view of the same memory, not a copy.
    const bytes = Buffer.from(dictBytes);
    const d = new il.ZstdDictionary(bytes);
    const packed = il.compress(heldOut[0], { dictionary: d });
    bytes.fill(0);
    throwsCode(() => il.__panicForTest(), 'ERR_INTERNAL');
    // Prepared again in the fresh instance, from the bytes it was made from.
    assert.equal(il.decompress(packed, { dictionary: d }).length, enc.encode(heldOut[0]).length);
  });

  test('a frame decoded with no dictionary or another is ERR_DICTIONARY_MISMATCH with both ids', async () => {
    const packed = il.compress(heldOut[0], { dictionary });
    const none = throwsCode(() => il.decompress(packed), 'ERR_DICTIONARY_MISMATCH', [String(dictionary.id), 'no dictionary was given']);
    assert.equal(
      none.message,
      `the zstd frame at byte offset 0 was compressed with dictionary ${dictionary.id}, but no dictionary was given; pass that dictionary to decompress it`,
    );
    const other = new il.ZstdDictionary(il.trainDictionary(agentRecords(1000, 5), { maxBytes: 4096 }));
    assert.notEqual(other.id, dictionary.id);
    for (const d of [other, il.trainDictionary(agentRecords(1000, 5), { maxBytes: 4096 })]) {
      throwsCode(() => il.decompress(packed, { dictionary: d }), 'ERR_DICTIONARY_MISMATCH', [
        `compressed with dictionary ${dictionary.id}`,
        `dictionary ${other.id} was given`,
      ]);
      await rejectsCode(() => il.decompressAsync(packed, { dictionary: d }), 'ERR_DICTIONARY_MISMATCH', [String(dictionary.id), String(other.id)]);
    }
    await rejectsCode(() => il.decompressAsync(packed), 'ERR_DICTIONARY_MISMATCH', [String(dictionary.id)]);
    // The second frame of a sequence: the offset says which.
    const two = new Uint8Array([...il.compress('first'), ...packed]);
    throwsCode(() => il.decompress(two), 'ERR_DICTIONARY_MISMATCH', [`byte offset ${two.length - packed.length}`]);
  });

  test('bad arguments are ERR_INVALID_ARG naming the value', () => {
    throwsCode(() => il.trainDictionary('not an array'), 'ERR_INVALID_ARG', ['samples', 'string "not an array"']);
    throwsCode(() => il.trainDictionary(samples, { maxBytes: 100 }), 'ERR_INVALID_ARG', ['maxBytes 100', '256']);
    throwsCode(() => il.trainDictionary(samples, { maxBytes: -1 }), 'ERR_INVALID_ARG', ['maxBytes', '-1']);
    throwsCode(() => il.trainDictionary(samples, { maxBytes: 1.5 }), 'ERR_INVALID_ARG', ['maxBytes', '1.5']);
    throwsCode(() => il.trainDictionary(samples, { maxBytes: Infinity }), 'ERR_INVALID_ARG', ['maxBytes', 'Infinity']);
    throwsCode(() => il.trainDictionary(samples, 5), 'ERR_INVALID_ARG', ['trainDictionary options', 'number 5']);
    throwsCode(() => il.trainDictionary(['a', 'b', 42]), 'ERR_INVALID_ARG', ['samples[2]', 'number 42']);
    throwsCode(() => il.trainDictionary(samples.slice(0, 3)), 'ERR_INVALID_ARG', ['3 samples', 'at least 7']);
    throwsCode(() => il.trainDictionary(Array(10).fill('a')), 'ERR_INVALID_ARG', ['10 samples', 'too little data']);
    throwsCode(() => new il.ZstdDictionary(new Uint8Array(0)), 'ERR_INVALID_ARG', ['dictionary is empty']);
    throwsCode(() => new il.ZstdDictionary('a string'), 'ERR_INVALID_ARG', ['bytes', 'a string']);
    throwsCode(() => new il.ZstdDictionary(dictBytes, { level: 23 }), 'ERR_INVALID_ARG', ['level 23']);
    throwsCode(() => new il.ZstdDictionary(dictBytes, { level: '3' }), 'ERR_INVALID_ARG', ['level', '"3"']);
    throwsCode(() => il.compress('x', { dictionary: 'dict' }), 'ERR_INVALID_ARG', ['dictionary', 'Uint8Array or a ZstdDictionary', 'string "dict"']);
    throwsCode(() => il.decompress(il.compress('x'), { dictionary: 7 }), 'ERR_INVALID_ARG', ['dictionary', 'number 7']);
    throwsCode(() => il.compress('x', { dictionary: new Uint8Array(0) }), 'ERR_INVALID_ARG', ['dictionary is empty']);
    throwsCode(() => il.compress('x', { dictionary: dictBytes, level: 99 }), 'ERR_INVALID_ARG', ['level 99']);
    // The zstd dictionary magic and an id, then tables that are not tables.
    const bad = new Uint8Array([0x37, 0xa4, 0x30, 0xec, 77, 0, 0, 0, ...new Uint8Array(64).fill(0xff)]);
    throwsCode(() => new il.ZstdDictionary(bad), 'ERR_CORRUPT_DATA', ['id 77']);
    throwsCode(() => il.compress('x', { dictionary: bad }), 'ERR_CORRUPT_DATA', ['id 77']);
  });

});

describe(`a ZstdDictionary needs no free (${il.backend})`, () => {
  const fixture = join(root, '__test__', 'fixtures', 'dictionary-gc.mjs');
  const run = (...args) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', fixture, ...args], { encoding: 'utf8', env: process.env }));

  test('dictionaries no longer referenced are freed: RSS stays flat, where keeping them grows it', (t) => {
    const leak = run('keep', '8');
    const freed = run('free', '16');
    t.diagnostic(`kept: ${leak.early.toFixed(0)} -> ${leak.end.toFixed(0)} MiB; dropped: ${freed.early.toFixed(0)} -> ${freed.end.toFixed(0)} MiB`);
    assert.equal(freed.backend, il.backend);
    assert.ok(leak.end - leak.early > 100, `keeping 200 more dictionaries grew RSS by only ${(leak.end - leak.early).toFixed(0)} MiB: the measure sees no leak`);
    assert.ok(freed.end - freed.early < 30, `RSS grew from ${freed.early.toFixed(0)} to ${freed.end.toFixed(0)} MiB over 600 more dropped dictionaries`);
  });

  test('with the event loop turning, dropped dictionaries are freed without a hand-run GC', (t) => {
    const out = run('yield', '30');
    t.diagnostic(`1500 dictionaries, one per turn of the event loop: ${out.early.toFixed(0)} -> ${out.end.toFixed(0)} MiB`);
    assert.ok(out.end - out.early < 100, `RSS grew from ${out.early.toFixed(0)} to ${out.end.toFixed(0)} MiB over 1300 dropped dictionaries`);
  });

  test('after a trap, dictionaries from before work on, and those collected do not free into the fresh instance', () => {
    assert.deepEqual(run('trap'), { backend: il.backend, code: 'ERR_INTERNAL', same: 4, doomed: null });
  });
});

describe(`frameInfo (${il.backend})`, () => {
  const dictionary = new il.ZstdDictionary(il.trainDictionary(samples, { maxBytes: 8192 }));

  test('one-shot frames declare their size and checksum', () => {
    const text = 'frame info is read without decoding; '.repeat(100);
    assert.deepEqual(il.frameInfo(il.compress(text)), {
      contentSize: text.length,
      windowSize: text.length,
      dictionaryId: null,
      hasChecksum: true,
      frames: 1,
    });
    assert.deepEqual(il.frameInfo(il.compress('')), { contentSize: 0, windowSize: 0, dictionaryId: null, hasChecksum: true, frames: 1 });
  });

  test('dictionary frames name the dictionary', () => {
    const packed = il.compress(heldOut[0], { dictionary });
    const info = il.frameInfo(packed);
    assert.equal(info.dictionaryId, dictionary.id);
    assert.equal(info.contentSize, enc.encode(heldOut[0]).length);
    assert.equal(info.frames, 1);
    // frameInfo needs no dictionary to read which one a frame needs.
    assert.equal(il.frameInfo(new Uint8Array([...il.compress('plain'), ...packed])).dictionaryId, dictionary.id);
  });

  test('a window over 1 GiB is reported by frameInfo, and refused by decompress', () => {
    // zstd --long=31's header: window 2^31, no size; one raw block of one byte.
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x09, 0x00, 0x00, 0x78]);
    assert.deepEqual(il.frameInfo(frame), { contentSize: null, windowSize: 2 ** 31, dictionaryId: null, hasChecksum: false, frames: 1 });
    assert.equal(il.frameInfo(new Uint8Array([...frame, ...frame])).frames, 2);
    throwsCode(() => il.frameInfo(frame.subarray(0, 8)), 'ERR_CORRUPT_DATA', ['zstd data is truncated or corrupt']);
    throwsCode(() => il.decompress(frame), 'ERR_CORRUPT_DATA', ['a decoding window of 2147483648 bytes, larger than 1073741824 bytes']);
  });

  test('multi-frame and skippable sequences are summed', () => {
    const a = il.compress('first frame');
    const b = il.compress('second, longer frame');
    const skippable = new Uint8Array([0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const all = new Uint8Array([...a, ...skippable, ...b]);
    assert.deepEqual(il.frameInfo(all), { contentSize: 31, windowSize: 20, dictionaryId: null, hasChecksum: true, frames: 3 });
    assert.deepEqual(il.frameInfo(skippable), { contentSize: 0, windowSize: 0, dictionaryId: null, hasChecksum: false, frames: 1 });
    assert.equal(dec.decode(il.decompress(all)), 'first framesecond, longer frame');
  });

  test('corrupt, truncated and empty input is ERR_CORRUPT_DATA with the offset', () => {
    const a = il.compress('a frame');
    throwsCode(() => il.frameInfo(new Uint8Array(0)), 'ERR_CORRUPT_DATA', ['empty']);
    throwsCode(() => il.frameInfo(enc.encode('not zstd at all')), 'ERR_CORRUPT_DATA', ['not zstd data']);
    throwsCode(() => il.frameInfo(a.subarray(0, a.length - 1)), 'ERR_CORRUPT_DATA', ['truncated']);
    throwsCode(() => il.frameInfo(new Uint8Array([...a, 1, 2, 3, 4])), 'ERR_CORRUPT_DATA', [
      `4 bytes of trailing garbage`,
      `byte offset ${a.length}`,
    ]);
    throwsCode(() => il.frameInfo('a string'), 'ERR_INVALID_ARG', ['data', 'a string']);
  });
});

describe(`dictionaries and the zstd command line (${il.backend})`, () => {
  const t = tempDir();
  before(() => {
    assert.equal(sh('command -v zstd').status, 0, 'these tests need the zstd command line (Debian package zstd) on PATH');
    mkdirSync(t.path('samples'));
    samples.slice(0, 1500).forEach((s, i) => writeFileSync(t.path(`samples/${String(i).padStart(4, '0')}.json`), s));
  });
  after(() => t.cleanup());

  test('zstd -D decodes ironlung\'s frames with ironlung\'s dictionary, and the other way round', () => {
    const dict = il.trainDictionary(samples, { maxBytes: 16384 });
    const dictionary = new il.ZstdDictionary(dict);
    writeFileSync(t.path('ours.dict'), dict);
    const record = heldOut.slice(0, 30).join('\n');
    writeFileSync(t.path('record.json'), record);
    writeFileSync(t.path('ours.zst'), il.compress(record, { dictionary }));
    const theirsDecode = sh('zstd -q -d -D ours.dict -c ours.zst', t.dir);
    assert.equal(theirsDecode.status, 0, theirsDecode.stderr);
    assert.equal(theirsDecode.stdout.toString(), record);
    // Without the dictionary, zstd refuses the frame too.
    assert.notEqual(sh('zstd -q -d -c ours.zst', t.dir).status, 0);

    const theirsEncode = sh('zstd -q -D ours.dict -c record.json', t.dir);
    assert.equal(theirsEncode.status, 0, theirsEncode.stderr);
    const frame = new Uint8Array(theirsEncode.stdout);
    assert.equal(il.frameInfo(frame).dictionaryId, dictionary.id);
    assert.equal(dec.decode(il.decompress(frame, { dictionary })), record);
    assert.equal(dec.decode(il.decompress(frame, { dictionary: dict })), record);
    throwsCode(() => il.decompress(frame), 'ERR_DICTIONARY_MISMATCH', [String(dictionary.id)]);
  });

  test('a dictionary zstd --train writes works in ironlung', () => {
    const r = sh('zstd -q --train samples/* --maxdict=16384 -o theirs.dict', t.dir);
    assert.equal(r.status, 0, r.stderr);
    const theirs = new Uint8Array(readFileSync(t.path('theirs.dict')));
    const dictionary = new il.ZstdDictionary(theirs);
    assert.ok(dictionary.id !== 0 && dictionary.size === theirs.length);
    const record = heldOut[7];
    const packed = il.compress(record, { dictionary });
    assert.equal(il.frameInfo(packed).dictionaryId, dictionary.id);
    assert.ok(packed.length * 2 <= il.compress(record).length, `${packed.length} vs ${il.compress(record).length}`);
    assert.equal(dec.decode(il.decompress(packed, { dictionary })), record);
    writeFileSync(t.path('with-theirs.zst'), packed);
    const back = sh('zstd -q -d -D theirs.dict -c with-theirs.zst', t.dir);
    assert.equal(back.status, 0, back.stderr);
    assert.equal(back.stdout.toString(), record);
  });
});

describe(`a ZstdDictionary belongs to its instance (${il.backend})`, () => {
  test('another instance (the wasm entry) refuses it by name, and takes its bytes', async () => {
    const web = await import('../js/public.mjs');
    await web.init(readFileSync(join(root, 'assets', 'ironlung.wasm')));
    const dict = il.trainDictionary(samples, { maxBytes: 8192 });
    const ours = new il.ZstdDictionary(dict);
    throwsCode(() => web.compress(heldOut[0], { dictionary: ours }), 'ERR_INVALID_ARG', ['a ZstdDictionary of another ironlung instance', 'pass the bytes']);
    const theirs = new web.ZstdDictionary(dict);
    assert.deepEqual(web.compress(heldOut[0], { dictionary: theirs }), il.compress(heldOut[0], { dictionary: ours }));
    assert.deepEqual(web.compress(heldOut[0], { dictionary: dict }), il.compress(heldOut[0], { dictionary: ours }));
  });
});

describe(`dictionaries give the same bytes on both backends (${il.backend})`, () => {
  // What each backend makes of the same samples and records, as digests.
  const SCRIPT = `
    const il = require('./js/node.bundle.cjs');
    const { createHash } = require('node:crypto');
    const [samples, records] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const dict = il.trainDictionary(samples, { maxBytes: 16384 });
    const dictionary = new il.ZstdDictionary(dict, { level: 7 });
    const h = createHash('sha256').update(dict);
    for (const r of records) h.update(il.compress(r, { dictionary })).update(il.compress(r, { dictionary: dict, level: -3 }));
    process.stdout.write(JSON.stringify({ backend: il.backend, digest: h.digest('hex') }));
  `;

  function digestOn(backend) {
    const r = spawnSync(process.execPath, ['-e', SCRIPT], {
      cwd: root,
      env: { ...process.env, IRONLUNG_BACKEND: backend },
      input: JSON.stringify([samples, heldOut]),
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  test('trainDictionary and compress with a dictionary agree byte for byte with the other backend', () => {
    const other = il.backend === 'native' ? 'wasm' : 'native';
    const theirs = digestOn(other);
    assert.equal(theirs.backend, other);
    const dict = il.trainDictionary(samples, { maxBytes: 16384 });
    const dictionary = new il.ZstdDictionary(dict, { level: 7 });
    const h = createHash('sha256').update(dict);
    for (const r of heldOut) h.update(il.compress(r, { dictionary })).update(il.compress(r, { dictionary: dict, level: -3 }));
    assert.equal(h.digest('hex'), theirs.digest);
  });
});
