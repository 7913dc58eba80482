import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@podsync/domain';
import { HttpConventionsModule, PlatformModule } from '@podsync/platform';
import { LogLevelController } from './probes/log-level.controller';
import { ProbesController } from './probes/probes.controller';
import { ReconcilerModule } from './reconciler.module';

/** A reconciler replica on its own (cluster mode), with its listener for probes, metrics and the log level. */
@Module({})
export class ReconcilerAppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ReconcilerAppModule,
      imports: [PlatformModule.forRoot(config), HttpConventionsModule, ReconcilerModule],
      controllers: [ProbesController, LogLevelController],
    };
  }
}
