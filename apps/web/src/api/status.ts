import { api, succeeded } from './api';

/** Switches algorithms of a client on or off; the others keep their value. */
export const switchAlgorithms = (clientId: number, flags: Record<string, boolean>): Promise<void> =>
  succeeded(api.PUT('/api/v1/status/{id}', { params: { path: { id: clientId } }, body: flags }));

/**
 * Asks the next round to recreate each running pod of the client once. The API takes the
 * restart with a status body and refuses an empty one, so the flags go as the page shows them.
 */
export const restartClient = (clientId: number, shownFlags: Record<string, boolean>): Promise<void> =>
  succeeded(
    api.PUT('/api/v1/status/{id}', { params: { path: { id: clientId }, query: { need_restart: 'true' } }, body: shownFlags }),
  );
