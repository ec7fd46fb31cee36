// Memory stays bounded: 10^6 synchronous calls of each API that returns bytes or token ids
// hold no memory past each call. 0.1's native results were external buffers that Node frees
// only when the event loop turns, so such a loop grew without bound (10^6 encode calls:
// RSS from 60 to 547 MB). The bound asserted is the issue's: within 50 MB of the RSS after
// the first 10^4 calls.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il } from './helpers.mjs';

const loop = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'rss-loop.mjs');

describe(`memory: 10^6 synchronous calls (${il.backend})`, () => {
  for (const api of ['encode', 'decodeBytes', 'countBatch', 'compress + decompress', 'chunk']) {
    test(`${api}: RSS stays within 50 MB of its value after 10^4 calls`, (t) => {
      const out = JSON.parse(execFileSync(process.execPath, [loop, api], { encoding: 'utf8', env: process.env }));
      assert.equal(out.backend, il.backend);
      t.diagnostic(`${api}: ${out.after1e4.toFixed(0)} -> ${out.after1e6.toFixed(0)} MiB in ${out.seconds.toFixed(1)} s`);
      assert.ok(out.after1e6 - out.after1e4 < 50, `RSS grew from ${out.after1e4.toFixed(0)} to ${out.after1e6.toFixed(0)} MiB`);
    });
  }
});
