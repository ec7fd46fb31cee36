// The `ironlung log` commands (cat, verify, stats, compact) on the backend under test, over
// logs that openLog writes here: every record kind printed and round-tripped, --from/--to,
// damage found and listed, counts, compaction and repacking, and the errors of files that
// are not logs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI as bin, il, rng, randomText, runCli, tempDir } from './helpers.mjs';

/** Before any log of this file is written. */
const startedAt = Date.now();

const cli = (args) => runCli(args);

/** stdout's lines, without the final newline's empty one. */
const lines = (stdout) => (stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'));

/**
 * The frames of a log file: [{ at, length, count }]. The layout (crates/core/src/log/layout.rs):
 * a 64-byte file header, then frames of a 76-byte header (record count, a u32 at +24; the
 * stored payload's length, a u32 at +28), the payload and an 8-byte trailer.
 */
function frames(bytes) {
  const out = [];
  for (let at = 64; at < bytes.length; ) {
    const length = 76 + bytes.readUInt32LE(at + 28) + 8;
    out.push({ at, length, count: bytes.readUInt32LE(at + 24), payload: length - 84 });
    at += length;
  }
  return out;
}

/** `log cat`'s escapes undone: \\, \n, \r, \uXXXX. */
const unescapeLine = (line) =>
  line.replace(/\\(\\|n|r|u([0-9a-f]{4}))/g, (_, c, hex) => (hex ? String.fromCharCode(parseInt(hex, 16)) : { '\\': '\\', n: '\n', r: '\r' }[c]));

/** A record as `log cat --json` prints it, turned back into what was appended. */
function fromJsonLine(line) {
  const o = JSON.parse(line);
  assert.deepEqual(Object.keys(o), ['seq', 'time', 'kind', 'data']);
  if (o.kind === 'bytes') {
    assert.deepEqual(Object.keys(o.data), ['$bytes']);
    return { ...o, data: new Uint8Array(Buffer.from(o.data.$bytes, 'base64')) };
  }
  assert.ok(o.kind === 'text' ? typeof o.data === 'string' : o.kind === 'json', `kind ${o.kind} and data ${JSON.stringify(o.data)}`);
  return o;
}

/** Asserts `have` (records read back) is `want` (records appended), bytes for bytes. */
function assertSameRecords(have, want, what) {
  assert.equal(have.length, want.length, `${what}: the number of records`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const h = have[i];
    if (w instanceof Uint8Array) {
      assert.ok(h instanceof Uint8Array, `${what}: record ${i} is bytes`);
      assert.ok(Buffer.from(h).equals(Buffer.from(w)), `${what}: record ${i}'s bytes`);
    } else if (typeof w === 'string') {
      assert.equal(typeof h, 'string', `${what}: record ${i} is text`);
      assert.ok(Buffer.from(h).equals(Buffer.from(w)), `${what}: record ${i}'s UTF-8 bytes`);
    } else {
      assert.deepEqual(h, w, `${what}: record ${i}`);
    }
  }
}

/** Asserts the report of a file that is not a readable log: exit 1, one line with the code once. */
function assertFails(r, file, code, message, what) {
  assert.equal(r.status, 1, `${what}: ${r.stderr}`);
  assert.equal(r.stdout, '', what);
  assert.equal(lines(r.stderr).length, 1, `${what}: one line, got ${JSON.stringify(r.stderr)}`);
  assert.ok(r.stderr.startsWith(`ironlung: ${file}: ${code}: `), `${what}: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, message, what);
  assert.equal(r.stderr.split(code).length, 2, `${what}: the code once`);
}

// Text records and how `log cat` prints them.
const TEXTS = [
  ['plain text', 'plain text'],
  ['two\nlines', 'two\\nlines'],
  ['crlf\r\nend\n', 'crlf\\r\\nend\\n'],
  ['a back\\slash, and \\n written out', 'a back\\\\slash, and \\\\n written out'],
  ['tab\tstays', 'tab\tstays'],
  ['esc \x1b[31m nul \0 del \x7f nel \u0085 us \x1f', 'esc \\u001b[31m nul \\u0000 del \\u007f nel \\u0085 us \\u001f'],
  ['', ''],
  ['héllo 中文 😀 \u2028 \u00a0', 'héllo 中文 😀 \u2028 \u00a0'],
];
// JSON records, printed as compact JSON. The last one looks like a bytes record in --json's
// data, and --json's kind tells them apart.
const JSONS = [
  [{ type: 'tool_call', args: { path: 'src/a.rs', text: 'x\ny' } }, '{"type":"tool_call","args":{"path":"src/a.rs","text":"x\\ny"}}'],
  [[1, null, true, 'q', 2.5], '[1,null,true,"q",2.5]'],
  [42, '42'],
  [null, 'null'],
  [false, 'false'],
  [{ $bytes: 'AAH/' }, '{"$bytes":"AAH/"}'],
];
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
// Bytes records, printed as base64: and their base64.
const BYTES = [
  [new Uint8Array([0, 1, 255]), 'base64:AAH/'],
  [new Uint8Array(0), 'base64:'],
  [ALL_BYTES, `base64:${Buffer.from(ALL_BYTES).toString('base64')}`],
  [new Uint8Array(Buffer.from('text as bytes\n')), 'base64:dGV4dCBhcyBieXRlcwo='],
];

/** The records of the big log: tool calls, with text and bytes among them. */
function bigRecord(i) {
  if (i % 50 === 7) return `note ${i}: the agent read src/mod_${i % 13}.rs\nand went on`;
  if (i % 50 === 23) return Uint8Array.from({ length: 1 + (i % 40) }, (_, k) => (i * 31 + k * 7) & 255);
  return { type: 'tool_call', id: `call_${i}`, name: ['read_file', 'run_shell', 'grep'][i % 3], args: { path: `src/mod_${i % 41}.rs`, limit: 50 * (i % 7) } };
}
const BIG = 3000;

describe(`cli log (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  /** What was appended to kinds.log, in seq order. */
  const kinds = [];
  /** Their lines in `log cat`'s text output. */
  const kindLines = [];
  /** The indexes of text records among them. */
  const textAt = [];
  const big = Array.from({ length: BIG }, (_, i) => bigRecord(i + 1));

  before(async () => {
    // kinds.log: every kind of record, some appended one by one, some in batches, stored raw
    // and compressed, and random text.
    const log = await il.openLog(p('kinds.log'), { durability: 'flush', dictionary: false });
    const r = rng(16);
    for (let i = 0; i < 30; i++) {
      const text = randomText(r, 12);
      textAt.push(kinds.length);
      kinds.push(text);
      kindLines.push(null);
    }
    const groups = [TEXTS, JSONS, BYTES];
    for (let g = 0; g < groups.length; g++) {
      for (const [record, line] of groups[g]) {
        if (g === 0) textAt.push(kinds.length);
        kinds.push(record);
        kindLines.push(line);
      }
    }
    for (let i = 0; i < 30; i++) await log.append(kinds[i]);
    await log.appendBatch(kinds.slice(30, 30 + TEXTS.length));
    for (let i = 30 + TEXTS.length; i < kinds.length; i++) await log.append(kinds[i]);
    await log.close();

    // big.log: 3000 records in batches of 100, enough for 'auto' to train a dictionary.
    const b = await il.openLog(p('big.log'), { durability: 'none' });
    for (let i = 0; i < BIG; i += 100) await b.appendBatch(big.slice(i, i + 100));
    await b.close();

    // compacted.log: a checkpoint covers seqs 1 to 10, which compact() drops; 11 to 15 stay.
    const c = await il.openLog(p('compacted.log'), { durability: 'none' });
    for (let i = 1; i <= 10; i++) await c.append(`old ${i}`);
    await c.checkpoint({ upTo: 10 });
    for (let i = 11; i <= 15; i++) await c.append(`new ${i}`);
    await c.compact();
    await c.close();

    writeFileSync(p('notes.txt'), 'These are notes, not a log.\n'.repeat(10));
    writeFileSync(p('short.log'), Buffer.from('\x89ILOG\r\n', 'latin1'));
    mkdirSync(p('dir.log'));
  });
  after(() => t.cleanup());

  test('cat prints every record on one line: text escaped, JSON compact, bytes as base64:', () => {
    const r = cli(['log', 'cat', p('kinds.log')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = lines(r.stdout);
    assert.equal(got.length, kinds.length, 'one line per record');
    for (let i = 0; i < kinds.length; i++) {
      if (kindLines[i] !== null) assert.equal(got[i], kindLines[i], `record ${i + 1}`);
    }
    // The escapes are reversible: every text record, random ones included, comes back.
    for (const i of textAt) {
      assert.doesNotMatch(got[i], /[\n\r]/);
      assert.equal(unescapeLine(got[i]), kinds[i], `text record ${i + 1}`);
    }
  });

  test('cat --json round-trips every record byte for byte, with its seq, time and kind', () => {
    const r = cli(['log', 'cat', '--json', p('kinds.log')]);
    assert.equal(r.status, 0, r.stderr);
    const entries = lines(r.stdout).map(fromJsonLine);
    assert.deepEqual(entries.map((e) => e.seq), kinds.map((_, i) => i + 1));
    assert.deepEqual(
      entries.map((e) => e.kind),
      kinds.map((k) => (typeof k === 'string' ? 'text' : k instanceof Uint8Array ? 'bytes' : 'json')),
    );
    for (const e of entries) assert.ok(Number.isInteger(e.time) && e.time >= startedAt && e.time <= Date.now(), `time ${e.time}`);
    assertSameRecords(entries.map((e) => e.data), kinds, 'kinds.log');
  });

  test('cat streams a log of 3000 records across its dictionary, in seq order', () => {
    const r = cli(['log', 'cat', '--json', p('big.log')]);
    assert.equal(r.status, 0, r.stderr);
    const entries = lines(r.stdout).map(fromJsonLine);
    assert.deepEqual(entries.map((e) => e.seq), big.map((_, i) => i + 1));
    assertSameRecords(entries.map((e) => e.data), big, 'big.log');
    const plain = cli(['log', 'cat', p('big.log')]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(lines(plain.stdout).length, BIG);
    assert.equal(lines(plain.stdout)[6], 'note 7: the agent read src/mod_7.rs\\nand went on');
  });

  test('cat --from N --to M prints the records with N <= seq < M', () => {
    const seqs = (args) => {
      const r = cli(['log', 'cat', '--json', ...args, p('big.log')]);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      return lines(r.stdout).map((l) => JSON.parse(l).seq);
    };
    const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);
    assert.deepEqual(seqs(['--from', '1500', '--to', '1510']), range(1500, 1510));
    assert.deepEqual(seqs(['--from=2990']), range(2990, BIG + 1));
    assert.deepEqual(seqs(['--to', '4']), [1, 2, 3]);
    assert.deepEqual(seqs(['--from', '0', '--to', '3']), [1, 2]);
    assert.deepEqual(seqs(['--from', '7', '--to', '7']), []);
    assert.deepEqual(seqs(['--from', '9', '--to', '2']), []);
    assert.deepEqual(seqs(['--from', String(BIG + 1)]), []);
    // The text output takes the same range.
    const r = cli(['log', 'cat', '--from', '6', '--to', '9', p('big.log')]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), [JSON.stringify(big[5]), 'note 7: the agent read src/mod_7.rs\\nand went on', JSON.stringify(big[7])]);
    const k = cli(['log', 'cat', '--from', String(kinds.length - 3), p('kinds.log')]);
    assert.deepEqual(lines(k.stdout), kindLines.slice(-4));
  });

  test('cat | head ends quietly, with 0', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${bin}" log cat "${p('big.log')}" | head -2`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), [JSON.stringify(big[0]), JSON.stringify(big[1])]);
  });

  test('the commands read a log its writer holds open, and change nothing', async () => {
    const file = p('live.log');
    const log = await il.openLog(file, { durability: 'flush' });
    try {
      await log.appendBatch(['one', { two: 2 }]);
      const before = readFileSync(file);
      const r = cli(['log', 'cat', file]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'one\n{"two":2}\n');
      assert.equal(cli(['log', 'verify', file]).status, 0);
      assert.match(cli(['log', 'stats', file]).stdout, /^records {8}2$/m);
      assert.ok(readFileSync(file).equals(before), 'the file is unchanged');
      assert.equal(await log.append('three'), 3, 'the writer carries on');
    } finally {
      await log.close();
    }
  });

  test('verify: an intact log is ok, exit 0', () => {
    for (const name of ['kinds.log', 'big.log']) {
      const file = p(name);
      const size = readFileSync(file).length;
      const n = name === 'big.log' ? BIG : kinds.length;
      const r = cli(['log', 'verify', file]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, `${file}: ok: ${n} records intact, ${size} bytes checked\n`);
      const json = cli(['log', 'verify', '--json', file]);
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), { file, ok: true, records: n, bytes: size, damaged: [] });
    }
  });

  test('verify: a flipped byte in the middle of a frame\'s payload is a damaged range, exit 1', () => {
    const bytes = readFileSync(p('big.log'));
    const all = frames(bytes);
    assert.equal(all.reduce((n, f) => n + f.length, 64), bytes.length, 'the frames fill the file');
    // Two record frames in the middle of the log, each damaged in the middle of its payload.
    const hit = [all[5], all[Math.floor(all.length / 2) + 1]];
    const damaged = Buffer.from(bytes);
    for (const f of hit) {
      assert.ok(f.count > 0 && f.payload > 0);
      damaged[f.at + 76 + Math.floor(f.payload / 2)] ^= 0x10;
    }
    const file = p('flipped.log');
    writeFileSync(file, damaged);
    const intact = BIG - hit[0].count - hit[1].count;
    const r = cli(['log', 'verify', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout);
    assert.equal(out[0], `${file}: damaged: ${intact} records intact, ${bytes.length} bytes checked, 2 damaged ranges`);
    assert.equal(out.length, 3);
    for (let i = 0; i < 2; i++) {
      assert.ok(out[i + 1].startsWith(`offset ${hit[i].at}, length ${hit[i].length}: `), out[i + 1]);
      assert.match(out[i + 1], /: .*checksum/);
    }
    const json = JSON.parse(cli(['log', 'verify', '--json', file]).stdout);
    assert.equal(json.ok, false);
    assert.equal(json.records, intact);
    assert.deepEqual(json.damaged.map((d) => [d.offset, d.length]), hit.map((f) => [f.at, f.length]));
    assert.ok(readFileSync(file).equals(damaged), 'verify changes nothing');

    // cat prints the records before the damage, then stops with ERR_CORRUPT_LOG and exit 1.
    const before = all.slice(0, 5).reduce((n, f) => n + f.count, 0);
    const c = cli(['log', 'cat', '--json', file]);
    assert.equal(c.status, 1);
    assert.deepEqual(lines(c.stdout).map((l) => JSON.parse(l).seq), Array.from({ length: before }, (_, i) => i + 1));
    assert.equal(lines(c.stderr).length, 1, c.stderr);
    assert.ok(c.stderr.startsWith(`ironlung: ${file}: ERR_CORRUPT_LOG: `), c.stderr);
    assert.match(c.stderr, new RegExp(`byte offset ${hit[0].at}\\b`));
  });

  test('verify: a damaged dictionary is listed with the frames that need it, exit 1; cat is ERR_CORRUPT_LOG', async () => {
    const file = t.path('dict-damaged.ilog');
    const samples = Array.from({ length: 400 }, (_, i) => JSON.stringify({ tool: 'grep', path: `src/m${i % 30}.rs`, n: i }));
    const log = await il.openLog(file, { dictionary: il.trainDictionary(samples, { maxBytes: 4096 }) });
    for (let i = 0; i < 3; i++) await log.append({ i, calls: samples.slice(i * 50, i * 50 + 50) });
    await log.close();
    const damaged = readFileSync(file);
    damaged[64 + 300] ^= 1;
    writeFileSync(file, damaged);
    const r = cli(['log', 'verify', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /damaged: 0 records intact, \d+ bytes checked, 4 damaged ranges\noffset 64, length \d+: the frame's header, checksum or trailer does not match\n/);
    assert.equal(r.stdout.match(/needs the log's dictionary, which is not loaded/g)?.length, 3, r.stdout);
    const cat = cli(['log', 'cat', file]);
    assert.equal(cat.status, 1);
    assert.ok(cat.stderr.includes(`ERR_CORRUPT_LOG: the log '${file}' is damaged at byte offset 64`), cat.stderr);
  });

  test('verify: a log cut in the middle of its last frame is a torn write, exit 1; cat and stats warn', () => {
    const bytes = readFileSync(p('kinds.log'));
    const all = frames(bytes);
    const last = all.at(-1);
    const cut = last.at + 76 + Math.floor(last.payload / 2);
    const file = p('torn.log');
    writeFileSync(file, bytes.subarray(0, cut));
    const r = cli(['log', 'verify', file]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(lines(r.stdout), [
      `${file}: damaged: ${kinds.length - last.count} records intact, ${cut} bytes checked, 1 damaged range`,
      `offset ${last.at}, length ${cut - last.at}: a frame runs past the end of the file (a torn write)`,
    ]);
    // A torn tail is what a crash leaves: the records before it are the log.
    const warning = `ironlung: warning: ${file}: the last ${cut - last.at} bytes (from byte offset ${last.at}) are a torn write, ignored\n`;
    const c = cli(['log', 'cat', file]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stderr, warning);
    assert.deepEqual(lines(c.stdout), lines(cli(['log', 'cat', p('kinds.log')]).stdout).slice(0, kinds.length - last.count));
    const s = cli(['log', 'stats', '--json', file]);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(s.stderr, warning);
    assert.equal(JSON.parse(s.stdout).records, kinds.length - last.count);
    assert.equal(readFileSync(file).length, cut, 'a reader cuts nothing away');
  });

  test('stats prints the counts of the log\'s last frame', () => {
    const file = p('kinds.log');
    const bytes = readFileSync(file);
    const raw = kinds.reduce((n, k) => n + (k instanceof Uint8Array ? k.length : Buffer.byteLength(typeof k === 'string' ? k : JSON.stringify(k))), 0);
    const r = cli(['log', 'stats', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        `records        ${kinds.length}`,
        'first seq      1',
        `last seq       ${kinds.length}`,
        `raw bytes      ${raw}`,
        `stored bytes   ${bytes.length}`,
        `segments       ${frames(bytes).length}`,
        'dictionary id  none',
        '',
      ].join('\n'),
    );
    const big = cli(['log', 'stats', '--json', p('big.log')]);
    assert.equal(big.status, 0, big.stderr);
    const s = JSON.parse(big.stdout);
    const bigBytes = readFileSync(p('big.log'));
    assert.deepEqual(Object.keys(s), ['file', 'records', 'firstSeq', 'lastSeq', 'rawBytes', 'storedBytes', 'segments', 'dictionaryId']);
    assert.equal(s.file, p('big.log'));
    assert.equal(s.records, BIG);
    assert.equal(s.firstSeq, 1);
    assert.equal(s.lastSeq, BIG);
    assert.equal(s.storedBytes, bigBytes.length);
    assert.equal(s.segments, frames(bigBytes).length);
    assert.ok(Number.isInteger(s.dictionaryId) && s.dictionaryId > 0, `a trained dictionary, got ${s.dictionaryId}`);
    assert.match(cli(['log', 'stats', p('big.log')]).stdout, new RegExp(`^dictionary id  ${s.dictionaryId}\\n$`, 'm'));

    // After a compaction the log starts past 1, and cat starts there too.
    const compacted = cli(['log', 'stats', p('compacted.log')]);
    assert.equal(compacted.status, 0, compacted.stderr);
    assert.match(compacted.stdout, /^records {8}5\nfirst seq {6}11\nlast seq {7}15\nraw bytes {6}30\n/);
    const c = cli(['log', 'cat', '--json', p('compacted.log')]);
    assert.equal(c.status, 0, c.stderr);
    assert.deepEqual(lines(c.stdout).map((l) => [JSON.parse(l).seq, JSON.parse(l).data]), [11, 12, 13, 14, 15].map((i) => [i, `new ${i}`]));
  });

  test('compact drops what the checkpoint covers; --repack packs what it keeps; cat reads the same records', async () => {
    const file = p('to-compact.log');
    const log = await il.openLog(file, { durability: 'flush', dictionary: false });
    for (let i = 1; i <= 40; i++) await log.append(i % 2 ? `old ${i} ${'step '.repeat(i)}` : { i, tool: 'grep', hits: i * 3 });
    await log.checkpoint({ upTo: 20 });
    for (let i = 41; i <= 80; i++) await log.append({ i, output: 'line of output\n'.repeat(i % 17) });
    await log.close();
    const before = cli(['log', 'cat', '--json', file]);
    assert.equal(before.status, 0, before.stderr);

    // A writer holds the log: refused, nothing changed.
    const held = await il.openLog(file);
    const locked = cli(['log', 'compact', file]);
    await held.close();
    assert.equal(locked.status, 1);
    assert.match(locked.stderr, /ERR_LOG_LOCKED/);

    const size0 = readFileSync(file).length;
    const r = cli(['log', 'compact', file]);
    assert.equal(r.status, 0, r.stderr);
    const size1 = readFileSync(file).length;
    assert.equal(r.stdout, `${file}: 40 records dropped: ${size0} bytes -> ${size1} bytes\n`);
    assert.deepEqual(lines(cli(['log', 'cat', '--json', file]).stdout), lines(before.stdout).slice(40));
    assert.equal(cli(['log', 'compact', file]).stdout, `${file}: nothing to drop, left as it is: ${size1} bytes -> ${size1} bytes\n`);

    const j = cli(['log', 'compact', '--repack', '--json', file]);
    assert.equal(j.status, 0, j.stderr);
    const o = JSON.parse(j.stdout);
    assert.deepEqual(o, { file, droppedRecords: 0, bytesBefore: size1, bytesAfter: readFileSync(file).length });
    assert.ok(o.bytesAfter < size1, JSON.stringify(o));
    // The checkpoint and one frame of the 40 records.
    assert.deepEqual(frames(readFileSync(file)).map((f) => f.count), [0, 40]);
    assert.deepEqual(lines(cli(['log', 'cat', '--json', file]).stdout), lines(before.stdout).slice(40));
    assert.equal(cli(['log', 'verify', file]).status, 0);
    const l19 = cli(['log', 'compact', '--repack', '--level', '19', file]);
    assert.equal(l19.status, 0, l19.stderr);
    assert.deepEqual(lines(cli(['log', 'cat', '--json', file]).stdout), lines(before.stdout).slice(40));
    const bad = cli(['log', 'compact', '--repack', '--level', '99', file]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /ERR_INVALID_ARG.*compression level 99 is out of range/);
  });

  test('a file that is not a log, or none: the code and message once, exit 1', () => {
    const cases = [
      [p('missing.log'), 'ENOENT', /no such file or directory/],
      [p('notes.txt'), 'ERR_CORRUPT_LOG', /it is not a log/],
      [p('short.log'), 'ERR_CORRUPT_LOG', /is 7 bytes, shorter than a log's 64-byte header/],
      [p('dir.log'), 'EISDIR', /illegal operation on a directory/],
    ];
    for (const sub of ['cat', 'verify', 'stats']) {
      for (const [file, code, message] of cases) {
        for (const json of [[], ['--json']]) {
          assertFails(cli(['log', sub, ...json, file]), file, code, message, `log ${sub} ${json.join('')} ${file}`);
        }
      }
    }
    assert.ok(!existsSync(p('missing.log')), 'no log is created');
    // A damaged file header is damage at offset 0.
    const bytes = Buffer.from(readFileSync(p('kinds.log')));
    bytes[20] ^= 1;
    writeFileSync(p('header.log'), bytes);
    assertFails(cli(['log', 'verify', p('header.log')]), p('header.log'), 'ERR_CORRUPT_LOG', /byte offset 0: the file header's checksum does not match/, 'header');
  });

  test('bad usage is one line and a pointer, exit 2; --help, -h and help log', () => {
    const f = p('kinds.log');
    for (const [args, message, pointer] of [
      [['log'], 'log needs a command: cat, verify, stats or compact', 'log'],
      [['log', 'compact', '--level', '3', f], '--level is the level of --repack; give --repack too', 'log compact'],
      [['log', 'compact', '--repack', '--level', 'max', f], '--level must be an integer, got "max"', 'log compact'],
      [['log', 'compact', f, f], 'log compact takes exactly one log FILE', 'log compact'],
      [['log', 'tail', f], 'unknown command "log tail"', 'log'],
      [['log', '--json', f], 'log needs a command before --json', 'log'],
      [['log', 'cat'], 'log cat takes exactly one log FILE', 'log cat'],
      [['log', 'cat', f, f], 'log cat takes exactly one log FILE', 'log cat'],
      [['log', 'cat', '-'], 'log cat takes a file path, not - (a log is read by offset, not as a stream)', 'log cat'],
      [['log', 'cat', '--from', '-1', f], '--from must be a non-negative integer, got "-1"', 'log cat'],
      [['log', 'cat', '--to', 'end', f], '--to must be a non-negative integer, got "end"', 'log cat'],
      [['log', 'cat', '--from', '99999999999999999999', f], '--from must be at most 9007199254740991, got "99999999999999999999"', 'log cat'],
      [['log', 'cat', '--from', f], /^ironlung: --from must be a non-negative integer, got ".*kinds\.log"$/, 'log cat'],
      [['log', 'cat', '--json=yes', f], '--json takes no value, got "yes"', 'log cat'],
      [['log', 'verify', '--from', '1', f], 'unknown option --from for log verify', 'log verify'],
      [['log', 'verify'], 'log verify takes exactly one log FILE', 'log verify'],
      [['log', 'stats', f, f], 'log stats takes exactly one log FILE', 'log stats'],
      [['help', 'log', 'tail'], 'unknown command "log tail"', 'log'],
    ]) {
      const r = cli(args);
      const what = args.join(' ');
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.equal(r.stdout, '', what);
      const [first, second, rest] = r.stderr.split('\n');
      if (message instanceof RegExp) assert.match(first, message, what);
      else assert.equal(first, `ironlung: ${message}`, what);
      assert.equal(second, `Try 'ironlung ${pointer ? `${pointer} ` : ''}--help'.`, what);
      assert.equal(rest, '', what);
    }

    for (const [sub, options] of [['cat', ['--from N', '--to M', '--json']], ['verify', ['--json']], ['stats', ['--json']], ['compact', ['--repack', '--level L', '--json']]]) {
      const help = cli(['log', sub, '--help']);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^usage: ironlung log ${sub} `));
      for (const o of options) assert.ok(help.stdout.includes(`\n  ${o}`), `log ${sub} --help lists ${o}`);
      assert.equal(cli(['log', sub, '-h']).stdout, help.stdout);
      assert.equal(cli(['help', 'log', sub]).stdout, help.stdout);
      assert.equal(cli(['log', sub, '--bogus', '--help']).stdout, help.stdout);
    }
    const group = cli(['log', '--help']);
    assert.equal(group.status, 0, group.stderr);
    assert.match(group.stdout, /^usage: ironlung log cat \[--from N\] \[--to M\] \[--json\] FILE\n {7}ironlung log verify \[--json\] FILE\n {7}ironlung log stats \[--json\] FILE\n/);
    assert.equal(cli(['log', '-h']).stdout, group.stdout);
    assert.equal(cli(['help', 'log']).stdout, group.stdout);
    // The child runs on the backend under test (IRONLUNG_BACKEND is inherited).
    assert.match(cli(['--version']).stdout, new RegExp(`\\(${il.backend}\\)\\n$`));
    const overview = cli(['--help']).stdout;
    for (const sub of ['cat', 'verify', 'stats']) assert.match(overview, new RegExp(`^  ironlung log ${sub} `, 'm'));
    // The text output's escapes are documented where they are used.
    assert.match(cli(['log', 'cat', '--help']).stdout, /\\ becomes \\\\, a line feed \\n,\na carriage return \\r/);
  });
});
