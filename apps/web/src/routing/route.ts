/** The dashboard's pages, addressed by the URL's hash so that the server serves one file for all of them. */
export type Route =
  | { page: 'fleet' }
  | { page: 'client'; clientId: number }
  | { page: 'cluster' }
  | { page: 'events' }
  | { page: 'not-found'; hash: string };

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { page: 'fleet' };
  if (path === '/cluster') return { page: 'cluster' };
  if (path === '/events') return { page: 'events' };
  const client = /^\/clients\/(\d{1,15})$/.exec(path);
  if (client?.[1] !== undefined) return { page: 'client', clientId: Number(client[1]) };
  return { page: 'not-found', hash };
}

export const hrefOf = {
  fleet: '#/',
  client: (clientId: number) => `#/clients/${clientId}`,
  cluster: '#/cluster',
  events: '#/events',
};
