// Prints the expected token ids for the consumer tests, from npm tiktoken (the oracle).
const { createRequire } = require('node:module');
const repo = createRequire(process.env.IRONLUNG_REPO + '/package.json');
const tiktoken = repo('tiktoken');
(async () => {
  const { TEXTS, ENCODINGS } = await import('./expected.mjs');
  const out = {};
  for (const name of ENCODINGS) {
    const enc = tiktoken.get_encoding(name);
    out[name] = TEXTS.map((t) => Array.from(enc.encode_ordinary(t)));
    enc.free();
  }
  process.stdout.write(JSON.stringify(out));
})();
