import 'reflect-metadata';
import { configFromEnvironment, runProcess } from '@podsync/platform';
import { createHttpApp } from '../../gateway/src/http-app';
import { StandaloneModule } from './standalone.module';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const app = await createHttpApp(StandaloneModule.forRoot(config));
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
}

runProcess(main);
