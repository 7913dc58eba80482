import 'reflect-metadata';
import { configFromEnvironment, listenAndAnnounce, runProcess } from '@podsync/platform';
import { createHttpApp } from '../../gateway/src/http-app';
import { StandaloneModule } from './standalone.module';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createHttpApp(StandaloneModule.forRoot(config));
  await listenAndAnnounce(app, 'standalone', config);
}

runProcess(main);
