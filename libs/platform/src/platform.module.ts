import { type DynamicModule, Global, Inject, Injectable, type OnApplicationShutdown, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Config } from '@podsync/domain';
import { type Database, openDatabase } from '@podsync/db';
import { loggerOptions } from './logger.options';
import { MetricsRegistry } from './metrics.registry';
import { ReadinessService } from './readiness.service';
import { CONFIG, DATABASE } from './tokens';

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/**
 * What every podsync process holds once, whichever apps it runs: the configuration, the
 * migrated database, the logger and the metrics registry.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(loggerOptions(config.logLevel)), TerminusModule, ScheduleModule.forRoot()],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: DATABASE,
          useFactory: async (): Promise<Database> => {
            const database = openDatabase(config.database);
            await database.migrate();
            return database;
          },
        },
        DatabaseCloser,
        MetricsRegistry,
        ReadinessService,
      ],
      exports: [CONFIG, DATABASE, MetricsRegistry, ReadinessService],
    };
  }
}
