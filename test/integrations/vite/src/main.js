import { countAll } from './count.js';

// On the page itself.
window.countOnPage = countAll;

// In a module Worker.
window.countInWorker = (texts) => {
  const worker = new Worker(new URL('./tokens.worker.js', import.meta.url), { type: 'module' });
  const done = new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.result));
    worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
  });
  worker.postMessage(texts);
  return done.finally(() => worker.terminate());
};
