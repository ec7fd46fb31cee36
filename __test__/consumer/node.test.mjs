// The installed package under Node: native by default on linux-x64, wasm when forced or
// when the platform package is absent; ESM, CommonJS, the browser entry and the bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as il from 'ironlung';
import { TEXTS, ENCODINGS } from './expected.mjs';

const require = createRequire(import.meta.url);
const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);
const wantBackend = process.env.IRONLUNG_CONSUMER_BACKEND;

test(`backend is ${wantBackend}`, () => {
  assert.equal(il.backend, wantBackend);
  assert.equal(require('ironlung').backend, wantBackend);
  assert.equal(require('ironlung'), il.default, 'one instance for require and import');
});

// The CommonJS entry require()s the package's ES modules: every Node in package.json's engines
// does so without a flag, and Node releases that still called it experimental warned on stderr.
test('require and import load the package and print nothing on stderr', () => {
  for (const args of [
    ['-e', "process.stdout.write(require('ironlung').backend)"],
    ['--input-type=module', '-e', "process.stdout.write((await import('ironlung')).backend)"],
  ]) {
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: process.env });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', args.join(' '));
    assert.equal(r.stdout, wantBackend, args.join(' '));
  }
});

test('token ids match tiktoken', () => {
  for (const name of ENCODINGS) {
    const enc = il.getEncoding(name);
    TEXTS.forEach((t, i) => {
      assert.deepEqual(Array.from(enc.encode(t)), expected[name][i]);
      assert.equal(enc.count(t), expected[name][i].length);
    });
  }
});

test('zstd, files and errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlung-consumer-'));
  writeFileSync(join(dir, 'a.txt'), 'consumer file 😀');
  assert.equal(await il.readTextFile(join(dir, 'a.txt')), 'consumer file 😀');
  const packed = await il.compressAsync('round trip '.repeat(100), { level: -3 });
  assert.equal(new TextDecoder().decode(await il.decompressAsync(packed)), 'round trip '.repeat(100));
  await assert.rejects(il.readTextFile(join(dir, 'missing')), { code: 'ENOENT' });
  assert.throws(() => il.decompress(new Uint8Array([1, 2, 3])), { code: 'ERR_CORRUPT_DATA' });
});

test('the browser entry (a runtime that sets the browser condition)', () => {
  const out = execFileSync(process.execPath, ['--conditions=browser', 'web-entry.mjs'], { encoding: 'utf8', env: process.env });
  assert.equal(out.trim(), 'web entry ok');
});

test('the bin runs from node_modules/.bin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlung-consumer-'));
  writeFileSync(join(dir, 'b.txt'), TEXTS[0]);
  const out = execFileSync(join(process.cwd(), 'node_modules', '.bin', 'ironlung'), ['count', '--json', '--encoding', 'cl100k_base', dir], { encoding: 'utf8' });
  const report = JSON.parse(out);
  assert.equal(report.total.tokens, expected.cl100k_base[0].length);
  assert.deepEqual(report.files.map((f) => f.tokens), [expected.cl100k_base[0].length]);
});

test('the installed packages carry no install scripts', () => {
  for (const name of ['ironlung', '@ironlung/linux-x64-gnu']) {
    let manifest;
    try {
      manifest = require(`${name}/package.json`);
    } catch {
      continue;
    }
    const scripts = manifest.scripts || {};
    for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(scripts[hook], undefined, `${name} ${hook}`);
  }
});

// node:zlib has zstd from Node 22.15 and 23.8; where it has, each side reads the other's
// streams through node:stream pipelines. (node:zlib decodes only the first of several frames,
// so ours go to it one frame at a time.)
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';

/** Equal bytes, without assert's diff of megabytes (which takes gigabytes). */
function sameBytes(actual, expected, what) {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  assert.ok(a.equals(expected), `${what}: ${a.length} bytes, expected ${expected.length}`);
}

test('zstd streams interoperate with node:zlib', { skip: !zlib.createZstdCompress && `node:zlib of Node ${process.version} has no zstd` }, async () => {
  const data = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `{"seq":${i},"tool":"grep","out":"${i % 97}"}\n`).join(''));
  const run = async (input, ...transforms) => {
    const parts = [];
    await pipeline(Readable.from([input.subarray(0, 70_000), input.subarray(70_000)]), ...transforms, new Writable({ write: (c, _e, cb) => (parts.push(c), cb()) }));
    return Buffer.concat(parts);
  };
  const ours = await run(data, il.createZstdCompress({ level: 7 }));
  sameBytes(await run(ours, zlib.createZstdDecompress()), data, 'node:zlib stream-decodes ours');
  sameBytes(zlib.zstdDecompressSync(ours), data, 'node:zlib decodes ours in one call');
  const theirs = await run(data, zlib.createZstdCompress());
  sameBytes(await run(theirs, il.createZstdDecompress()), data, 'we stream-decode theirs');
  const twoFrames = Buffer.concat([theirs, zlib.zstdCompressSync(data)]);
  sameBytes(await run(twoFrames, il.createZstdDecompress()), Buffer.concat([data, data]), 'we decode both of their frames');
  const web = new Blob([theirs]).stream().pipeThrough(new il.ZstdDecompressionStream());
  sameBytes(new Uint8Array(await new Response(web).arrayBuffer()), data, 'ZstdDecompressionStream decodes theirs');
});

// node:zlib takes a zstd `dictionary` from Node 22.19 and 24.6; an older one ignores it.
const zlibDictionaries = (() => {
  if (!zlib.zstdCompressSync) return false;
  const samples = Array.from({ length: 400 }, (_, i) => `{"type":"tool_call","id":"call_${i}","tool":"${['grep', 'read_file', 'run'][i % 3]}","args":{"path":"src/m${i % 41}.rs"}}`);
  const dict = il.trainDictionary(samples, { maxBytes: 4096 });
  const id = new il.ZstdDictionary(dict).id;
  try {
    return il.frameInfo(zlib.zstdCompressSync(Buffer.from(samples[0]), { dictionary: dict })).dictionaryId === id && { samples, dict, id };
  } catch {
    return false;
  }
})();

test('zstd dictionaries interoperate with node:zlib, one-shot and streamed', { skip: !zlibDictionaries && `node:zlib of Node ${process.version} takes no zstd dictionary` }, async () => {
  const { samples, dict, id } = /** @type {Exclude<typeof zlibDictionaries, false>} */ (zlibDictionaries);
  const prepared = new il.ZstdDictionary(dict, { level: 5 });
  for (const rec of samples.slice(0, 50).map((r) => Buffer.from(r))) {
    const ours = il.compress(rec, { dictionary: prepared });
    assert.equal(il.frameInfo(ours).dictionaryId, id);
    sameBytes(zlib.zstdDecompressSync(ours, { dictionary: dict }), rec, 'node:zlib decodes our record');
    sameBytes(il.decompress(zlib.zstdCompressSync(rec, { dictionary: dict }), { dictionary: prepared }), rec, 'we decode its record');
  }
  const all = Buffer.from(samples.join('\n'));
  const run = async (input, ...transforms) => {
    const parts = [];
    await pipeline(Readable.from([input.subarray(0, 5000), input.subarray(5000)]), ...transforms, new Writable({ write: (c, _e, cb) => (parts.push(c), cb()) }));
    return Buffer.concat(parts);
  };
  sameBytes(await run(all, il.createZstdCompress({ dictionary: prepared }), zlib.createZstdDecompress({ dictionary: dict })), all, 'our stream, its decoder');
  sameBytes(await run(all, zlib.createZstdCompress({ dictionary: dict }), il.createZstdDecompress({ dictionary: dict })), all, 'its stream, our decoder');
  // Without the dictionary, ours names it.
  await assert.rejects(run(zlib.zstdCompressSync(all, { dictionary: dict }), il.createZstdDecompress()), (e) => e.code === 'ERR_DICTIONARY_MISMATCH' && e.message.includes(String(id)));
});

test("the session log: events, checkpoint, compaction, repack, lock, torn tail, 'sync' in syscalls, 10 kills", async () => {
  const { logScenario } = await import('./log-scenario.mjs');
  const r = await logScenario(il.default, { kills: 10, command: (script, ...args) => [process.execPath, script, ...args] });
  assert.equal(r.kills, 10);
});
