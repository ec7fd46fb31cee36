// Safe text reading: bounds, binary detection, decoding, OS errors, on the backend under test.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, symlinkSync, chmodSync, openSync, closeSync, truncateSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { il, tempDir, throwsCode, rejectsCode } from './helpers.mjs';

function utf16(text, bigEndian) {
  const out = new Uint8Array(2 + text.length * 2);
  out.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out[2 + 2 * i + (bigEndian ? 0 : 1)] = u >> 8;
    out[2 + 2 * i + (bigEndian ? 1 : 0)] = u & 0xff;
  }
  return out;
}

function utf32(text, bigEndian) {
  const cps = Array.from(text, (c) => c.codePointAt(0));
  const out = new Uint8Array(4 + cps.length * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xfeff, !bigEndian);
  cps.forEach((cp, i) => dv.setUint32(4 + 4 * i, cp, !bigEndian));
  return out;
}

/** Both read paths: the Promise one and the sync one must agree. */
async function bothReads(path, options) {
  const sync = (() => {
    try {
      return { ok: il.readTextFileSync(path, options) };
    } catch (e) {
      return { err: e };
    }
  })();
  let async_;
  try {
    async_ = { ok: await il.readTextFile(path, options) };
  } catch (e) {
    async_ = { err: e };
  }
  assert.equal(sync.ok, async_.ok);
  assert.equal(sync.err?.code, async_.err?.code);
  assert.equal(sync.err?.message, async_.err?.message);
  if (sync.err) throw sync.err;
  return sync.ok;
}

describe(`readTextFile (${il.backend})`, () => {
  const t = tempDir();
  const p = t.path;
  before(() => {
    writeFileSync(p('plain.txt'), 'hello\nwörld 😀\n');
    writeFileSync(p('bom8.txt'), new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('bom')]));
    writeFileSync(p('u16le.txt'), utf16('UTF-16 😀 text', false));
    writeFileSync(p('u16be.txt'), utf16('UTF-16 😀 text', true));
    writeFileSync(p('u32le.txt'), utf32('UTF-32 😀 text', false));
    writeFileSync(p('u32be.txt'), utf32('UTF-32 😀 text', true));
    writeFileSync(p('invalid.txt'), new Uint8Array([0x61, 0xff, 0x62, 0xc3]));
    writeFileSync(p('binary.bin'), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]));
    writeFileSync(p('exact.txt'), 'x'.repeat(100));
    writeFileSync(p('empty.txt'), '');
    mkdirSync(p('dir'));
    symlinkSync(p('plain.txt'), p('link.txt'));
    execFileSync('mkfifo', [p('fifo')]);
  });
  after(() => t.cleanup());

  test('reads UTF-8, strips BOMs, decodes UTF-16 and UTF-32', async () => {
    assert.equal(await bothReads(p('plain.txt')), 'hello\nwörld 😀\n');
    assert.equal(await bothReads(p('bom8.txt')), 'bom');
    assert.equal(await bothReads(p('u16le.txt')), 'UTF-16 😀 text');
    assert.equal(await bothReads(p('u16be.txt')), 'UTF-16 😀 text');
    assert.equal(await bothReads(p('u32le.txt')), 'UTF-32 😀 text');
    assert.equal(await bothReads(p('u32be.txt')), 'UTF-32 😀 text');
    assert.equal(await bothReads(p('empty.txt')), '');
    assert.equal(await bothReads(p('link.txt')), 'hello\nwörld 😀\n');
    assert.equal(await bothReads(pathToFileURL(p('plain.txt'))), 'hello\nwörld 😀\n');
  });

  test('invalid UTF-8 becomes U+FFFD', async () => {
    assert.equal(await bothReads(p('invalid.txt')), 'a\ufffdb\ufffd');
  });

  test('NUL bytes mean binary', async () => {
    await rejectsCode(() => bothReads(p('binary.bin')), 'ERR_BINARY_FILE', ['binary.bin', 'offset 7']);
  });

  test('maxBytes is a hard limit', async () => {
    assert.equal((await bothReads(p('exact.txt'), { maxBytes: 100 })).length, 100);
    await rejectsCode(() => bothReads(p('exact.txt'), { maxBytes: 99 }), 'ERR_FILE_TOO_LARGE', ['exact.txt', '100 bytes', 'maxBytes 99']);
    await rejectsCode(() => bothReads(p('exact.txt'), { maxBytes: 0 }), 'ERR_FILE_TOO_LARGE', ['maxBytes 0']);
    assert.equal(await bothReads(p('empty.txt'), { maxBytes: 0 }), '');
    assert.equal(il.DEFAULT_MAX_BYTES, 1024 * 1024);
    writeFileSync(p('big.txt'), 'y'.repeat(il.DEFAULT_MAX_BYTES + 1));
    await rejectsCode(() => bothReads(p('big.txt')), 'ERR_FILE_TOO_LARGE', ['maxBytes 1048576']);
    await rejectsCode(() => bothReads(p('exact.txt'), { maxBytes: -1 }), 'ERR_INVALID_ARG', ['maxBytes', '-1']);
    await rejectsCode(() => bothReads(p('exact.txt'), { maxBytes: '10' }), 'ERR_INVALID_ARG', ['maxBytes']);
  });

  test('files of unknown size are read with the same bound (/proc)', async () => {
    // /proc/self/status reports size 0 and changes between reads; /proc/self/cmdline is stable.
    assert.match(il.readTextFileSync('/proc/self/status'), /^Name:/);
    assert.match(await il.readTextFile('/proc/self/status'), /^Name:/);
    await rejectsCode(() => bothReads('/proc/self/status', { maxBytes: 10 }), 'ERR_FILE_TOO_LARGE', ['/proc/self/status', 'maxBytes 10']);
  });

  test('only regular files: directories, FIFOs and devices are refused without hanging', async () => {
    await rejectsCode(() => bothReads(p('dir')), 'EISDIR', ['illegal operation on a directory', 'dir']);
    await rejectsCode(() => bothReads(p('fifo')), 'ERR_NOT_REGULAR_FILE', ['fifo', 'FIFO']);
    await rejectsCode(() => bothReads('/dev/zero'), 'ERR_NOT_REGULAR_FILE', ['/dev/zero', 'character device']);
    await rejectsCode(() => bothReads('/dev/null'), 'ERR_NOT_REGULAR_FILE', ['/dev/null']);
  });

  // 0.1: opening a socket failed with ENXIO, which told the caller nothing useful.
  test('a Unix socket is ERR_NOT_REGULAR_FILE, not ENXIO', async () => {
    const server = createServer();
    await new Promise((resolve) => server.listen(p('sock'), resolve));
    try {
      await rejectsCode(() => bothReads(p('sock')), 'ERR_NOT_REGULAR_FILE', ['sock', 'a socket']);
      await rejectsCode(() => il.readForContext(p('sock')), 'ERR_NOT_REGULAR_FILE', ['sock', 'a socket']);
    } finally {
      server.close();
    }
  });

  // 0.1 on wasm: a file of 2 GiB or more with maxBytes Infinity aborted Node (a read length
  // over 2^31 - 1), and one of 4 GiB threw a bare RangeError. Both backends now refuse such
  // a file from its size, before reading (the files are sparse: no disk or memory is used).
  test('a file over 2 GiB - 1 is refused whatever maxBytes says, before any read', async () => {
    for (const size of [2 ** 31, 2 ** 32 + 5]) {
      const f = p(`sparse-${size}`);
      closeSync(openSync(f, 'w'));
      truncateSync(f, size);
      const want = ['ERR_FILE_TOO_LARGE', [`is ${size} bytes`, '2147483647 bytes (2 GiB - 1)', 'whatever maxBytes says']];
      await rejectsCode(() => bothReads(f, { maxBytes: Infinity }), ...want);
      await rejectsCode(() => il.readForContext(f, { maxBytes: Infinity }), ...want);
      await rejectsCode(() => il.readForContext(f, { maxBytes: Infinity, maxTokens: 10 }), ...want);
      // Under the limit, maxBytes is what is named.
      await rejectsCode(() => bothReads(f, { maxBytes: 2 ** 31 - 2 }), 'ERR_FILE_TOO_LARGE', [`is ${size} bytes, larger than maxBytes 2147483646`]);
      unlinkSync(f);
    }
  });

  test('OS errors carry Node codes and name the path', async () => {
    await rejectsCode(() => bothReads(p('missing.txt')), 'ENOENT', ['no such file or directory', 'missing.txt']);
    await rejectsCode(() => bothReads(p('plain.txt/child')), 'ENOTDIR', ['plain.txt']);
    if (process.getuid && process.getuid() !== 0) {
      writeFileSync(p('secret.txt'), 'x');
      chmodSync(p('secret.txt'), 0);
      await rejectsCode(() => bothReads(p('secret.txt')), 'EACCES', ['secret.txt']);
    }
    await rejectsCode(() => bothReads('a\0b'), 'ERR_INVALID_ARG', ['NUL']);
    await rejectsCode(() => bothReads(42), 'ERR_INVALID_ARG', ['path', 'number 42']);
    await rejectsCode(() => bothReads(new URL('https://example.com/x')), 'ERR_INVALID_ARG', ['file: URL']);
    // A file: URL is read as node:url's fileURLToPath reads it: no other host, no encoded
    // '/', UTF-8 percent-encoding.
    await rejectsCode(() => bothReads(new URL(`file://otherhost${p('plain.txt')}`)), 'ERR_INVALID_ARG', ['names a file on host otherhost']);
    await rejectsCode(() => bothReads(new URL('file:///tmp/a%2Fb')), 'ERR_INVALID_ARG', ["has an encoded '/' (%2F)"]);
    await rejectsCode(() => bothReads(new URL('file:///tmp/%E0%A4%A')), 'ERR_INVALID_ARG', ['its percent-encoding is not UTF-8']);
    assert.equal(await bothReads(new URL(`file://localhost${p('plain.txt')}`)), 'hello\nwörld 😀\n');
  });
});

describe(`decodeText and isBinary (${il.backend})`, () => {
  test('decodeText applies the same decoding and binary check', () => {
    assert.equal(il.decodeText(new TextEncoder().encode('plain 😀')), 'plain 😀');
    assert.equal(il.decodeText(utf16('sixteen', false)), 'sixteen');
    assert.equal(il.decodeText(utf32('thirty-two', true)), 'thirty-two');
    assert.equal(il.decodeText(new Uint8Array([0xe2, 0x82])), '\ufffd');
    assert.equal(il.decodeText(utf16('odd', false).subarray(0, 7)), 'od\ufffd');
    throwsCode(() => il.decodeText(new Uint8Array([1, 0, 2])), 'ERR_BINARY_FILE', ['offset 1']);
    throwsCode(() => il.decodeText(new Uint8Array(10), { maxBytes: 5 }), 'ERR_FILE_TOO_LARGE', ['maxBytes 5']);
    throwsCode(() => il.decodeText('text'), 'ERR_INVALID_ARG', ['string']);
    assert.equal(il.decodeText(new ArrayBuffer(0)), '');
  });

  test('isBinary: NUL means binary, unless a UTF-16/32 BOM says text', () => {
    assert.equal(il.isBinary(new Uint8Array([])), false);
    assert.equal(il.isBinary(new TextEncoder().encode('text')), false);
    assert.equal(il.isBinary(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00])), true);
    assert.equal(il.isBinary(utf16('with BOM', false)), false);
    assert.equal(il.isBinary(utf32('with BOM', true)), false);
    assert.equal(il.isBinary(new Uint8Array([0xff, 0xfe, 0x41, 0x00])), false);
  });
});
