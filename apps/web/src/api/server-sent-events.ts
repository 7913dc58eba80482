/** One event of a `text/event-stream`, as the HTML standard's EventSource would deliver it. */
export interface ServerSentEvent {
  /** The stream's last event id when this event was dispatched ('' until the server sends one). */
  id: string;
  type: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body as it arrives, chunk by chunk, after the HTML
 * standard's rules: lines end in LF, CR or CRLF; `data` lines join with LF; `id` persists
 * from event to event; a blank line dispatches; lines starting with `:` are comments
 * (the server's heartbeats). The dashboard reads the stream with fetch rather than
 * EventSource so that it can send the bearer token in a header instead of the URL.
 */
export class ServerSentEventParser {
  private pending = '';
  private lastEventId = '';
  private type = '';
  private dataLines: string[] = [];
  /** Milliseconds the server asked to wait before reconnecting, if it did. */
  retryMs: number | undefined;

  push(chunk: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    this.pending += chunk;
    // A CR at the very end may be the first half of a CRLF split across chunks: keep it for the next one.
    const lines = this.pending.split(/\r\n|\r(?!$)|\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = this.takeLine(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  private takeLine(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const event =
      this.dataLines.length === 0
        ? undefined
        : { id: this.lastEventId, type: this.type || 'message', data: this.dataLines.join('\n') };
    this.type = '';
    this.dataLines = [];
    return event;
  }
}
