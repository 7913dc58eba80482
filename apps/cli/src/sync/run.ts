import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';

export interface SyncOptions {
  force?: boolean;
}

/** `podsync sync [--force]`: asks the leader for a full round now. */
export async function requestSync(context: CliContext, options: SyncOptions): Promise<void> {
  const { data } = await apiCall(
    context.url,
    context.client.POST('/api/v1/sync', { params: { query: options.force === true ? { force: 'true' } : {} } }),
  );
  const accepted = data as { replicaId?: string; epoch?: number; force?: boolean };
  context.output.record(
    [
      ['round requested from', accepted.replicaId],
      ['epoch', accepted.epoch],
      ['delete guard lifted', accepted.force === true ? 'yes, for this round' : 'no'],
    ],
    accepted,
  );
}

export const syncCommand = (io: CliIo) =>
  defineCommand(io, 'sync', requestSync)
    .description('Ask the leader for a full round now')
    .option('--force', 'also lift the mass-deletion guard for that round')
    .addHelpText('after', examples('podsync sync', 'podsync sync --force'));
