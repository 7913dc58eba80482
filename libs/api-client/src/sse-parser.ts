/** One dispatched Server-Sent Event. */
export interface SseMessage {
  /** The last event id, as the stream set it (it carries over to events without an `id:` line). */
  id: string;
  /** The `event:` field; `message` when absent, as in a browser. */
  event: string;
  data: string;
}

/**
 * The Server-Sent Events wire format, parsed incrementally as chunks arrive (the HTML
 * standard's algorithm): `id:` lines move the last event id even in frames with no data,
 * comment lines (`: ping`) are ignored.
 */
export class SseParser {
  lastEventId = '';
  private pending = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    const messages: SseMessage[] = [];
    this.pending += chunk;
    const lines = this.pending.split(/\r\n|\r|\n/);
    // The last piece is an unfinished line (or empty when the chunk ended with a newline).
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.data.length > 0)
          messages.push({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    }
    return messages;
  }
}
