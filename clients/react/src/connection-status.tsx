import { CloseCode, type ClientState } from '@herald/client';
import { useEffect, useState, type CSSProperties } from 'react';
import { useHeraldClient } from './context.js';
import { useConnectionState } from './hooks.js';

export interface ConnectionStatusProps {
  readonly className?: string;
  readonly style?: CSSProperties;
  /** Text per state; defaults to the state name in plain English. */
  readonly labels?: Partial<Record<ClientState, string>>;
  /** Colour per state, exposed as the CSS variable `--herald-status-color` (nothing is painted by default). */
  readonly colors?: Partial<Record<ClientState, string>>;
  readonly retryLabel?: string;
}

const LABELS: Record<ClientState, string> = {
  connected: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  closed: 'Closed',
};

const COLORS: Record<ClientState, string> = {
  connected: 'green',
  connecting: 'goldenrod',
  reconnecting: 'goldenrod',
  disconnected: 'red',
  closed: 'gray',
};

/**
 * An unstyled connection indicator: state, reconnect countdown, a retry button and the last
 * error. No retry button once the application ended the session (close 4010 with
 * `reconnect:false`): one click would undo a server-side kick; only the app's `connect()` may. Style it through `className` and the `data-herald-*` attributes, e.g.
 * `[data-herald-state="reconnecting"] { color: var(--herald-status-color) }`.
 */
export function ConnectionStatus({ className, style, labels, colors, retryLabel = 'Retry now' }: ConnectionStatusProps) {
  const client = useHeraldClient();
  const { state, code, nextReconnectAt, lastError } = useConnectionState();
  const endedByApplication = state === 'disconnected' && code === CloseCode.ApplicationDisconnect;
  // Re-render every second while a reconnect is pending, so the countdown moves.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (nextReconnectAt === undefined) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [nextReconnectAt]);
  const seconds =
    state === 'reconnecting' && nextReconnectAt !== undefined ? Math.max(0, Math.ceil((nextReconnectAt - Date.now()) / 1000)) : undefined;
  const color = colors?.[state] ?? COLORS[state];
  return (
    <div
      className={className}
      style={{ ...style, ['--herald-status-color' as string]: color }}
      role="status"
      aria-live="polite"
      data-herald-state={state}
    >
      <span data-herald-part="label">{labels?.[state] ?? LABELS[state]}</span>
      {seconds !== undefined && <span data-herald-part="countdown"> retrying in {seconds}s</span>}
      {(state === 'reconnecting' || (state === 'disconnected' && !endedByApplication)) && (
        <button type="button" data-herald-part="retry" onClick={() => client.reconnectNow()}>
          {retryLabel}
        </button>
      )}
      {lastError && state !== 'connected' && <span data-herald-part="error">{lastError.message}</span>}
    </div>
  );
}
