/** The dashboard's connection policy: connected while the tab is visible (or hidden only briefly). */
import { useConnectionState } from '@herald/react';
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

/**
 * "attempt n of max": the attempt number of `useConnectionState`, kept once the client gave up
 * (it is `disconnected` then, with no attempt of its own), until it connects again.
 */
export function ReconnectAttempts({ max }: { max: number }) {
  const { state, attempt } = useConnectionState();
  const [shown, setShown] = useState(0);
  useEffect(() => {
    if (attempt !== undefined) setShown(attempt);
    else if (state === 'connected' || state === 'connecting') setShown(0);
  }, [attempt, state]);
  if (shown === 0 || (state !== 'reconnecting' && state !== 'disconnected')) return null;
  return (
    <span className="attempts" data-attempt={shown}>
      attempt {shown} of {max}
    </span>
  );
}
