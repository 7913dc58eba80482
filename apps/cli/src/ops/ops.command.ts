import { Command } from 'commander';
import type { CliIo } from '../cli-context';
import { listOperationsCommand } from './list';
import { tailOperationsCommand } from './tail';

export const opsCommand = (io: CliIo) =>
  new Command('ops')
    .description('The audit history of pod operations, and the live event stream')
    .addCommand(listOperationsCommand(io))
    .addCommand(tailOperationsCommand(io));
