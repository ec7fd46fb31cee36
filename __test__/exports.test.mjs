// The public names are listed once (js/names.mjs): every entry exports exactly them, and
// index.d.ts declares exactly them, so the types cannot drift from the runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PUBLIC_NAMES } from '../js/names.mjs';
import * as esm from '../js/node.mjs';

const sorted = (names) => [...names].sort();

test('index.d.ts declares exactly the listed names', () => {
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
  const declared = [...dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual(sorted(new Set(declared)), sorted(PUBLIC_NAMES));
});

test('the ES module entry exports exactly the listed names, from the CommonJS instance', () => {
  assert.deepEqual(sorted(Object.keys(esm).filter((k) => k !== 'default')), sorted(PUBLIC_NAMES));
  const cjs = createRequire(import.meta.url)('../js/node.bundle.cjs');
  assert.equal(esm.default, cjs);
  for (const name of PUBLIC_NAMES) assert.equal(esm[name], cjs[name], name);
});

test('the wasm entries export exactly the listed names', async () => {
  const pub = await import('../js/public.mjs');
  assert.deepEqual(sorted(Object.keys(pub).filter((k) => k !== 'default')), sorted(PUBLIC_NAMES));
  for (const name of PUBLIC_NAMES) assert.equal(pub[name], pub.default[name], name);
});

test("js/coreglue.mjs passes on all of the wasm glue but the session log's", async () => {
  const glue = await import('../js/gen/wasm.mjs');
  const core = await import('../js/coreglue.mjs');
  // The log's glue comes in through useLog (js/deno-wasm.mjs) or js/node.cjs; `start` is
  // wasm-bindgen's own, which its init calls.
  const logOnly = ['LogCodec', 'LogPacker', 'LogScanner', 'LogSeek', 'logHeader', 'trainLogDictionary', 'start'];
  assert.deepEqual(sorted(Object.keys(core)), sorted(Object.keys(glue).filter((k) => !logOnly.includes(k))));
  for (const name of Object.keys(core)) assert.equal(core[name], glue[name], name);
});

test('IronlungError: instanceof holds across the bundled entry and the ES modules, and for nothing else', async () => {
  const { IronlungError: fromModules } = await import('../js/errors.mjs');
  const cjs = createRequire(import.meta.url)('../js/node.bundle.cjs');
  assert.notEqual(fromModules, cjs.IronlungError, 'the bundle has its own copy of the class');
  assert.ok(new fromModules('ERR_INVALID_ARG', 'x') instanceof cjs.IronlungError);
  assert.ok(new cjs.IronlungError('ERR_INVALID_ARG', 'x') instanceof fromModules);
  assert.ok(new cjs.IronlungError('ERR_INVALID_ARG', 'x') instanceof Error);
  const lookalike = Object.assign(new Error('ERR_INVALID_ARG: x'), { name: 'IronlungError', code: 'ERR_INVALID_ARG' });
  assert.ok(!(lookalike instanceof cjs.IronlungError));
  assert.ok(!(null instanceof cjs.IronlungError) && !('ERR_INVALID_ARG' instanceof cjs.IronlungError));
});
