import { describe, expect, it } from 'vitest';
import { loadConfig } from '@podsync/domain';
import { isMap, parseYaml, podsyncReads, readRepoFile, type YamlMap } from './deploy-files';

const compose = parseYaml(readRepoFile('deploy/docker-compose.yml'), 'docker-compose.yml') as YamlMap;
const services = compose.services as Record<string, YamlMap>;
const RECONCILERS = ['reconciler-1', 'reconciler-2', 'reconciler-3'];
const PODSYNC_SERVICES = ['migrate', 'gateway', ...RECONCILERS];

/** The environment as Compose hands it over, `${NAME:-default}` read as its default. */
function environmentOf(service: string): Record<string, string> {
  const environment = services[service]?.environment;
  if (!isMap(environment)) throw new Error(`${service} has no environment map`);
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

describe('deploy/docker-compose.yml', () => {
  it('runs the servers, the migrations, the gateway and three reconcilers', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'migrate', 'nats', 'postgres', 'redis', ...RECONCILERS].sort());
    expect(services.postgres?.image).toBe('postgres:15');
    expect(services.redis?.image).toBe('redis:7');
    expect(services.nats?.image).toMatch(/^nats:2\.9\b/);
    expect(services.nats?.command).toContain('-js');
  });

  it('starts each service once what it depends on is healthy or, for the migrations, done', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service.depends_on ?? {};
      if (!isMap(dependsOn)) throw new Error(`${name}: depends_on must name a condition for each service`);
      for (const [target, rule] of Object.entries(dependsOn)) {
        const expected = target === 'migrate' ? 'service_completed_successfully' : 'service_healthy';
        expect(rule, `${name} -> ${target}`).toEqual({ condition: expected });
        if (expected === 'service_healthy') expect(services[target]?.healthcheck, `${target} has a health check`).toBeDefined();
      }
    }
    for (const name of ['gateway', ...RECONCILERS]) expect(Object.keys(services[name]?.depends_on ?? {})).toContain('migrate');
  });

  it('gives each reconciler its own replica id, the simulated deployer and a Redis to elect a leader with', () => {
    const environments = RECONCILERS.map(environmentOf);

    expect(new Set(environments.map((environment) => environment.PODSYNC_REPLICA_ID)).size).toBe(3);
    for (const environment of environments) {
      expect(environment).toMatchObject({ PODSYNC_DEPLOYER: 'simulated', REDIS_URLS: 'redis://redis:6379' });
    }
  });

  it.each(PODSYNC_SERVICES)('hands %s a configuration podsync accepts, naming only variables it reads', (service) => {
    const environment = environmentOf(service);

    expect(() => loadConfig(environment)).not.toThrow();
    expect(loadConfig(environment).database.url).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(Object.keys(environment).filter((name) => !podsyncReads(name))).toEqual([]);
  });

  it('has the gateway and reconcilers listen on every interface of their container, published on the host loopback', () => {
    expect(loadConfig(environmentOf('gateway')).http.host).toBe('0.0.0.0');
    expect(services.gateway?.ports).toEqual(['127.0.0.1:8081:8081']);
    for (const name of RECONCILERS) {
      expect(loadConfig(environmentOf(name)).metrics.host, name).toBe('0.0.0.0');
      expect(services[name]?.ports, name).toEqual([expect.stringMatching(/^127\.0\.0\.1:[0-9]+:9101$/)]);
    }
  });

  it('passes the OpenTelemetry variables through, tracing off unless an endpoint is given', () => {
    for (const name of ['gateway', ...RECONCILERS]) {
      expect(services[name]?.environment).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: '${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
        OTEL_EXPORTER_OTLP_PROTOCOL: '${OTEL_EXPORTER_OTLP_PROTOCOL:-http/protobuf}',
        OTEL_SERVICE_NAME: '${OTEL_SERVICE_NAME:-}',
      });
      expect(services[name]?.command).toEqual(
        expect.arrayContaining(['--require', './dist/libs/platform/src/tracing.preload.js']),
      );
    }
  });

  it('runs the podsync services from the one image, read-only', () => {
    for (const name of PODSYNC_SERVICES) {
      expect(services[name]).toMatchObject({ image: services.gateway?.image, read_only: true, tmpfs: ['/tmp'] });
    }
  });
});
