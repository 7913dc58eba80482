import { describe, expect, it } from 'vitest';
import { loadConfig } from '@podsync/domain';
import { listenUrl, startupLine } from './startup-line';

describe(startupLine.name, () => {
  it('tells the one-process user where it listens, on what it runs, and that auth is off', () => {
    expect(startupLine('standalone', loadConfig({}), 'http://127.0.0.1:8081')).toBe(
      'podsync listening on http://127.0.0.1:8081 — embedded database in ./.podsync, in-process leader, in-process events, simulated pods, auth off',
    );
  });

  it('names the gateway database without its credentials, and counts the tokens', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://podsync:secret@db.internal:5432/podsync',
      NATS_URL: 'nats://token@n1:4222,n2:4222',
      PODSYNC_API_TOKENS: 'a:admin,b:reader',
    });

    const line = startupLine('gateway', config, 'http://0.0.0.0:8081');

    expect(line).toBe(
      'podsync gateway listening on http://0.0.0.0:8081 — PostgreSQL db.internal:5432/podsync, nats n1:4222,n2:4222, auth on (2 tokens)',
    );
    expect(line).not.toMatch(/secret|token@/);
  });

  it('warns when the API listens on a network address without tokens', () => {
    expect(startupLine('gateway', loadConfig({}), 'http://0.0.0.0:8081')).toMatch(
      /auth OFF on a network address: .*set PODSYNC_API_TOKENS$/,
    );
    expect(startupLine('gateway', loadConfig({}), 'http://[::1]:8081')).toMatch(/, auth off$/);
  });

  it("gives a replica's metrics URL, id, servers in short and deployer", () => {
    const config = loadConfig({
      PODSYNC_REPLICA_ID: 'replica-2',
      DATABASE_URL: 'postgresql://u:p@pg:5432/podsync',
      REDIS_URLS: 'redis://:pw@r1:6379,redis://r2:6379',
      NATS_URL: 'nats://n1:4222',
      PODSYNC_DEPLOYER: 'kubernetes',
      PODSYNC_K8S_NAMESPACE: 'trading',
    });

    expect(startupLine('reconciler', config, 'http://127.0.0.1:9101')).toBe(
      'podsync reconciler replica-2 serving health and metrics on http://127.0.0.1:9101/metrics — ' +
        'PostgreSQL pg:5432/podsync, redis r1:6379,r2:6379, nats n1:4222, kubernetes pods in namespace trading',
    );
  });
});

describe(listenUrl.name, () => {
  it('puts an IPv6 address in brackets', () => {
    expect(listenUrl({ address: '::', port: 8081 })).toBe('http://[::]:8081');
    expect(listenUrl({ address: '127.0.0.1', port: 9101 })).toBe('http://127.0.0.1:9101');
  });
});
