import { SpanKind } from '@opentelemetry/api';
import type { Deployer } from '@podsync/domain';
import { inSpan } from '@podsync/platform';

/**
 * The deployer with each `create`, `delete` and `list` call as a CLIENT span: in a round's trace
 * they show which pod calls went out, how long each took and which failed. The Kubernetes client's
 * own HTTP requests nest under them. Any other member of the deployer is passed through untouched,
 * the long-lived `watch` among them.
 */
export function traceDeployer<D extends Deployer>(deployer: D, kind: string): D {
  const attributes = { 'podsync.deployer': kind };
  const traced: Pick<Deployer, 'create' | 'delete' | 'list'> = {
    create: (pod, signal) =>
      inSpan(
        'deployer create',
        { kind: SpanKind.CLIENT, attributes: { ...attributes, 'podsync.pod': pod.name, 'podsync.leader.epoch': pod.epoch } },
        () => deployer.create(pod, signal),
      ),
    delete: (name, signal) =>
      inSpan('deployer delete', { kind: SpanKind.CLIENT, attributes: { ...attributes, 'podsync.pod': name } }, () =>
        deployer.delete(name, signal),
      ),
    list: (signal) =>
      inSpan('deployer list', { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const listing = await deployer.list(signal);
        span.setAttribute('podsync.pods', listing.pods.length);
        return listing;
      }),
  };
  return new Proxy(deployer, {
    get(target, property) {
      if (property === 'create' || property === 'delete' || property === 'list') return traced[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
