import { Command } from 'commander';
import type { CliIo } from '../cli-context';
import { createClientCommand } from './create';
import { deleteClientCommand } from './delete';
import { getClientCommand } from './get';
import { listClientsCommand } from './list';
import { updateClientCommand } from './update';

export const clientsCommand = (io: CliIo) =>
  new Command('clients')
    .description('Register, list, change and delete clients')
    .addCommand(listClientsCommand(io))
    .addCommand(getClientCommand(io))
    .addCommand(createClientCommand(io))
    .addCommand(updateClientCommand(io))
    .addCommand(deleteClientCommand(io));
