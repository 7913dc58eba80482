import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@podsync/domain';
import { Loggers } from './loggers';

/** Which podsync process announces itself: each listens on its own address and has its own things to say. */
export type ProcessRole = 'gateway' | 'reconciler' | 'standalone';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/;

/** `http://host:port`, with an IPv6 address in brackets as a URL needs it. */
export function listenUrl(address: Pick<AddressInfo, 'address' | 'port'>): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Where the data lives, without the credentials a URL may carry. */
export function describeDatabase(database: Config['database']): string {
  if (database.url === undefined) return `embedded database in ${database.dataDir}`;
  const url = new URL(database.url);
  return `PostgreSQL ${url.host}${url.pathname}`;
}

/** `host:port` of each URL, without user or password. */
function hostsOf(urls: string[]): string {
  return urls.map((url) => (/^[a-z]+:\/\//.test(url) ? new URL(url).host : url)).join(',');
}

function describeLeader(config: Config): string {
  return config.redis.urls.length === 0 ? 'in-process leader' : `redis ${hostsOf(config.redis.urls)}`;
}

function describeBus(config: Config): string {
  return config.nats.urls.length === 0 ? 'in-process events' : `nats ${hostsOf(config.nats.urls)}`;
}

function describeDeployer(deployer: Config['deployer']): string {
  return deployer.kind === 'simulated' ? 'simulated pods' : `kubernetes pods in namespace ${deployer.namespace}`;
}

/** Auth state, and what to do about an API open to the network without tokens. */
function describeAuth(config: Config, url: string): string {
  if (config.auth.tokens.length > 0)
    return `auth on (${config.auth.tokens.length} token${config.auth.tokens.length === 1 ? '' : 's'})`;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return LOOPBACK.test(host)
    ? 'auth off'
    : 'auth OFF on a network address: anyone who reaches it can change clients; set PODSYNC_API_TOKENS';
}

/**
 * The one line a process prints once it serves: where to reach it and what it runs on, so that a
 * person can act on it (open the URL, see it is the embedded database, notice auth is off).
 */
export function startupLine(role: ProcessRole, config: Config, url: string): string {
  switch (role) {
    case 'gateway':
      return `podsync gateway listening on ${url} — ${describeDatabase(config.database)}, ${describeBus(config)}, ${describeAuth(config, url)}`;
    case 'reconciler':
      return (
        `podsync reconciler ${config.replicaId} serving health and metrics on ${url}/metrics — ` +
        `${describeDatabase(config.database)}, ${describeLeader(config)}, ${describeBus(config)}, ${describeDeployer(config.deployer)}`
      );
    case 'standalone':
      return (
        `podsync listening on ${url} — ${describeDatabase(config.database)}, ${describeLeader(config)}, ` +
        `${describeBus(config)}, ${describeDeployer(config.deployer)}, ${describeAuth(config, url)}`
      );
  }
}

/**
 * Listens on the address `role` is configured for (the REST API's, or a replica's metrics
 * listener) and logs the startup line with the address the server really bound.
 */
export async function listenAndAnnounce(app: NestFastifyApplication, role: ProcessRole, config: Config): Promise<string> {
  const { host, port } = role === 'reconciler' ? config.metrics : config.http;
  await app.listen({ port, host });
  const url = listenUrl(app.getHttpServer().address() as AddressInfo);
  app.get(Loggers).root.info({ component: 'startup', url }, startupLine(role, config, url));
  return url;
}
