import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Row } from '../output';
import { OPERATION_COLUMNS } from './operation-columns';

export interface ListOperationsOptions {
  client?: number;
  limit?: number;
  cursor?: number;
}

/** One page of the audit history, newest first. */
export async function fetchOperations(
  context: CliContext,
  options: ListOperationsOptions,
): Promise<{ items: Row[]; nextCursor: string | null }> {
  const query = {
    ...(options.client === undefined ? {} : { clientId: String(options.client) }),
    ...(options.limit === undefined ? {} : { limit: String(options.limit) }),
    ...(options.cursor === undefined ? {} : { cursor: String(options.cursor) }),
  };
  const { data } = await apiCall(context.url, context.client.GET('/api/v1/operations', { params: { query } }));
  return data as { items: Row[]; nextCursor: string | null };
}

/** `podsync ops ls`: the audit history of pod operations, newest first. */
export async function listOperations(context: CliContext, options: ListOperationsOptions): Promise<void> {
  const page = await fetchOperations(context, options);
  context.output.list(page.items, OPERATION_COLUMNS, page);
  if (page.nextCursor !== null) context.output.line(`more: podsync ops ls --cursor ${page.nextCursor}`);
}

export const listOperationsCommand = (io: CliIo) =>
  defineCommand(io, 'ls', listOperations)
    .alias('list')
    .description('The audit history of pod operations, newest first')
    .option('--client <id>', "only this client's operations", positiveInteger)
    .option('--limit <n>', 'operations per page (at most 500)', positiveInteger)
    .option('--cursor <id>', 'the nextCursor of the previous page', positiveInteger)
    .addHelpText('after', examples('podsync ops ls', 'podsync ops ls --client 168317 --limit 20 -o json'));
