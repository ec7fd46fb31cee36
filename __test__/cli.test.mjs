// The `ironlung` command line, on the backend under test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdirSync, symlinkSync, statSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { CLI as bin, il, runCli, tempDir } from './helpers.mjs';

const cli = (args, input, cwd) => runCli(args, { input, cwd });

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;

/** `count --json` parsed, asserting the exit status. */
function countJson(args, cwd, status = 0) {
  const r = cli(['count', '--json', ...args], undefined, cwd);
  assert.equal(r.status, status, r.stderr);
  return JSON.parse(r.stdout);
}

/** The table rows of `count` output: the lines up to the first blank line, split on blanks. */
function fileRows(stdout) {
  const lines = stdout.split('\n');
  return lines.slice(1, lines.indexOf('')).map((l) => l.trim().split(/\s+/));
}

describe(`cli (${il.backend})`, () => {
  const enc = il.getEncoding('o200k_base');
  const t = tempDir();
  const p = t.path;
  before(() => {
    writeFileSync(p('a.txt'), 'hello world\n');
    writeFileSync(p('b.txt'), 'The quick brown fox jumps over the lazy dog.\n'.repeat(10));
    writeFileSync(p('bin.dat'), new Uint8Array([1, 2, 0, 3]));
  });
  after(() => t.cleanup());

  test('count prints per-file tokens and bytes, per-extension and grand totals', () => {
    const a = enc.count('hello world\n');
    const b = enc.count(readFileSync(p('b.txt'), 'utf8'));
    const r = cli(['count', p('a.txt'), p('b.txt')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [table, exts, total] = r.stdout.split('\n\n');
    assert.deepEqual(table.split('\n').map((l) => l.trim().split(/\s+/)), [
      ['tokens', 'bytes', 'path'],
      [String(a), '12', p('a.txt')],
      [String(b), '450', p('b.txt')],
    ]);
    assert.deepEqual(exts.split('\n').map((l) => l.trim().split(/\s+/)), [
      ['files', 'tokens', 'bytes', 'extension'],
      ['2', String(a + b), '462', '.txt'],
    ]);
    assert.equal(total, `total: 2 files, ${a + b} tokens, 462 bytes (o200k_base)\n`);
  });

  test('count honours --encoding and --model, and reads stdin', () => {
    const text = 'Encoding matters: 中文 and code() => {}';
    for (const [flag, value, name] of [['--encoding', 'r50k_base', 'r50k_base'], ['--model', 'gpt-4', 'cl100k_base']]) {
      const r = cli(['count', flag, value, '-'], text);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(fileRows(r.stdout), [[String(il.getEncoding(name).count(text)), String(Buffer.byteLength(text)), '-']]);
      assert.match(r.stdout, new RegExp(`\\(${name}\\)`));
    }
  });

  test('count reports bad files, keeps going, exits 1', () => {
    const r = cli(['count', p('a.txt'), p('bin.dat'), p('nope.txt')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ERR_BINARY_FILE/);
    assert.match(r.stderr, /ENOENT/);
    assert.match(r.stdout, /a\.txt/);
    assert.match(r.stdout, /skipped: 2 files \(1 ENOENT, 1 ERR_BINARY_FILE\)/);
  });

  test('names with control characters print as text: no escape sequence, no broken line', () => {
    mkdirSync(p('odd'));
    writeFileSync(p('odd/a\x1b[31mred\x07.txt'), 'hello\n');
    writeFileSync(p('odd/b\nline.txt'), 'hi\n');
    const r = cli(['count', p('odd'), p('gone\x1b[2J.txt')]);
    assert.equal(r.status, 1, r.stderr);
    for (const out of [r.stdout, r.stderr]) assert.doesNotMatch(out, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const rows = fileRows(r.stdout);
    assert.deepEqual(rows.map((row) => row[2].slice(p('odd/').length)), ['a\\u001b[31mred\\u0007.txt', 'b\\u000aline.txt']);
    assert.match(r.stderr, /gone\\u001b\[2J\.txt: ENOENT/);
    // --json keeps the names as they are (JSON escapes them itself).
    assert.deepEqual(countJson([p('odd')]).files.map((f) => f.path.slice(p('odd/').length)), ['a\x1b[31mred\x07.txt', 'b\nline.txt']);
  });

  test('names that are not UTF-8 are read, and print with \\xHH for each byte that is not', () => {
    const dir = p('bytes');
    const at = (...parts) => Buffer.concat([Buffer.from(`${dir}/`), ...parts.map((x) => Buffer.from(x))]);
    mkdirSync(dir);
    writeFileSync(at('bad', [0xff], '.txt'), 'hello world\n');
    writeFileSync(at('bad', [0xfe], '.txt'), 'hi\n');
    mkdirSync(at('sub', [0xe9]));
    writeFileSync(at('sub', [0xe9], '/é.md'), '# Title\n');
    writeFileSync(at('sub', [0xe9], '/bin.dat'), new Uint8Array([1, 0, 2]));
    writeFileSync(at('.gitignore'), '*.log\n');
    writeFileSync(at('x', [0xff], '.log'), 'ignored\n');
    const shown = ['bad\\xfe.txt', 'bad\\xff.txt', 'sub\\xe9/é.md'];
    const texts = ['hi\n', 'hello world\n', '# Title\n'];
    const want = shown.map((name, i) => ({ path: `${dir}/${name}`, tokens: enc.count(texts[i]), bytes: Buffer.byteLength(texts[i]) }));
    for (const jobs of ['1', '4']) {
      const r = cli(['count', '--json', '--jobs', jobs, dir]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.files, [{ path: `${dir}/.gitignore`, tokens: enc.count('*.log\n'), bytes: 6 }, ...want]);
      assert.deepEqual(out.skipped.map((s) => [s.path, s.code]), [[`${dir}/sub\\xe9/bin.dat`, 'ERR_BINARY_FILE']]);
      const small = JSON.parse(cli(['count', '--json', '--jobs', jobs, '--max-bytes', '5', dir]).stdout);
      assert.ok(small.skipped.some((s) => s.path === `${dir}/bad\\xff.txt` && s.code === 'ERR_FILE_TOO_LARGE'), jobs);
    }
    const here = JSON.parse(cli(['count', '--json', '.'], undefined, dir).stdout);
    assert.deepEqual(here.files.map((f) => f.path), ['.gitignore', ...shown]);
    const table = cli(['count', 'bytes'], undefined, t.dir);
    assert.equal(table.status, 0, table.stderr);
    assert.deepEqual(fileRows(table.stdout).map((row) => row[2]), ['bytes/.gitignore', ...shown.map((n) => `bytes/${n}`)]);
  });

  test('truncate prints the longest prefix within the budget', () => {
    const text = readFileSync(p('b.txt'), 'utf8');
    const r = cli(['truncate', '--max-tokens', '7', p('b.txt')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, enc.truncate(text, 7));
  });

  test('compress and decompress round trip through files and pipes', () => {
    assert.equal(cli(['compress', '--level', '19', p('b.txt'), p('b.zst')]).status, 0);
    assert.equal(cli(['decompress', p('b.zst'), p('b.out')]).status, 0);
    assert.equal(readFileSync(p('b.out'), 'utf8'), readFileSync(p('b.txt'), 'utf8'));
    const corrupt = cli(['decompress', p('a.txt'), p('x.out')]);
    assert.equal(corrupt.status, 1);
    assert.match(corrupt.stderr, /ERR_CORRUPT_DATA/);
  });

  test('compress and decompress never write over their input, nor remove what they did not make', async () => {
    const text = readFileSync(p('b.txt'), 'utf8');
    writeFileSync(p('same.txt'), text);
    symlinkSync(p('same.txt'), p('same.link'));
    for (const [args, input] of [[['compress', p('same.txt'), p('same.txt')]], [['compress', p('same.txt'), p('same.link')]], [['decompress', '-', p('same.txt')], readFileSync(p('same.txt'))]]) {
      const r = input ? spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" "$@" < "${p('same.txt')}"`, 'sh', ...args], { encoding: 'utf8' }) : cli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(`^ironlung: ${args[0]}: ${args[2]} is the input file.*; write to another file\nTry 'ironlung ${args[0]} --help'\.\n$`), args.join(' '));
      assert.equal(readFileSync(p('same.txt'), 'utf8'), text, `${args.join(' ')} kept its input`);
    }
    // A failed decompression takes back what it wrote to a file it opened: through a link,
    // the file is emptied and the link stays. A FIFO is written to, never removed.
    writeFileSync(p('target.out'), 'old');
    symlinkSync(p('target.out'), p('link.out'));
    assert.equal(cli(['decompress', p('a.txt'), p('link.out')]).status, 1);
    assert.equal(readFileSync(p('link.out'), 'utf8'), '');
    assert.ok(statSync(p('target.out')).isFile());
    if (spawnSync('mkfifo', [p('fifo.out')]).status === 0) {
      const reader = spawn('cat', [p('fifo.out')], { stdio: 'ignore' });
      const done = new Promise((resolve) => reader.once('exit', resolve));
      const r = cli(['decompress', p('a.txt'), p('fifo.out')]);
      await done;
      assert.equal(r.status, 1, r.stderr);
      assert.ok(statSync(p('fifo.out')).isFIFO(), 'the FIFO is still there');
    }
  });

  test('usage errors exit 2', () => {
    for (const args of [[], ['frobnicate'], ['count'], ['truncate', p('a.txt')], ['count', '--bogus', p('a.txt')],
      ['truncate', '--max-tokens', 'many', p('a.txt')], ['compress', p('a.txt')], ['count', '--encoding', 'nope', p('a.txt')],
      ['count', '--sort', 'size', p('a.txt')], ['count', '--json=yes', p('a.txt')], ['count', '--max-bytes', '-1', p('a.txt')],
      ['count', '--jobs', '0', p('a.txt')], ['count', '-', '-'], ['count', '--encoding', 'r50k_base', '--model', 'gpt-4', p('a.txt')],
      ['truncate', '--max-tokens', '5', '--from', 'both', p('a.txt')], ['truncate', '--max-tokens', '-1', p('a.txt')],
      ['chunk', p('a.txt')], ['chunk', '--max-tokens', '0', p('a.txt')], ['chunk', '--max-tokens', '4', '--overlap', '4', p('a.txt')],
      ['chunk', '--max-tokens', '4', '--boundary', 'word', p('a.txt')], ['chunk', '--max-tokens', '4', p('a.txt'), p('b.txt')],
      ['read', p('a.txt')], ['read', '--max-tokens', '5', '-'], ['read', '--max-tokens', '5', '--truncate', 'start', p('a.txt')],
      ['read', '--max-tokens', '5'], ['read', '--max-tokens', '5', '--encoding', 'r50k_base', '--model', 'gpt-4', p('a.txt')]]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      // One line saying what is wrong, and where to look; not the whole usage.
      assert.match(r.stderr, /^ironlung: [^\n]+\nTry 'ironlung (\w+ )?--help'\.\n$/, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.equal(cli(['--help']).status, 0);
    assert.match(cli(['--help']).stdout, /ironlung count/);
    assert.match(cli(['--version']).stdout, /^ironlung 0\.1\.0/);
  });
});

describe(`cli count over directories (${il.backend})`, () => {
  const enc = il.getEncoding('o200k_base');
  const t = tempDir();
  const root = t.path('tree');
  let fifo = false;

  const files = {
    '.gitignore': '*.log\n/build/\ntmp/\n!important.log\n# a comment\ndocs/**/*.draft\n*.tmp\n',
    '.git/info/exclude': 'excluded.txt\n',
    '.git/config': 'never walked',
    '.hidden.txt': 'dotfiles are counted, as git sees them',
    'README.md': '# Title\n\nSome words for the model to read.\n',
    'app.log': 'ignored',
    'important.log': 'kept by the negation',
    'excluded.txt': 'ignored by info/exclude',
    'build/out.js': 'ignored: /build/',
    'tmp/a.txt': 'ignored: tmp/',
    'docs/guide.md': 'A guide. '.repeat(40),
    'docs/x.draft': 'ignored',
    'docs/a/b/y.draft': 'ignored',
    'src/.gitignore': '*.rs\n!main.rs\ngen/\n/local.txt\n',
    'src/main.rs': 'fn main() {\n    println!("hello");\n}\n',
    'src/lib.rs': 'ignored',
    'src/local.txt': 'ignored: anchored to src/',
    'src/deep/local.txt': 'kept',
    'src/gen/x.ts': 'ignored: gen/',
    'src/deep/gen': 'kept: gen/ matches only directories',
    'src/deep/.gitignore': '!app.log\n',
    'src/deep/app.log': 'kept: re-included by the deeper .gitignore',
    'src/build/keep.js': 'export const kept = true;\n',
    'src/x.tmp': 'ignored',
    'empty.txt': '',
    'latin1.txt': Buffer.from('caf\xe9 cr\xe8me br\xfbl\xe9e\n', 'latin1'),
    'image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    'big.txt': 'x'.repeat(il.DEFAULT_MAX_BYTES + 1),
  };
  const counted = [
    '.gitignore', '.hidden.txt', 'README.md', 'docs/guide.md', 'empty.txt', 'important.log', 'latin1.txt',
    'src/.gitignore', 'src/build/keep.js', 'src/deep/.gitignore', 'src/deep/app.log', 'src/deep/gen', 'src/deep/local.txt', 'src/main.rs',
  ];
  const skippedFiles = () => [
    ['big.txt', 'ERR_FILE_TOO_LARGE'],
    ['cyc1', 'ERR_NOT_REGULAR_FILE'],
    ['cyc2', 'ERR_NOT_REGULAR_FILE'],
    ...(fifo ? [['fifo', 'ERR_NOT_REGULAR_FILE']] : []),
    ['image.png', 'ERR_BINARY_FILE'],
    ['link.md', 'ERR_NOT_REGULAR_FILE'],
    ['loop', 'ERR_NOT_REGULAR_FILE'],
    ['src/up', 'ERR_NOT_REGULAR_FILE'],
  ];
  const expectedFile = (path) => ({
    path,
    tokens: enc.count(il.readTextFileSync(join(root, path))),
    bytes: statSync(join(root, path)).size,
  });

  before(() => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    symlinkSync('.', join(root, 'loop'));
    symlinkSync('..', join(root, 'src', 'up'));
    symlinkSync('cyc2', join(root, 'cyc1'));
    symlinkSync('cyc1', join(root, 'cyc2'));
    symlinkSync('README.md', join(root, 'link.md'));
    fifo = spawnSync('mkfifo', [join(root, 'fifo')]).status === 0;
  });
  after(() => t.cleanup());

  test('--json: exactly the files git would see, skipped files with their reasons, totals', () => {
    const out = countJson(['.'], root);
    assert.deepEqual(Object.keys(out), ['encoding', 'files', 'skipped', 'byExtension', 'total']);
    assert.equal(out.encoding, 'o200k_base');
    assert.deepEqual(out.files, counted.map(expectedFile));
    assert.deepEqual(out.skipped.map((s) => [s.path, s.code]), skippedFiles());
    for (const s of out.skipped) assert.equal(typeof s.message, 'string');
    assert.match(out.skipped.find((s) => s.path === 'loop').message, /symbolic link to a directory/);
    // Per-extension totals and the grand total add up.
    const byExt = {};
    for (const f of out.files) {
      const e = (byExt[extname(f.path)] ??= { files: 0, tokens: 0, bytes: 0 });
      e.files++;
      e.tokens += f.tokens;
      e.bytes += f.bytes;
    }
    assert.deepEqual(out.byExtension, byExt);
    const tokens = Object.values(byExt).map((e) => e.tokens);
    assert.deepEqual(Object.values(out.byExtension).map((e) => e.tokens), [...tokens].sort((a, b) => b - a));
    assert.deepEqual(out.total, {
      files: counted.length,
      tokens: out.files.reduce((n, f) => n + f.tokens, 0),
      bytes: out.files.reduce((n, f) => n + f.bytes, 0),
    });
    // The empty file counts as zero; the non-UTF-8 file is decoded with U+FFFD, not skipped.
    assert.deepEqual(out.files.find((f) => f.path === 'empty.txt'), { path: 'empty.txt', tokens: 0, bytes: 0 });
    assert.ok(out.files.find((f) => f.path === 'latin1.txt').tokens > 0);
  });

  test('the table: files in path order, extensions by tokens, total and skipped counts', () => {
    const r = cli(['count', '.'], undefined, root);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'skipped files of a walk are summarised, not reported one by one');
    const [table, exts, summary] = r.stdout.split('\n\n');
    const rows = table.split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows[0], ['tokens', 'bytes', 'path']);
    assert.deepEqual(rows.slice(1), counted.map(expectedFile).map((f) => [String(f.tokens), String(f.bytes), f.path]));
    const out = countJson(['.'], root);
    const extLines = exts.split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(extLines[0], ['files', 'tokens', 'bytes', 'extension']);
    assert.deepEqual(
      extLines.slice(1),
      Object.entries(out.byExtension).map(([e, v]) => [String(v.files), String(v.tokens), String(v.bytes), e || '(none)']),
    );
    const n = skippedFiles().length;
    const reasons = fifo ? '6 ERR_NOT_REGULAR_FILE' : '5 ERR_NOT_REGULAR_FILE';
    assert.equal(
      summary,
      `total: ${out.total.files} files, ${out.total.tokens} tokens, ${out.total.bytes} bytes (o200k_base)\n` +
        `skipped: ${n} files (${reasons}, 1 ERR_BINARY_FILE, 1 ERR_FILE_TOO_LARGE)\n`,
    );
  });

  test('--sort tokens and --sort bytes: largest first, ties by path', () => {
    for (const key of ['tokens', 'bytes']) {
      const out = countJson(['--sort', key, '.'], root);
      const want = counted.map(expectedFile).sort((a, b) => b[key] - a[key] || (a.path < b.path ? -1 : 1));
      assert.deepEqual(out.files, want);
      const r = cli(['count', '--sort', key, '.'], undefined, root);
      assert.deepEqual(fileRows(r.stdout).map((row) => row[2]), want.map((f) => f.path));
    }
  });

  test('--max-bytes sets the cap; --no-ignore counts ignored files; --jobs 1 gives the same result', () => {
    const small = countJson(['--max-bytes', '40', '.'], root);
    const tooLarge = small.skipped.filter((s) => s.code === 'ERR_FILE_TOO_LARGE').map((s) => s.path);
    const want = counted.filter((f) => statSync(join(root, f)).size > 40);
    assert.deepEqual(tooLarge, ['big.txt', ...want].sort());
    assert.ok(small.files.every((f) => f.bytes <= 40));

    const all = countJson(['--no-ignore', '.'], root);
    for (const f of ['app.log', 'build/out.js', 'src/lib.rs', 'tmp/a.txt', 'excluded.txt']) {
      assert.ok(all.files.some((x) => x.path === f), f);
    }
    assert.ok(!all.files.some((x) => x.path.startsWith('.git/')), '.git is never walked');

    assert.deepEqual(countJson(['--jobs', '1', '.'], root), countJson(['.'], root));
    assert.deepEqual(countJson(['--jobs', '3', '.'], root), countJson(['.'], root));
  });

  test('a subdirectory inside a repository: the rules above it apply', () => {
    const out = countJson(['src'], root);
    assert.deepEqual(
      out.files.map((f) => f.path),
      ['src/.gitignore', 'src/build/keep.js', 'src/deep/.gitignore', 'src/deep/app.log', 'src/deep/gen', 'src/deep/local.txt', 'src/main.rs'],
    );
    assert.deepEqual(out.skipped.map((s) => s.path), ['src/up']);
  });

  test('a walk follows no symbolic link: a file and a link to it count once; a named link is read', () => {
    const out = countJson(['.'], root);
    assert.deepEqual(out.files.filter((f) => f.path === 'README.md' || f.path === 'link.md'), [expectedFile('README.md')]);
    assert.match(out.skipped.find((s) => s.path === 'link.md').message, /^'link\.md' is a symbolic link to a file, which is not followed/);
    assert.deepEqual(countJson(['link.md'], root).files, [expectedFile('link.md')]);
  });

  test('named files are counted even when ignored, each path once', () => {
    const out = countJson(['app.log', 'src', 'src/main.rs', './src/main.rs', 'README.md'], root);
    const paths = out.files.map((f) => f.path);
    assert.ok(paths.includes('app.log'));
    assert.equal(paths.filter((x) => x.endsWith('main.rs')).length, 1);
    assert.equal(out.total.files, paths.length);
  });

  test('skipped files are not errors; a missing or unreadable path is (exit 1), the rest is still counted', () => {
    const ok = cli(['count', 'image.png', 'big.txt', 'README.md'], undefined, root);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /image\.png: ERR_BINARY_FILE/, 'a named file that is skipped is mentioned on stderr');
    assert.match(ok.stderr, /big\.txt: ERR_FILE_TOO_LARGE/);

    const r = cli(['count', '--json', 'missing', '.', 'nope/deeper'], undefined, root);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /missing: ENOENT/);
    assert.match(r.stderr, /nope\/deeper: ENOENT/);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.files, counted.map(expectedFile));
    assert.deepEqual(
      out.skipped.filter((s) => s.code === 'ENOENT').map((s) => s.path),
      ['missing', 'nope/deeper'],
    );

    const empty = t.path('empty-dir');
    mkdirSync(empty);
    const none = cli(['count', empty]);
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout, 'total: 0 files, 0 tokens, 0 bytes (o200k_base)\n');
  });

  test('progress goes to stderr only, with --progress (stderr is not a terminal here)', () => {
    const quiet = cli(['count', '.'], undefined, root);
    assert.equal(quiet.stderr, '');
    const r = cli(['count', '--progress', '.'], undefined, root);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, quiet.stdout);
    assert.match(r.stderr, new RegExp(`^ironlung: counted ${counted.length} files \\(${skippedFiles().length} skipped\\) in [\\d.]+ s`, 'm'));
    const json = cli(['count', '--json', '--progress', '.'], undefined, root);
    assert.deepEqual(JSON.parse(json.stdout), countJson(['.'], root));
  });

  test('an ignore file that is a FIFO is not waited on: a warning, and the walk goes on', { skip: !hasMkfifo && 'no mkfifo' }, () => {
    const repo = t.path('fifos');
    mkdirSync(join(repo, '.git', 'info'), { recursive: true });
    mkdirSync(join(repo, 'sub'));
    writeFileSync(join(repo, 'sub', 'a.txt'), 'hello\n');
    for (const f of ['.gitignore', '.git/info/exclude']) spawnSync('mkfifo', [join(repo, f)]);
    // A linked worktree whose git directory's commondir is a FIFO, and a .git that is one.
    mkdirSync(join(repo, 'wt'));
    writeFileSync(join(repo, 'wt', '.git'), 'gitdir: ../gd\n');
    writeFileSync(join(repo, 'wt', 'b.txt'), 'hi\n');
    mkdirSync(join(repo, 'gd'));
    spawnSync('mkfifo', [join(repo, 'gd', 'commondir')]);
    mkdirSync(join(repo, 'odd'));
    spawnSync('mkfifo', [join(repo, 'odd', '.git')]);
    writeFileSync(join(repo, 'odd', 'c.txt'), 'hey\n');
    const warning = (f) => new RegExp(`^ironlung: warning: cannot read ${f}: it is a FIFO, not a regular file$`, 'm');
    // sub is walked with the .gitignore above it and info/exclude: both FIFOs.
    const r = cli(['count', '--json', 'sub'], undefined, repo);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).files.map((f) => f.path), ['sub/a.txt']);
    assert.match(r.stderr, warning(join(repo, '.gitignore')));
    assert.match(r.stderr, warning(join(repo, '.git', 'info', 'exclude')));
    // Walked from the root, the FIFO .gitignore is one of the files, skipped.
    const all = cli(['count', '--json', '.'], undefined, repo);
    assert.equal(all.status, 0, all.stderr);
    assert.deepEqual(JSON.parse(all.stdout).skipped.map((s) => [s.path, s.code]), [['.gitignore', 'ERR_NOT_REGULAR_FILE'], ['gd/commondir', 'ERR_NOT_REGULAR_FILE']]);
    for (const dir of ['wt', 'odd']) {
      const one = cli(['count', '--json', dir], undefined, repo);
      assert.equal(one.status, 0, `${dir}: ${one.stderr}`);
      assert.equal(JSON.parse(one.stdout).total.files, 1, dir);
    }
    // train-dict walks the same way (too few samples here: exit 1, but it ends).
    const train = cli(['train-dict', '--out', join(repo, 'dict'), 'sub'], undefined, repo);
    assert.equal(train.status, 1, train.stderr);
    assert.match(train.stderr, warning(join(repo, '.gitignore')));
    // A .gitignore above the walk that links to a regular file is still read.
    const linked = t.path('linked-ignore');
    mkdirSync(join(linked, 'sub'), { recursive: true });
    writeFileSync(join(linked, 'rules'), '*.log\n');
    symlinkSync('rules', join(linked, '.gitignore'));
    mkdirSync(join(linked, '.git'));
    writeFileSync(join(linked, 'sub', 'a.txt'), 'a\n');
    writeFileSync(join(linked, 'sub', 'b.log'), 'b\n');
    const l = cli(['count', '--json', 'sub'], undefined, linked);
    assert.equal(l.stderr, '');
    assert.deepEqual(JSON.parse(l.stdout).files.map((f) => f.path), ['sub/a.txt']);
  });

  test('FIFOs, sockets and devices to count are skipped unread, walked or named, on every --jobs', { skip: !hasMkfifo && 'no mkfifo' }, async () => {
    const dir = t.path('special');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), 'hello\n');
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('fifo', join(dir, 'fifo.link'));
    const server = createServer();
    await new Promise((resolve) => server.listen(join(dir, 'sock'), resolve));
    try {
      for (const jobs of ['1', '4']) {
        for (const args of [[dir], [join(dir, 'fifo'), join(dir, 'sock'), join(dir, 'fifo.link'), '/dev/null', join(dir, 'a.txt')]]) {
          const r = cli(['count', '--json', '--jobs', jobs, ...args]);
          assert.equal(r.status, 0, r.stderr);
          const out = JSON.parse(r.stdout);
          assert.deepEqual(out.files.map((f) => f.path), [join(dir, 'a.txt')]);
          assert.deepEqual(new Set(out.skipped.map((s) => s.code)), new Set(['ERR_NOT_REGULAR_FILE']));
          assert.equal(out.skipped.length, args.length === 1 ? 3 : 4);
        }
      }
    } finally {
      server.close();
    }
  });

  test('a file named - in a walked directory is that file, not stdin', () => {
    const dir = t.path('dash');
    mkdirSync(dir);
    writeFileSync(join(dir, '-'), 'the file named dash\n');
    for (const jobs of ['1', '4']) {
      const r = cli(['count', '--json', '--jobs', jobs, '.'], 'from stdin', dir);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).files, [{ path: '-', tokens: enc.count('the file named dash\n'), bytes: 20 }]);
      // Both, when - is given too.
      const both = cli(['count', '--json', '--jobs', jobs, '-', '.'], 'from stdin', dir);
      assert.equal(both.status, 0, both.stderr);
      assert.deepEqual(JSON.parse(both.stdout).files.map((f) => f.bytes).sort(), [10, 20]);
    }
  });

  test('stdin counts alongside files', () => {
    const r = cli(['count', '--json', '-', 'README.md'], 'from stdin', root);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.files, [{ path: '-', tokens: enc.count('from stdin'), bytes: 10 }, expectedFile('README.md')]);
    assert.deepEqual(out.byExtension[''], { files: 1, tokens: enc.count('from stdin'), bytes: 10 });
  });
});

describe(`cli truncate, chunk and read (${il.backend})`, () => {
  const enc = il.getEncoding('o200k_base');
  const t = tempDir();
  const p = t.path;
  const text = Array.from({ length: 30 }, (_, i) => `Line ${i}: the quick brown fox.\n${i % 7 === 6 ? '\n' : ''}`).join('');
  before(() => writeFileSync(p('doc.txt'), text));
  after(() => t.cleanup());

  test('truncate --from and --marker', () => {
    for (const opts of [{ from: 'end' }, { from: 'start' }, { from: 'middle' }, { from: 'middle', marker: ' [{omitted} cut] ' }, { marker: '…' }, { from: 'start', marker: '[{omitted} cut] ' }]) {
      const args = ['truncate', '--max-tokens', '20'];
      if (opts.from) args.push('--from', opts.from);
      if (opts.marker) args.push('--marker', opts.marker);
      const r = cli([...args, p('doc.txt')]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, enc.truncate(text, 20, opts), JSON.stringify(opts));
      assert.ok(enc.count(r.stdout) <= 20);
    }
    const stdin = cli(['truncate', '--max-tokens', '5', '--from', 'start', '--encoding', 'cl100k_base', '-'], text);
    assert.equal(stdin.stdout, il.getEncoding('cl100k_base').truncate(text, 5, { from: 'start' }));
    // A marker longer than the budget is the API's ERR_INVALID_ARG: bad usage.
    const tooLong = cli(['truncate', '--max-tokens', '2', '--marker', 'a marker of many tokens', '--from', 'middle', p('doc.txt')]);
    assert.equal(tooLong.status, 2);
    assert.match(tooLong.stderr, /marker/);
  });

  test('chunk prints one JSON line per chunk', () => {
    for (const opts of [{ maxTokens: 25 }, { maxTokens: 25, overlap: 5 }, { maxTokens: 40, boundary: 'line' }, { maxTokens: 60, boundary: 'paragraph' }]) {
      const args = ['chunk', '--max-tokens', String(opts.maxTokens)];
      if (opts.overlap) args.push('--overlap', String(opts.overlap));
      if (opts.boundary) args.push('--boundary', opts.boundary);
      const r = cli([...args, p('doc.txt')]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      const want = enc.chunk(text, opts);
      assert.deepEqual(lines, want.map((c, index) => ({ index, start: c.start, end: c.end, tokens: c.tokens, text: c.text })));
      for (const line of r.stdout.trimEnd().split('\n')) assert.match(line, /^\{"index":\d+,"start":\d+,"end":\d+,"tokens":\d+,"text":/);
      if (!opts.overlap) assert.equal(lines.map((c) => c.text).join(''), text);
    }
    const stdin = cli(['chunk', '--max-tokens', '3', '-'], 'hello world, hello chunks');
    assert.deepEqual(
      stdin.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).text).join(''),
      'hello world, hello chunks',
    );
    assert.equal(cli(['chunk', '--max-tokens', '3', p('missing.txt')]).status, 1);
    // Budgets past 2^32 - 1 tokens: an overlap below --max-tokens is still accepted.
    const huge = cli(['chunk', '--max-tokens', '9007199254740991', '--overlap', '9007199254740990', '-'], 'hello world');
    assert.equal(huge.status, 0, huge.stderr);
    assert.deepEqual(JSON.parse(huge.stdout), { index: 0, start: 0, end: 11, tokens: 2, text: 'hello world' });
  });

  test('read prints the text that fits, a summary on stderr, or --json', async () => {
    for (const cut of [undefined, 'end', 'middle']) {
      const args = ['read', '--max-tokens', '30'];
      if (cut) args.push('--truncate', cut);
      const want = await il.readForContext(p('doc.txt'), { maxTokens: 30, ...(cut ? { truncate: cut } : {}) });
      const r = cli([...args, p('doc.txt')]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, want.text);
      assert.equal(
        r.stderr,
        `ironlung: ${p('doc.txt')}: tokens=${want.tokens} truncated=true omittedTokens=${want.omittedTokens} bytes=${Buffer.byteLength(text)} encoding=o200k_base\n`,
      );
      const j = cli([...args, '--json', p('doc.txt')]);
      assert.equal(j.status, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stdout), want);
      assert.equal(j.stderr, '');
    }
    const whole = cli(['read', '--max-tokens', '100000', '--model', 'gpt-4', '--json', p('doc.txt')]);
    assert.deepEqual(JSON.parse(whole.stdout), {
      text,
      tokens: il.getEncoding('cl100k_base').count(text),
      truncated: false,
      omittedTokens: 0,
      bytes: Buffer.byteLength(text),
      encoding: 'cl100k_base',
    });
    const small = cli(['read', '--max-tokens', '10', '--max-bytes', '10', p('doc.txt')]);
    assert.equal(small.status, 1);
    assert.match(small.stderr, /ERR_FILE_TOO_LARGE/);
    const missing = cli(['read', '--max-tokens', '10', p('missing.txt')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /ENOENT/);
  });
});
