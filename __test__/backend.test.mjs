// Backend selection, module formats, and panic containment.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, tempDir, throwsCode } from './helpers.mjs';
import * as esm from '../js/node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function node(args, env = {}, cwd = root) {
  const r = spawnSync(process.execPath, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe(`backend (${il.backend})`, () => {
  test('IRONLUNG_BACKEND picks the backend under test', () => {
    const want = process.env.IRONLUNG_BACKEND;
    assert.ok(want === 'native' || want === 'wasm', 'the suite runs with IRONLUNG_BACKEND set');
    assert.equal(il.backend, want);
  });

  test('ESM and CommonJS entries share one instance', () => {
    assert.equal(esm.backend, il.backend);
    assert.equal(esm.getEncoding('cl100k_base'), il.getEncoding('cl100k_base'));
    assert.equal(esm.default, il);
    assert.equal(esm.IronlungError, il.IronlungError);
    for (const name of ['getEncoding', 'encodingForModel', 'listEncodings', 'compress', 'decompress', 'compressAsync',
      'decompressAsync', 'readTextFile', 'readTextFileSync', 'decodeText', 'isBinary', 'init']) {
      assert.equal(typeof esm[name], 'function', name);
    }
  });

  test('init() is a no-op under Node', async () => {
    await il.init();
    assert.equal(il.getEncoding('o200k_base').count('still works'), 2);
  });

  test('init() refuses what is not a module on every backend, initialised or not', async () => {
    for (const bad of [5, null, {}, true]) {
      await assert.rejects(il.init(/** @type {any} */ (bad)), (e) => {
        assert.equal(e.code, 'ERR_INVALID_ARG');
        assert.match(e.message, /^init\(\) takes ironlung's wasm module: .*; got /);
        return true;
      });
    }
    const r = node(['--input-type=module', '-e', `
      const il = await import('./js/web.mjs');
      const codes = [];
      await il.init(5).catch((e) => codes.push(e.code));
      await il.init(new Uint8Array((await import('node:fs')).readFileSync('assets/ironlung.wasm')));
      await il.init({}).catch((e) => codes.push(e.code));
      console.log(JSON.stringify(codes));`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['ERR_INVALID_ARG', 'ERR_INVALID_ARG']);
  });

  test("the web entry: init() with a module that is not ironlung's is refused, and a later init works", () => {
    // The wasm-bindgen glue keeps the first module it instantiates; a wrong one must never
    // reach it. Run in a process of its own, as a page would load the entry.
    const script = `
      import { readFileSync } from 'node:fs';
      const il = await import('./js/web.mjs');
      const codes = [];
      // No filesystem on the web entry: unsupported, before init as after it.
      try { il.readTextFileSync('package.json'); } catch (e) { codes.push(e.code); }
      await il.readForContext('package.json').catch((e) => codes.push(e.code));
      for (const bad of [readFileSync('assets/cl100k_base.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), new Uint8Array([1, 2, 3])]) {
        await il.init(bad).then(() => codes.push('resolved'), (e) => codes.push(e.code));
      }
      await il.init(readFileSync('assets/ironlung.wasm'));
      console.log(JSON.stringify({ codes, round: new TextDecoder().decode(il.decompress(il.compress('after'))) }));`;
    const r = node(['--input-type=module', '-e', script]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { codes: ['ERR_UNSUPPORTED_RUNTIME', 'ERR_UNSUPPORTED_RUNTIME', 'ERR_CORRUPT_DATA', 'ERR_CORRUPT_DATA', 'ERR_CORRUPT_DATA'], round: 'after' });
  });

  test('the web entry: zstd is a module of its own, loaded on first use or handed over', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      const il = await import('./js/web.mjs');
      const out = {};
      const code = (f) => { try { f(); return 'no error'; } catch (e) { return e.code; } };
      await il.init(readFileSync('assets/ironlung-web.wasm'));
      await il.loadEncoding('cl100k_base', readFileSync('assets/cl100k_base.wasm'));
      out.count = il.getEncoding('cl100k_base').count('hello world');
      out.before = [code(() => il.compress('x')), code(() => il.frameInfo(new Uint8Array(8))), code(() => new il.ZstdDecompressionStream())];
      // Concurrent loads share one; the bytes of another module are refused first.
      out.wrong = await il.loadZstd(readFileSync('assets/ironlung-web.wasm')).then(() => 'resolved', (e) => e.code);
      const zstd = readFileSync('assets/ironlung-zstd.wasm');
      await Promise.all([il.loadZstd(zstd), il.loadZstd(zstd), il.loadZstd()]);
      out.round = new TextDecoder().decode(il.decompress(il.compress('after', { level: 19 })));
      out.after = il.getEncoding('cl100k_base').count('hello world');
      // A trap in zstd's instance replaces that instance alone: a dictionary prepared before
      // it works after, a stream made before it fails as lost, the tokenizer is untouched.
      const dict = new il.ZstdDictionary(il.trainDictionary(Array.from({ length: 300 }, (_, i) => '{"tool":"grep","n":' + (i % 40) + '}'), { maxBytes: 1024 }));
      const stream = new il.ZstdCompressionStream();
      const writer = stream.writable.getWriter();
      out.trap = code(() => il.__panicForTest('zstd'));
      const frame = il.compress('{"tool":"grep"}', { dictionary: dict });
      out.dictAfterTrap = new TextDecoder().decode(il.decompress(frame, { dictionary: dict }));
      out.streamAfterTrap = await writer.write(new Uint8Array(4)).then(() => 'written', (e) => e.code);
      out.countAfterTrap = il.getEncoding('cl100k_base').count('hello world');
      console.log(JSON.stringify(out));`;
    const r = node(['--input-type=module', '-e', script]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      count: 2,
      before: ['ERR_NOT_INITIALIZED', 'ERR_NOT_INITIALIZED', 'ERR_NOT_INITIALIZED'],
      wrong: 'ERR_CORRUPT_DATA',
      round: 'after',
      after: 2,
      trap: 'ERR_INTERNAL',
      dictAfterTrap: '{"tool":"grep"}',
      streamAfterTrap: 'ERR_INTERNAL',
      countAfterTrap: 2,
    });
  });

  test('loadZstd() resolves where zstd needs no loading, and refuses what is not a module', async () => {
    await il.loadZstd();
    await il.loadZstd(new Uint8Array(4));
    for (const bad of [5, null, {}]) {
      await assert.rejects(il.loadZstd(/** @type {any} */ (bad)), { code: 'ERR_INVALID_ARG', message: /^loadZstd\(\) takes ironlung's zstd module/ });
    }
  });

  test('without IRONLUNG_BACKEND, Node on linux-x64 gets the native addon', () => {
    const env = { ...process.env };
    delete env.IRONLUNG_BACKEND;
    const r = spawnSync(process.execPath, ['-p', "require('./js/node.bundle.cjs').backend"], { cwd: root, env, encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'native', r.stderr);
  });

  test('a bad IRONLUNG_BACKEND value is a clear error', () => {
    const r = node(['-e', "require('./js/node.bundle.cjs')"], { IRONLUNG_BACKEND: 'fast' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ERR_INVALID_ARG|IRONLUNG_BACKEND must be 'native' or 'wasm', got "fast"/);
  });

  test('where no addon exists: falls back to wasm, and a forced native says what was tried', () => {
    // A copy of the package without npm/<triple>: what a user on an unsupported platform has.
    const t = tempDir();
    try {
      const pkg = join(t.dir, 'ironlung');
      mkdirSync(pkg);
      cpSync(join(root, 'js'), join(pkg, 'js'), { recursive: true });
      cpSync(join(root, 'assets'), join(pkg, 'assets'), { recursive: true });
      cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
      const fallback = node(['-p', "require('./js/node.bundle.cjs').backend"], { IRONLUNG_BACKEND: '' }, pkg);
      assert.equal(fallback.stdout.trim(), 'wasm', fallback.stderr);
      const forced = node(['-e', "try { require('./js/node.bundle.cjs') } catch (e) { console.log(e.code); console.log(e.message) }"], { IRONLUNG_BACKEND: 'native' }, pkg);
      assert.match(forced.stdout, /^ERR_BACKEND_UNAVAILABLE\n/);
      assert.match(forced.stdout, /@ironlung\/linux-x64-gnu/);
      assert.match(forced.stdout, /ironlung\.linux-x64-gnu\.node/);
    } finally {
      t.cleanup();
    }
  });
});

describe(`panics (${il.backend})`, () => {
  test('a Rust panic is ERR_INTERNAL, and the process and the module carry on', () => {
    const enc = il.getEncoding('cl100k_base');
    const before = enc.encode('before the panic');
    const e = throwsCode(() => il.__panicForTest(), 'ERR_INTERNAL', ['deliberate test panic']);
    assert.match(e.message, /panick?ed/);
    assert.deepEqual(enc.encode('before the panic'), before);
  });

  test('hundreds of panics do not leave the module broken, slow or leaking', () => {
    const enc = il.getEncoding('o200k_base');
    for (let i = 0; i < 300; i++) {
      try {
        il.__panicForTest();
      } catch (e) {
        assert.equal(e.code, 'ERR_INTERNAL');
      }
    }
    const text = 'x'.repeat(200_000);
    assert.equal(enc.decode(enc.encode(text)), text);
    assert.deepEqual(il.decompress(il.compress(text)), new TextEncoder().encode(text));
  });

  // 0.1 kept the trapped instance: its memory stayed at 4 GiB (so a 1 MiB compress failed
  // after), its input buffer stayed borrowed (so every long count failed with "RefCell
  // already borrowed"), and the last panic's message was reported for the out-of-memory trap.
  test('a real out-of-memory trap is ERR_OUT_OF_MEMORY, and a fresh instance answers after it', { skip: il.backend !== 'wasm' && 'wasm32 only: its memory ends at 4 GiB' }, () => {
    const o200k = il.getEncoding('o200k_base');
    const cl100k = il.getEncoding('cl100k_base');
    const long = 'the quick brown fox jumps over the lazy dog; '.repeat(400); // the input-buffer path
    const before = [o200k.count(long), Array.from(cl100k.encode('before the trap'))];
    throwsCode(() => il.__panicForTest(), 'ERR_INTERNAL', ['deliberate test panic']);
    const e = throwsCode(() => il.__oomForTest(), 'ERR_OUT_OF_MEMORY', ['268435456 bytes failed', 'at most 4 GiB', 'fresh instance']);
    assert.doesNotMatch(e.message, /deliberate test panic/, 'the message of an earlier panic is reported again');
    assert.deepEqual([o200k.count(long), Array.from(cl100k.encode('before the trap'))], before);
    // The trapped instance's 4 GiB are gone: 64 MiB in and out again fits.
    const big = new Uint8Array(64 << 20).fill(7);
    assert.deepEqual(il.decompress(il.compress(big), { maxOutputBytes: big.length }), big);
    // Another trap right after works the same way.
    throwsCode(() => il.__oomForTest(), 'ERR_OUT_OF_MEMORY', ['268435456 bytes failed']);
    assert.equal(o200k.count(long), before[0]);
  });

  test('__oomForTest is refused on the native backend', { skip: il.backend !== 'native' && 'native only' }, () => {
    throwsCode(() => il.__oomForTest(), 'ERR_UNSUPPORTED_RUNTIME', ['wasm memory']);
  });
});
