import 'reflect-metadata';
import { configFromEnvironment, listenAndAnnounce, runProcess } from '@podsync/platform';
import { GatewayAppModule } from './gateway-app.module';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createHttpApp(GatewayAppModule.forRoot(config));
  await listenAndAnnounce(app, 'gateway', config);
}

runProcess(main);
