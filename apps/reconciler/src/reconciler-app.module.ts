import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@podsync/domain';
import { PlatformModule } from '@podsync/platform';
import { ProbesController } from './probes/probes.controller';
import { ReconcilerModule } from './reconciler.module';

/** A reconciler replica on its own (cluster mode), with its probe and metrics listener. */
@Module({})
export class ReconcilerAppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ReconcilerAppModule,
      imports: [PlatformModule.forRoot(config), ReconcilerModule],
      controllers: [ProbesController],
    };
  }
}
