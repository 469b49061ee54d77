/** The dashboard's connection policy: connected while the tab is visible (or hidden only briefly). */
import { useConnectionState, useHeraldClient } from '@herald/react';
import { useEffect, useState } from 'react';

/** False once the tab has been hidden for `after` ms; true again as soon as it is visible. */
export function usePageAwake(after: number): boolean {
  const [awake, setAwake] = useState(true);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      clearTimeout(timer);
      if (document.visibilityState === 'hidden') timer = setTimeout(() => setAwake(false), after);
      else setAwake(true);
    };
    document.addEventListener('visibilitychange', changed);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', changed);
    };
  }, [after]);
  return awake;
}

// TODO(enabled): once HeraldProvider has `enabled`, this component goes and main.tsx renders
// <HeraldProvider client={herald} enabled={awake}> (awake from usePageAwake).
export function ConnectWhile({ awake }: { awake: boolean }) {
  const client = useHeraldClient();
  useEffect(() => {
    if (awake) client.connect();
    else client.disconnect();
  }, [client, awake]);
  return null;
}

// TODO(attempts): the fixed <ConnectionStatus> shows the attempt number (the client's
// `reconnectAttempt` and `reconnect` event); this component, which counts the reconnects the
// client schedules by watching `nextReconnectAt`, then goes.
export function ReconnectAttempts({ max }: { max: number }) {
  const client = useHeraldClient();
  const { state } = useConnectionState();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (state === 'connected' || state === 'connecting') setAttempt(0);
    if (state !== 'reconnecting') return;
    let last: number | undefined;
    const timer = setInterval(() => {
      const at = client.nextReconnectAt;
      if (at !== undefined && at !== last) {
        last = at;
        setAttempt((n) => n + 1);
      }
    }, 100);
    return () => clearInterval(timer);
  }, [client, state]);
  if (attempt === 0 || (state !== 'reconnecting' && state !== 'disconnected')) return null;
  return (
    <span className="attempts" data-attempt={attempt}>
      attempt {attempt} of {max}
    </span>
  );
}
