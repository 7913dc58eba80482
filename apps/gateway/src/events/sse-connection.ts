import type { FastifyReply } from 'fastify';
import { SSE_HEARTBEAT } from './sse-frame';

export interface SseConnectionSettings {
  /** Between heartbeat comments, so that proxies keep an idle stream open. */
  heartbeatMs: number;
  /**
   * Bytes the socket may hold unsent before the connection is dropped: a client that cannot keep
   * up reconnects with Last-Event-ID and resumes, rather than growing the gateway's memory.
   */
  maxBufferedBytes: number;
}

/** The raw side of one Server-Sent Events response: headers, frames, heartbeats, and its end. */
export class SseConnection {
  /** Resolves once the connection is closed, by the client, by end(), or for falling behind. */
  readonly closed: Promise<void>;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly reply: FastifyReply,
    private readonly settings: SseConnectionSettings,
  ) {
    // Fastify sends nothing more on a hijacked reply: the stream is written to the socket directly.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers proxied answers unless told otherwise; events must reach the client as they happen.
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders();
    this.heartbeat = setInterval(() => this.send(SSE_HEARTBEAT), settings.heartbeatMs);
    this.closed = new Promise<void>((resolve) => {
      if (raw.closed) resolve();
      else raw.once('close', () => resolve());
    }).then(() => clearInterval(this.heartbeat));
  }

  send(frame: string): void {
    const raw = this.reply.raw;
    if (raw.destroyed || raw.writableEnded) return;
    if (raw.writableLength > this.settings.maxBufferedBytes) {
      raw.destroy();
      return;
    }
    raw.write(frame);
  }

  end(): void {
    const raw = this.reply.raw;
    if (!raw.destroyed && !raw.writableEnded) raw.end();
  }
}
