// The `ironlung` command line in real shell pipelines, on the backend under test: every
// byte arrives (sha256 compared), a slow reader gets everything, a reader that goes away
// ends the command quietly with 0, a non-blocking stdin is waited on, not spun on.
// Needs bash, perl (Debian's perl-base), the zstd command line (Debian's zstd package) and
// script (Debian's bsdutils), for a terminal on stderr.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync, readSync, writeSync, closeSync, readFileSync, writeFileSync, mkdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI as bin, il, tempDir } from './helpers.mjs';

const MB = 1 << 20;

/**
 * Runs `script` with `bash -o pipefail` (a pipeline fails if any command in it does); `il`
 * is a shell function running the CLI under test with this Node.
 */
function sh(script, cwd) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `il() { "$IL_NODE" "$IL_BIN" "$@"; }\n${script}`], {
    cwd,
    env: { ...process.env, IL_NODE: process.execPath, IL_BIN: bin },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * MB,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const sha256File = (file) => sha256(readFileSync(file));
/** The hash that `sha256sum` printed for stdin. */
const printedHash = (stdout) => stdout.trim().split(/\s+/)[0];

/** The first `n` bytes of `file`. */
function head(file, n) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(n);
  readSync(fd, buf, 0, n, 0);
  closeSync(fd);
  return buf;
}

/** `size` bytes alternating 1 MiB of random bytes and 1 MiB of text (compressible). */
function writeMixed(file, size) {
  const text = Buffer.from('The quick brown fox jumps over the lazy dog; 0123456789 {"k": [1, 2]}\n'.repeat(Math.ceil((2 * MB) / 70)));
  const fd = openSync(file, 'w');
  const hash = createHash('sha256');
  for (let off = 0, i = 0; off < size; i++) {
    const n = Math.min(MB, size - off);
    const block = i % 2 === 0 ? randomBytes(n) : text.subarray(i % 997, (i % 997) + n);
    writeSync(fd, block);
    hash.update(block);
    off += n;
  }
  closeSync(fd);
  return hash.digest('hex');
}

describe(`cli in pipes (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  const big = { size: 100 * MB, hash: '' };
  const small = { size: 8 * MB, hash: '' };

  before(() => {
    const tools = sh('command -v zstd && command -v perl && command -v sha256sum && command -v script');
    assert.equal(tools.status, 0, 'these tests need zstd (Debian package zstd), perl, sha256sum and script (bsdutils) on PATH');
    big.hash = writeMixed(p('big.bin'), big.size);
    small.hash = writeMixed(p('small.bin'), small.size);
    // Made by the zstd command line, so decompress reads what another implementation wrote.
    const z = sh('zstd -q -3 -c big.bin > big.zst && zstd -q -c small.bin > small.zst', t.dir);
    assert.equal(z.status, 0, z.stderr);
  });
  after(() => t.cleanup());

  test('100 MB through compress - - | decompress - - arrives byte-identical', (tc) => {
    const start = process.hrtime.bigint();
    const r = sh('il compress - - < big.bin | il decompress - - > big.out', t.dir);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    tc.diagnostic(`100 MB compress - - | decompress - -: ${ms.toFixed(0)} ms (${il.backend})`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(sha256File(p('big.out')), big.hash);
    rmSync(p('big.out'));
  });

  test('decompress FILE - | wc -c counts every byte', () => {
    const r = sh('il decompress big.zst - | wc -c', t.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(Number(r.stdout.trim()), big.size);
  });

  test('interop with the zstd command line, both ways, through pipes', () => {
    const ours = sh('il compress big.bin - | zstd -dc | sha256sum', t.dir);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stderr, '');
    assert.equal(printedHash(ours.stdout), big.hash);

    const theirs = sh('zstd -q -c < small.bin | il decompress - - | sha256sum', t.dir);
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(printedHash(theirs.stdout), small.hash);

    // Files on both sides, and a negative level given as its own argument.
    const files = sh('il compress --level -5 small.bin small.fast.zst && zstd -dc small.fast.zst | sha256sum', t.dir);
    assert.equal(files.status, 0, files.stderr);
    assert.equal(printedHash(files.stdout), small.hash);
  });

  test('a slow reader still gets everything', () => {
    const r = sh('il decompress small.zst - | (sleep 1; cat) | sha256sum', t.dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(printedHash(r.stdout), small.hash);
  });

  test('a reader that goes away (| head) ends the command quietly, with 0', () => {
    const text = 'Line of text for the chunker, with some words in it.\n'.repeat(40_000); // 2 MB
    writeFileSync(p('text.txt'), text);
    mkdirSync(p('many'));
    for (let i = 0; i < 3000; i++) writeFileSync(p(`many/file-${String(i).padStart(4, '0')}.txt`), `file ${i}\n`);

    for (const [script, check] of [
      ['il decompress big.zst - 2> err | head -c 10 > head.out', () => assert.deepEqual(readFileSync(p('head.out')), head(p('big.bin'), 10))],
      ['il compress big.bin - 2> err | head -c 10 > head.out', () => assert.equal(readFileSync(p('head.out')).length, 10)],
      ['il chunk --max-tokens 5 text.txt 2> err | head -1 > head.out', () => assert.equal(JSON.parse(readFileSync(p('head.out'), 'utf8')).index, 0)],
      ['il count many 2> err | head -1 > head.out', () => assert.equal(readFileSync(p('head.out'), 'utf8').trim().split(/\s+/).join(' '), 'tokens bytes path')],
      ['il truncate --max-tokens 1000000 text.txt 2> err | head -c 4 > head.out', () => assert.equal(readFileSync(p('head.out'), 'utf8'), 'Line')],
    ]) {
      const r = sh(script, t.dir);
      assert.equal(r.status, 0, `${script}: ${r.stderr}`);
      assert.equal(readFileSync(p('err'), 'utf8'), '', script);
      check();
    }
  });

  test('a non-blocking stdin that is slow to arrive is waited on, not spun on', () => {
    // perl sets O_NONBLOCK on the pipe and execs the CLI: reading fd 0 then fails with EAGAIN
    // until the data comes, and a loop that retries at once burns the 2 s on the CPU.
    const nonblocking = `perl -MFcntl -e 'my $f = fcntl(STDIN, F_GETFL, 0) or die; fcntl(STDIN, F_SETFL, $f | O_NONBLOCK) or die; exec @ARGV or die'`;
    const r = sh(
      `TIMEFORMAT='%3U %3S'
      { time ${nonblocking} "$IL_NODE" "$IL_BIN" compress - small.slow.zst < <(sleep 2; cat small.bin) ; } 2> cpu
      zstd -dc small.slow.zst | sha256sum`,
      t.dir,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(printedHash(r.stdout), small.hash);
    const [user, sys] = readFileSync(p('cpu'), 'utf8').trim().split(/\s+/).map(Number);
    assert.ok(user + sys < 1, `CPU time ${user} s user + ${sys} s system while waiting 2 s for stdin`);
  });

  test('a 1 GiB frame streams through decompress in bounded memory', () => {
    // zstd made it from stdin, so its frame declares no size: nothing to check up front.
    const r = sh(
      `head -c 1073741824 /dev/zero | zstd -q -1 -c > zeros.zst
      /usr/bin/time -f '%M' -o rss "$IL_NODE" "$IL_BIN" decompress --max-output-bytes 1073741824 zeros.zst - | wc -c
      "$IL_NODE" "$IL_BIN" decompress zeros.zst zeros.out; echo "exit $?"; test -e zeros.out && echo "left zeros.out"`,
      t.dir,
    );
    assert.equal(r.stdout.trim().split('\n')[0], '1073741824', r.stderr);
    const peakMB = Number(readFileSync(p('rss'), 'utf8').trim().split('\n').at(-1)) / 1024;
    assert.ok(peakMB < 150, `peak RSS ${peakMB.toFixed(0)} MB while 1 GiB streamed out`);
    // Past the default cap of 256 MiB: an error, and no partial output file.
    assert.match(r.stdout, /exit 1\n$/);
    assert.match(r.stderr, /^ironlung: zeros\.zst: ERR_OUTPUT_TOO_LARGE: decompressed size exceeds --max-output-bytes 268435456/m);
  });

  test('--progress reports a large input, or a large output, on stderr', () => {
    const r = sh('il compress --progress big.bin big.again.zst', t.dir);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    // Lines every 200 ms while it runs (stderr is no terminal here), then the summary.
    for (const l of lines.slice(0, -1)) assert.match(l, /^ironlung: compressed [\d.]+ MB of 104\.9 MB \(\d+%\) into [\d.]+ MB…$/);
    assert.match(lines.at(-1), /^ironlung: compressed 104\.9 MB of 104\.9 MB \(100%\) into [\d.]+ MB in [\d.]+ s$/);
    const size = statSync(p('big.again.zst')).size;
    assert.ok(size < 64 << 20, `the compressed input (${size} bytes) is under the 64 MiB that input alone would need`);
    // Decompressing: the input is small, the output is what makes it large.
    const back = sh('il decompress --progress big.again.zst - | sha256sum', t.dir);
    assert.equal(back.status, 0, back.stderr);
    assert.equal(printedHash(back.stdout), big.hash);
    const of = (size / 1e6).toFixed(1).replace('.', '\\.');
    assert.match(back.stderr.trim().split('\n').at(-1), new RegExp(`^ironlung: decompressed ${of} MB of ${of} MB \\(100%\\) into 104\\.9 MB in [\\d.]+ s$`));
  });

  test('on a terminal, an error after progress starts on a line of its own', () => {
    // stderr on a terminal (script's pseudo-terminal): progress is one line redrawn in place,
    // with no newline. A truncated frame, its input paused once past the 64 MB of output
    // that shows progress, so that a progress line is up when the error comes.
    const size = statSync(p('big.zst')).size;
    const first = Math.floor(size * 0.7);
    writeFileSync(
      p('tty.sh'),
      `{ head -c ${first} big.zst; sleep 0.5; tail -c +${first + 1} big.zst | head -c ${size - first - 1000}; } | "$IL_NODE" "$IL_BIN" decompress - /dev/null\n`,
    );
    const r = sh('script -q -e -c "bash tty.sh" /dev/null < /dev/null', t.dir);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /\x1b\[2Kdecompressed [\d.]+ MB into [\d.]+ MB…/, 'a progress line was up');
    const at = r.stdout.indexOf('ironlung: -: ERR_CORRUPT_DATA: ');
    assert.ok(at > 0, r.stdout);
    // Before it: the end of a line, or the progress line cleared.
    assert.match(r.stdout.slice(0, at), /(\n|\r\x1b\[2K)$/, JSON.stringify(r.stdout.slice(Math.max(0, at - 60), at + 40)));
  });

  test('compress and train-dict refuse to write binary to a terminal; a pipe or decompress is fine', () => {
    mkdirSync(p('tty-samples'));
    for (let i = 0; i < 100; i++) writeFileSync(p(`tty-samples/${i}.json`), JSON.stringify({ id: i, tool: ['grep', 'read_file'][i % 2], path: `src/m${i % 13}.rs` }));
    // stdout on script's pseudo-terminal (stderr too: one stream, in r.stdout).
    const onTty = (cmd) => sh(`script -q -e -c ${JSON.stringify(cmd)} /dev/null < /dev/null`, t.dir);
    for (const [cmd, command] of [['compress small.bin -', 'compress'], ['train-dict --max-bytes 4096 --out - tty-samples', 'train-dict']]) {
      const r = onTty(`"$IL_NODE" "$IL_BIN" ${cmd}`);
      assert.equal(r.status, 2, `${cmd}: ${r.stdout}`);
      assert.equal(
        r.stdout.replace(/\r\n/g, '\n'),
        `ironlung: ${command}: stdout is a terminal, and the output is binary; give a file, or redirect stdout (> FILE, | ...)\nTry 'ironlung ${command} --help'.\n`,
      );
    }
    const piped = onTty('"$IL_NODE" "$IL_BIN" compress small.bin - | "$IL_NODE" "$IL_BIN" decompress - - | sha256sum');
    assert.equal(piped.status, 0, piped.stdout);
    assert.equal(printedHash(piped.stdout), small.hash);
    writeFileSync(p('hello.zst'), il.compress('hello terminal\n'));
    const text = onTty('"$IL_NODE" "$IL_BIN" decompress hello.zst -');
    assert.equal(text.status, 0, text.stdout);
    assert.equal(text.stdout.replace(/\r\n/g, '\n'), 'hello terminal\n');
  });

  test('a failing stdout (a full disk) is one line on stderr, exit 1', () => {
    const r = sh('il compress small.bin - > /dev/full', t.dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ironlung: stdout: ENOSPC: no space left on device[^\n]*\n$/);
  });

  test('a failing OUT file (over the size limit) is its error, exit 1, and no OUT', () => {
    // ulimit -f: writes past 20 KiB fail with EFBIG (SIGXFSZ ignored, as a shell may).
    mkdirSync(p('samples'));
    const words = readFileSync(p('small.bin')).toString('latin1').replace(/[^a-z ]+/g, ' ');
    for (let i = 0; i < 400; i++) writeFileSync(p(`samples/${i}.txt`), `sample ${i}: ${words.slice(i * 4000, i * 4000 + 4000)}`);
    for (const script of ['il compress small.bin big-out.zst', 'il decompress small.zst big-out.bin', 'il train-dict --max-bytes 200000 --out big-out.dict samples']) {
      const r = sh(`trap '' XFSZ; ulimit -f 20; ${script}`, t.dir);
      assert.equal(r.status, 1, `${script}: ${r.stderr}`);
      assert.match(r.stderr, /^ironlung: big-out\.\w+: EFBIG: file too large/m, script);
      for (const f of ['big-out.zst', 'big-out.bin', 'big-out.dict']) assert.ok(!existsSync(p(f)), `${script} left ${f}`);
    }
  });

  test('a directory on stdin is EISDIR, exit 1, not empty input', () => {
    mkdirSync(p('a-dir'));
    for (const cmd of ['compress - dir.zst', 'decompress - dir.out', 'truncate --max-tokens 5 -', 'chunk --max-tokens 5 -', 'count -', 'info -']) {
      const r = sh(`il ${cmd} < a-dir`, t.dir);
      assert.equal(r.status, 1, cmd);
      assert.match(r.stderr, /^ironlung: -: EISDIR: illegal operation on a directory/m, cmd);
    }
    assert.ok(!existsSync(p('dir.zst')) && !existsSync(p('dir.out')));
  });

  test('a signal ends a compress or decompress waiting to open a FIFO with no reader', async () => {
    sh('mkfifo no-reader.fifo', t.dir);
    writeFileSync(p('tiny.zst'), il.compress('tiny'));
    for (const [args, signal] of [[['compress', 'small.zst', 'no-reader.fifo'], 'SIGINT'], [['decompress', 'tiny.zst', 'no-reader.fifo'], 'SIGTERM']]) {
      const child = spawn(process.execPath, [bin, ...args], { cwd: t.dir, stdio: 'ignore' });
      const ended = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
      // Until it waits in open() for a reader (Linux names that wait in wchan).
      for (let i = 0; i < 1000; i++) {
        let wchan = '';
        try {
          wchan = readFileSync(`/proc/${child.pid}/wchan`, 'utf8');
        } catch {}
        if (wchan === 'wait_for_partner') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill(signal);
      // A signal it held back would leave it waiting for ever: a hang, ended here by SIGKILL.
      const hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await ended;
      clearTimeout(hung);
      assert.deepEqual(r, { code: null, sig: signal }, `${args.join(' ')}: ends by ${signal}`);
    }
    assert.ok(statSync(p('no-reader.fifo')).isFIFO(), 'the FIFO is left as it is');
  });

  test('an interrupted compress or decompress leaves no OUT, and ends by its signal', async () => {
    for (const [args, signal] of [[['compress', '-', 'cut.zst'], 'SIGINT'], [['decompress', '-', 'cut.bin'], 'SIGTERM']]) {
      // Its input stays open, so the command is under way, OUT open, when the signal comes.
      const child = spawn(process.execPath, [bin, ...args], { cwd: t.dir, stdio: ['pipe', 'ignore', 'pipe'] });
      // The signal may come while this write is still going into the pipe: the child then
      // dies with input unread, and the write fails with EPIPE, as it should.
      child.stdin.on('error', (e) => assert.equal(e.code, 'EPIPE'));
      child.stdin.write(args[0] === 'compress' ? head(join(t.dir, 'small.bin'), 300_000) : il.compress(head(join(t.dir, 'small.bin'), 300_000)));
      const out = join(t.dir, args[2]);
      for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(existsSync(out), `${args[0]} opened OUT`);
      const ended = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
      child.kill(signal);
      assert.deepEqual(await ended, { code: null, sig: signal });
      assert.ok(!existsSync(out), `${args[0]} took OUT back`);
      child.stdin.destroy();
    }
  });
});
