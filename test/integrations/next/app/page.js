import Link from 'next/link';

export default function Home() {
  return (
    <main>
      <h1>ironlung</h1>
      <p>
        POST <code>{'{ "texts": [...] }'}</code> to <code>/api/node</code> or <code>/api/edge</code>, or open{' '}
        <Link href="/client">the page that counts in the browser</Link>.
      </p>
    </main>
  );
}
