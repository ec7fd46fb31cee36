// Error messages name the value at fault as a reader would: NaN, Infinity, undefined and
// bigints by name, never "number null" or "undefined undefined", and always as an
// IronlungError with ERR_INVALID_ARG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { il } from './helpers.mjs';

const enc = il.getEncoding('cl100k_base');
const cases = [
  [() => enc.truncate('text', NaN), /maxTokens must be a non-negative integer or Infinity, got number NaN$/],
  [() => enc.truncate('text', -Infinity), /got number -Infinity$/],
  [() => enc.isWithinLimit('text', 1.5), /got number 1\.5$/],
  [() => il.compress('x', { level: 1n }), /got bigint 1n$/],
  [() => il.compress('x', { level: Infinity }), /got number Infinity$/],
  [() => il.decompress('x'), /got a string$/],
  [() => enc.chunk('x', { maxTokens: 5, boundary: undefined, overlap: 'a' }), /got string "a"$/],
  [() => enc.encode(undefined), /got undefined$/],
  [() => enc.count(Object.create(null)), /got an object$/],
  [() => enc.count(() => 1), /got a function$/],
];

test(`bad arguments are named plainly (${il.backend})`, () => {
  for (const [f, message] of cases) {
    assert.throws(f, (e) => {
      assert.ok(e instanceof il.IronlungError, `${f}: ${e}`);
      assert.equal(e.code, 'ERR_INVALID_ARG');
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /undefined undefined|number null/);
      return true;
    });
  }
});
