import { Command } from 'commander';
import type { CliIo } from '../cli-context';
import { setStatusCommand } from './set';

export const statusCommand = (io: CliIo) =>
  new Command('status').description("Switch a client's algorithms").addCommand(setStatusCommand(io));
