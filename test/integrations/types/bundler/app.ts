// A browser app's code under Bundler resolution (what Vite, webpack and Next.js projects use).
import { init, loadEncoding, compress, decompress, decodeText, type Encoding } from 'ironlung';

async function main(file: Blob): Promise<number> {
  await init();
  const enc: Encoding = await loadEncoding('o200k_base');
  const text: string = decodeText(new Uint8Array(await file.arrayBuffer()));
  const again: Uint8Array = decompress(compress(text, { level: 9 }));
  // @ts-expect-error: a level is a number
  compress(text, { level: 'high' });
  return enc.count(text) + again.length;
}
export default main;
