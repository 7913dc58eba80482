import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-errors';
import { algorithmFlags } from './set';

describe(algorithmFlags.name, () => {
  it('reads ALGORITHM=on|off (and true|false) into the API body', () => {
    expect(algorithmFlags(['VWAP=on', 'twap=OFF', 'HFT=true'])).toEqual({ VWAP: true, twap: false, HFT: true });
  });

  it.each([[[]], [['VWAP']], [['VWAP=maybe']], [['=on']], [['VWAP=on=off']]])('refuses %j as bad usage', (assignments) => {
    expect(() => algorithmFlags(assignments)).toThrow(UsageError);
  });
});
