// The session log's lifecycle and concurrency on the backend under test: what an entries()
// iteration sees of the calls around it, and of close().
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { il, tempDir, rejectsCode } from './helpers.mjs';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());
let n = 0;
const fresh = () => tmp.path(`life-${n++}.ilog`);

/** `n` records of 64 KiB, stored raw below: a log of them spans many 1 MiB read windows. */
const big = (n) => Array.from({ length: n }, (_, i) => new Uint8Array(64 << 10).fill(i + 1));

describe('entries() and the calls around it', () => {
  test('an iteration reads what the calls made before it wrote, and nothing appended during it', async () => {
    for (const durability of ['sync', 'flush', 'none']) {
      for (const recs of [big(40), ['a', 'b', 'c']]) {
        const path = fresh();
        const w = await il.openLog(path, { durability, compression: false });
        const r = await il.openLog(path, { readOnly: true });
        await w.appendBatch(recs.slice(0, -1));
        // Not awaited: a call made before the iteration's first step is in it, and has
        // resolved by the time its record is read.
        let resolved = 0;
        const last = w.append(recs.at(-1)).then((seq) => (resolved = seq));
        for (const [log, who] of [[w, 'writer'], [r, 'reader']]) {
          const before = log === w ? recs.length : (await w.stats()).lastSeq;
          const seen = [];
          const during = [];
          for await (const e of log.entries()) {
            if (log === w) assert.ok(resolved >= e.seq, `${durability}: seq ${e.seq} read before its append resolved`);
            seen.push(e.seq);
            // Awaited, and not: neither is in the iteration under way.
            if (seen.length === 2) await w.append('during');
            if (seen.length === 3) during.push(w.append('during'));
          }
          await Promise.all(during);
          assert.deepEqual(seen, Array.from({ length: before }, (_, i) => i + 1), `${who} ${durability} ${recs.length}`);
        }
        await last;
        // The next iteration reads them.
        for (const log of [w, r]) assert.equal((await all(log)).length, recs.length + 4);
        await r.close();
        await w.close();
      }
    }
  });

  test("an iteration's next step after close() began rejects with ERR_LOG_CLOSED", async () => {
    const path = fresh();
    const w = await il.openLog(path, { durability: 'none', compression: false });
    await w.appendBatch(big(40));
    const r = await il.openLog(path, { readOnly: true });
    for (const log of [w, r]) {
      // Records decoded ahead of the caller are not handed out once the log is closing.
      const it = log.entries();
      assert.equal((await it.next()).value.seq, 1);
      const untouched = log.entries();
      const closing = log.close();
      await rejectsCode(() => it.next(), 'ERR_LOG_CLOSED', [path]);
      await rejectsCode(() => untouched.next(), 'ERR_LOG_CLOSED', [path]);
      assert.deepEqual(await it.next(), { done: true, value: undefined });
      await closing;
    }
  });
});

async function all(log, range) {
  const out = [];
  for await (const e of log.entries(range)) out.push(e);
  return out;
}
