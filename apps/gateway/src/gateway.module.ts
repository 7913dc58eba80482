import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ClusterController } from './cluster/cluster.controller';
import { ClusterService } from './cluster/cluster.service';
import { SyncController } from './cluster/sync.controller';
import { AuthGuard } from './common/auth.guard';
import { EnvelopeInterceptor } from './common/envelope.interceptor';
import { ErrorEnvelopeFilter } from './common/error-envelope.filter';
import { HealthController } from './health/health.controller';
import { IdempotencyPurgeService } from './idempotency-purge.service';
import { LogLevelController } from './log-level/log-level.controller';
import { RequestLogLevelInterceptor } from './log-level/request-log-level.interceptor';
import { MetricsController } from './metrics/metrics.controller';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { StatusBodyPipe } from './status/status-body.pipe';
import { StatusController } from './status/status.controller';
import { StatusService } from './status/status.service';

/** The REST API. Needs PlatformModule (config, database, logger, metrics) imported beside it. */
@Module({
  controllers: [
    HealthController,
    ClientsController,
    StatusController,
    OperationsController,
    LogLevelController,
    MetricsController,
    ClusterController,
    SyncController,
  ],
  providers: [
    ClientsService,
    StatusService,
    StatusBodyPipe,
    OperationsService,
    ClusterService,
    IdempotencyPurgeService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: RequestLogLevelInterceptor },
    { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
    { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
  ],
})
export class GatewayModule {}
