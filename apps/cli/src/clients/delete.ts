import { positiveInteger } from '../arguments';
import { apiCall } from '../api-call';
import type { CliContext, CliIo } from '../cli-context';
import { defineCommand, examples } from '../command';

/** `podsync clients delete <id>`: the reconciler then deletes its pods. */
export async function deleteClient(context: CliContext, _options: object, id: number): Promise<void> {
  await apiCall(context.url, context.client.DELETE('/api/v1/clients/{id}', { params: { path: { id } } }));
  context.output.message(`client ${id} deleted; its pods go in the next round`);
}

export const deleteClientCommand = (io: CliIo) =>
  defineCommand(io, 'delete', deleteClient)
    .alias('rm')
    .description('Delete a client; the reconciler deletes its pods')
    .argument('<id>', 'client id', positiveInteger)
    .addHelpText('after', examples('podsync clients delete 168317'));
