import { ConnectionStatus, useChannel, useLiveQuery, type LiveAction } from '@herald/react';
import { useIsFetching, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { postJson, teamQuery, type Activity, type Me, type Player, type TeamEvents, type Tiebreaker, type Wallet } from './api.js';

type Part = 'squad' | 'wallet' | 'tiebreakers' | 'activity';

/**
 * Which event refreshes which query: all that is left of the seed's useDashboardWebSocket,
 * useTiebreakerWebSocket and lib/cache/invalidate.ts. Each event invalidates; TanStack Query
 * refetches what is on screen. Reconnects, missed events and polling while offline are
 * useLiveQuery's.
 */
const REFRESHES: { [P in Part]: { [K in keyof TeamEvents]?: LiveAction<TeamEvents[K]> } } = {
  squad: { squad_update: 'invalidate' },
  wallet: { wallet_update: 'invalidate' },
  tiebreakers: { tiebreaker_started: 'invalidate', tiebreaker_bid: 'invalidate' },
  activity: { squad_update: 'invalidate', wallet_update: 'invalidate', tiebreaker_started: 'invalidate', tiebreaker_bid: 'invalidate' },
};

/** One of the team's queries, kept current by the team channel; polls only while that channel is not live. */
function useTeam<T>(me: Me, part: Part, pollInterval: number) {
  return useLiveQuery<T, readonly unknown[], TeamEvents>({ ...teamQuery<T>(me.team.id, part), channel: me.channel, on: REFRESHES[part], pollInterval });
}

export function Dashboard({ me, pollInterval }: { me: Me; pollInterval: number }) {
  const wallet = useTeam<Wallet>(me, 'wallet', pollInterval);
  const fetching = useIsFetching();
  return (
    <main data-team={me.team.id} data-fetching={fetching}>
      <header>
        <h1>Fantasy auction</h1>
        <span className="team">
          {me.team.name} <small>· signed in as {me.user}</small>
        </span>
        <span className={wallet.live ? 'badge live' : 'badge'} data-live={wallet.live}>
          {wallet.live ? '● LIVE' : `Polling every ${pollInterval / 1000}s`}
        </span>
        <ConnectionStatus className="connection" />
      </header>
      <div className="grid">
        <WalletCard wallet={wallet.data} />
        <SquadCard me={me} pollInterval={pollInterval} />
        <TiebreakersCard me={me} pollInterval={pollInterval} />
        <ActivityCard me={me} pollInterval={pollInterval} />
      </div>
    </main>
  );
}

function WalletCard({ wallet }: { wallet: Wallet | undefined }) {
  return (
    <section className="card wallet" data-wallet={wallet ? JSON.stringify(wallet) : undefined}>
      <h2>Wallet</h2>
      {wallet ? (
        <>
          <p className="balance">
            {wallet.balance} <small>{wallet.currency}</small>
          </p>
          <p className="muted">{wallet.spent} spent on the squad</p>
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}

function SquadCard({ me, pollInterval }: { me: Me; pollInterval: number }) {
  const { data: squad } = useTeam<Player[]>(me, 'squad', pollInterval);
  return (
    <section className="card squad">
      <h2>Squad {squad && <small>({squad.length})</small>}</h2>
      {squad?.length === 0 && <p className="muted">No players yet.</p>}
      <table>
        <tbody>
          {squad?.map((p) => (
            <tr key={p.player_id} data-player={JSON.stringify(p)}>
              <td className="pos">{p.position}</td>
              <td>{p.name}</td>
              <td className="num">{p.price}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TiebreakersCard({ me, pollInterval }: { me: Me; pollInterval: number }) {
  const { data: tiebreakers } = useTeam<Tiebreaker[]>(me, 'tiebreakers', pollInterval);
  return (
    <section className="card tiebreakers">
      <h2>Tiebreakers</h2>
      {tiebreakers?.length === 0 && <p className="muted">None: every bid of yours was the only highest one.</p>}
      {tiebreakers?.map((tb) => <TiebreakerRow key={tb.id} me={me} tiebreaker={tb} />)}
    </section>
  );
}

function TiebreakerRow({ me, tiebreaker: tb }: { me: Me; tiebreaker: Tiebreaker }) {
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState(String(tb.amount + 10));
  const bid = useMutation({
    mutationFn: (value: number) => postJson(`/api/tiebreakers/${tb.id}/submit`, { amount: value }),
    // Our own action: refresh at once (the event confirms it a moment later, or polling does while offline).
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['team', me.team.id] }),
  });
  const mine = tb.bids.find((b) => b.team_id === me.team.id);
  const winner = tb.bids.find((b) => b.team_id === tb.winner);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    bid.mutate(Number(amount));
  };
  return (
    <div className="tiebreaker" data-tiebreaker={JSON.stringify(tb)}>
      <p>
        <b>{tb.player_name}</b> <span className="muted">tied at {tb.amount}</span>{' '}
        {tb.status === 'resolved' && <span className="result">{winner ? `won by ${winner.team_name} for ${winner.amount}` : 'unsold'}</span>}
      </p>
      <ul>
        {tb.bids.map((b) => (
          <li key={b.team_id}>
            {b.team_name}: {b.amount ?? <span className="muted">waiting…</span>}
          </li>
        ))}
      </ul>
      {tb.status === 'open' && mine?.amount === null && (
        <form onSubmit={submit}>
          <input type="number" min={tb.amount} step={1} value={amount} onChange={(e) => setAmount(e.target.value)} aria-label={`bid for ${tb.player_name}`} />
          <button type="submit" disabled={bid.isPending}>
            Bid
          </button>
          {bid.error && <span className="error">{bid.error.message}</span>}
        </form>
      )}
    </div>
  );
}

const KINDS: Record<keyof TeamEvents, string> = { squad_update: 'squad', wallet_update: 'wallet', tiebreaker_started: 'tiebreak', tiebreaker_bid: 'bid' };

function describe({ type, data }: Activity): string {
  const d = data as Record<string, string | number | string[] | undefined>;
  switch (type) {
    case 'squad_update':
      return d.action === 'acquired' ? `${d.player_name} joined the squad for ${d.price}` : `${d.player_name} left the squad (${d.price} refunded)`;
    case 'wallet_update':
      return d.amount_spent !== undefined ? `Wallet: ${d.new_balance} (−${d.amount_spent})` : `Wallet: ${d.new_balance} (+${d.amount_refunded})`;
    case 'tiebreaker_started':
      return `Tiebreaker for ${d.player_name} at ${d.amount}: ${(d.teams as string[]).join(' vs ')}`;
    case 'tiebreaker_bid':
      return `${d.team_name} bid ${d.bid_amount} for ${d.player_name}`;
  }
}

/** The team's feed from the backend; the entries that also arrived over Herald are marked live. */
function ActivityCard({ me, pollInterval }: { me: Me; pollInterval: number }) {
  const { data: activity } = useTeam<Activity[]>(me, 'activity', pollInterval);
  const [liveIds, setLiveIds] = useState<ReadonlySet<number>>(() => new Set());
  const record = ({ event_id }: { event_id: number }) => setLiveIds((ids) => new Set(ids).add(event_id));
  useChannel<TeamEvents>(me.channel, { squad_update: record, wallet_update: record, tiebreaker_started: record, tiebreaker_bid: record });
  return (
    <section className="card activity">
      <h2>
        Activity <small>({liveIds.size} received live)</small>
      </h2>
      {activity?.length === 0 && <p className="muted">Nothing yet.</p>}
      <ol>
        {activity?.map((a) => (
          <li key={a.id} data-activity={a.id} data-type={a.type} data-live={liveIds.has(a.id)}>
            <span className={`kind ${KINDS[a.type]}`}>{KINDS[a.type]}</span>
            <span className="time">{new Date(a.created_at).toLocaleTimeString()}</span> {describe(a)}
            <span className={liveIds.has(a.id) ? 'tag live' : 'tag'}>{liveIds.has(a.id) ? 'live' : 'fetched'}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
