import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@podsync/domain';
import { GatewayAppModule } from '../gateway-app.module';
import { createHttpApp } from '../http-app';
import { buildOpenApiDocument } from './openapi-document';

/** Where the typed API client lives, relative to the repository root. */
export const API_CLIENT_DIR = 'libs/api-client/src';

/** The generated files of the typed API client, by file name in API_CLIENT_DIR. */
export interface ApiClientFiles {
  'openapi.json': string;
  'api-types.ts': string;
}

/**
 * The gateway's OpenAPI document and the TypeScript types generated from it, formatted
 * as the repository formats them. The gateway boots on the embedded defaults (PGlite in
 * a temporary directory, in-process bus) and never listens: only its routes are read.
 */
export async function renderApiClientFiles(repositoryRoot: string): Promise<ApiClientFiles> {
  const dataDir = mkdtempSync(join(tmpdir(), 'podsync-openapi-'));
  try {
    const app = await createHttpApp(GatewayAppModule.forRoot(loadConfig({ PODSYNC_DATA_DIR: dataDir, LOG_LEVEL: 'warn' })));
    const document = buildOpenApiDocument(app);
    await app.close();
    // Build-time tools (devDependencies): loaded here so that the gateway never needs them at run time.
    const { default: openapiTS, astToString } = await import('openapi-typescript');
    const prettier = await import('prettier');
    const format = async (text: string, fileName: string): Promise<string> => {
      const filepath = join(repositoryRoot, API_CLIENT_DIR, fileName);
      const options = await prettier.resolveConfig(filepath);
      return prettier.format(text, { ...options, filepath });
    };
    const types = astToString(await openapiTS(document as Parameters<typeof openapiTS>[0]));
    return {
      'openapi.json': await format(JSON.stringify(document), 'openapi.json'),
      'api-types.ts': await format(`${GENERATED_HEADER}${types}`, 'api-types.ts'),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const GENERATED_HEADER = `/**
 * Generated from the gateway's OpenAPI document by \`npm run api:generate\`; do not edit.
 * apps/gateway/src/openapi/api-client-files.spec.ts fails when this file is out of date.
 */

`;
