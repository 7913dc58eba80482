import type { EventBus } from '@podsync/bus';
import type { Database } from '@podsync/db';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { SimulatedDeployer } from '../../apps/reconciler/src/deployers/simulated.deployer';
import { EmbeddedLeaderElector } from '../../apps/reconciler/src/leader/embedded-leader-elector';
import type { Lease } from '../../apps/reconciler/src/leader/leader-elector';
import { ObserveMetrics } from '../../apps/reconciler/src/observe/observe-metrics';
import { ObservedPods } from '../../apps/reconciler/src/observe/observed-pods';
import { PodObserver, type PodObserverSettings } from '../../apps/reconciler/src/observe/pod-observer';
import {
  DEFAULT_POD_RESTART_BACKOFF,
  PodRestartBackoff,
  type PodRestartBackoffSettings,
} from '../../apps/reconciler/src/observe/pod-restart-backoff';
import { SyncEngine, type SyncEngineSettings } from '../../apps/reconciler/src/sync/sync-engine';
import { SyncMetrics } from '../../apps/reconciler/src/sync/sync-metrics';
import { SyncScheduler } from '../../apps/reconciler/src/sync/sync-scheduler';

const silent = pino({ level: process.env.DEBUG_LEADER ?? 'silent' });
const CATALOGUE = ['VWAP', 'TWAP', 'HFT'];

export interface ObservingLeaderOptions {
  backoff?: PodRestartBackoffSettings;
  observer?: PodObserverSettings;
  engine?: Partial<SyncEngineSettings>;
  /** False: observe only, and only note the clients the observer asks to heal. Default true. */
  rounds?: boolean;
}

/**
 * A leader's observation of the pods and its rounds, composed as the reconciler module composes
 * them (without Nest), on the embedded elector: for the observation tests and bench:heal.
 */
export class ObservingLeader {
  readonly elector: EmbeddedLeaderElector;
  readonly registry = new Registry();
  readonly restartBackoff: PodRestartBackoff;
  readonly scheduler: SyncScheduler;
  readonly observer: PodObserver;
  /** The clients the observer asked to heal, in order. */
  readonly healingRequests: number[][] = [];
  private readonly stopping = new AbortController();
  private observing: Promise<void> = Promise.resolve();

  constructor(
    readonly database: Database,
    readonly deployer: SimulatedDeployer,
    readonly bus: EventBus,
    options: ObservingLeaderOptions,
  ) {
    const metrics = new SyncMetrics(this.registry);
    this.elector = new EmbeddedLeaderElector(database.db, { replicaId: 'replica-a' });
    this.restartBackoff = new PodRestartBackoff(options.backoff ?? DEFAULT_POD_RESTART_BACKOFF);
    const observedPods = new ObservedPods(database.db, bus, silent, metrics, this.restartBackoff, { target: 'default' });
    const engine = new SyncEngine(
      database.db,
      deployer,
      bus,
      silent,
      metrics,
      { replicaId: 'replica-a', algorithms: CATALOGUE, concurrency: 4, opsPerSecond: 10_000, deleteGuard: 1, ...options.engine },
      { observedPods, restartBackoff: this.restartBackoff },
    );
    this.scheduler = new SyncScheduler(engine, this.elector, database.db, silent, { intervalMs: 3_600_000 });
    const rounds = options.rounds ?? true;
    this.observer = new PodObserver(
      deployer,
      observedPods,
      silent,
      new ObserveMetrics(this.registry),
      (clientIds) => {
        this.healingRequests.push(clientIds);
        if (rounds) this.scheduler.requestClients(clientIds);
      },
      () => this.elector.stepDown(),
      options.observer,
    );
    if (rounds) this.scheduler.start();
  }

  async start(): Promise<Lease> {
    await this.elector.start();
    const lease = this.elector.current();
    if (lease === undefined) throw new Error('the embedded elector did not lead');
    this.observing = this.observer.run(lease, this.stopping.signal);
    return lease;
  }

  /** Resolves when the observer has stopped of its own accord (a newer leader). */
  stopped(): Promise<void> {
    return this.observing;
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    this.stopping.abort();
    await this.observing;
    await this.elector.stop();
  }
}
