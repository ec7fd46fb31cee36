import { countAll } from './count.js';

// On the page itself.
window.countOnPage = countAll;

// In a module Worker.
window.countInWorker = (texts) => {
  const worker = new Worker(new URL('./count.worker.js', import.meta.url), { type: 'module' });
  const done = new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.result));
    worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
  });
  worker.postMessage(texts);
  return done.finally(() => worker.terminate());
};

// The README's Web Worker example (tokens.worker.js, and the page's three lines below, which
// the README test finds here verbatim): the message posted right after `new Worker(...)`
// must be answered.
window.readmeWorker = (longText) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./tokens.worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e) => console.log('tokens', e.data);
    worker.postMessage(longText);
    worker.addEventListener('message', (e) => resolve(e.data));
    worker.addEventListener('error', (e) => reject(new Error(`worker error: ${e.message}`)));
  });

// The README's browser example (readme.js), run on a File holding `text`; it logs the count.
window.readmePage = async (text) => {
  window.file = new File([text], 'notes.txt');
  await import('./readme.js');
};
