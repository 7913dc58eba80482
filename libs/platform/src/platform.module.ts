import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Config } from '@podsync/domain';
import { type Database, openDatabase } from '@podsync/db';
import { type EventBus, openEventBus } from '@podsync/bus';
import { createRootLogger, loggerOptions } from './logger.options';
import { MetricsRegistry } from './metrics.registry';
import { ReadinessService } from './readiness.service';
import { Loggers } from './loggers';
import { CONFIG, DATABASE, EVENT_BUS } from './tokens';
import { stopTracing, tracingStarted } from './tracing';

/** Closes the connections last, once every module has stopped using them. */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
    await this.database.close();
    // Last, so that the spans of the shutdown itself go out too.
    await stopTracing();
  }
}

/**
 * What every podsync process holds once, whichever apps it runs: the configuration, the
 * migrated database, the event bus, the logger and the metrics registry.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: Config): DynamicModule {
    const loggers = new Loggers(createRootLogger(config.logLevel));
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(loggerOptions(loggers.root)), TerminusModule, ScheduleModule.forRoot()],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: Loggers, useValue: loggers },
        {
          provide: DATABASE,
          useFactory: async (): Promise<Database> => {
            const database = openDatabase({ ...config.database, traceStatements: tracingStarted() });
            await database.migrate();
            return database;
          },
        },
        {
          provide: EVENT_BUS,
          useFactory: (readiness: ReadinessService): Promise<EventBus> =>
            openEventBus({
              urls: config.nats.urls,
              prefix: config.nats.prefix,
              logger: loggers.component('bus'),
              connectionName: config.replicaId,
            }).then((bus) => {
              if (config.nats.urls.length > 0) readiness.register('nats', () => bus.ping());
              return bus;
            }),
          inject: [ReadinessService],
        },
        ConnectionCloser,
        MetricsRegistry,
        ReadinessService,
      ],
      exports: [CONFIG, Loggers, DATABASE, EVENT_BUS, MetricsRegistry, ReadinessService],
    };
  }
}
