import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load, loadAll, mergeTag } from 'js-yaml';
import { ConfigError, loadConfig } from '@podsync/domain';

const REPO_ROOT = join(__dirname, '..', '..');

/** A path under the repository root. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Compose files share settings through YAML merge keys (`<<: *anchor`), which YAML 1.2 leaves out by default. */
const YAML_WITH_MERGE_KEYS = CORE_SCHEMA.withTags(mergeTag);

export function parseYaml(text: string, filename: string): unknown {
  return load(text, { filename, schema: YAML_WITH_MERGE_KEYS });
}

export function parseYamlDocuments(text: string, filename: string): unknown[] {
  return loadAll(text, { filename, schema: YAML_WITH_MERGE_KEYS }).filter(
    (document) => document !== null && document !== undefined,
  );
}

export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a path of keys (`['gateway', 'service', 'port']`), or undefined when a step is missing. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isMap(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Standard OpenTelemetry variables that the deploy files set; the SDK the tracing entry starts reads them. */
const TRACING_VARIABLES = new Set([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
]);

/**
 * Whether podsync reads `variable`, told by its configuration refusing a nonsense value for
 * it; a variable podsync ignores (a typo) passes unnoticed. Works for every variable whose value
 * podsync checks, which is all of them but PODSYNC_DATA_DIR (any path will do), and for the
 * OpenTelemetry variables above.
 */
export function podsyncReads(variable: string): boolean {
  if (TRACING_VARIABLES.has(variable)) return true;
  try {
    loadConfig({ [variable]: '!not a valid value!' });
    return false;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.some((problem) => problem.startsWith(`${variable}=`));
  }
}
