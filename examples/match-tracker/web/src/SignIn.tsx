import { useEffect, useState } from 'react';

/** Demo sign-in: pick a user (a real app has its own login; the backend then keeps the session cookie). */
export function SignIn() {
  const [users, setUsers] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    void fetch('/api/users').then(async (r) => setUsers((await r.json()) as { id: string; name: string }[]));
  }, []);
  const signIn = async (user: string) => {
    await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
    location.reload();
  };
  return (
    <main className="sign-in">
      <h1>Match tracker</h1>
      <p>Sign in as:</p>
      {users.map((u) => (
        <button key={u.id} data-user={u.id} onClick={() => void signIn(u.id)}>
          {u.name}
        </button>
      ))}
    </main>
  );
}
