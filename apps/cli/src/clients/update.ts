import { finiteNumber, positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { UsageError } from '../cli-errors';
import { defineCommand, examples } from '../command';
import type { ClientFlags } from './client-columns';

/**
 * `podsync clients update <id>`: the API replaces every field, so the flags given are laid over
 * the client as it is now; its pods are recreated with the new spec.
 */
export async function updateClient(context: CliContext, options: ClientFlags, id: number): Promise<void> {
  const changes = Object.entries(options).filter(([, value]) => value !== undefined);
  if (changes.length === 0) throw new UsageError('give at least one of --name, --version, --image, --cpu, --mem, --priority');
  const { data } = await apiCall(context.url, context.client.GET('/api/v1/clients/{id}', { params: { path: { id } } }));
  const current = data as Required<ClientFlags>;
  const body = {
    name: options.name ?? current.name,
    version: options.version ?? current.version,
    image: options.image ?? current.image,
    cpu: options.cpu ?? current.cpu,
    mem: options.mem ?? current.mem,
    priority: options.priority ?? current.priority,
  };
  const { message } = await apiCall(context.url, context.client.PUT('/api/v1/clients/{id}', { params: { path: { id } }, body }));
  context.output.message(message ?? 'client updated');
}

export const updateClientCommand = (io: CliIo) =>
  defineCommand(io, 'update', updateClient)
    .description("Change a client's fields; its running pods are recreated with the new spec")
    .argument('<id>', 'client id', positiveInteger)
    .option('--name <name>', '1 to 50 characters')
    .option('--version <n>', 'the algorithm version, 0 or more', (value) => (value === '0' ? 0 : positiveInteger(value)))
    .option('--image <ref>', 'OCI image reference of its pods')
    .option('--cpu <quantity>', 'CPU per pod, e.g. 500m or 2')
    .option('--mem <quantity>', 'memory per pod, e.g. 256Mi or 1Gi')
    .option('--priority <number>', 'higher is reconciled first', finiteNumber)
    .addHelpText(
      'after',
      examples('podsync clients update 168317 --version 4', 'podsync clients update 168317 --cpu 1 --mem 1Gi'),
    );
