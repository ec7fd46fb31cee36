// An Edge route handler: ironlung's WebAssembly build.
import { countTexts } from '../../../lib/tokens.js';

export const runtime = 'edge';

export async function POST(request) {
  const { texts } = await request.json();
  return Response.json(await countTexts(texts));
}
