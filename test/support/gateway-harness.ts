import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Config, loadConfig } from '@podsync/domain';
import { DATABASE, EVENT_BUS } from '@podsync/platform';
import type { EventBus } from '@podsync/bus';
import type { Database } from '@podsync/db';
import { GatewayAppModule } from '../../apps/gateway/src/gateway-app.module';
import { createHttpApp } from '../../apps/gateway/src/http-app';
import { StandaloneModule } from '../../apps/standalone/src/standalone.module';
import { type HttpAnswer, httpRequest, type HttpRequestOptions } from './http-request';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface RunningGateway {
  url: string;
  config: Config;
  database: Database;
  /** The process's event bus: what the reconciler would publish, a test can publish on it. */
  bus: EventBus;
  request(method: string, path: string, options?: HttpRequestOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** `postgres` (a fresh database of its own) or `pglite` (in a temp dir, or `dataDir` when given). */
  driver: 'postgres' | 'pglite';
  dataDir?: string;
  env?: Record<string, string>;
  /** `standalone` runs the reconciler in the same process too, as `npm start` does. */
  app?: 'gateway' | 'standalone';
}

/** The gateway (or the whole standalone app), in this process, listening on a free loopback port, on a database of its own. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  let testDatabase: TestDatabase | undefined;
  let tempDir: string | undefined;
  const env: Record<string, string> = { LOG_LEVEL: 'warn', ...options.env };
  if (options.driver === 'postgres') {
    testDatabase = await createTestDatabase();
    env.DATABASE_URL = testDatabase.url;
  } else {
    tempDir = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'podsync-pglite-')) : undefined;
    env.PODSYNC_DATA_DIR = options.dataDir ?? tempDir ?? '';
  }
  const config = loadConfig(env);
  const rootModule = options.app === 'standalone' ? StandaloneModule.forRoot(config) : GatewayAppModule.forRoot(config);
  const app: NestFastifyApplication = await createHttpApp(rootModule);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  return {
    url,
    config,
    database: app.get<Database>(DATABASE),
    bus: app.get<EventBus>(EVENT_BUS),
    request: (method, path, options) => httpRequest(url, method, path, options),
    async close() {
      await app.close();
      await testDatabase?.drop();
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export const SAMPLE_CLIENT = {
  name: 'acme',
  version: 1,
  image: 'registry.example.com/algo:1.2',
  cpu: '500m',
  mem: '256Mi',
  priority: 5,
} as const;
