import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@podsync/domain';
import { PlatformModule } from '@podsync/platform';
import { GatewayModule } from './gateway.module';

/** The gateway process on its own (cluster mode). */
@Module({})
export class GatewayAppModule {
  static forRoot(config: Config): DynamicModule {
    return { module: GatewayAppModule, imports: [PlatformModule.forRoot(config), GatewayModule] };
  }
}
