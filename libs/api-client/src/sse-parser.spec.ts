import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser';

describe(SseParser.name, () => {
  it('parses events split across chunks, skipping comments', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2000\nid: 4-1\n\n: ping\n\nid: 5-1\nevent: operation\nda')).toEqual([]);
    expect(parser.lastEventId).toBe('5-1');
    expect(parser.push('ta: {"id":1}\n\n')).toEqual([{ id: '5-1', event: 'operation', data: '{"id":1}' }]);
  });

  it('moves the last event id on a frame without data, and defaults the type to message', () => {
    const parser = new SseParser();
    expect(parser.push('id: 7-2\n\ndata: a\r\ndata: b\r\n\r\n')).toEqual([{ id: '7-2', event: 'message', data: 'a\nb' }]);
  });
});
