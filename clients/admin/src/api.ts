/** The admin API (same origin, session cookie): typed calls, each with the header that marks it as the page's own. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/admin/api/${path}`, {
    method,
    credentials: 'same-origin',
    headers: { 'X-Herald-Admin': '1', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export const enc = encodeURIComponent;

export interface Sample {
  t: number;
  connections: number;
  subscriptions: number;
  channels: number;
  publications: number;
  deliveries: number;
  p99_ms?: number;
  errors: number;
  slow_consumers: number;
  closes: Record<string, number>;
  rate_limited: Record<string, number>;
}

export interface NodeStatus {
  node: string;
  self: boolean;
  answered: boolean;
  version?: string;
  engine?: string;
  engine_reachable?: boolean;
  draining?: boolean;
  started?: string;
  uptime_s?: number;
  connections?: number;
  users?: number;
  subscriptions?: number;
  channels?: number;
  sample_ms?: number;
  samples?: Sample[];
  integrations?: unknown;
}

export interface Overview {
  node: string;
  engine: string;
  sample_ms: number;
  window_ms: number;
  now: number;
  nodes: NodeStatus[];
}

export interface ChannelRow {
  channel: string;
  subscribers: number;
  nodes: Record<string, number>;
}

export interface ClientInfo {
  client: string;
  user: string;
  conn_info?: unknown;
  chan_info?: unknown;
}

export interface Presence {
  clients: ClientInfo[];
  users: number;
}

export interface PublicationRow {
  offset: number;
  epoch?: string;
  type?: string;
  data?: unknown;
  time?: string;
  timestamp?: string;
  user?: string;
  [key: string]: unknown;
}

export interface History {
  publications: PublicationRow[];
  offset: number;
  epoch: string;
  recovered: boolean;
}

export interface ConnectionRow {
  client: string;
  user: string;
  transport: string;
  remote: string | null;
  connected: string;
  channels: string[];
}

export interface Lookup {
  nodes: Record<string, { connections?: ConnectionRow[]; truncated?: boolean; error?: string }>;
}

export interface Problems {
  nodes: Record<
    string,
    {
      closes?: { t: number; reason: string; client: string; user: string }[];
      breaches?: { kind: string; count: number; last: number }[];
      error?: string;
    }
  >;
}
