import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCALE_MS, SCALE_US } from './clock.js';
import { ManualClock } from './manual-clock.js';
import { Timer, TimerList } from './timer.js';

describe('Timer and TimerList', () => {
  it('fires timers in deadline order, equal deadlines in arming order', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const arm = (name: string, at: number) =>
      clock.timers.newTimer(() => fired.push(name)).modNs(at);
    arm('c', 300);
    arm('a', 100);
    arm('b1', 200);
    arm('b2', 200);
    arm('late', 10_000);
    clock.advance(1000);
    expect(fired).toEqual(['a', 'b1', 'b2', 'c']);
    expect(clock.timers.size).toBe(1);
  });

  it('fires any set of timers sorted by (deadline, arming order), each once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 50 }),
            rearmAt: fc.option(fc.integer({ min: 0, max: 50 })),
          }),
          { maxLength: 40 },
        ),
        (specs) => {
          const clock = new ManualClock();
          const fired: number[] = [];
          const timers = specs.map((spec, i) => {
            const timer = clock.timers.newTimer(() => fired.push(i));
            timer.modNs(spec.at);
            return timer;
          });
          // Re-arming moves a timer behind the timers already armed for the same time.
          const expected = specs.map((spec, i) => ({ i, at: spec.at, order: i }));
          specs.forEach((spec, i) => {
            if (spec.rearmAt !== null) {
              timers[i].modNs(spec.rearmAt);
              expected[i] = { i, at: spec.rearmAt, order: specs.length + i };
            }
          });
          expected.sort((x, y) => x.at - y.at || x.order - y.order);
          clock.advance(100);
          expect(fired).toEqual(expected.map((e) => e.i));
        },
      ),
    );
  });

  it('lets a callback re-arm its own timer (a periodic timer)', () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    const timer = new Timer(clock.timers, (t) => {
      ticks.push(clock.now());
      t.modNs(clock.now() + 250);
    });
    timer.modNs(250);
    clock.advance(1000);
    expect(ticks).toEqual([250, 500, 750, 1000]);
    expect(timer.pending).toBe(true);
    expect(timer.expireTime).toBe(1250);
  });

  it('lets a callback delete a timer due at the same time, and create new ones', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const victim = clock.timers.newTimer(() => fired.push('victim'));
    const killer = clock.timers.newTimer(() => {
      fired.push('killer');
      victim.del();
      clock.timers.newTimer(() => fired.push(`child@${clock.now()}`)).modNs(clock.now() + 5);
    });
    killer.modNs(100);
    victim.modNs(100);
    clock.advance(200);
    expect(fired).toEqual(['killer', 'child@105']);
    expect(victim.pending).toBe(false);
    expect(victim.expireTime).toBe(-1);
  });

  it('does not fire a deleted timer and reports the deadline of the next one', () => {
    const clock = new ManualClock();
    const a = clock.timers.newTimer(() => {
      throw new Error('deleted timer fired');
    });
    const b = clock.timers.newTimer(() => {});
    a.modNs(50);
    b.modNs(80);
    expect(clock.timers.deadlineNs()).toBe(50);
    a.del();
    a.del();
    expect(clock.timers.deadlineNs()).toBe(80);
    clock.advance(60);
    expect(clock.timers.deadlineNs()).toBe(20);
    clock.advance(30);
    expect(clock.timers.deadlineNs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes mod() in the timer scale and clamps negative times to 0', () => {
    const clock = new ManualClock();
    const us = clock.timers.newTimer(() => {}, SCALE_US);
    us.mod(3);
    expect(us.expireTime).toBe(3000);
    const ms = clock.timers.newTimer(() => {}, SCALE_MS);
    ms.mod(2);
    expect(ms.expireTime).toBe(2_000_000);
    expect(ms.expired(1)).toBe(false);
    expect(ms.expired(2)).toBe(true);
    const early = clock.timers.newTimer(() => {});
    early.modNs(-5);
    expect(early.expireTime).toBe(0);
  });

  it('only moves a timer earlier with modAnticipate', () => {
    const clock = new ManualClock();
    const timer = clock.timers.newTimer(() => {});
    timer.modAnticipate(500);
    expect(timer.expireTime).toBe(500);
    timer.modAnticipate(800);
    expect(timer.expireTime).toBe(500);
    timer.modAnticipate(200);
    expect(timer.expireTime).toBe(200);
  });

  it('tells its listener when a timer becomes the earliest', () => {
    const clock = new ManualClock();
    let notified = 0;
    const list = new TimerList(clock, { onEarliestChanged: () => notified++ });
    list.newTimer(() => {}).modNs(100);
    list.newTimer(() => {}).modNs(200);
    list.newTimer(() => {}).modNs(50);
    expect(notified).toBe(2);
  });

  it('neither fires nor reports the timers of a disabled list', () => {
    const clock = new ManualClock();
    let fired = 0;
    clock.timers.newTimer(() => fired++).modNs(10);
    clock.timers.enabled = false;
    clock.advance(100);
    expect(fired).toBe(0);
    expect(clock.timers.deadlineNs()).toBe(Number.POSITIVE_INFINITY);
    clock.timers.enabled = true;
    clock.timers.runTimers();
    expect(fired).toBe(1);
  });

  it('refuses a timer of another list and a NaN expiry', () => {
    const a = new ManualClock();
    const b = new ManualClock();
    const timer = a.timers.newTimer(() => {});
    expect(() => b.timers.arm(timer, 5)).toThrow(/another timer list/);
    expect(() => timer.modNs(Number.NaN)).toThrow(/NaN/);
  });
});

describe('ManualClock', () => {
  it('runs each callback with now() equal to its own deadline', () => {
    const clock = new ManualClock(1000);
    const seen: number[] = [];
    for (const at of [1500, 1100, 1900]) {
      clock.timers.newTimer(() => seen.push(clock.now())).modNs(at);
    }
    clock.advance(2000);
    expect(seen).toEqual([1100, 1500, 1900]);
    expect(clock.now()).toBe(3000);
  });

  it('refuses to go backwards', () => {
    const clock = new ManualClock(10);
    expect(() => clock.advanceTo(5)).toThrow(/backwards/);
    expect(() => clock.advance(-1)).toThrow(/backwards/);
  });
});
