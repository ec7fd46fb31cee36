// The `ironlung` command line's dictionaries and frame info, on the backend under test:
// train-dict, compress/decompress --dict, info; and their interop with the zstd CLI.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, copyFileSync, symlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI as bin, il, runCli, tempDir } from './helpers.mjs';

const cli = (args, input) => runCli(args, { input });

const hasZstdCli = spawnSync('zstd', ['--version']).status === 0;

describe(`cli dictionaries and info (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  before(() => {
    mkdirSync(p('samples'));
    for (let i = 0; i < 600; i++) {
      const call = { type: 'tool_call', id: `call_${i}`, tool: ['grep', 'read_file', 'run_shell'][i % 3], args: { path: `src/m${i % 41}.rs` } };
      writeFileSync(p(`samples/${String(i).padStart(4, '0')}.json`), JSON.stringify(call));
    }
    writeFileSync(p('record.json'), JSON.stringify({ type: 'tool_call', id: 'call_9999', tool: 'grep', args: { path: 'src/m7.rs' } }));
  });
  after(() => t.cleanup());

  test('train-dict writes a dictionary that compress and decompress --dict use', () => {
    const r = cli(['train-dict', '--max-bytes', '4096', '--out', p('d.dict'), p('samples')]);
    assert.equal(r.status, 0, r.stderr);
    const dict = readFileSync(p('d.dict'));
    const id = new il.ZstdDictionary(dict).id;
    assert.match(r.stderr, new RegExp(`^ironlung: wrote a ${dict.length}-byte dictionary \\(id ${id}\\) to .*d\\.dict, trained on 600 samples \\([\\d.]+ MB\\) in [\\d.]+ s\\n$`));
    assert.ok(dict.length <= 4096);
    assert.equal(cli(['compress', '--dict', p('d.dict'), p('record.json'), p('r.zst')]).status, 0);
    assert.equal(il.frameInfo(readFileSync(p('r.zst'))).dictionaryId, id);
    const plain = cli(['compress', p('record.json'), p('plain.zst')]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(readFileSync(p('r.zst')).length * 2 <= readFileSync(p('plain.zst')).length, 'a dictionary makes a small record at least 2x smaller');
    const back = cli(['decompress', '--dict', p('d.dict'), p('r.zst'), '-']);
    assert.equal(back.status, 0, back.stderr);
    assert.equal(back.stdout, readFileSync(p('record.json'), 'utf8'));
    const without = cli(['decompress', p('r.zst'), p('r.out')]);
    assert.equal(without.status, 1);
    assert.match(without.stderr, new RegExp(`ERR_DICTIONARY_MISMATCH: the zstd frame at byte offset 0 was compressed with dictionary ${id}, but no dictionary was given`));
    assert.ok(!existsSync(p('r.out')), 'no partial output');
  });

  test('train-dict reads at most --max-total bytes of samples, and says what it left out', () => {
    const sizes = readdirSync(p('samples')).sort().map((f) => statSync(p(`samples/${f}`)).size);
    // The first 500 samples' bytes: the walk takes the files in name order.
    const total = sizes.slice(0, 500).reduce((a, b) => a + b, 0);
    const r = cli(['train-dict', '--max-bytes', '4096', '--max-total', String(total), '--out', p('capped.dict'), p('samples')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /trained on 500 samples \([\d.]+ MB\) in [\d.]+ s; left out 100 files past --max-total \d+ bytes of samples\n$/);
    assert.ok(readFileSync(p('capped.dict')).length <= 4096);
    const bad = cli(['train-dict', '--max-total', '0', '--out', p('zero.dict'), p('samples')]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--max-total must be a positive integer, got "0"/);
  });

  test('train-dict --out - writes the dictionary to stdout, not to a file named -', () => {
    const r = spawnSync(process.execPath, [bin, 'train-dict', '--max-bytes', '4096', '--out', '-', p('samples')], { cwd: t.dir });
    assert.equal(r.status, 0, String(r.stderr));
    const id = new il.ZstdDictionary(r.stdout).id;
    assert.match(String(r.stderr), new RegExp(`^ironlung: wrote a ${r.stdout.length}-byte dictionary \\(id ${id}\\) to stdout, trained on 600 samples`));
    assert.ok(!existsSync(p('-')), 'no file named -');
    const full = spawnSync('bash', ['-c', '"$0" "$1" train-dict --max-bytes 4096 --out - "$2" > /dev/full', process.execPath, bin, p('samples')], { encoding: 'utf8' });
    assert.equal(full.status, 1);
    assert.match(full.stderr, /^ironlung: stdout: ENOSPC: /);
  });

  test('train-dict says what a directory held that is not a sample', () => {
    mkdirSync(p('linked'));
    for (const f of readdirSync(p('samples')).slice(0, 200)) copyFileSync(p(`samples/${f}`), p(`linked/${f}`));
    symlinkSync(p('samples'), p('linked/to-dir'));
    // A link to a file is not followed either: its file would be a sample twice.
    symlinkSync(p('linked/0000.json'), p('linked/to-file'));
    const r = cli(['train-dict', '--max-bytes', '4096', '--out', p('l.dict'), p('linked')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /trained on 200 samples \([\d.]+ MB\) in [\d.]+ s; skipped 2 paths that are not regular files\n$/);
  });

  test('train-dict takes samples whose names are not UTF-8', () => {
    mkdirSync(p('bytes'));
    for (const f of readdirSync(p('samples')).slice(0, 200)) copyFileSync(p(`samples/${f}`), Buffer.concat([Buffer.from(p('bytes/')), Buffer.from([0xff]), Buffer.from(f)]));
    const r = cli(['train-dict', '--max-bytes', '4096', '--out', p('b.dict'), p('bytes')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^ironlung: wrote a \d+-byte dictionary \(id \d+\) to .*b\.dict, trained on 200 samples/);
  });

  test('train-dict trains on what it could read, and fails on a directory it could not', () => {
    // A directory whose path is longer than PATH_MAX cannot be listed, even by root: made one
    // relative step at a time, as a shell's cd makes it.
    mkdirSync(p('deep'));
    for (const f of readdirSync(p('samples')).slice(0, 200)) copyFileSync(p(`samples/${f}`), p(`deep/${f}`));
    const name = 'd'.repeat(200);
    try {
      // bash's cd falls back to the relative name where dash's fails on the long full path.
      execFileSync('bash', ['-c', 'cd "$1" && for i in $(seq 22); do mkdir "$2" && cd "$2" || exit 1; done && echo "{}" > f.json', 'bash', p('deep'), name]);
      const r = cli(['train-dict', '--max-bytes', '4096', '--out', p('deep.dict'), p('deep')]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^ironlung: ${p('deep')}/(${name}/)+${name}: ENAMETOOLONG: `));
      assert.match(r.stderr, /trained on 200 samples/);
      const dict = new il.ZstdDictionary(readFileSync(p('deep.dict')));
      assert.equal(il.frameInfo(il.compress('{"type":"tool_call"}', { dictionary: dict })).dictionaryId, dict.id);
    } finally {
      // GNU rm walks any depth; Node's recursive rm gives up past PATH_MAX.
      execFileSync('rm', ['-rf', p('deep')]);
    }
  });

  test('train-dict refuses too little to train from (exit 1) and bad usage (exit 2)', () => {
    const few = cli(['train-dict', '--out', p('few.dict'), p('record.json')]);
    assert.equal(few.status, 1);
    assert.match(few.stderr, /^ironlung: train-dict: ERR_INVALID_ARG: cannot train a dictionary from 1 samples/);
    for (const args of [['train-dict', p('samples')], ['train-dict', '--out', p('x.dict')], ['train-dict', '--max-bytes', '100', '--out', p('x.dict'), p('samples')]]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^ironlung: [^\n]+\nTry 'ironlung train-dict --help'\.\n$/);
    }
    const missing = cli(['compress', '--dict', p('nope.dict'), p('record.json'), p('x.zst')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.dict: ENOENT/);
  });

  test('--dict - reads the dictionary from stdin, but not when IN is stdin too', () => {
    assert.equal(cli(['train-dict', '--max-bytes', '4096', '--out', p('stdin.dict'), p('samples')]).status, 0);
    const dict = readFileSync(p('stdin.dict'));
    const ok = spawnSync(process.execPath, [bin, 'compress', '--dict', '-', p('record.json'), p('stdin.zst')], { input: dict, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(il.frameInfo(readFileSync(p('stdin.zst'))).dictionaryId, new il.ZstdDictionary(dict).id);
    // The dictionary would take all of stdin, and IN be empty: an empty frame, exit 0, where
    // the user meant their data.
    for (const command of ['compress', 'decompress']) {
      const both = spawnSync(process.execPath, [bin, command, '--dict', '-', '-', p('both.out')], {
        input: Buffer.concat([dict, readFileSync(p('record.json'))]),
        encoding: 'utf8',
      });
      assert.equal(both.status, 2, `${command}: ${both.stderr}`);
      assert.equal(both.stderr, `ironlung: ${command}: --dict - and IN - would both read stdin; give one of them as a file\nTry 'ironlung ${command} --help'.\n`);
      assert.ok(!existsSync(p('both.out')), `${command}: no OUT`);
    }
  });

  test('an empty or damaged --dict file is that file\'s error, exit 1, and no OUT', () => {
    assert.equal(cli(['train-dict', '--max-bytes', '4096', '--out', p('whole.dict'), p('samples')]).status, 0);
    writeFileSync(p('empty.dict'), '');
    writeFileSync(p('cut.dict'), readFileSync(p('whole.dict')).subarray(0, 100));
    assert.equal(cli(['compress', '--dict', p('whole.dict'), p('record.json'), p('d.zst')]).status, 0);
    for (const [file, code] of [['empty.dict', 'ERR_INVALID_ARG'], ['cut.dict', 'ERR_CORRUPT_DATA']]) {
      for (const [command, input] of [['compress', 'record.json'], ['decompress', 'd.zst']]) {
        const r = cli([command, '--dict', p(file), p(input), p('dict.out')]);
        assert.equal(r.status, 1, `${command} --dict ${file}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^ironlung: ${p(file)}: ${code}: the dictionary [^\\n]+\\n$`), `${command} --dict ${file}`);
        assert.ok(!existsSync(p('dict.out')), `${command} --dict ${file}: no OUT`);
      }
    }
    // A good one still goes with any --level.
    for (const level of ['1', '19', '-5']) {
      const r = cli(['compress', '--level', level, '--dict', p('whole.dict'), p('record.json'), p('level.zst')]);
      assert.equal(r.status, 0, `--level ${level}: ${r.stderr}`);
      assert.equal(cli(['decompress', '--dict', p('whole.dict'), p('level.zst'), '-']).stdout, readFileSync(p('record.json'), 'utf8'));
    }
  });

  test('compress and decompress never write over their --dict file', () => {
    assert.equal(cli(['train-dict', '--max-bytes', '4096', '--out', p('keep.dict'), p('samples')]).status, 0);
    const dict = readFileSync(p('keep.dict'));
    symlinkSync(p('keep.dict'), p('keep.link'));
    assert.equal(cli(['compress', '--dict', p('keep.dict'), p('record.json'), p('keep.zst')]).status, 0);
    // OUT where the dictionary goes (a typo, or arguments in the wrong order): bad usage,
    // refused before OUT is truncated. Losing a dictionary loses what was compressed with it.
    for (const [args, stdin] of [
      [['compress', '--dict', p('keep.dict'), p('record.json'), p('keep.dict')]],
      [['compress', '--dict', p('keep.dict'), p('record.json'), p('keep.link')]],
      [['decompress', '--dict', p('keep.link'), p('keep.zst'), p('keep.dict')]],
      [['compress', '--dict', '-', p('record.json'), p('keep.dict')], true],
    ]) {
      const r = stdin
        ? spawnSync('sh', ['-c', 'exec "$0" "$@" < "$DICT"', process.execPath, bin, ...args], { env: { ...process.env, DICT: p('keep.dict') }, encoding: 'utf8' })
        : cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^ironlung: ${args[0]}: ${args.at(-1)} is the --dict file${stdin ? ' \\(standard input\\)' : ''}; write to another file\n`), args.join(' '));
      assert.deepEqual(readFileSync(p('keep.dict')), dict, `${args.join(' ')} kept the dictionary`);
    }
  });

  test('info and --dict read at most what they hold: 1 GiB, and 32 MiB', () => {
    // A sparse file: its size is what fstat says, with no disk behind it.
    const big = p('sparse.bin');
    execFileSync('truncate', ['-s', String(2 ** 30 + 1), big]);
    const i = cli(['info', big]);
    assert.equal(i.status, 1);
    assert.match(i.stderr, /^ironlung: .*sparse\.bin: ERR_FILE_TOO_LARGE: 1073741825 bytes, more than the 1073741824 bytes info reads/);
    execFileSync('truncate', ['-s', String(32 * 2 ** 20 + 1), big]);
    const d = cli(['compress', '--dict', big, p('record.json'), p('never.zst')]);
    assert.equal(d.status, 1);
    assert.match(d.stderr, /ERR_FILE_TOO_LARGE: 33554433 bytes, more than the 33554432 bytes a --dict file may hold/);
    assert.ok(!existsSync(p('never.zst')));
  });

  test('info prints what the frames declare', () => {
    const one = il.compress('hello info', { level: 3 });
    const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 1, 0, 0, 0, 7]);
    writeFileSync(p('two.zst'), Buffer.concat([one, skippable, one]));
    const r = cli(['info', p('two.zst')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      ['frames        3', `compressed    ${2 * one.length + 9} bytes`, 'content size  20 bytes', 'window size   10 bytes', 'dictionary id none', 'checksum      yes', ''].join('\n'),
    );
    const json = spawnSync(process.execPath, [bin, 'info', '--json', '-'], { input: Buffer.from(one) });
    assert.deepEqual(JSON.parse(json.stdout), { file: '-', compressedSize: one.length, contentSize: 10, windowSize: 10, dictionaryId: null, hasChecksum: true, frames: 1 });
    writeFileSync(p('junk.zst'), Buffer.concat([one, Buffer.from('junk')]));
    const bad = cli(['info', p('junk.zst')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`ERR_CORRUPT_DATA: zstd data has 4 bytes of trailing garbage after the last frame \\(at byte offset ${one.length}\\)`));
  });

  test('dictionaries interoperate with the zstd CLI both ways', { skip: !hasZstdCli && 'no zstd CLI' }, () => {
    assert.equal(cli(['train-dict', '--max-bytes', '4096', '--out', p('ours.dict'), p('samples')]).status, 0);
    assert.equal(cli(['compress', '--dict', p('ours.dict'), p('record.json'), p('ours.zst')]).status, 0);
    assert.equal(execFileSync('zstd', ['-q', '-d', '-c', '-D', p('ours.dict'), p('ours.zst')], { encoding: 'utf8' }), readFileSync(p('record.json'), 'utf8'));
    execFileSync('zstd', ['-q', '--train', '--maxdict=4096', '-r', p('samples'), '-o', p('theirs.dict')]);
    execFileSync('zstd', ['-q', '-f', '-D', p('theirs.dict'), p('record.json'), '-o', p('theirs.zst')]);
    const r = cli(['decompress', '--dict', p('theirs.dict'), p('theirs.zst'), '-']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(p('record.json'), 'utf8'));
    const i = cli(['info', '--json', p('theirs.zst')]);
    assert.equal(JSON.parse(i.stdout).dictionaryId, new il.ZstdDictionary(readFileSync(p('theirs.dict'))).id);
  });
});
