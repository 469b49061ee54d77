import type { HeraldClient } from '@herald/client';
import { createContext, useContext, useEffect, type ReactNode } from 'react';

const HeraldContext = createContext<HeraldClient | null>(null);

export interface HeraldProviderProps {
  readonly client: HeraldClient;
  /** Connect the client when the provider mounts (default true). The provider never disconnects it. */
  readonly connect?: boolean;
  readonly children?: ReactNode;
}

/** Makes a HeraldClient available to the hooks below it. */
export function HeraldProvider({ client, connect = true, children }: HeraldProviderProps) {
  useEffect(() => {
    if (connect && client.state === 'disconnected') client.connect();
  }, [client, connect]);
  return <HeraldContext.Provider value={client}>{children}</HeraldContext.Provider>;
}

/** The client of the nearest HeraldProvider. */
export function useHeraldClient(): HeraldClient {
  const client = useContext(HeraldContext);
  if (!client) throw new Error('useHeraldClient: no <HeraldProvider client={…}> above this component');
  return client;
}
