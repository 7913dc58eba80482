import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { followEventStream, type StreamStatus } from './follow-event-stream';

/** One event of the gateway's stream: an operation, a pod's status, a change of leader, a finished round. */
export interface LiveEvent {
  /** Unique within the page, for lists. */
  key: number;
  id: string;
  type: string;
  receivedAt: Date;
  payload: Record<string, unknown>;
}

type Listener = (event: LiveEvent) => void;

interface LiveFeed {
  status: StreamStatus;
  /** The latest events, newest first, since the page opened. */
  recent: LiveEvent[];
}

type Subscribe = (listener: Listener) => () => void;

/** How many events the live feed keeps; older ones are in the operations history. */
const RECENT_LIMIT = 200;

// Two contexts: views that only reload on events must not re-render on every one of them.
const LiveFeedContext = createContext<LiveFeed>({ status: 'connecting', recent: [] });
const SubscribeContext = createContext<Subscribe>(() => () => undefined);

/** One stream for the whole page, shared by the live feed and by every view that refreshes on events. */
export function LiveEventsProvider({ children }: { children: ComponentChildren }) {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [recent, setRecent] = useState<LiveEvent[]>([]);
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    const controller = new AbortController();
    let key = 0;
    void followEventStream({
      signal: controller.signal,
      onStatus: setStatus,
      onEvent: (event) => {
        const live: LiveEvent = {
          key: ++key,
          id: event.id,
          type: event.type,
          receivedAt: new Date(),
          payload: payloadOf(event.data),
        };
        setRecent((events) => [live, ...events.slice(0, RECENT_LIMIT - 1)]);
        for (const listener of listeners.current) listener(live);
      },
    });
    return () => controller.abort();
  }, []);

  const subscribe = useCallback<Subscribe>((listener) => {
    listeners.current.add(listener);
    return () => listeners.current.delete(listener);
  }, []);
  const feed = useMemo<LiveFeed>(() => ({ status, recent }), [status, recent]);
  return (
    <SubscribeContext.Provider value={subscribe}>
      <LiveFeedContext.Provider value={feed}>{children}</LiveFeedContext.Provider>
    </SubscribeContext.Provider>
  );
}

export const useLiveFeed = (): LiveFeed => useContext(LiveFeedContext);

/** Coalesces a burst of events (a round touching many pods) into one reload. */
const RELOAD_DELAY_MS = 250;

/** Calls `reload` after the events that `matters` picks, so that the view shows what the API now holds. */
export function useReloadOn(matters: (event: LiveEvent) => boolean, reload: () => void): void {
  const subscribe = useContext(SubscribeContext);
  const mattersRef = useRef(matters);
  mattersRef.current = matters;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribe((event) => {
      if (!mattersRef.current(event) || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        reload();
      }, RELOAD_DELAY_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [subscribe, reload]);
}

function payloadOf(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data };
}

/** The client an event is about, when it is about one. */
export function clientIdOf(event: LiveEvent): number | undefined {
  const clientId = event.payload.clientId;
  return typeof clientId === 'number' ? clientId : undefined;
}
