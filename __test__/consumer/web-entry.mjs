// Run with `node --conditions=browser`: the browser entry, as a runtime that sets `browser`
// sees it. Node's fetch takes no file: URLs, so its default loads fail, as a page's would
// where the files were never served: the errors must say what was tried and how to fix it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as il from 'ironlung';
import { TEXTS } from './expected.mjs';

const require = createRequire(import.meta.url);
const expected = JSON.parse(process.env.IRONLUNG_EXPECTED);
const asset = (f) => readFileSync(require.resolve(`ironlung/assets/${f}`));

assert.equal(il.backend, 'wasm');
assert.throws(() => il.decodeText(new Uint8Array(1)), { code: 'ERR_NOT_INITIALIZED', message: /await loadEncoding\(name\)/ });
assert.throws(() => il.compress('x'), { code: 'ERR_NOT_INITIALIZED', message: /await loadZstd\(\)/ });

// The default module URL is the package's own file; fetching it fails here.
const e = await il.init().then(() => null, (err) => err);
assert.equal(e?.code, 'ERR_ASSET_UNAVAILABLE', String(e));
assert.match(e.message, /file:\/\/\/.*\/node_modules\/ironlung\/assets\/ironlung-web\.wasm/);
assert.match(e.message, /Bundlers and frameworks/);

// Bytes that are no wasm module (0.1: a raw CompileError); init() can be retried after.
await assert.rejects(il.init(new Uint8Array([1, 2, 3])), { code: 'ERR_CORRUPT_DATA', message: /not ironlung's wasm module/ });
// zstd's module is not the one init() takes, nor the web module the one loadZstd() takes.
await assert.rejects(il.init(asset('ironlung-zstd.wasm')), { code: 'ERR_CORRUPT_DATA', message: /ironlung's zstd module/ });
await assert.rejects(il.loadZstd(asset('ironlung-web.wasm')), { code: 'ERR_CORRUPT_DATA', message: /not ironlung's zstd module/ });
await assert.rejects(il.loadZstd(asset('ironlung.wasm')), { code: 'ERR_CORRUPT_DATA', message: /whole module .* give it to init\(\)/ });
await assert.rejects(il.loadZstd(/** @type {any} */ (5)), { code: 'ERR_INVALID_ARG', message: /loadZstd\(\) takes/ });

// A precompiled module, then rank data handed over as bytes, by encoding or model name.
await il.init(new WebAssembly.Module(asset('ironlung-web.wasm')));
assert.throws(() => il.getEncoding('o200k_base'), { code: 'ERR_NOT_INITIALIZED', message: /loadEncoding\('o200k_base'\)/ });
const enc = await il.loadEncoding('gpt-4o', asset('o200k_base.wasm'));
assert.equal(enc.name, 'o200k_base');
assert.equal(enc.count(TEXTS[0]), expected.o200k_base[0].length);
await assert.rejects(il.loadEncoding('cl100k_base', new Uint8Array(10)), { code: 'ERR_CORRUPT_DATA' });
// The rank file compiled, as edge bundlers hand it over; a module of another kind is named.
assert.equal((await il.loadEncoding('p50k_base', new WebAssembly.Module(asset('p50k_base.wasm')))).name, 'p50k_base');
await assert.rejects(il.loadEncoding('r50k_base', new WebAssembly.Module(asset('ironlung.wasm'))), {
  code: 'ERR_CORRUPT_DATA',
  message: /custom section named ironlung\.ranks/,
});
await assert.rejects(il.loadEncoding('r50k_base', asset('ironlung.wasm')), { code: 'ERR_CORRUPT_DATA', message: /r50k_base .* not one holding a rank table/ });
const r = await il.loadEncoding('cl100k_base').then(() => null, (err) => err);
assert.equal(r?.code, 'ERR_ASSET_UNAVAILABLE', String(r));
assert.match(r.message, /assets\/cl100k_base\.wasm/);
await assert.rejects(il.loadEncoding('no-such-model'), { code: 'ERR_UNKNOWN_ENCODING' });
assert.throws(() => il.readTextFileSync('/etc/hostname'), { code: 'ERR_UNSUPPORTED_RUNTIME' });
// The browser entry has no file system: the session log says so, by its code.
await assert.rejects(il.openLog('/tmp/web.ilog'), { code: 'ERR_UNSUPPORTED_RUNTIME', message: /openLog needs a file system/ });
// The web module alone has no zstd: the synchronous calls say how to load it; the
// asynchronous ones load it from its default URL, which fails here as the module's did.
assert.throws(() => il.compress('x'), { code: 'ERR_NOT_INITIALIZED', message: /await loadZstd\(\)/ });
assert.throws(() => new il.ZstdCompressionStream(), { code: 'ERR_NOT_INITIALIZED' });
const z = await il.compressAsync('x').then(() => null, (err) => err);
assert.equal(z?.code, 'ERR_ASSET_UNAVAILABLE', String(z));
assert.match(z.message, /file:\/\/\/.*\/node_modules\/ironlung\/assets\/ironlung-zstd\.wasm/);
// Handed over, and retried after the failure.
await il.loadZstd(asset('ironlung-zstd.wasm'));
await il.loadZstd();
assert.equal(new TextDecoder().decode(il.decompress(il.compress('round trip'))), 'round trip');
assert.equal(new TextDecoder().decode(await il.decompressAsync(await il.compressAsync('async'))), 'async');
const d = new il.ZstdDictionary(il.trainDictionary(Array.from({ length: 300 }, (_, i) => `{"tool":"grep","n":${i % 40}}`), { maxBytes: 1024 }));
assert.equal(il.frameInfo(il.compress('{"tool":"grep"}', { dictionary: d })).dictionaryId, d.id);
assert.equal(enc.count(TEXTS[0]), expected.o200k_base[0].length);
console.log('web entry ok');
