import { ManagedProcess, type ManagedProcessOptions } from './managed-process';
import { sampleValue } from './prometheus-text';

/** A reconciler replica as a child process (`dist/apps/reconciler/src/main.js`). */
export class ReplicaProcess extends ManagedProcess {
  constructor(
    options: ManagedProcessOptions,
    /** Its PODSYNC_REPLICA_ID. */
    readonly id: string,
  ) {
    super(options);
  }

  /** Its health, ready and metrics listener (PODSYNC_METRICS_PORT). */
  get metricsUrl(): string {
    return this.url;
  }

  /** The Prometheus text it serves now. */
  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (response.status !== 200) throw new Error(`GET ${this.url}/metrics of ${this.id} answered ${response.status}`);
    return response.text();
  }

  /** The value of one sample of its metrics; undefined when it serves none of that name and labels. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    return sampleValue(await this.metrics(), name, labels);
  }

  /** Whether it says it leads now (its `podsync_leader` gauge is 1). */
  async isLeader(): Promise<boolean> {
    return (await this.metric('podsync_leader')) === 1;
  }
}
