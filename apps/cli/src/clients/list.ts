import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Row } from '../output';
import { CLIENT_COLUMNS } from './client-columns';

export interface ListClientsOptions {
  limit?: number;
  cursor?: number;
}

/** `podsync clients ls`: one page of clients, by id. */
export async function listClients(context: CliContext, options: ListClientsOptions): Promise<void> {
  const { data } = await apiCall(
    context.url,
    context.client.GET('/api/v1/clients', {
      params: {
        query: {
          ...(options.limit === undefined ? {} : { limit: String(options.limit) }),
          ...(options.cursor === undefined ? {} : { cursor: String(options.cursor) }),
        },
      },
    }),
  );
  const page = data as { items: Row[]; nextCursor: string | null };
  context.output.list(page.items, CLIENT_COLUMNS, page);
  if (page.nextCursor !== null) context.output.line(`more: podsync clients ls --cursor ${page.nextCursor}`);
}

export const listClientsCommand = (io: CliIo) =>
  defineCommand(io, 'ls', listClients)
    .alias('list')
    .description('List clients, by id (one page)')
    .option('--limit <n>', 'clients per page (at most 500)', positiveInteger)
    .option('--cursor <id>', 'start after this client id (the nextCursor of the previous page)', positiveInteger)
    .addHelpText('after', examples('podsync clients ls', 'podsync clients ls --limit 50 -o json'));
