// A Node.js route handler (the default runtime): ironlung's native addon where one is installed.
import { countTexts } from '../../../lib/tokens.js';

export async function POST(request) {
  const { texts } = await request.json();
  return Response.json(await countTexts(texts));
}
