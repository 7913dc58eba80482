import { useState } from 'preact/hooks';
import { clientIdOf, useReloadOn } from '../../api/live-events';
import { useApi } from '../../api/use-api';
import { ErrorNote } from '../../components/error-note';
import { Pager } from '../../components/pager';
import { podHealth } from '../../components/pod-health';
import { readFleetPage, readUnhealthyPage } from './fleet-source';
import { FleetRow } from './fleet-row';
import { NewClient } from './new-client';

/**
 * Every client with its algorithm switches and pods, a page at a time, or only the clients
 * whose pods are not ready (across the fleet); the name filter narrows the page shown.
 */
export function FleetPage() {
  const [nameFilter, setNameFilter] = useState('');
  const [unhealthyOnly, setUnhealthyOnly] = useState(false);
  // The cursors of the pages after the first that the operator paged through, for "Previous".
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const fleet = useApi(
    (signal) => (unhealthyOnly ? readUnhealthyPage(cursor, signal) : readFleetPage(cursor, signal)),
    `${unhealthyOnly}/${cursor ?? ''}`,
  );
  const shownIds = new Set(fleet.value?.clients.map((client) => client.id));
  useReloadOn((event) => {
    const clientId = clientIdOf(event);
    // Unhealthy only: any client's pod may join or leave the list.
    return clientId === undefined ? event.type === 'round' : unhealthyOnly || shownIds.has(clientId);
  }, fleet.reload);

  const needle = nameFilter.trim().toLowerCase();
  const shown = (fleet.value?.clients ?? []).filter((client) => client.name.toLowerCase().includes(needle));
  const unhealthyPods = shown.flatMap((client) => client.pods).filter((pod) => podHealth(pod) !== 'healthy').length;

  return (
    <>
      <div class="page-title">
        <h1>Fleet</h1>
        <p class="muted">
          {fleet.value === undefined
            ? 'Loading…'
            : `${shown.length} client${shown.length === 1 ? '' : 's'} on this page, ${unhealthyPods} pod${unhealthyPods === 1 ? '' : 's'} not healthy`}
        </p>
      </div>
      <NewClient />
      <div class="card">
        <div class="toolbar" role="search">
          <label class="field inline">
            <span class="field-label">Filter by name</span>
            <input
              type="search"
              value={nameFilter}
              placeholder="client name"
              onInput={(event) => setNameFilter(event.currentTarget.value)}
            />
          </label>
          <label class="checkbox">
            <input
              type="checkbox"
              checked={unhealthyOnly}
              onChange={(event) => {
                setUnhealthyOnly(event.currentTarget.checked);
                setCursors([]);
              }}
            />
            Only unhealthy clients
          </label>
        </div>
        <ErrorNote error={fleet.error} />
        <table class="table fleet" aria-busy={fleet.loading}>
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Algorithms</th>
              <th scope="col">Pods</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((client) => (
              <FleetRow key={client.id} client={client} onChanged={fleet.reload} />
            ))}
          </tbody>
        </table>
        {fleet.value !== undefined && shown.length === 0 && (
          <p class="empty">
            {needle === '' && !unhealthyOnly
              ? 'No clients yet.'
              : unhealthyOnly
                ? 'Every pod is ready.'
                : 'No client on this page has that name.'}
          </p>
        )}
        <Pager
          pageNumber={cursors.length + 1}
          nextCursor={fleet.value?.nextCursor}
          busy={fleet.loading}
          onPrevious={() => setCursors(cursors.slice(0, -1))}
          onNext={(next) => setCursors([...cursors, next])}
        />
      </div>
    </>
  );
}
