/** One Server-Sent Events message; data is one JSON line, so it never needs splitting over several `data:` lines. */
export function sseEvent(id: string, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Moves the client's last event id without dispatching an event (the SSE spec sets it before checking for data). */
export function sseIdOnly(id: string, retryMs: number): string {
  return `retry: ${retryMs}\nid: ${id}\n\n`;
}

/** A comment line: ignored by clients, it keeps proxies from closing an idle connection. */
export const SSE_HEARTBEAT = ': ping\n\n';
