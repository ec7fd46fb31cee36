// The `ironlung` command line's manners, on the backend under test: help per command, bad
// usage as one line and a pointer (exit 2) before any input is read, error messages that
// name the value typed and give a code once.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI as bin, il, runCli, tempDir } from './helpers.mjs';

const COMMANDS = ['count', 'truncate', 'chunk', 'read', 'compress', 'decompress', 'train-dict', 'info'];

const cli = (args, input) => runCli(args, { input });

/** The CLI with a stdin that stays open (never written, never closed) until it exits. */
function cliOpenStdin(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${args.join(' ')}: still running after 20 s (waiting for stdin?)`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ status, stdout, stderr });
    });
  });
}

/** Asserts bad usage: exit 2, nothing on stdout, `message` and a pointer to the help. */
function assertUsage(r, message, command, what) {
  assert.equal(r.status, 2, `${what}: ${r.stderr}`);
  assert.equal(r.stdout, '', what);
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 3, `${what}: one line and a pointer, got ${JSON.stringify(r.stderr)}`);
  if (message instanceof RegExp) assert.match(lines[0], message, what);
  else assert.equal(lines[0], `ironlung: ${message}`, what);
  assert.equal(lines[1], `Try 'ironlung ${command ? `${command} ` : ''}--help'.`, what);
}

describe(`cli usage (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  before(() => writeFileSync(p('a.txt'), 'hello world\n'));
  after(() => t.cleanup());

  test('--help, -h and help COMMAND print that command\'s usage on stdout, exit 0', () => {
    for (const cmd of COMMANDS) {
      const long = cli([cmd, '--help']);
      assert.equal(long.status, 0, long.stderr);
      assert.equal(long.stderr, '');
      assert.match(long.stdout, new RegExp(`^usage: ironlung ${cmd} `));
      assert.match(long.stdout, /-h, --help/);
      assert.doesNotMatch(long.stdout, new RegExp(`ironlung (${COMMANDS.filter((c) => c !== cmd).join('|')}) `), 'only its own usage');
      assert.equal(cli([cmd, '-h']).stdout, long.stdout);
      assert.equal(cli(['help', cmd]).stdout, long.stdout);
      // --help wins over a mistake beside it.
      assert.equal(cli([cmd, '--no-such-option', '--help']).stdout, long.stdout);
    }
    for (const [cmd, options] of [
      ['count', ['--encoding', '--model', '--sort path|tokens|bytes', '--max-bytes', '--json', '--no-ignore', '--progress', '--jobs']],
      ['truncate', ['--max-tokens', '--from end|start|middle', '--marker', '--max-bytes']],
      ['chunk', ['--max-tokens', '--overlap', '--boundary token|line|paragraph', '--max-bytes']],
      ['read', ['--max-tokens', '--truncate end|middle', '--max-bytes', '--json']],
      ['compress', ['--level']],
      ['decompress', ['--max-output-bytes']],
    ]) {
      const help = cli([cmd, '--help']).stdout;
      for (const o of options) assert.ok(help.includes(`  ${o}`), `${cmd} --help lists ${o}`);
    }
    // --marker works with every --from, as its help says.
    assert.match(cli(['truncate', '--help']).stdout, /^ {2}--marker TEXT +text put where text is cut, with any --from \(default: none; /m);
    // A synopsis that spells its options out spells out all of them (the README's too).
    for (const cmd of [...COMMANDS, 'log cat', 'log verify', 'log stats']) {
      const help = cli([...cmd.split(' '), '--help']).stdout;
      const synopsis = help.split('\n')[0];
      if (synopsis.includes('[options]')) continue;
      const options = help.slice(help.indexOf('\noptions:\n')).match(/^ {2}--[a-z-]+/gm).map((o) => o.trim());
      for (const o of options) assert.ok(synopsis.includes(o), `${cmd}: ${JSON.stringify(synopsis)} leaves out ${o}`);
    }
    const overview = cli(['--help']);
    assert.equal(overview.status, 0);
    for (const cmd of COMMANDS) assert.match(overview.stdout, new RegExp(`^  ironlung ${cmd} `, 'm'));
    assert.match(overview.stdout, /Exit codes: 0 success/);
    assert.equal(cli(['-h']).stdout, overview.stdout);
    assert.equal(cli(['help']).stdout, overview.stdout);
    assert.equal(cli(['--help', '--help']).stdout, overview.stdout);
    assert.equal(cli(['help', '-h']).stdout, overview.stdout);
    // `--help COMMAND` is `help COMMAND`, as git takes it.
    assert.equal(cli(['--help', 'count']).stdout, cli(['help', 'count']).stdout);
    assert.equal(cli(['-h', 'log', 'cat']).stdout, cli(['help', 'log', 'cat']).stdout);
    assert.match(cli(['--help', 'count']).stdout, /^usage: ironlung count /);
    assert.match(cli(['--version']).stdout, new RegExp(`^ironlung \\d+\\.\\d+\\.\\d+ \\(${il.backend}\\)\\n$`));
  });

  test('bad usage is one line naming what was typed, and a pointer; exit 2', () => {
    const a = p('a.txt');
    for (const [args, message, command] of [
      [[], 'no command given'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['--frobnicate'], 'unknown option --frobnicate'],
      [['--version', 'extra'], '--version takes no arguments, got "extra"'],
      [['-V', '--json'], '-V takes no arguments, got "--json"'],
      [['help', 'frobnicate'], 'unknown command "frobnicate"'],
      [['help', 'count', 'extra'], 'help takes one command, got "extra" after "count"'],
      [['--help', 'log', 'cat', 'x'], '--help takes one command, got "x" after "log cat"'],
      [['--help', 'frobnicate'], 'unknown command "frobnicate"'],
      [['count', '--foo', a], 'unknown option --foo for count', 'count'],
      [['count', '--foo=1', a], 'unknown option --foo for count', 'count'],
      [['count', '-x', a], 'unknown option -x for count', 'count'],
      [['count', '--json=yes', a], '--json takes no value, got "yes"', 'count'],
      [['count', '--sort', 'size', a], '--sort must be path, tokens or bytes, got "size"', 'count'],
      [['count', '--jobs', '0', a], '--jobs must be a positive integer, got "0"', 'count'],
      [['count', '--jobs', '1.5', a], '--jobs must be a positive integer, got "1.5"', 'count'],
      [['count', '--max-bytes', '', a], '--max-bytes must be a non-negative integer, got ""', 'count'],
      [['count', '--max-bytes', '99999999999999999999', a], '--max-bytes must be at most 9007199254740991, got "99999999999999999999"', 'count'],
      [['count'], 'count needs at least one PATH (a file, a directory, or - for stdin)', 'count'],
      [['count', '--encoding', 'nope', a], /^ironlung: unknown encoding "nope"; known encodings: .*o200k_base/, 'count'],
      [['count', '--model', 'nope', a], /^ironlung: unknown model "nope"/, 'count'],
      [['count', '--encoding', 'cl100k_base', '--model', 'gpt-4o', a], 'give --encoding or --model, not both', 'count'],
      [['truncate', a], 'truncate needs --max-tokens N', 'truncate'],
      [['truncate', '--max-tokens', 'abc', a], '--max-tokens must be a non-negative integer, got "abc"', 'truncate'],
      [['truncate', '--max-tokens', '-1', a], '--max-tokens must be a non-negative integer, got "-1"', 'truncate'],
      [['truncate', '--max-tokens=-1', a], '--max-tokens must be a non-negative integer, got "-1"', 'truncate'],
      [['truncate', '--max-tokens'], '--max-tokens needs a value', 'truncate'],
      [['truncate', '--max-tokens', '5', '--marker', '-x', a], '--marker -x is ambiguous: write --marker=-x for a value that starts with -', 'truncate'],
      [['truncate', '--max-tokens', '5', '--from', 'both', a], '--from must be end, start or middle, got "both"', 'truncate'],
      [['chunk', '--max-tokens', '0', a], '--max-tokens must be a positive integer, got "0"', 'chunk'],
      [['chunk', '--max-tokens', '4', '--overlap', '4', a], '--overlap must be less than --max-tokens, got 4 and 4', 'chunk'],
      [['read', '--max-tokens', '5', '-'], 'read takes a file path, not - (use truncate for stdin)', 'read'],
      [['read', '--max-tokens', '5', '--truncate', 'start', a], '--truncate must be end or middle, got "start"', 'read'],
      [['compress', a], 'compress takes IN and OUT (either may be - for stdin or stdout)', 'compress'],
      [['compress', '--level', 'max', a, p('x.zst')], '--level must be an integer, got "max"', 'compress'],
      [['compress', '--level', '23', a, p('x.zst')], /^ironlung: compression level 23 is out of range/, 'compress'],
      [['decompress', '--max-output-bytes', '1e6', a, p('x.out')], '--max-output-bytes must be a non-negative integer, got "1e6"', 'decompress'],
    ]) {
      assertUsage(cli(args), message, command, args.join(' '));
    }
    assert.ok(!existsSync(p('x.zst')) && !existsSync(p('x.out')), 'bad usage writes no output file');
  });

  test('bad usage is found before any input is read (stdin left open)', async () => {
    for (const [args, message, command] of [
      [['count', '--encoding', 'nope', '-'], /^ironlung: unknown encoding "nope"/, 'count'],
      [['truncate', '--max-tokens', '5', '--model', 'nope', '-'], /^ironlung: unknown model "nope"/, 'truncate'],
      [['truncate', '--max-tokens', '2', '--from', 'middle', '--marker', 'a marker of many tokens', '-'], /^ironlung: the marker .* counts 5 tokens, more than --max-tokens 2$/, 'truncate'],
      [['chunk', '--max-tokens', '4', '--boundary', 'word', '-'], '--boundary must be token, line or paragraph, got "word"', 'chunk'],
      [['compress', '--level', '99', '-', '-'], /^ironlung: compression level 99 is out of range/, 'compress'],
      [['decompress', '--max-output-bytes', 'lots', '-', '-'], '--max-output-bytes must be a non-negative integer, got "lots"', 'decompress'],
    ]) {
      assertUsage(await cliOpenStdin(args), message, command, args.join(' '));
    }
  });

  test('an error gives its code once, and the path it is about; exit 1', () => {
    const missing = p('missing.txt');
    for (const args of [
      ['count', missing],
      ['count', '--jobs', '1', missing],
      ['truncate', '--max-tokens', '5', missing],
      ['chunk', '--max-tokens', '5', missing],
      ['read', '--max-tokens', '5', missing],
      ['compress', missing, p('out.zst')],
      ['decompress', missing, '-'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, new RegExp(`^ironlung: ${missing.replace(/[.]/g, '\\.')}: ENOENT: no such file or directory`), args.join(' '));
      assert.equal(r.stderr.split('ENOENT').length, 2, `${args.join(' ')}: the code once, got ${JSON.stringify(r.stderr)}`);
    }
    const json = JSON.parse(cli(['count', '--json', missing]).stdout);
    assert.equal(json.skipped[0].code, 'ENOENT');
    assert.match(json.skipped[0].message, /^no such file or directory/);

    const corrupt = cli(['decompress', p('a.txt'), '-']);
    assert.equal(corrupt.status, 1);
    assert.match(corrupt.stderr, new RegExp(`^ironlung: ${p('a.txt').replace(/[.]/g, '\\.')}: ERR_CORRUPT_DATA: input is not zstd data`));
    assert.equal(corrupt.stderr.split('ERR_CORRUPT_DATA').length, 2);
  });

  test('stdin past --max-bytes is refused without reading it all', () => {
    const r = cli(['truncate', '--max-tokens', '5', '--max-bytes', '10', '-'], 'x'.repeat(1 << 20));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ironlung: -: ERR_FILE_TOO_LARGE: input is larger than --max-bytes 10/);
    const ok = cli(['truncate', '--max-tokens', '5', '--max-bytes', '10', '-'], 'x'.repeat(10));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'x'.repeat(10));
  });

  test('-- ends the options; a negative --level may be its own argument', () => {
    writeFileSync(p('-dash.txt'), 'dash file\n');
    const r = spawnSync(process.execPath, [bin, 'truncate', '--max-tokens', '100', '--', '-dash.txt'], { cwd: t.dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'dash file\n');
    for (const level of [['--level', '-3'], ['--level=-3']]) {
      assert.equal(cli(['compress', ...level, p('a.txt'), p('a.zst')]).status, 0);
      assert.equal(cli(['decompress', p('a.zst'), '-']).stdout, 'hello world\n');
    }
  });
});
