/**
 * What the client needs from its page: visibility (to pause work while hidden) and network
 * status (to reconnect as soon as the browser is back online). Injectable for tests and for
 * hosts such as React Native.
 */
export interface PageLifecycle {
  isHidden(): boolean;
  /** Calls back on every visibility change; returns a function that stops it. */
  onVisibilityChange(callback: () => void): () => void;
  onOnline(callback: () => void): () => void;
}

interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** The browser's document and window, when there are any (undefined in Node). */
export function browserLifecycle(): PageLifecycle | undefined {
  const scope = globalThis as { document?: EventSourceLike & { visibilityState?: string }; addEventListener?: unknown };
  const doc = scope.document;
  if (!doc || typeof scope.addEventListener !== 'function') return undefined;
  const win = globalThis as unknown as EventSourceLike;
  const listen = (target: EventSourceLike, type: string, callback: () => void): (() => void) => {
    target.addEventListener(type, callback);
    return () => target.removeEventListener(type, callback);
  };
  return {
    isHidden: () => doc.visibilityState === 'hidden',
    onVisibilityChange: (callback) => listen(doc, 'visibilitychange', callback),
    onOnline: (callback) => listen(win, 'online', callback),
  };
}
