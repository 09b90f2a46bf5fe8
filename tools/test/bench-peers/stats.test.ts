import { describe, expect, it } from 'vitest';
import { summarize } from '../../bench-peers/stats.js';

describe('summarize', () => {
  it('gives the middle value of an odd count, and the range', () => {
    expect(summarize([4.5, 3.9, 5.2])).toEqual({ median: 4.5, min: 3.9, max: 5.2, count: 3 });
  });

  it('gives the mean of the two middle values of an even count', () => {
    expect(summarize([10, 1, 4, 2])).toEqual({ median: 3, min: 1, max: 10, count: 4 });
  });

  it('has nothing to say about no values, and refuses non-numbers', () => {
    expect(summarize([])).toBeUndefined();
    expect(() => summarize([1, Number.NaN])).toThrow(/not a finite number/);
  });
});
