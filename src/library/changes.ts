/**
 * Tells the lab's other open tabs that the library changed, so they show it without a reload:
 * a BroadcastChannel per tab (a channel does not hear its own messages). Where the platform has
 * none (old runtimes, some tests), announcing does nothing and nothing is heard.
 */
export const LIBRARY_CHANNEL = 'protolab-library';

export interface LibraryChanges {
  announce(): void;
  /** Calls `fn` whenever another tab announces a change; returns the unsubscribe. */
  listen(fn: () => void): () => void;
  close(): void;
}

export function libraryChanges(name = LIBRARY_CHANNEL): LibraryChanges {
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (!Channel) return { announce: () => undefined, listen: () => () => undefined, close: () => undefined };
  const channel = new Channel(name);
  return {
    announce: () => channel.postMessage('changed'),
    listen(fn) {
      const handler = () => fn();
      channel.addEventListener('message', handler);
      return () => channel.removeEventListener('message', handler);
    },
    close: () => channel.close(),
  };
}
