// A Vercel Edge Function: POST { texts } and get token ids, counts and a zstd round trip back.
import { loadEncoding, compress, decompress, backend } from 'ironlung';

export const config = { runtime: 'edge' };

export default async function handler(request) {
  const { texts } = await request.json();
  const tokens = {};
  const counts = {};
  for (const name of ['cl100k_base', 'o200k_base']) {
    const enc = await loadEncoding(name);
    tokens[name] = texts.map((t) => Array.from(enc.encode(t)));
    counts[name] = texts.map((t) => enc.count(t));
  }
  const joined = texts.join('\n');
  const packed = compress(joined, { level: 9 });
  const again = new TextDecoder().decode(decompress(packed));
  return Response.json({ backend, tokens, counts, zstd: { bytes: packed.length, roundTrip: again === joined } });
}
