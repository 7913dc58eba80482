import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlgorithmCatalogue } from './algorithms';
import { type Config, ConfigError, loadConfig } from './config';

/** Every variable of DESIGN.md §6. */
const VARIABLES = [
  'PODSYNC_HTTP_HOST',
  'PODSYNC_HTTP_PORT',
  'PODSYNC_METRICS_HOST',
  'PODSYNC_METRICS_PORT',
  'PODSYNC_DATA_DIR',
  'DATABASE_URL',
  'REDIS_URLS',
  'NATS_URL',
  'PODSYNC_NATS_PREFIX',
  'PODSYNC_DEPLOYER',
  'PODSYNC_K8S_NAMESPACE',
  'PODSYNC_ALGORITHMS',
  'PODSYNC_SYNC_INTERVAL',
  'PODSYNC_LEADER_TTL',
  'PODSYNC_OPS_PER_SECOND',
  'PODSYNC_SYNC_CONCURRENCY',
  'PODSYNC_DELETE_GUARD',
  'PODSYNC_HISTORY_RETENTION',
  'PODSYNC_API_TOKENS',
  'PODSIM_LATENCY_MS',
  'PODSIM_FAILURE_RATE',
  'PODSIM_POD_FAILURE_RATE',
  'PODSYNC_REPLICA_ID',
  'LOG_LEVEL',
] as const;

/** The defaults of DESIGN.md §6, with the two fields that are not plain values matched loosely. */
const DEFAULTS = {
  http: { host: '127.0.0.1', port: 8081 },
  metrics: { host: '127.0.0.1', port: 9101 },
  database: { url: undefined, dataDir: './.podsync' },
  redis: { urls: [] },
  nats: { urls: [], prefix: undefined },
  deployer: {
    kind: 'simulated',
    namespace: 'default',
    simulatedLatencyMs: 0,
    simulatedFailureRate: 0,
    simulatedPodFailureRate: 0,
  },
  algorithms: expect.any(AlgorithmCatalogue),
  sync: { intervalMs: 5 * 60_000, opsPerSecond: 100, concurrency: 16, deleteGuard: 0.5 },
  leader: { ttlMs: 5_000 },
  history: { retentionMs: 30 * 86_400_000 },
  auth: { tokens: [] },
  replicaId: expect.stringMatching(new RegExp(`^${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{6}$`)),
  logLevel: 'info',
};

function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe(loadConfig.name, () => {
  describe('defaults', () => {
    it('gives every default of the table when nothing is set', () => {
      const config = loadConfig({});

      expect(config).toEqual(DEFAULTS);
      expect(config.algorithms.names).toEqual(['VWAP', 'TWAP', 'HFT']);
    });

    it('treats an empty variable as unset', () => {
      const config = loadConfig(Object.fromEntries(VARIABLES.map((variable) => [variable, ''])));

      expect(config).toEqual(DEFAULTS);
      expect(config.algorithms.names).toEqual(['VWAP', 'TWAP', 'HFT']);
    });

    it('names each replica apart when PODSYNC_REPLICA_ID is unset', () => {
      expect(loadConfig({}).replicaId).not.toBe(loadConfig({}).replicaId);
    });

    it('ignores variables that are not its own', () => {
      expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', PODSYNC_UNKNOWN: 'x' })).toEqual(DEFAULTS);
    });
  });

  describe('parsing', () => {
    it('reads every variable into the typed config', () => {
      const config = loadConfig({
        PODSYNC_HTTP_HOST: '0.0.0.0',
        PODSYNC_HTTP_PORT: '1',
        PODSYNC_METRICS_HOST: '::',
        PODSYNC_METRICS_PORT: '65535',
        PODSYNC_DATA_DIR: '/var/lib/podsync',
        DATABASE_URL: 'postgresql://podsync@db:5432/podsync',
        REDIS_URLS: 'redis://r1:6379, rediss://r2:6380 ,redis://r3,',
        NATS_URL: 'nats://n1:4222,n2:4222',
        PODSYNC_NATS_PREFIX: 'trading-eu_1',
        PODSYNC_DEPLOYER: 'kubernetes',
        PODSYNC_K8S_NAMESPACE: 'trading-prod',
        PODSYNC_ALGORITHMS: 'ICEBERG2',
        PODSYNC_SYNC_INTERVAL: '30s',
        PODSYNC_LEADER_TTL: '2s',
        PODSYNC_OPS_PER_SECOND: '2.5',
        PODSYNC_SYNC_CONCURRENCY: '4',
        PODSYNC_DELETE_GUARD: '1',
        PODSYNC_HISTORY_RETENTION: '7d',
        PODSYNC_API_TOKENS: 'read-token:reader,write-token:writer',
        PODSIM_LATENCY_MS: '250',
        PODSIM_FAILURE_RATE: '0.1',
        PODSIM_POD_FAILURE_RATE: '0.05',
        PODSYNC_REPLICA_ID: 'replica-a.1_x',
        LOG_LEVEL: 'debug',
      });

      expect(config).toEqual<Config>({
        http: { host: '0.0.0.0', port: 1 },
        metrics: { host: '::', port: 65_535 },
        database: { url: 'postgresql://podsync@db:5432/podsync', dataDir: '/var/lib/podsync' },
        redis: { urls: ['redis://r1:6379', 'rediss://r2:6380', 'redis://r3'] },
        nats: { urls: ['nats://n1:4222', 'n2:4222'], prefix: 'trading-eu_1' },
        deployer: {
          kind: 'kubernetes',
          namespace: 'trading-prod',
          simulatedLatencyMs: 250,
          simulatedFailureRate: 0.1,
          simulatedPodFailureRate: 0.05,
        },
        algorithms: expect.any(AlgorithmCatalogue) as AlgorithmCatalogue,
        sync: { intervalMs: 30_000, opsPerSecond: 2.5, concurrency: 4, deleteGuard: 1 },
        leader: { ttlMs: 2_000 },
        history: { retentionMs: 7 * 86_400_000 },
        auth: {
          tokens: [
            { token: 'read-token', role: 'reader' },
            { token: 'write-token', role: 'writer' },
          ],
        },
        replicaId: 'replica-a.1_x',
        logLevel: 'debug',
      });
      expect(config.algorithms.names).toEqual(['ICEBERG2']);
    });

    it.each([
      ['500ms', 500],
      ['5s', 5_000],
      ['5m', 300_000],
      ['1h', 3_600_000],
    ])('reads the duration %s as %i ms', (text, ms) => {
      expect(loadConfig({ PODSYNC_SYNC_INTERVAL: text }).sync.intervalMs).toBe(ms);
    });

    it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'podsync-gateway.default.svc'])(
      'accepts the listen address %s',
      (address) => {
        expect(loadConfig({ PODSYNC_HTTP_HOST: address, PODSYNC_METRICS_HOST: address })).toMatchObject({
          http: { host: address },
          metrics: { host: address },
        });
      },
    );

    it.each([
      ['1m', 60_000],
      ['12h', 43_200_000],
      ['90d', 7_776_000_000],
    ])('reads the retention %s as %i ms, beyond what a timer could hold', (text, ms) => {
      expect(loadConfig({ PODSYNC_HISTORY_RETENTION: text }).history.retentionMs).toBe(ms);
    });

    it('accepts a leader TTL of exactly 1s', () => {
      expect(loadConfig({ PODSYNC_LEADER_TTL: '1s' }).leader.ttlMs).toBe(1_000);
      expect(loadConfig({ PODSYNC_LEADER_TTL: '1000ms' }).leader.ttlMs).toBe(1_000);
    });

    it('upper-cases PODSYNC_ALGORITHMS and trims the spaces around each name, keeping their order', () => {
      expect(loadConfig({ PODSYNC_ALGORITHMS: ' vwap , Twap,hft ' }).algorithms.names).toEqual(['VWAP', 'TWAP', 'HFT']);
      expect(loadConfig({ PODSYNC_ALGORITHMS: 'HFT,VWAP' }).algorithms.names).toEqual(['HFT', 'VWAP']);
    });

    it('reads API tokens as token:role, splitting at the last colon and trimming each entry', () => {
      expect(loadConfig({ PODSYNC_API_TOKENS: ' a:b:admin , plain:reader' }).auth.tokens).toEqual([
        { token: 'a:b', role: 'admin' },
        { token: 'plain', role: 'reader' },
      ]);
    });

    it.each(['0', '1', '0.25'])('accepts PODSYNC_DELETE_GUARD=%s, a share from 0 to 1', (share) => {
      expect(loadConfig({ PODSYNC_DELETE_GUARD: share }).sync.deleteGuard).toBe(Number(share));
    });

    it('keeps a DATABASE_URL with a password as given', () => {
      expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/x' }).database.url).toBe('postgres://u:p@db/x');
    });
  });

  describe('bad values', () => {
    it.each([
      ['PODSYNC_HTTP_PORT', 'abc', 'expected a port number from 1 to 65535'],
      ['PODSYNC_HTTP_PORT', '0', 'expected a port number from 1 to 65535'],
      ['PODSYNC_HTTP_PORT', '70000', 'expected a port number from 1 to 65535'],
      ['PODSYNC_HTTP_PORT', '-1', 'expected a port number from 1 to 65535'],
      ['PODSYNC_HTTP_PORT', '80.5', 'expected a port number from 1 to 65535'],
      ['PODSYNC_METRICS_PORT', '65536', 'expected a port number from 1 to 65535'],
      ['PODSYNC_HTTP_HOST', 'http://0.0.0.0', 'expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name'],
      ['PODSYNC_HTTP_HOST', '0.0.0.0:8081', 'expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name'],
      ['PODSYNC_METRICS_HOST', 'two hosts', 'expected an IP address such as 127.0.0.1 or 0.0.0.0, or a host name'],
      ['PODSYNC_HISTORY_RETENTION', '30', 'expected a duration from 1m to 3650d such as 12h, 30d or 90d'],
      ['PODSYNC_HISTORY_RETENTION', '30s', 'expected a duration from 1m to 3650d such as 12h, 30d or 90d'],
      ['PODSYNC_HISTORY_RETENTION', '3651d', 'expected a duration from 1m to 3650d such as 12h, 30d or 90d'],
      ['PODSYNC_SYNC_INTERVAL', '5', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      ['PODSYNC_SYNC_INTERVAL', '5x', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      ['PODSYNC_SYNC_INTERVAL', '1.5s', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      ['PODSYNC_SYNC_INTERVAL', '0s', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      // Beyond setTimeout's 2^31-1 ms a timer fires at once: a round would start back to back.
      ['PODSYNC_SYNC_INTERVAL', '597h', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      ['PODSYNC_LEADER_TTL', '500ms', 'expected at least 1s'],
      ['PODSYNC_LEADER_TTL', '999ms', 'expected at least 1s'],
      ['PODSYNC_LEADER_TTL', '5', 'expected a duration from 1ms to 596h such as 500ms, 5s or 5m'],
      ['PODSYNC_OPS_PER_SECOND', '0', 'expected a number from 1 to 100000'],
      ['PODSYNC_OPS_PER_SECOND', 'fast', 'expected a number from 1 to 100000'],
      ['PODSYNC_OPS_PER_SECOND', 'Infinity', 'expected a number from 1 to 100000'],
      ['PODSYNC_SYNC_CONCURRENCY', '0', 'expected a whole number from 1 to 1024'],
      ['PODSYNC_SYNC_CONCURRENCY', '2.5', 'expected a whole number from 1 to 1024'],
      ['PODSYNC_SYNC_CONCURRENCY', '1025', 'expected a whole number from 1 to 1024'],
      ['PODSYNC_DELETE_GUARD', '2', 'expected a share from 0 to 1'],
      ['PODSYNC_DELETE_GUARD', '-0.1', 'expected a share from 0 to 1'],
      ['PODSYNC_DELETE_GUARD', 'half', 'expected a share from 0 to 1'],
      ['PODSIM_LATENCY_MS', '-1', 'expected a whole number from 0 to 600000'],
      ['PODSIM_LATENCY_MS', '1.5', 'expected a whole number from 0 to 600000'],
      ['PODSIM_FAILURE_RATE', '1.5', 'expected a probability from 0 to 1'],
      ['PODSIM_POD_FAILURE_RATE', '-0.1', 'expected a share of running pods per minute from 0 to 1'],
      ['PODSYNC_DEPLOYER', 'docker', 'expected simulated or kubernetes'],
      ['PODSYNC_K8S_NAMESPACE', 'Trading', 'expected a Kubernetes namespace name'],
      ['PODSYNC_K8S_NAMESPACE', '-trading', 'expected a Kubernetes namespace name'],
      ['DATABASE_URL', 'mysql://db:3306/podsync', 'expected a postgres:// connection string'],
      ['DATABASE_URL', 'db:5432', 'expected a postgres:// connection string'],
      [
        'REDIS_URLS',
        'redis://r1:6379,localhost:6379',
        'expected a comma-separated list of distinct redis:// URLs; "localhost:6379" is not one',
      ],
      // The same Redis twice would cast two votes towards the Redlock quorum.
      [
        'REDIS_URLS',
        'redis://r1,redis://r2, redis://r1',
        'expected a comma-separated list of distinct redis:// URLs; "redis://r1" is given twice',
      ],
      ['NATS_URL', 'http://n1:4222', 'expected a comma-separated list of distinct nats:// URLs; "http://n1:4222" is not one'],
      // A dot would make the prefix two subject tokens; capitals would fold into another prefix's stream names.
      [
        'PODSYNC_NATS_PREFIX',
        'eu.prod',
        'expected 1 to 32 lower-case letters, digits, dashes or underscores, starting with a letter or digit',
      ],
      [
        'PODSYNC_NATS_PREFIX',
        'Prod',
        'expected 1 to 32 lower-case letters, digits, dashes or underscores, starting with a letter or digit',
      ],
      [
        'PODSYNC_NATS_PREFIX',
        '_prod',
        'expected 1 to 32 lower-case letters, digits, dashes or underscores, starting with a letter or digit',
      ],
      [
        'PODSYNC_NATS_PREFIX',
        'p'.repeat(33),
        'expected 1 to 32 lower-case letters, digits, dashes or underscores, starting with a letter or digit',
      ],
      ['LOG_LEVEL', 'loud', 'expected one of fatal, error, warn, info, debug, trace'],
      ['LOG_LEVEL', 'DEBUG', 'expected one of fatal, error, warn, info, debug, trace'],
      [
        'PODSYNC_ALGORITHMS',
        'VWAP,TWAP,vwap',
        'expected distinct comma-separated names of letters and digits, starting with a letter, at most 30 characters; "vwap" repeats a name',
      ],
      [
        'PODSYNC_ALGORITHMS',
        'VWAP,V-WAP,2FAST,',
        'expected distinct comma-separated names of letters and digits, starting with a letter, at most 30 characters; "V-WAP" is not one, "2FAST" is not one, "" is not one',
      ],
      [
        'PODSYNC_ALGORITHMS',
        'A'.repeat(31),
        `expected distinct comma-separated names of letters and digits, starting with a letter, at most 30 characters; "${'A'.repeat(31)}" is not one`,
      ],
      ['PODSYNC_REPLICA_ID', 'replica a', 'expected 1 to 100 letters, digits, dots, dashes or underscores'],
      ['PODSYNC_REPLICA_ID', 'r'.repeat(101), 'expected 1 to 100 letters, digits, dots, dashes or underscores'],
    ])('refuses %s=%j, naming the variable, the value and what is expected', (variable, value, expected) => {
      const error = configErrorFor({ [variable]: value });

      expect(error.problems).toEqual([`${variable}=${JSON.stringify(value)}: ${expected}`]);
      expect(error.message).toBe(`invalid configuration: ${variable}=${JSON.stringify(value)}: ${expected}`);
      expect(error.name).toBe('ConfigError');
    });

    it('names every bad variable in one ConfigError, on one line', () => {
      const error = configErrorFor({
        PODSYNC_HTTP_PORT: 'abc',
        PODSYNC_SYNC_INTERVAL: '5x',
        PODSYNC_DELETE_GUARD: '2',
        PODSYNC_DEPLOYER: 'docker',
        LOG_LEVEL: 'loud',
        PODSYNC_LEADER_TTL: '500ms',
        PODSYNC_METRICS_PORT: '9101',
      });

      expect(error.problems.map((problem) => problem.slice(0, problem.indexOf('='))).sort()).toEqual([
        'LOG_LEVEL',
        'PODSYNC_DELETE_GUARD',
        'PODSYNC_DEPLOYER',
        'PODSYNC_HTTP_PORT',
        'PODSYNC_LEADER_TTL',
        'PODSYNC_SYNC_INTERVAL',
      ]);
      for (const problem of error.problems) expect(error.message).toContain(problem);
      expect(error.message).not.toContain('\n');
    });

    it('says what is wrong with each API token entry, by position', () => {
      const error = configErrorFor({ PODSYNC_API_TOKENS: 'abc,t:root,:admin,ok:reader,ok:admin' });

      expect(error.problems).toEqual([
        'PODSYNC_API_TOKENS="***,***,***:admin,***:reader,***:admin": expected distinct token:role entries with a role of reader, writer, admin; ' +
          'entry 1 is not token:role, entry 2 has an unknown role, entry 3 is not token:role, entry 5 repeats a token given before',
      ]);
    });
  });

  describe('secrets in error lines', () => {
    it('masks the API tokens, and a role that may be a token written the wrong way round', () => {
      const error = configErrorFor({ PODSYNC_API_TOKENS: 's3cret-a:root,admin:s3cret-b,s3cret-c:writer' });

      expect(error.problems).toEqual([
        'PODSYNC_API_TOKENS="***,***,***:writer": expected distinct token:role entries with a role of reader, writer, admin; ' +
          'entry 1 has an unknown role, entry 2 has an unknown role',
      ]);
      expect(error.message).not.toMatch(/s3cret|root/);
    });

    it('masks the password of a database URL', () => {
      const error = configErrorFor({ DATABASE_URL: 'mysql://root:hunter2@db/podsync' });

      expect(error.problems).toEqual(['DATABASE_URL="mysql://root:***@db/podsync": expected a postgres:// connection string']);
    });

    it('masks passwords and bare tokens in URL lists, in the value and in the entry it names', () => {
      const redis = configErrorFor({ REDIS_URLS: 'redis://:hunter2@r1,redis://:hunter2@r1' });
      const nats = configErrorFor({ NATS_URL: 'nats://t0ken@n1:4222,http://user:pa/ss@n2' });

      expect(redis.problems).toEqual([
        'REDIS_URLS="redis://:***@r1,redis://:***@r1": expected a comma-separated list of distinct redis:// URLs; "redis://:***@r1" is given twice',
      ]);
      expect(nats.problems).toEqual([
        'NATS_URL="nats://***@n1:4222,http://user:***@n2": expected a comma-separated list of distinct nats:// URLs; "http://user:***@n2" is not one',
      ]);
    });
  });
});
