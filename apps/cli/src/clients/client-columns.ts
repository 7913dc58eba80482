import type { Column } from '../output';

export const CLIENT_COLUMNS: Column[] = [
  { header: 'ID', value: (client) => client.id },
  { header: 'NAME', value: (client) => client.name },
  { header: 'VERSION', value: (client) => client.version },
  { header: 'IMAGE', value: (client) => client.image },
  { header: 'CPU', value: (client) => client.cpu },
  { header: 'MEM', value: (client) => client.mem },
  { header: 'PRIORITY', value: (client) => client.priority },
  { header: 'RESTART', value: (client) => (client.needRestart === true ? 'pending' : '-') },
];

/** The fields of `clients create` and `clients update`, as the API names them. */
export interface ClientFlags {
  name?: string;
  version?: number;
  image?: string;
  cpu?: string;
  mem?: string;
  priority?: number;
}
