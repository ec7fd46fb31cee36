// A Node program bundled by esbuild: counts the texts given as a JSON array argument.
import { backend, getEncoding, compress, decompress } from 'ironlung';

const texts = JSON.parse(process.argv[2]);
const out = { backend, tokens: {}, counts: {} };
for (const name of ['cl100k_base', 'o200k_base']) {
  const enc = getEncoding(name);
  out.tokens[name] = texts.map((t) => Array.from(enc.encode(t)));
  out.counts[name] = texts.map((t) => enc.count(t));
}
const text = texts.join('\n').repeat(100);
const packed = compress(text, { level: 7 });
out.zstd = { bytes: packed.length, roundTrip: new TextDecoder().decode(decompress(packed)) === text };
console.log(JSON.stringify(out));
