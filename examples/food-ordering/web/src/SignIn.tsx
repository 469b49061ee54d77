import { useEffect, useState } from 'react';

/** Demo sign-in: pick a customer (a real app has its own login; the backend then keeps the session cookie). */
export function SignIn() {
  const [customers, setCustomers] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    void fetch('/api/customers').then(async (r) => setCustomers((await r.json()) as { id: string; name: string }[]));
  }, []);
  const signIn = async (customer: string) => {
    await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer }) });
    location.reload();
  };
  return (
    <main className="sign-in">
      <h1>FoodNow</h1>
      <p>Sign in as:</p>
      {customers.map((c) => (
        <button key={c.id} data-customer={c.id} onClick={() => void signIn(c.id)}>
          {c.name}
        </button>
      ))}
    </main>
  );
}
