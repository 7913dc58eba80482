import { Controller, Get, Header } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { MetricsRegistry, PublicRoute, RawResponse, ReadinessService } from '@podsync/platform';

/** The reconciler's own listener (PODSYNC_METRICS_PORT): probes and Prometheus scrapes. */
@Controller()
@PublicRoute()
@RawResponse()
export class ProbesController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsRegistry,
  ) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): Promise<HealthCheckResult> {
    return this.readiness.check();
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}
