import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from './server-sent-events';

describe('ServerSentEventParser', () => {
  it('dispatches each event at its blank line, with its id and type', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('id: 7\nevent: operation\ndata: {"pod":"vwap-1"}\n\nid: 8\nevent: round\ndata: {}\n\n')).toEqual([
      { id: '7', type: 'operation', data: '{"pod":"vwap-1"}' },
      { id: '8', type: 'round', data: '{}' },
    ]);
  });

  it('joins an event split across chunks and CRLF line ends split between them', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('id: 1\r\nevent: pod-st')).toEqual([]);
    expect(parser.push('atus\r\ndata: a\r')).toEqual([]);
    expect(parser.push('\ndata: b\r\n\r\n')).toEqual([{ id: '1', type: 'pod-status', data: 'a\nb' }]);
  });

  it('skips heartbeat comments and blank lines without data; keeps the last id; reads retry', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push(': heartbeat\n\nid: 5\n\nretry: 3000\ndata: x\n\n')).toEqual([{ id: '5', type: 'message', data: 'x' }]);
    expect(parser.retryMs).toBe(3000);
  });
});
