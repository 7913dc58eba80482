import { useState } from 'preact/hooks';
import { api, dataOf } from '../../api/api';
import { useReloadOn } from '../../api/live-events';
import { useApi } from '../../api/use-api';
import type { Operation, Page } from '../../api/views';
import { ErrorNote } from '../../components/error-note';
import { Pager } from '../../components/pager';
import { Section } from '../../components/section';
import { OperationsTable } from './operations-table';

const HISTORY_PAGE_SIZE = 20;

/** The operations history of one client, newest first, paged; the first page follows new operations. */
export function ClientHistory({ clientId }: { clientId: number }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const history = useApi(
    (signal) =>
      dataOf<Page<Operation>>(
        api.GET('/api/v1/operations', {
          params: { query: { clientId: String(clientId), limit: String(HISTORY_PAGE_SIZE), cursor } },
          signal,
        }),
      ),
    `${clientId}/${cursor ?? ''}`,
  );
  useReloadOn(
    (event) => cursor === undefined && event.type === 'operation' && event.payload.clientId === clientId,
    history.reload,
  );
  return (
    <Section title="Operations">
      <ErrorNote error={history.error} />
      {history.value !== undefined && <OperationsTable operations={history.value.items} />}
      <Pager
        pageNumber={cursors.length + 1}
        nextCursor={history.value?.nextCursor}
        busy={history.loading}
        onPrevious={() => setCursors(cursors.slice(0, -1))}
        onNext={(next) => setCursors([...cursors, next])}
      />
    </Section>
  );
}
