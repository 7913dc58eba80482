import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@podsync/domain';
import { readRepoFile, repoPath } from './deploy-files';

interface Instruction {
  stage: string;
  keyword: string;
  argument: string;
}

/** The Dockerfile's instructions, continuation lines joined, each with the stage it belongs to. */
function instructions(dockerfile: string): Instruction[] {
  const result: Instruction[] = [];
  let stage = '';
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const argument = rest.join(' ');
    if (keyword === 'FROM') stage = / AS (\S+)$/i.exec(argument)?.[1] ?? '';
    result.push({ stage, keyword, argument });
  }
  return result;
}

const dockerfile = instructions(readRepoFile('deploy/Dockerfile'));
const inStage = (stage: string, keyword: string) =>
  dockerfile
    .filter((instruction) => instruction.stage === stage && instruction.keyword === keyword)
    .map(({ argument }) => argument);

describe('deploy/Dockerfile', () => {
  it('builds with the dev dependencies and ships the production ones only', () => {
    expect(dockerfile.filter(({ keyword }) => keyword === 'FROM').map(({ stage }) => stage)).toEqual(['build', 'runtime']);
    expect(inStage('build', 'RUN')).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), 'npm run build']));
    expect(inStage('runtime', 'RUN').join(' ')).toMatch(/npm ci --omit=dev\b/);
    expect(inStage('runtime', 'COPY')).toEqual(expect.arrayContaining(['--from=build /app/dist ./dist', 'drizzle ./drizzle']));
  });

  it('installs with the lockfile and .npmrc, whose legacy-peer-deps npm ci needs', () => {
    for (const stage of ['build', 'runtime']) {
      expect(inStage(stage, 'COPY')).toContain('package.json package-lock.json .npmrc ./');
    }
    expect(readRepoFile('.npmrc')).toMatch(/^legacy-peer-deps=true$/m);
  });

  it('runs as a non-root user given by number, in production mode', () => {
    const [user] = inStage('runtime', 'USER');

    expect(user).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    expect(inStage('runtime', 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
  });

  it('listens on every interface of the container, where podsync alone would listen on loopback', () => {
    const environment = inStage('runtime', 'ENV').join(' ');

    expect(loadConfig({})).toMatchObject({ http: { host: '127.0.0.1' }, metrics: { host: '127.0.0.1' } });
    expect(environment).toMatch(/\bPODSYNC_HTTP_HOST=0\.0\.0\.0\b/);
    expect(environment).toMatch(/\bPODSYNC_METRICS_HOST=0\.0\.0\.0\b/);
  });

  it("exposes podsync's default ports and runs the gateway unless told otherwise", () => {
    const defaults = loadConfig({});

    expect(inStage('runtime', 'EXPOSE')).toEqual([`${defaults.http.port} ${defaults.metrics.port}`]);
    expect(inStage('runtime', 'CMD')).toEqual([
      '["node", "--require", "./dist/libs/platform/src/tracing.preload.js", "dist/apps/gateway/src/main.js"]',
    ]);
  });

  it('leaves dependencies, build output, local data and secrets out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));

    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.git', '.podsync', '.env', 'bench/results', 'coverage']),
    );
  });
});

describe('deploy/', () => {
  it('starts only entry points that the build produces', () => {
    const texts = [
      readRepoFile('deploy/Dockerfile'),
      readRepoFile('deploy/docker-compose.yml'),
      ...readdirSync(repoPath('deploy/helm/podsync/templates')).map((file) =>
        readRepoFile('deploy/helm/podsync/templates', file),
      ),
    ];
    const entryPoints = new Set(texts.flatMap((text) => [...text.matchAll(/dist\/([\w/.-]+)\.js/g)].map(([, path]) => path)));

    expect([...entryPoints].sort()).toEqual([
      'apps/gateway/src/main',
      'apps/reconciler/src/main',
      'apps/standalone/src/main',
      'libs/platform/src/migrate.main',
      'libs/platform/src/tracing.preload',
    ]);
    for (const path of entryPoints) expect(existsSync(repoPath(`${path}.ts`)), `${path}.ts`).toBe(true);
  });
});
