import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { Database } from '@podsync/db';
import { DATABASE } from './tokens';

export type ReadinessProbe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2_000;

/** Readiness: the database always, plus what a process registers (NATS, Redis) where it uses them. */
@Injectable()
export class ReadinessService {
  private readonly probes = new Map<string, ReadinessProbe>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) database: Database,
  ) {
    this.probes.set('database', () => database.ping());
  }

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(
        [...this.probes].map(
          ([name, probe]) =>
            () =>
              this.indicators
                .check(name)
                .attempt(() => probe())
                .withTimeout(PROBE_TIMEOUT_MS),
        ),
      );
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      const down = Object.keys(result.error ?? {});
      throw new ServiceUnavailableException(`not ready: ${down.join(', ') || 'a dependency'} unreachable`);
    }
  }
}
