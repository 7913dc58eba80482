import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PODSYNC_METRICS } from '../support/podsync-metrics';
import { readRepoFile } from './deploy-files';

/** Series names Prometheus stores for a histogram or summary besides its own name. */
const SERIES_SUFFIXES = ['', '_bucket', '_sum', '_count'];

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

interface Target {
  expr: string;
  datasource?: { type?: string; uid?: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const dashboard = JSON.parse(readRepoFile('deploy/grafana/podsync.json')) as Dashboard;
const queried = dashboard.panels.filter((panel) => panel.type !== 'row');
const expressions = queried.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** The metric names an expression reads: what is left once labels, ranges, strings, functions and keywords are set aside. */
function metricNames(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)]
    .filter(([, name = '', call]) => call === undefined && !PROMQL_WORDS.has(name) && !name.startsWith('$'))
    .map(([, name = '']) => name);
}

async function promClientDefaults(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((metric) => metric.name);
}

describe('deploy/grafana/podsync.json', () => {
  it('is a dashboard with a Prometheus data source variable that every query uses', () => {
    expect(dashboard).toMatchObject({ uid: 'podsync', title: 'podsync' });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of queried) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(panel.datasource);
    }
  });

  it('lays its panels out on the 24-column grid without overlap, each with its own id', () => {
    const taken = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(taken.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          taken.add(`${x},${y}`);
        }
      }
    }
    expect(new Set(dashboard.panels.map(({ id }) => id)).size).toBe(dashboard.panels.length);
  });

  it("queries only podsync's metrics and prom-client's defaults", async () => {
    const known = new Set(
      [...PODSYNC_METRICS, ...(await promClientDefaults())].flatMap((name) => SERIES_SUFFIXES.map((suffix) => name + suffix)),
    );
    const unknown = expressions.flatMap(metricNames).filter((name) => !known.has(name));

    expect(expressions.flatMap(metricNames).length).toBeGreaterThan(PODSYNC_METRICS.length);
    expect(unknown).toEqual([]);
  });

  it('shows every podsync metric', () => {
    const shown = new Set(expressions.flatMap(metricNames).map((name) => name.replace(/_(bucket|sum|count)$/, '')));

    expect(PODSYNC_METRICS.filter((name) => !shown.has(name))).toEqual([]);
  });
});
