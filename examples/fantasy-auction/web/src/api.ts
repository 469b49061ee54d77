/** The backend's REST API as the page reads it, and the events of a team's Herald channel. */
export interface Me {
  readonly user: string;
  readonly team: { readonly id: string; readonly name: string };
  /** The team's user-limited channel, `team:T1#u1`. */
  readonly channel: string;
}
export interface Player { readonly player_id: string; readonly name: string; readonly position: string; readonly price: number; readonly round_id: number }
export interface Wallet { readonly balance: number; readonly spent: number; readonly currency: string }
export interface Tiebreaker {
  readonly id: number;
  readonly player_id: string;
  readonly player_name: string;
  readonly amount: number;
  readonly status: 'open' | 'resolved';
  readonly winner: string | null;
  readonly bids: readonly { readonly team_id: string; readonly team_name: string; readonly amount: number | null }[];
}
export interface Activity { readonly id: number; readonly type: keyof TeamEvents; readonly data: Record<string, unknown>; readonly created_at: string }

/** What the backend publishes (through the outbox) on a team's channel; `event_id` is the activity row. */
export type TeamEvents = {
  squad_update: { event_id: number; player_id: string; player_name: string; action: 'acquired' | 'removed'; price: number };
  wallet_update: { event_id: number; new_balance: number; amount_spent?: number; amount_refunded?: number; currency_type: string };
  tiebreaker_started: { event_id: number; tiebreaker_id: number; player_name: string; amount: number; teams: string[] };
  tiebreaker_bid: { event_id: number; tiebreaker_id: number; player_name: string; team_id: string; team_name: string; bid_amount: number };
};

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new HttpError(response.status, body.error ?? `${path}: ${response.status}`);
  return body;
}

export const postJson = <T>(path: string, body: unknown) =>
  getJson<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The team's queries: one key and one GET each. */
export const teamQuery = <T,>(teamId: string, part: 'squad' | 'wallet' | 'tiebreakers' | 'activity') => ({
  queryKey: ['team', teamId, part] as const,
  queryFn: () => getJson<T>(`/api/teams/${teamId}/${part}`),
});
