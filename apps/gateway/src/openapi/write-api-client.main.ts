import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runProcess } from '@podsync/platform';
import { API_CLIENT_DIR, type ApiClientFiles, renderApiClientFiles } from './api-client-files';

/** `npm run api:generate`: writes the OpenAPI document and the client types into libs/api-client/src. */
async function main(): Promise<void> {
  const repositoryRoot = resolve(__dirname, '../../../../..');
  const files = await renderApiClientFiles(repositoryRoot);
  for (const name of Object.keys(files) as (keyof ApiClientFiles)[]) {
    const path = join(repositoryRoot, API_CLIENT_DIR, name);
    writeFileSync(path, files[name]);
    process.stdout.write(`wrote ${path}\n`);
  }
}

runProcess(main);
