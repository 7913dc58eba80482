import { readdirSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { LOG_LEVELS, loadConfig } from '@podsync/domain';
import {
  isMap,
  parseYaml,
  parseYamlDocuments,
  podsyncReads,
  readRepoFile,
  repoPath,
  valueAt,
  type YamlMap,
} from './deploy-files';

const CHART = 'deploy/helm/podsync';
const TEMPLATES = `${CHART}/templates`;

const values = parseYaml(readRepoFile(CHART, 'values.yaml'), 'values.yaml') as YamlMap;
const schema = JSON.parse(readRepoFile(CHART, 'values.schema.json')) as SchemaNode;
const templateFiles = readdirSync(repoPath(TEMPLATES)).sort();
const templates = new Map(templateFiles.map((file) => [file, readRepoFile(TEMPLATES, file)]));
const manifestFiles = templateFiles.filter((file) => file.endsWith('.yaml'));

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  definitions?: Record<string, SchemaNode>;
}

/** Helm validates against draft-07; Ajv's default draft is the same one. */
const validateValues = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function schemaErrors(candidate: unknown): ErrorObject[] {
  return validateValues(candidate) ? [] : (validateValues.errors ?? []);
}

function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = schema.definitions?.[name];
  if (target === undefined) throw new Error(`the schema has no definition ${name}`);
  return resolve(target);
}

/** A copy of the default values with one value replaced. */
function valuesWith(path: string, replacement: unknown): YamlMap {
  const copy = structuredClone(values);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  const parent = valueAt(copy, keys);
  if (!isMap(parent)) throw new Error(`values.yaml has no map at ${keys.join('.')}`);
  parent[last] = replacement;
  return copy;
}

/** Whether `path` is a value values.yaml declares, or lies inside a map the schema leaves open (annotations, affinity). */
function isDeclared(path: readonly string[]): boolean {
  let value: unknown = values;
  let node: SchemaNode | undefined = schema;
  for (const key of path) {
    const current: SchemaNode | undefined = node === undefined ? undefined : resolve(node);
    if (isMap(value) && key in value) {
      value = value[key];
      node = current?.properties?.[key];
      continue;
    }
    return current !== undefined && current.type === 'object' && current.properties === undefined;
  }
  return true;
}

/**
 * The template as YAML of the same shape: an action alone on its line (control flow, a block
 * include) goes, an action inside a line becomes a placeholder scalar, comments go. Both
 * branches of an `if` stay, so each branch must be YAML that fits its place.
 */
function neutralise(template: string): string {
  return template
    .replace(/{{-?\s*\/\*[\s\S]*?\*\/\s*-?}}/g, '')
    .split('\n')
    .filter((line) => !/^\s*{{[^}]*}}\s*$/.test(line))
    .map((line) => line.replace(/{{[^}]*}}/g, 'TEMPLATE'))
    .join('\n');
}

interface Manifest {
  file: string;
  kind: string;
  body: YamlMap;
}

const manifests: Manifest[] = manifestFiles.flatMap((file) =>
  parseYamlDocuments(neutralise(templates.get(file) ?? ''), file).map((body) => {
    if (!isMap(body) || typeof body.kind !== 'string') throw new Error(`${file}: a document without a kind`);
    return { file, kind: body.kind, body };
  }),
);

function manifest(file: string): YamlMap {
  const found = manifests.find((candidate) => candidate.file === file);
  if (found === undefined) throw new Error(`no manifest in ${file}`);
  return found.body;
}

function containers(podOwner: YamlMap): YamlMap[] {
  const list = valueAt(podOwner, ['spec', 'template', 'spec', 'containers']);
  if (!Array.isArray(list) || !list.every(isMap)) throw new Error('no containers');
  return list;
}

describe('the Helm chart', () => {
  it('is a v2 chart whose appVersion is the version in package.json', () => {
    const chart = parseYaml(readRepoFile(CHART, 'Chart.yaml'), 'Chart.yaml') as YamlMap;
    const pkg = JSON.parse(readRepoFile('package.json')) as { version: string };

    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'podsync', type: 'application', appVersion: pkg.version });
  });

  describe('values.schema.json', () => {
    it('accepts the default values', () => {
      expect(schemaErrors(values)).toEqual([]);
    });

    it('requires every key that values.yaml declares', () => {
      const unrequired: string[] = [];
      const walk = (node: SchemaNode, declared: unknown, path: string) => {
        const resolved = resolve(node);
        if (resolved.properties === undefined || !isMap(declared)) return;
        for (const [key, child] of Object.entries(declared)) {
          if (!(resolved.required ?? []).includes(key)) unrequired.push(`${path}${key}`);
          const property = resolved.properties[key];
          if (property !== undefined) walk(property, child, `${path}${key}.`);
        }
      };
      walk(schema, values, '');

      expect(unrequired).toEqual([]);
    });

    it('knows the log levels podsync knows', () => {
      expect(valueAt(schema, ['properties', 'config', 'properties', 'logLevel', 'enum'])).toEqual([...LOG_LEVELS]);
    });

    it.each([
      ['gateway.replicas', 'three'],
      ['reconciler.replicas', 'three'],
      ['reconciler.replicas', 0],
      ['config.logLevel', 'verbose'],
      ['config.syncInterval', '5 minutes'],
      ['config.leaderTtl', 5],
      ['config.deleteGuard', 1.5],
      ['config.syncConcurrency', 2.5],
      ['config.algorithms', 'VWAP,,TWAP'],
      ['image.pullPolicy', 'Sometimes'],
      ['secrets.databaseUrl', 'mysql://db/podsync'],
      ['targetNamespace', 'Not_A_Namespace'],
      ['reconciler.podDisruptionBudget.maxUnavailable', 'half'],
      ['gateway.service.port', 70_000],
      ['gateway.replica', 2],
      ['tracing.protocol', 'grpc'],
      ['tracing.endpoint', 'jaeger:4318'],
      ['tracing.samplingRatio', 2],
    ])('refuses %s = %j', (path, replacement) => {
      const errors = schemaErrors(valuesWith(path, replacement));

      // An unknown key is reported at its parent, a bad value at itself.
      const pointer = `/${path.replaceAll('.', '/')}`;
      const parent = pointer.slice(0, pointer.lastIndexOf('/'));
      expect(errors.some(({ instancePath }) => instancePath === pointer || instancePath === parent)).toBe(true);
    });
  });

  describe('templates', () => {
    it('read only values that values.yaml declares', () => {
      const undeclared: string[] = [];
      for (const [file, text] of templates) {
        for (const [, path = ''] of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
          if (!isDeclared(path.slice(1).split('.'))) undeclared.push(`${file}: .Values${path}`);
        }
      }

      expect(undeclared).toEqual([]);
    });

    it('contain no tabs and balanced actions and blocks', () => {
      for (const [file, text] of templates) {
        expect(text, file).not.toContain('\t');
        const delimiters = [...text.matchAll(/{{|}}/g)].map(([delimiter]) => delimiter);
        expect(
          delimiters.every((delimiter, index) => delimiter === (index % 2 === 0 ? '{{' : '}}')),
          `${file}: {{ and }} alternate`,
        ).toBe(true);
        expect(delimiters.length % 2, `${file}: every {{ is closed`).toBe(0);
        const opened = text.match(/{{-?\s*(if|with|range|define)\b/g) ?? [];
        const ended = text.match(/{{-?\s*end\b/g) ?? [];
        expect(ended.length, `${file}: every if, with, range and define has its end`).toBe(opened.length);
      }
    });

    it('include only templates that are defined, and define none that goes unused', () => {
      const all = [...templates.values()].join('\n');
      const defined = new Set([...all.matchAll(/{{-?\s*define "([^"]+)"/g)].map(([, name]) => name));
      const included = new Set([...all.matchAll(/\b(?:include|template) "([^"]+)"/g)].map(([, name]) => name));

      expect([...included].filter((name) => !defined.has(name))).toEqual([]);
      expect([...defined].filter((name) => !included.has(name))).toEqual([]);
    });

    it('are YAML of Kubernetes objects once the template actions are set aside', () => {
      expect(manifests.map(({ kind }) => kind).sort()).toEqual([
        'ConfigMap',
        'Deployment',
        'Deployment',
        'Ingress',
        'Job',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Secret',
        'Secret',
        'Service',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ]);
      for (const { file, body } of manifests) {
        expect(typeof body.apiVersion, file).toBe('string');
        expect(typeof valueAt(body, ['metadata', 'name']), file).toBe('string');
      }
    });
  });

  describe('workloads', () => {
    it.each([
      ['gateway-deployment.yaml', 'http', '/api/health', '/api/ready'],
      ['reconciler-deployment.yaml', 'metrics', '/health', '/ready'],
    ])('%s probes liveness and readiness on the endpoints the process serves', (file, port, live, ready) => {
      const [container] = containers(manifest(file));

      expect(container).toMatchObject({
        livenessProbe: { httpGet: { path: live, port } },
        readinessProbe: { httpGet: { path: ready, port } },
        startupProbe: { httpGet: { path: live, port } },
      });
    });

    it.each(['gateway-deployment.yaml', 'reconciler-deployment.yaml', 'migrate-job.yaml'])(
      '%s runs locked down, with a writable /tmp only',
      (file) => {
        const owner = manifest(file);
        expect(valueAt(owner, ['spec', 'template', 'spec'])).toHaveProperty('securityContext');
        expect(valueAt(owner, ['spec', 'template', 'spec', 'enableServiceLinks'])).toBe(false);
        for (const container of containers(owner)) {
          expect(container).toHaveProperty('securityContext');
          expect(container).toHaveProperty('resources');
          expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
        }
      },
    );

    it('default to a non-root, read-only, capability-free security context', () => {
      expect(values.podSecurityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(values.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('give each reconciler replica its pod name as its replica id', () => {
      const [reconciler] = containers(manifest('reconciler-deployment.yaml'));

      expect(reconciler?.env).toContainEqual({
        name: 'PODSYNC_REPLICA_ID',
        valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
      });
    });

    it('read from the Secret the connection settings each process needs', () => {
      const secretKeys = (file: string) =>
        [...(templates.get(file) ?? '').matchAll(/include "podsync\.secretEnv" \(dict "root" \$ "name" "([A-Z_]+)"/g)].map(
          ([, key]) => key,
        );

      expect(secretKeys('gateway-deployment.yaml')).toEqual(['DATABASE_URL', 'NATS_URL', 'PODSYNC_API_TOKENS']);
      expect(secretKeys('reconciler-deployment.yaml')).toEqual(['DATABASE_URL', 'REDIS_URLS', 'NATS_URL']);
    });

    it.each([
      ['gateway-deployment.yaml', 'dist/apps/gateway/src/main.js', 'gateway'],
      ['reconciler-deployment.yaml', 'dist/apps/reconciler/src/main.js', 'reconciler'],
    ])('%s preloads the tracing entry and names its service when tracing is on', (file, entry, component) => {
      const [container] = containers(manifest(file));

      expect(container?.command).toEqual(['node', '--require', './dist/libs/platform/src/tracing.preload.js', entry]);
      expect(templates.get(file)).toMatch(
        new RegExp(
          `{{- if \\.Values\\.tracing\\.endpoint }}\\s+- name: OTEL_SERVICE_NAME\\s+value: {{ printf "%s-${component}" \\.Values\\.tracing\\.serviceName \\| quote }}\\s+{{- end }}`,
        ),
      );
    });

    it('migrate before every install and upgrade, with the database URL made just before', () => {
      const job = manifest('migrate-job.yaml');
      const secret = manifest('migrate-secret.yaml');
      const hook = (body: YamlMap) => valueAt(body, ['metadata', 'annotations']) as YamlMap;

      expect(hook(job)).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
      expect(hook(secret)).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
      expect(Number(hook(secret)['helm.sh/hook-weight'])).toBeLessThan(Number(hook(job)['helm.sh/hook-weight']));
      expect(hook(job)['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
      expect(containers(job)[0]?.command).toEqual(['node', 'dist/libs/platform/src/migrate.main.js']);
    });
  });

  describe('settings', () => {
    it('grant the reconcilers pods alone, in the target namespace', () => {
      const role = manifest('role.yaml');

      expect(templates.get('role.yaml')).toContain('namespace: {{ include "podsync.targetNamespace" . }}');
      expect(templates.get('rolebinding.yaml')).toContain('namespace: {{ include "podsync.targetNamespace" . }}');
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] }]);
    });

    it('set only variables podsync reads', () => {
      const configMapKeys = Object.keys(manifest('configmap.yaml').data as YamlMap);
      const secretKeys = Object.keys(manifest('secret.yaml').stringData as YamlMap);

      expect([...configMapKeys, ...secretKeys, 'PODSYNC_REPLICA_ID'].filter((name) => !podsyncReads(name))).toEqual([]);
    });

    it('send traces only when given an endpoint, with the OTLP protocol and sampling chosen', () => {
      const configMap = templates.get('configmap.yaml') ?? '';
      const tracingBlock = /{{- if \.Values\.tracing\.endpoint }}\n([\s\S]*?){{- end }}/.exec(configMap)?.[1] ?? '';

      expect(valueAt(values, ['tracing', 'endpoint'])).toBe('');
      expect(tracingBlock.split('\n').filter((line) => line.trim() !== '')).toEqual([
        '  OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.tracing.endpoint | quote }}',
        '  OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.tracing.protocol | quote }}',
        '  OTEL_TRACES_SAMPLER: parentbased_traceidratio',
        '  OTEL_TRACES_SAMPLER_ARG: {{ .Values.tracing.samplingRatio | quote }}',
      ]);
      expect(configMap.replace(tracingBlock, '')).not.toContain('OTEL_');
    });

    it('default to a configuration podsync accepts, with the Kubernetes deployer', () => {
      // Each ConfigMap entry is a value quoted or a literal; the namespace alone comes from a helper.
      const env: Record<string, string> = {};
      for (const [key, expression] of Object.entries(manifest('configmap.yaml').data as YamlMap)) {
        const line = new RegExp(`^  ${key}: (.+)$`, 'm').exec(templates.get('configmap.yaml') ?? '')?.[1] ?? '';
        const fromValues = /^{{ \.Values\.([\w.]+) \| quote }}$/.exec(line)?.[1];
        if (fromValues !== undefined) env[key] = String(valueAt(values, fromValues.split('.')));
        else if (expression !== 'TEMPLATE') env[key] = String(expression);
      }

      const config = loadConfig(env);

      expect(Object.keys(env)).toHaveLength(Object.keys(manifest('configmap.yaml').data as YamlMap).length - 1);
      expect(config.deployer.kind).toBe('kubernetes');
      expect(config.http.host).toBe('0.0.0.0');
      expect(config.metrics.host).toBe('0.0.0.0');
      expect(config.history.retentionMs).toBe(30 * 86_400_000);
      expect(config.logLevel).toBe(valueAt(values, ['config', 'logLevel']));
    });
  });
});
