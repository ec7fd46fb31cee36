// The session log against a model of it: random sequences of appends, batches, checkpoints,
// compactions, repacks, reopens with another durability, and readers, each step checked
// against a plain Map of what the log should hold. The other log tests take one behaviour
// at a time; this one looks for what breaks when they meet (a dictionary trained between a
// compaction and a reopen, a repack of a log some of whose records a checkpoint covers, a
// range read across a packed frame, a log reopened at another level or with no dictionary).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { il, noise, rng, tempDir } from './helpers.mjs';

const tmp = tempDir();
process.on('exit', () => tmp.cleanup());

const SEEDS = [1, 2, 3, 4, 5, 6];
const STEPS = 500;
const DURABILITIES = ['sync', 'flush', 'none'];

/** Options for an open: a durability, and now and then another compression or no dictionary. */
function openOptions(r) {
  const compression = [3, 3, 3, 1, 9, false][r.below(6)];
  return { durability: DURABILITIES[r.below(3)], compression, dictionary: r.below(5) === 0 ? false : 'auto' };
}

const WORDS = ['read_file', 'src/main.ts', 'ok', 'error: not found', 'µs', '日本語', 'λ x', '{"nested":true}', 'line\nbreak'];

/** A record of a random kind and size: text, a JSON value or bytes, now and then 100-300 KB. */
function record(r, i) {
  const big = r.below(40) === 0;
  const words = Array.from({ length: big ? 0 : r.below(120) }, () => WORDS[r.below(WORDS.length)]).join(' ');
  switch (r.below(3)) {
    case 0:
      return big ? Buffer.from(noise(100_000 + r.below(200_000), i + 1)).toString('base64') : `${i}: ${words}`;
    case 1:
      return { i, tool: WORDS[r.below(3)], args: { n: r.below(1000), flag: r.below(2) === 0 }, out: words, list: [1, 'two', null] };
    default:
      return big ? noise(100_000 + r.below(200_000), i + 7) : new TextEncoder().encode(`${i}|${words}`);
  }
}

/** What the log should hold. */
class Model {
  records = new Map();
  first = 1;
  last = 0;
  /** @type {{ seq: number, state: unknown, meta: unknown, made: [number, number] } | null} made: the clock before and after */
  checkpoint = null;
  add(v) {
    this.records.set(++this.last, v);
    return this.last;
  }
  /** compact(): drops what the checkpoint covers; returns how many records went. */
  compact() {
    if (!this.checkpoint || this.checkpoint.seq < this.first) return 0;
    const dropped = this.checkpoint.seq - this.first + 1;
    for (let s = this.first; s <= this.checkpoint.seq; s++) this.records.delete(s);
    this.first = this.checkpoint.seq + 1;
    return dropped;
  }
  /** @param {number} from @param {number} to */
  range(from, to) {
    const out = [];
    for (let s = Math.max(from, this.first); s < Math.min(to, this.last + 1); s++) out.push([s, this.records.get(s)]);
    return out;
  }
}

/** `data` as compared: bytes as a Buffer, so deepEqual looks at their contents. */
const comparable = (data) => (data instanceof Uint8Array ? Buffer.from(data) : data);

/**
 * @param {any} log
 * @param {Model} m
 * @param {number} from
 * @param {number} to
 * @param {string} at
 */
async function checkRange(log, m, from, to, at) {
  const got = [];
  for await (const e of log.entries({ from, to })) got.push([e.seq, comparable(e.data)]);
  const want = m.range(from, to).map(([s, v]) => [s, comparable(v)]);
  assert.equal(got.length, want.length, `${at}: entries({ from: ${from}, to: ${to} }) gave ${got.length} records, the model ${want.length}`);
  for (let k = 0; k < got.length; k++) assert.deepEqual(got[k], want[k], `${at}: record ${want[k][0]}`);
}

/** @param {any} log @param {Model} m @param {string} at */
async function checkStats(log, m, at) {
  const s = await log.stats();
  assert.equal(s.records, m.last - m.first + 1, `${at}: stats().records`);
  assert.equal(s.lastSeq, m.last, `${at}: stats().lastSeq`);
  if (s.records > 0) assert.equal(s.firstSeq, m.first, `${at}: stats().firstSeq`);
  const cp = await log.lastCheckpoint();
  if (m.checkpoint === null) assert.equal(cp, null, `${at}: lastCheckpoint()`);
  else {
    const { time, ...rest } = cp;
    const { made, ...want } = m.checkpoint;
    assert.deepEqual({ ...rest, state: comparable(rest.state) }, { ...want, state: comparable(want.state) }, `${at}: lastCheckpoint()`);
    assert.ok(time >= made[0] && time <= made[1], `${at}: lastCheckpoint().time ${time} is not when it was made (${made})`);
  }
}

for (const seed of SEEDS) {
  test(`seed ${seed}: ${STEPS} random calls, reopens and readers agree with the model`, { timeout: 600_000 }, async () => {
    const r = rng(seed * 104_729);
    const path = tmp.path(`model-${seed}.ilog`);
    const m = new Model();
    const counts = { append: 0, batch: 0, checkpoint: 0, compact: 0, repack: 0, reopen: 0, reader: 0, range: 0 };
    let options = openOptions(r);
    let log = await il.openLog(path, options);
    try {
      for (let step = 0; step < STEPS; step++) {
        const at = `seed ${seed}, step ${step} (${JSON.stringify(options)})`;
        const k = r.below(100);
        if (k < 45) {
          const v = record(r, m.last + 1);
          assert.equal(await log.append(v), m.add(v), `${at}: append's seq`);
          counts.append++;
        } else if (k < 60) {
          const vs = Array.from({ length: 1 + r.below(30) }, (_, j) => record(r, m.last + 1 + j));
          const seqs = await log.appendBatch(vs);
          assert.deepEqual(seqs, vs.map((v) => m.add(v)), `${at}: appendBatch's seqs`);
          counts.batch++;
        } else if (k < 68) {
          const state = r.below(4) === 0 ? noise(r.below(300_000), step + 3) : { step, summary: WORDS.slice(0, r.below(WORDS.length)) };
          const meta = r.below(2) === 0 ? { step } : undefined;
          const before = Date.now();
          const seq = await log.checkpoint(state, meta === undefined ? undefined : { meta });
          assert.equal(seq, m.last, `${at}: the checkpoint covers up to the last record`);
          m.checkpoint = { seq, state, meta, made: [before, Date.now()] };
          counts.checkpoint++;
        } else if (k < 73) {
          const repack = r.below(2) === 0;
          const result = await log.compact(repack ? { repack: true } : undefined);
          assert.equal(result.droppedRecords, m.compact(), `${at}: compact(${repack ? '{ repack: true }' : ''}).droppedRecords`);
          counts[repack ? 'repack' : 'compact']++;
        } else if (k < 80) {
          await log.close();
          options = openOptions(r);
          log = await il.openLog(path, options);
          assert.equal(log.recovered, null, `${at}: a clean close leaves nothing to recover`);
          counts.reopen++;
        } else if (k < 85) {
          await log.sync();
          const reader = await il.openLog(path, { readOnly: true });
          try {
            await checkRange(reader, m, 0, Infinity, `${at}, a reader`);
            await checkStats(reader, m, `${at}, a reader`);
          } finally {
            await reader.close();
          }
          counts.reader++;
        } else {
          const from = Math.max(0, m.first - 2 + r.below(m.last - m.first + 5));
          const to = r.below(4) === 0 ? Infinity : from + r.below(60);
          await checkRange(log, m, from, to, at);
          counts.range++;
        }
        if (step % 20 === 19) await checkStats(log, m, at);
      }
      await checkRange(log, m, 0, Infinity, `seed ${seed}, the end`);
      await checkStats(log, m, `seed ${seed}, the end`);
      assert.equal((await log.verify()).ok, true);
      console.log(`# log model (${il.backend}), seed ${seed}: ${JSON.stringify({ ...counts, records: m.last - m.first + 1, dictionary: (await log.stats()).dictionaryId !== null })}`);
      for (const [what, n] of Object.entries(counts)) assert.ok(n > 0, `seed ${seed} made no ${what}: ${JSON.stringify(counts)}`);
    } finally {
      await log.close();
    }
  });
}
