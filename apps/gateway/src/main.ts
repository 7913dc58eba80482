import 'reflect-metadata';
import { configFromEnvironment, runProcess } from '@podsync/platform';
import { GatewayAppModule } from './gateway-app.module';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createHttpApp(GatewayAppModule.forRoot(config));
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

runProcess(main);
