import { countAll } from './count.js';

onmessage = async (e) => {
  try {
    postMessage({ result: await countAll(e.data) });
  } catch (err) {
    postMessage({ error: String((err && err.stack) || err) });
  }
};
