import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@podsync/domain';
import { PlatformModule } from '@podsync/platform';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { ReconcilerModule } from '../../reconciler/src/reconciler.module';

/** Everything in one process on embedded defaults: `npm start`. */
@Module({})
export class StandaloneModule {
  static forRoot(config: Config): DynamicModule {
    return { module: StandaloneModule, imports: [PlatformModule.forRoot(config), GatewayModule, ReconcilerModule] };
  }
}
