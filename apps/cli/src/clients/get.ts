import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';
import type { Row } from '../output';
import { POD_COLUMNS } from '../pods/pod-columns';

/** `podsync clients get <id>`: a client, its algorithms and its pods. */
export async function getClient(context: CliContext, _options: object, id: number): Promise<void> {
  const { data } = await apiCall(context.url, context.client.GET('/api/v1/clients/{id}', { params: { path: { id } } }));
  const client = data as Row & { algorithms?: Record<string, boolean>; pods?: unknown[] };
  const algorithms = Object.entries(client.algorithms ?? {})
    .map(([name, on]) => `${name}=${on ? 'on' : 'off'}`)
    .join(' ');
  // Pods come as names, or as objects with their health: names fit on one line, health needs a table.
  const pods = client.pods ?? [];
  const podsWithHealth = pods.filter((pod): pod is Row => typeof pod === 'object' && pod !== null);
  context.output.record(
    [
      ['id', client.id],
      ['name', client.name],
      ['version', client.version],
      ['image', client.image],
      ['cpu', client.cpu],
      ['mem', client.mem],
      ['priority', client.priority],
      ['algorithms', algorithms],
      ['restart', client.needRestart === true ? 'pending' : 'no'],
      ['spawned', client.spawnedAt],
      ['created', client.createdAt],
      ['updated', client.updatedAt],
      ...(podsWithHealth.length === 0 ? ([['pods', pods]] as [string, unknown][]) : []),
    ],
    client,
  );
  if (podsWithHealth.length > 0) {
    context.output.line('');
    context.output.list(
      podsWithHealth,
      POD_COLUMNS.filter((column) => column.header !== 'CLIENT'),
      client,
    );
  }
}

export const getClientCommand = (io: CliIo) =>
  defineCommand(io, 'get', getClient)
    .description('Show a client with its algorithms and pods')
    .argument('<id>', 'client id', positiveInteger)
    .addHelpText('after', examples('podsync clients get 168317', 'podsync clients get 168317 -o yaml'));
