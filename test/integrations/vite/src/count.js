// What the page and the worker both do: count, encode and compress with ironlung.
import { backend, loadEncoding, loadZstd, compress, decompress } from 'ironlung';

export async function countAll(texts) {
  const out = { backend, tokens: {}, counts: {} };
  for (const name of ['cl100k_base', 'o200k_base']) {
    const enc = await loadEncoding(name);
    out.tokens[name] = texts.map((t) => Array.from(enc.encode(t)));
    out.counts[name] = texts.map((t) => enc.count(t));
  }
  // zstd's module downloads on first use: once, before its synchronous calls.
  await loadZstd();
  const text = texts.join('\n').repeat(100);
  const packed = compress(text, { level: 7 });
  out.zstd = { bytes: packed.length, roundTrip: new TextDecoder().decode(decompress(packed)) === text };
  return out;
}
