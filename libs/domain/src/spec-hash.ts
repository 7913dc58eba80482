import { createHash } from 'node:crypto';

export interface PodSpec {
  image: string;
  version: number;
  cpu: string;
  mem: string;
}

/**
 * A stable hash of what a client's pods run. A pod whose hash differs from its client's
 * is recreated, so a client update rolls its pods. The field order is fixed here, not
 * taken from the object, so the hash never depends on how the object was built.
 */
export function specHash(spec: PodSpec): string {
  const canonical = JSON.stringify([spec.image, spec.version, spec.cpu, spec.mem]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
