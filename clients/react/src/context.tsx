import type { HeraldClient } from '@herald/client';
import { createContext, useContext, useEffect, type ReactNode } from 'react';

const HeraldContext = createContext<HeraldClient | null>(null);
/** False below a provider with `enabled={false}`: nothing should connect the client there. */
const EnabledContext = createContext(true);

export interface HeraldProviderProps {
  readonly client: HeraldClient;
  /**
   * Keep the client connected while true (the default), disconnected while false: "connect only
   * while the session is live". Turning it true again connects. The provider connects only when
   * `enabled` changes or on mount: a client the server ended (4010, a refused token) stays
   * `disconnected`. Unmounting never disconnects (React's development remount would bounce the
   * connection); call `client.disconnect()` or `close()` yourself.
   */
  readonly enabled?: boolean;
  /**
   * @deprecated Use `enabled`. `connect={false}` leaves connecting to the app: the provider
   * neither connects nor disconnects the client. Ignored when `enabled` is given.
   */
  readonly connect?: boolean;
  readonly children?: ReactNode;
}

/** Makes a HeraldClient available to the hooks below it. */
export function HeraldProvider({ client, enabled, connect = true, children }: HeraldProviderProps) {
  useEffect(() => {
    if (client.state === 'closed') return;
    if (enabled === false) client.disconnect();
    else if ((enabled ?? connect) && client.state === 'disconnected') client.connect();
  }, [client, enabled, connect]);
  return (
    <HeraldContext.Provider value={client}>
      <EnabledContext.Provider value={enabled !== false}>{children}</EnabledContext.Provider>
    </HeraldContext.Provider>
  );
}

/** The client of the nearest HeraldProvider. */
export function useHeraldClient(): HeraldClient {
  const client = useContext(HeraldContext);
  if (!client) throw new Error('useHeraldClient: no <HeraldProvider client={…}> above this component');
  return client;
}

/** False below a `<HeraldProvider enabled={false}>`. */
export function useHeraldEnabled(): boolean {
  return useContext(EnabledContext);
}
