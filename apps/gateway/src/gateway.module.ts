import { Module } from '@nestjs/common';
import { HttpConventionsModule } from '@podsync/platform';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ClusterController } from './cluster/cluster.controller';
import { ClusterService } from './cluster/cluster.service';
import { SyncController } from './cluster/sync.controller';
import { DEFAULT_EVENT_STREAM_SETTINGS, EVENT_STREAM_SETTINGS, EventStreamService } from './events/event-stream.service';
import { EventsController } from './events/events.controller';
import { HealthController } from './health/health.controller';
import { IdempotencyPurgeService } from './idempotency-purge.service';
import { LogLevelController } from './log-level/log-level.controller';
import { MetricsController } from './metrics/metrics.controller';
import { OperationsController } from './operations/operations.controller';
import { OperationsService } from './operations/operations.service';
import { PodsController } from './pods/pods.controller';
import { PodsQueryPipe } from './pods/pods-query.pipe';
import { PodsService } from './pods/pods.service';
import { StatusBodyPipe } from './status/status-body.pipe';
import { StatusController } from './status/status.controller';
import { StatusService } from './status/status.service';

/** The REST API. Needs PlatformModule (config, database, logger, metrics) imported beside it. */
@Module({
  imports: [HttpConventionsModule],
  controllers: [
    HealthController,
    ClientsController,
    StatusController,
    OperationsController,
    PodsController,
    LogLevelController,
    MetricsController,
    ClusterController,
    SyncController,
    EventsController,
  ],
  providers: [
    ClientsService,
    StatusService,
    StatusBodyPipe,
    OperationsService,
    PodsService,
    PodsQueryPipe,
    ClusterService,
    IdempotencyPurgeService,
    EventStreamService,
    { provide: EVENT_STREAM_SETTINGS, useValue: DEFAULT_EVENT_STREAM_SETTINGS },
  ],
})
export class GatewayModule {}
