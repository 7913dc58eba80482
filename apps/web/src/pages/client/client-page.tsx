import { api, succeeded } from '../../api/api';
import { type ClientFields, readClient } from '../../api/clients';
import { clientIdOf, useReloadOn } from '../../api/live-events';
import { restartClient, switchAlgorithms } from '../../api/status';
import { useAction, useApi } from '../../api/use-api';
import { AlgorithmSwitches } from '../../components/algorithm-switches';
import { ClientForm } from '../../components/client-form';
import { ErrorNote } from '../../components/error-note';
import { Section } from '../../components/section';
import { Timestamp } from '../../components/timestamp';
import { hrefOf } from '../../routing/route';
import { ClientHistory } from './client-history';
import { PodsTable } from './pods-table';

/** One client: its algorithms and restart, its pods' health, its fields, its operations. */
export function ClientPage({ clientId }: { clientId: number }) {
  const client = useApi((signal) => readClient(clientId, signal), String(clientId));
  useReloadOn((event) => clientIdOf(event) === clientId, client.reload);
  const flip = useAction(async (algorithm: string, on: boolean) => {
    await switchAlgorithms(clientId, { [algorithm]: on });
    client.reload();
  });
  const restart = useAction(async (flags: Record<string, boolean>) => {
    await restartClient(clientId, flags);
    client.reload();
  });
  const save = useAction(async (fields: ClientFields) => {
    await succeeded(api.PUT('/api/v1/clients/{id}', { params: { path: { id: clientId } }, body: fields }));
    client.reload();
  });

  const shown = client.value;
  return (
    <>
      <nav class="breadcrumbs" aria-label="Breadcrumbs">
        <a href={hrefOf.fleet}>Fleet</a> / <span aria-current="page">{shown?.name ?? `client ${clientId}`}</span>
      </nav>
      <ErrorNote error={client.error} />
      {shown !== undefined && (
        <>
          <div class="page-title">
            <h1>{shown.name}</h1>
            <p class="muted">
              #{shown.id} · {shown.image} · version {shown.version} · last spawned <Timestamp at={shown.spawnedAt} />
            </p>
          </div>
          <Section
            title="Algorithms"
            actions={
              <button
                type="button"
                class="button"
                disabled={restart.busy || shown.needRestart}
                onClick={() => void restart.run(shown.algorithms)}
              >
                {shown.needRestart ? 'Restart pending…' : 'Restart pods'}
              </button>
            }
          >
            <AlgorithmSwitches
              clientName={shown.name}
              algorithms={shown.algorithms}
              busy={flip.busy}
              onSwitch={(algorithm, on) => void flip.run(algorithm, on)}
            />
            <ErrorNote error={flip.error ?? restart.error} />
          </Section>
          <Section title="Pods">
            <PodsTable pods={shown.pods} />
          </Section>
          <Section title="Fields">
            {/* Keyed by the last update, so the form shows what was saved (or changed elsewhere) after a reload. */}
            <ClientForm key={shown.updatedAt} initial={shown} submitLabel="Save" save={save} />
          </Section>
        </>
      )}
      <ClientHistory clientId={clientId} />
    </>
  );
}
