import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import {
  configFromEnvironment,
  createFastifyAdapter,
  echoRequestId,
  listenAndAnnounce,
  nameServerSpansByRoute,
  runProcess,
} from '@podsync/platform';
import { ReconcilerAppModule } from './reconciler-app.module';

async function main(): Promise<void> {
  const config = configFromEnvironment();
  const app = await NestFactory.create<NestFastifyApplication>(ReconcilerAppModule.forRoot(config), createFastifyAdapter(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // process.exit rather than re-raising the signal, so pino flushes and the exit code says "stopped cleanly".
  app.enableShutdownHooks([], { useProcessExit: true });
  echoRequestId(app);
  nameServerSpansByRoute(app);
  await listenAndAnnounce(app, 'reconciler', config);
}

runProcess(main);
