import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_CLIENT_DIR, type ApiClientFiles, renderApiClientFiles } from './api-client-files';

const repositoryRoot = resolve(__dirname, '../../../..');

describe(renderApiClientFiles.name, () => {
  let files: ApiClientFiles;
  beforeAll(async () => {
    files = await renderApiClientFiles(repositoryRoot);
  });

  it('matches the committed OpenAPI document and client types (run `npm run api:generate` after changing the API)', () => {
    for (const name of Object.keys(files) as (keyof ApiClientFiles)[]) {
      const committed = readFileSync(join(repositoryRoot, API_CLIENT_DIR, name), 'utf8');
      expect(committed, `${API_CLIENT_DIR}/${name} is out of date: run npm run api:generate`).toBe(files[name]);
    }
  });

  it('describes the request bodies with the zod schemas that validate them', () => {
    const document = JSON.parse(files['openapi.json']) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required: string[] } }> } }>>;
    };
    const createClient = document.paths['/api/v1/clients']?.post?.requestBody?.content['application/json'];
    expect(createClient?.schema.required).toEqual(['name', 'version', 'image', 'cpu', 'mem']);
  });
});
