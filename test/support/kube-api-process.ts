import type { KubeApiCall, KubePod } from './kube-api-server';
import { ManagedProcess } from './managed-process';

/**
 * The test Kubernetes API server (kube-api-server.ts) as a child process: the one "cluster" every
 * replica shares, read and steered through its test control endpoints. It keeps its pods in memory,
 * so a restart empties it.
 */
export class KubeApiProcess extends ManagedProcess {
  /** Every pods request it has answered, with the replica id and epoch each carried, oldest first. */
  calls(): Promise<KubeApiCall[]> {
    return this.control<KubeApiCall[]>('GET', '/_calls');
  }

  /** The pods it stores now, of one namespace or of all. */
  pods(namespace?: string): Promise<KubePod[]> {
    return this.control<KubePod[]>(
      'GET',
      namespace === undefined ? '/_pods' : `/_pods?namespace=${encodeURIComponent(namespace)}`,
    );
  }

  /** Answers the next `count` pods requests (of `method` only, when given) with `status`. */
  async failNext(status: number, count = 1, method?: string): Promise<void> {
    const query = new URLSearchParams({
      status: String(status),
      count: String(count),
      ...(method === undefined ? {} : { method }),
    });
    await this.control('POST', `/_fail?${query}`);
  }

  /** Merges `status` into a pod's status through the API, as a kubelet would report it (a crash, an eviction). */
  async patchStatus(namespace: string, name: string, status: object): Promise<KubePod> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/status`;
    const response = await fetch(this.url + path, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status }),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) throw new Error(`PATCH ${path} on the test Kubernetes API server answered ${response.status}`);
    return (await response.json()) as KubePod;
  }

  private async control<T>(method: string, path: string): Promise<T> {
    const response = await fetch(this.url + path, { method, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200)
      throw new Error(`${method} ${path} on the test Kubernetes API server answered ${response.status}`);
    return (await response.json()) as T;
  }
}
