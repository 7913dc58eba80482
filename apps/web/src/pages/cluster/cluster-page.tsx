import { api, dataOf, succeeded } from '../../api/api';
import { useReloadOn } from '../../api/live-events';
import { useAction, useApi } from '../../api/use-api';
import { ErrorNote } from '../../components/error-note';
import { Section } from '../../components/section';
import type { Cluster, Page, Plan, Round } from '../../api/views';
import { Switch } from '../../components/switch';
import { ClusterSummary } from './cluster-summary';
import { GuardNotice } from './guard-notice';
import { PlanPreview } from './plan-preview';
import { ReplicasTable } from './replicas-table';
import { RoundsTable } from './rounds-table';

const RECENT_ROUNDS = 15;

/** The leader and replicas, maintenance, the mass-deletion guard, recent rounds and the next round's plan. */
export function ClusterPage() {
  const cluster = useApi((signal) => dataOf<Cluster>(api.GET('/api/v1/cluster', { signal })), 'cluster');
  const rounds = useApi(
    (signal) =>
      dataOf<Page<Round>>(api.GET('/api/v1/sync/rounds', { params: { query: { limit: String(RECENT_ROUNDS) } }, signal })),
    'rounds',
  );
  const plan = useApi((signal) => dataOf<Plan>(api.GET('/api/v1/sync/plan', { signal })), 'plan');
  useReloadOn((event) => event.type === 'leader' || event.type === 'round', cluster.reload);
  useReloadOn((event) => event.type === 'round', rounds.reload);
  useReloadOn((event) => event.type === 'round', plan.reload);

  const reloadAll = () => {
    cluster.reload();
    rounds.reload();
    plan.reload();
  };
  const pause = useAction(async (paused: boolean) => {
    await succeeded(paused ? api.POST('/api/v1/sync/pause') : api.POST('/api/v1/sync/resume'));
    reloadAll();
  });
  const syncNow = useAction(async () => {
    await succeeded(api.POST('/api/v1/sync', { params: { query: { force: 'false' } } }));
    reloadAll();
  });
  const force = useAction(async () => {
    await succeeded(api.POST('/api/v1/sync', { params: { query: { force: 'true' } } }));
    reloadAll();
  });

  const view = cluster.value;
  return (
    <>
      <div class="page-title">
        <h1>Cluster</h1>
        <div class="title-actions">
          {view !== undefined && (
            <Switch
              label="Paused"
              describedAs="Pause sync rounds (maintenance)"
              on={view.paused}
              disabled={pause.busy}
              onToggle={(on) => void pause.run(on)}
            />
          )}
          <button type="button" class="button" disabled={syncNow.busy} onClick={() => void syncNow.run()}>
            Sync now
          </button>
        </div>
      </div>
      <ErrorNote error={cluster.error ?? pause.error ?? syncNow.error} />
      {view !== undefined && (
        <>
          <ClusterSummary
            leader={view.leader}
            replicaCount={view.replicas.length}
            pods={view.pods}
            paused={view.paused}
            guarded={view.guarded}
          />
          {view.paused && (
            <div class="notice notice-info" role="status">
              <div>
                <strong>Paused for maintenance.</strong> Rounds still plan, but create, delete and restart nothing until resumed.
              </div>
            </div>
          )}
          {(view.guarded || plan.value?.guarded === true) && <GuardNotice deletes={plan.value?.deletes} force={force} />}
          <Section title="Replicas">
            <ReplicasTable replicas={view.replicas} />
          </Section>
        </>
      )}
      <Section title="Recent rounds">
        <ErrorNote error={rounds.error} />
        {rounds.value !== undefined && <RoundsTable rounds={rounds.value.items} />}
      </Section>
      <Section
        title="Plan of the next round"
        actions={
          <button type="button" class="button" disabled={plan.loading} onClick={plan.reload}>
            Refresh
          </button>
        }
      >
        <ErrorNote error={plan.error} />
        {plan.value !== undefined && (
          <PlanPreview operations={plan.value.operations} deletes={plan.value.deletes} running={plan.value.running} />
        )}
      </Section>
    </>
  );
}
