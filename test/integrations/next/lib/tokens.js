// What each route and the client page do with ironlung: count, encode, round-trip zstd.
import { loadEncoding, loadZstd, compress, decompress, backend } from 'ironlung';

export const ENCODINGS = ['cl100k_base', 'o200k_base'];

export async function countTexts(texts) {
  const tokens = {};
  const counts = {};
  for (const name of ENCODINGS) {
    const enc = await loadEncoding(name);
    tokens[name] = texts.map((t) => Array.from(enc.encode(t)));
    counts[name] = texts.map((t) => enc.count(t));
  }
  // A no-op on Node and the edge; in the browser, zstd's module downloads on first use.
  await loadZstd();
  const joined = texts.join('\n');
  const packed = compress(joined, { level: 9 });
  const again = new TextDecoder().decode(decompress(packed));
  return { backend, tokens, counts, zstd: { bytes: packed.length, roundTrip: again === joined } };
}
