import { describe, expect, it } from 'vitest';
import { busyShare, parseProcStat, waitForIdle } from '../../bench-peers/idle.js';

/** A /proc/stat whose first line has these busy and idle tick counts. */
const stat = (busy: number, idle: number) =>
  `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n`;

describe('parseProcStat', () => {
  it('counts idle and iowait as idle, and the rest up to steal as busy', () => {
    expect(parseProcStat('cpu  10 1 5 100 4 1 2 3 7 7\n')).toEqual({ busy: 22, total: 126 });
    expect(() => parseProcStat('intr 1\n')).toThrow(/no "cpu " line/);
  });

  it('gives the busy share between two readings', () => {
    expect(busyShare(parseProcStat(stat(100, 100)), parseProcStat(stat(150, 250)))).toBe(0.25);
  });
});

describe('waitForIdle', () => {
  /** A fake machine: each reading adds the next sample's busy/idle ticks; time is simulated. */
  function fakeMachine(samples: Array<[busy: number, idle: number]>) {
    let busy = 0;
    let idle = 0;
    let reads = 0;
    let clock = 0;
    return {
      readStat: async () => {
        if (reads > 0) {
          const [b, i] = samples[Math.min(reads - 1, samples.length - 1)];
          busy += b;
          idle += i;
        }
        reads++;
        return stat(busy, idle);
      },
      sleep: async (ms: number) => {
        clock += ms;
      },
      now: () => clock,
    };
  }

  it('returns at the first quiet sample', async () => {
    const machine = fakeMachine([
      [180, 20],
      [150, 50],
      [20, 180],
    ]);
    const result = await waitForIdle({
      ...machine,
      maxBusy: 0.25,
      sampleMs: 1000,
      timeoutMs: 30_000,
    });
    expect(result).toEqual({ idle: true, busy: 0.1, waitedMs: 3000 });
  });

  it('gives up after the time limit on a machine that stays busy', async () => {
    const machine = fakeMachine([[190, 10]]);
    const result = await waitForIdle({
      ...machine,
      maxBusy: 0.25,
      sampleMs: 1000,
      timeoutMs: 5000,
    });
    expect(result).toEqual({ idle: false, busy: 0.95, waitedMs: 5000 });
  });
});
