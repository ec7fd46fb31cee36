// Removes exports from a wasm module, so that wasm-bindgen's dead-code pass can drop the
// functions nothing else calls.
//
//   node scripts/wasm-unexport.mjs IN.wasm OUT.wasm PREFIX...
//
// Why: zstd-sys's wasm build exports its libc shim (`rust_zstd_wasm_shim_*`: #[no_mangle]
// functions that a cdylib must export). zstd's C code calls them directly, so the export
// only keeps alive the one it never calls: `qsort`, which only the dictionary builder uses
// and which brings five `sort_unstable` instantiations, about 12 KB of the download.
// Nothing outside the module uses these exports (wasm-bindgen's glue never names them).

import fs from 'node:fs';

const [input, output, ...prefixes] = process.argv.slice(2);
if (!input || !output || prefixes.length === 0) {
  console.error('usage: node scripts/wasm-unexport.mjs IN.wasm OUT.wasm PREFIX...');
  process.exit(2);
}

const bytes = fs.readFileSync(input);

function readLeb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Buffer.from(out);
}

if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${input} is not a wasm module`);
const parts = [bytes.subarray(0, 8)];
const removed = [];
let at = 8;
while (at < bytes.length) {
  const id = bytes[at];
  const [size, start] = readLeb(bytes, at + 1);
  const end = start + size;
  if (id !== 7) {
    parts.push(bytes.subarray(at, end));
  } else {
    const [count, first] = readLeb(bytes, start);
    const kept = [];
    let p = first;
    for (let i = 0; i < count; i++) {
      const entryStart = p;
      const [nameLen, nameAt] = readLeb(bytes, p);
      const name = bytes.subarray(nameAt, nameAt + nameLen).toString('utf8');
      p = readLeb(bytes, nameAt + nameLen + 1)[1]; // kind byte, then the index
      if (prefixes.some((x) => name.startsWith(x))) removed.push(name);
      else kept.push(bytes.subarray(entryStart, p));
    }
    if (p !== end) throw new Error('export section parse error');
    const body = Buffer.concat([leb(kept.length), ...kept]);
    parts.push(Buffer.from([7]), leb(body.length), body);
  }
  at = end;
}
if (removed.length === 0) throw new Error(`no export of ${input} starts with ${prefixes.join(', ')}`);
fs.writeFileSync(output, Buffer.concat(parts));
// Checks the result is still a valid module.
new WebAssembly.Module(fs.readFileSync(output));
