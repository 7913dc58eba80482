import { useState } from 'preact/hooks';
import { clientIdOf, useLiveFeed } from '../../api/live-events';
import { Timestamp } from '../../components/timestamp';
import { hrefOf } from '../../routing/route';
import { summaryOf } from './event-summary';

const EVENT_TYPES = ['operation', 'pod-status', 'leader', 'round'] as const;

/** The gateway's event stream as it arrives: operations, pod status changes, leader changes, finished rounds. */
export function EventsPage() {
  const { recent, status } = useLiveFeed();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const shown = recent.filter((event) => !hidden.has(event.type));
  const toggle = (type: string) => {
    const next = new Set(hidden);
    if (!next.delete(type)) next.add(type);
    setHidden(next);
  };

  return (
    <>
      <div class="page-title">
        <h1>Live feed</h1>
        <p class="muted">Events since this page opened, newest first ({status}).</p>
      </div>
      <div class="card">
        <fieldset class="toolbar">
          <legend class="visually-hidden">Event types shown</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type} class="checkbox">
              <input type="checkbox" checked={!hidden.has(type)} onChange={() => toggle(type)} />
              <span class={`badge badge-event-${type}`}>{type}</span>
            </label>
          ))}
        </fieldset>
        {shown.length === 0 ? (
          <p class="empty">Waiting for events… switch an algorithm on to see some.</p>
        ) : (
          <ol class="feed" aria-live="polite" aria-relevant="additions">
            {shown.map((event) => {
              const clientId = clientIdOf(event);
              return (
                <li key={event.key} class="feed-item" data-event-type={event.type}>
                  <Timestamp at={event.receivedAt} />
                  <span class={`badge badge-event-${event.type}`}>{event.type}</span>
                  <span class="feed-summary">{summaryOf(event)}</span>
                  {clientId !== undefined && (
                    <a href={hrefOf.client(clientId)} class="small">
                      client #{clientId}
                    </a>
                  )}
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </>
  );
}
