import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Config, loadConfig } from '@podsync/domain';
import { DATABASE } from '@podsync/platform';
import type { Database } from '@podsync/db';
import { GatewayAppModule } from '../../apps/gateway/src/gateway-app.module';
import { createHttpApp } from '../../apps/gateway/src/http-app';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever the API sent
  text: string;
}

export interface RunningGateway {
  url: string;
  config: Config;
  database: Database;
  request(
    method: string,
    path: string,
    options?: { json?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** `postgres` (a fresh database of its own) or `pglite` (in a temp dir, or `dataDir` when given). */
  driver: 'postgres' | 'pglite';
  dataDir?: string;
  env?: Record<string, string>;
}

/** The gateway, in this process, listening on a free loopback port, on a database of its own. */
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
  const app: NestFastifyApplication = await createHttpApp(GatewayAppModule.forRoot(config));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  return {
    url,
    config,
    database: app.get<Database>(DATABASE),
    async request(method, path, { json, raw, headers = {} } = {}) {
      const body = raw ?? (json === undefined ? undefined : JSON.stringify(json));
      const contentType: Record<string, string> = json === undefined ? {} : { 'content-type': 'application/json' };
      const response = await fetch(url + path, { method, body, headers: { ...contentType, ...headers } });
      const text = await response.text();
      const isJson = response.headers.get('content-type')?.startsWith('application/json') === true;
      return {
        status: response.status,
        headers: response.headers,
        text,
        body: isJson && text !== '' ? JSON.parse(text) : undefined,
      };
    },
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
