'use client';
// A client component: counts in the browser (the wasm module and each table are fetched).
import { useEffect, useState } from 'react';
import { backend, loadEncoding } from 'ironlung';
import { countTexts } from '../../lib/tokens.js';

export default function ClientPage() {
  const [text, setText] = useState('Hello from the browser 👋');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    // The integration test calls this with its texts.
    window.countOnPage = countTexts;
  }, []);

  // A token counter: it fetches the wasm module and o200k's table, not zstd's module.
  useEffect(() => {
    loadEncoding('o200k_base').then((enc) => setResult(enc.count(text)), (e) => setError(String(e)));
  }, [text]);

  return (
    <main>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={4} cols={60} />
      <p id="status">
        {error ? `error: ${error}` : result !== null ? `${result} tokens (o200k_base, ${backend})` : 'counting…'}
      </p>
    </main>
  );
}
