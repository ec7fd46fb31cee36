// The `ironlung` command line, on the backend under test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { il, tempDir } from './helpers.mjs';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'ironlung.cjs');

function cli(args, input) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe(`cli (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  before(() => {
    writeFileSync(p('a.txt'), 'hello world\n');
    writeFileSync(p('b.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(10));
    writeFileSync(p('bin.dat'), new Uint8Array([1, 2, 0, 3]));
  });
  after(() => t.cleanup());

  test('count prints per-file and total tokens', () => {
    const enc = il.getEncoding('o200k_base');
    const a = enc.count('hello world\n');
    const b = enc.count(readFileSync(p('b.txt'), 'utf8'));
    const r = cli(['count', p('a.txt'), p('b.txt')]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(lines, [[String(a), p('a.txt')], [String(b), p('b.txt')], [String(a + b), 'total']]);
  });

  test('count honours --encoding and --model, and reads stdin', () => {
    const text = 'Encoding matters: 中文 and code() => {}';
    for (const [flag, value, name] of [['--encoding', 'r50k_base', 'r50k_base'], ['--model', 'gpt-4', 'cl100k_base']]) {
      const r = cli(['count', flag, value, '-'], text);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split(/\s+/)[0], String(il.getEncoding(name).count(text)));
    }
  });

  test('count reports bad files, keeps going, exits 1', () => {
    const r = cli(['count', p('a.txt'), p('bin.dat'), p('nope.txt')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ERR_BINARY_FILE/);
    assert.match(r.stderr, /ENOENT/);
    assert.match(r.stdout, /a\.txt/);
  });

  test('truncate prints the longest prefix within the budget', () => {
    const text = readFileSync(p('b.txt'), 'utf8');
    const r = cli(['truncate', '--max-tokens', '7', p('b.txt')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, il.getEncoding('o200k_base').truncate(text, 7));
  });

  test('compress and decompress round trip through files and pipes', () => {
    assert.equal(cli(['compress', '--level', '19', p('b.txt'), p('b.zst')]).status, 0);
    assert.equal(cli(['decompress', p('b.zst'), p('b.out')]).status, 0);
    assert.equal(readFileSync(p('b.out'), 'utf8'), readFileSync(p('b.txt'), 'utf8'));
    const corrupt = cli(['decompress', p('a.txt'), p('x.out')]);
    assert.equal(corrupt.status, 1);
    assert.match(corrupt.stderr, /ERR_CORRUPT_DATA/);
  });

  test('usage errors exit 2', () => {
    for (const args of [[], ['frobnicate'], ['count'], ['truncate', p('a.txt')], ['count', '--bogus', p('a.txt')],
      ['truncate', '--max-tokens', 'many', p('a.txt')], ['compress', p('a.txt')], ['count', '--encoding', 'nope', p('a.txt')]]) {
      const r = cli(args);
      assert.equal(r.status, args[0] === 'count' && args[1] === '--encoding' ? 1 : 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
    assert.equal(cli(['--help']).status, 0);
    assert.match(cli(['--version']).stdout, /^ironlung 0\.1\.0/);
  });
});
