import { finiteNumber, positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Row } from '../output';
import { CLIENT_COLUMNS, type ClientFlags } from './client-columns';

export interface CreateClientOptions extends Required<Omit<ClientFlags, 'priority'>> {
  priority?: number;
  idempotencyKey?: string;
}

/** `podsync clients create`: registers a client; all algorithms start off. */
export async function createClient(context: CliContext, options: CreateClientOptions): Promise<void> {
  const { name, version, image, cpu, mem, priority, idempotencyKey } = options;
  const { data } = await apiCall(
    context.url,
    context.client.POST('/api/v1/clients', {
      body: { name, version, image, cpu, mem, ...(priority === undefined ? {} : { priority }) },
      params: { header: idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey } },
    }),
  );
  context.output.list([data as Row], CLIENT_COLUMNS, data);
}

export const createClientCommand = (io: CliIo) =>
  defineCommand(io, 'create', createClient)
    .description('Register a client (its algorithms start off: see `podsync status set`)')
    .requiredOption('--name <name>', '1 to 50 characters')
    .requiredOption('--version <n>', 'the algorithm version, 0 or more', wholeNumber)
    .requiredOption('--image <ref>', 'OCI image reference of its pods')
    .requiredOption('--cpu <quantity>', 'CPU per pod, e.g. 500m or 2')
    .requiredOption('--mem <quantity>', 'memory per pod, e.g. 256Mi or 1Gi')
    .option('--priority <number>', 'higher is reconciled first (default 0)', finiteNumber)
    .option('--idempotency-key <key>', 'a retry with the same key creates nothing new')
    .addHelpText(
      'after',
      examples('podsync clients create --name acme --version 1 --image registry.example.com/algo:1.2 --cpu 500m --mem 256Mi'),
    );

function wholeNumber(value: string): number {
  return value === '0' ? 0 : positiveInteger(value);
}
