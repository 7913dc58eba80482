import { describe, expect, it } from 'vitest';
import { currentTraceCarrier } from './trace-carrier';

describe(currentTraceCarrier.name, () => {
  it('is null outside a trace, so rows written without tracing store nothing', () => {
    expect(currentTraceCarrier()).toBeNull();
  });
});
