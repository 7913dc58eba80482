import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe(parseDuration.name, () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['30d', 2_592_000_000],
    ['0ms', 0],
    ['05s', 5_000],
    ['90s', 90_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5', '5x', '', 's', 'ms', '1.5s', '-5s', '+5s', ' 5s', '5s ', '5 s', '5S', '5MS', '5D', '5sec', '5m30s', '1e3ms'])(
    'reads nothing from %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});
