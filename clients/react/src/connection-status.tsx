import { CloseCode, type ClientState } from '@herald/client';
import { Fragment, useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { useHeraldClient, useHeraldEnabled } from './context.js';
import { useConnectionState } from './hooks.js';

export interface ConnectionStatusProps {
  readonly className?: string;
  readonly style?: CSSProperties;
  /** Text per state; defaults to the state name in plain English. */
  readonly labels?: Partial<Record<ClientState, string>>;
  /** Colour per state, exposed as the CSS variable `--herald-status-color` (nothing is painted by default). */
  readonly colors?: Partial<Record<ClientState, string>>;
  readonly retryLabel?: string;
  /** Text between the parts (label, countdown, attempt, error); default `' · '`. */
  readonly separator?: string;
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
 * Whole seconds until `at` (ms since epoch), re-rendering each time the number changes: the
 * timer wakes when the next second starts rather than on a fixed interval, so the countdown
 * neither skips nor repeats a number. Undefined when `at` is.
 */
function useSecondsUntil(at: number | undefined): number | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (at === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      const left = at - Date.now();
      if (left <= 0) return;
      timer = setTimeout(() => {
        setTick((n) => n + 1);
        wake();
      }, left % 1000 || 1000);
    };
    wake();
    return () => clearTimeout(timer);
  }, [at]);
  return at === undefined ? undefined : Math.ceil((at - Date.now()) / 1000);
}

/**
 * An unstyled connection indicator: state, reconnect countdown and attempt number, the last
 * error, and a retry button. The texts sit in a `role="status"` live region (the countdown
 * itself with `aria-live="off"`, so a screen reader is not told every second); the button is
 * outside it. No retry button where a retry cannot help or is not the user's to make: below a
 * provider with `enabled={false}`, after the application ended the session (close 4010 with
 * `reconnect:false`: one click would undo a server-side kick; only the app's `connect()` may), and
 * while the client needs a new token (an expired one, no `getToken`). Style it through
 * `className` and the `data-herald-*` attributes, e.g.
 * `[data-herald-state="reconnecting"] { color: var(--herald-status-color) }`.
 */
export function ConnectionStatus({ className, style, labels, colors, retryLabel = 'Retry now', separator = ' · ' }: ConnectionStatusProps) {
  const client = useHeraldClient();
  const enabled = useHeraldEnabled();
  const { state, code, nextReconnectAt, attempt, lastError, needsNewToken } = useConnectionState();
  const seconds = useSecondsUntil(state === 'reconnecting' ? nextReconnectAt : undefined);
  const endedByApplication = state === 'disconnected' && code === CloseCode.ApplicationDisconnect;
  const canRetry = enabled && !needsNewToken && (state === 'reconnecting' || (state === 'disconnected' && !endedByApplication));
  const parts: Array<[string, ReactNode]> = [['label', labels?.[state] ?? LABELS[state]]];
  if (state === 'reconnecting') {
    parts.push(['countdown', seconds !== undefined && seconds > 0 ? `retrying in ${seconds}s` : 'retrying now']);
    if (attempt !== undefined) parts.push(['attempt', `attempt ${attempt}`]);
  }
  // Below enabled={false} the app turned the connection off: an error from before is stale.
  if (lastError && state !== 'connected' && enabled) parts.push(['error', lastError.message]);
  const paint = colors?.[state] ?? COLORS[state];
  return (
    <div className={className} style={{ ...style, ['--herald-status-color' as string]: paint }} data-herald-state={state}>
      <span role="status" aria-live="polite" data-herald-part="status">
        {parts.map(([part, text], i) => (
          <Fragment key={part}>
            {i > 0 && (
              <span data-herald-part="separator" aria-hidden="true">
                {separator}
              </span>
            )}
            <span data-herald-part={part} {...(part === 'countdown' ? { 'aria-live': 'off' as const } : {})}>
              {text}
            </span>
          </Fragment>
        ))}
      </span>
      {canRetry && (
        <>
          {' '}
          <button type="button" data-herald-part="retry" onClick={() => client.reconnectNow()}>
            {retryLabel}
          </button>
        </>
      )}
    </div>
  );
}
