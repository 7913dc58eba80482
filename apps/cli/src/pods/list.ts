import type { Client } from 'openapi-fetch';
import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Row } from '../output';
import { POD_COLUMNS } from './pod-columns';

/**
 * GET /api/v1/pods as DESIGN §3 specifies it. The gateway's document does not describe it yet;
 * once it does (`npm run api:generate`), the generated paths replace this declaration.
 */
interface PodsPath {
  '/api/v1/pods': {
    get: {
      parameters: {
        query?: {
          clientId?: number;
          algorithm?: string;
          phase?: string;
          ready?: 'true' | 'false';
          limit?: number;
          cursor?: string;
        };
      };
      responses: { 200: { content: { 'application/json': unknown } } };
    };
  };
}

export interface ListPodsOptions {
  client?: number;
  algorithm?: string;
  unhealthy?: boolean;
  limit?: number;
  cursor?: string;
}

/** `podsync pods ls`: every managed pod with its health, from the gateway's pods table. */
export async function listPods(context: CliContext, options: ListPodsOptions): Promise<void> {
  const client = context.client as unknown as Client<PodsPath>;
  const query = {
    ...(options.client === undefined ? {} : { clientId: options.client }),
    ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    ...(options.unhealthy === true ? { ready: 'false' as const } : {}),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  };
  const { data } = await apiCall(context.url, client.GET('/api/v1/pods', { params: { query } }));
  const page = data as { items: Row[]; nextCursor: string | null };
  context.output.list(page.items, POD_COLUMNS, page);
  if (page.nextCursor !== null) context.output.line(`more: podsync pods ls --cursor ${page.nextCursor}`);
}

export const listPodsCommand = (io: CliIo) =>
  defineCommand(io, 'ls', listPods)
    .alias('list')
    .description('List the managed pods with their health (phase, ready, restarts, reason)')
    .option('--client <id>', "only this client's pods", positiveInteger)
    .option('--algorithm <name>', 'only pods of this algorithm')
    .option('--unhealthy', 'only pods that are not ready now')
    .option('--limit <n>', 'pods per page (at most 500)', positiveInteger)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .addHelpText('after', examples('podsync pods ls', 'podsync pods ls --unhealthy', 'podsync pods ls --client 168317 -o json'));
