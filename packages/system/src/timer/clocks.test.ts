import { describe, expect, it } from 'vitest';
import { System } from '../system.js';
import { FakeHostTime } from './clock.js';
import { Clocks } from './clocks.js';
import { parseIcountOptions } from './icount.js';

describe('the virtual clock', () => {
  it('stands still before the VM starts, pauses across vmStop/vmStart and resumes without a jump', () => {
    const host = new FakeHostTime();
    const system = new System({ hostTime: host });
    const { clocks } = system;
    host.advance(5_000);
    expect(clocks.now('virtual')).toBe(0);
    system.vmStart();
    host.advance(1_000);
    expect(clocks.now('virtual')).toBe(1_000);
    system.vmStop('paused');
    host.advance(60_000);
    expect(clocks.now('virtual')).toBe(1_000);
    expect(clocks.now('virtual_rt')).toBe(1_000);
    expect(clocks.now('realtime')).toBe(66_000);
    system.vmStart();
    expect(clocks.now('virtual')).toBe(1_000);
    host.advance(10);
    expect(clocks.now('virtual')).toBe(1_010);
  });

  it('fires no virtual timer while the VM is stopped, but realtime timers still fire', () => {
    const host = new FakeHostTime();
    const system = new System({ hostTime: host });
    const fired: string[] = [];
    system.clocks.newTimer('virtual', () => fired.push('virtual')).modNs(0);
    system.clocks.newTimer('realtime', () => fired.push('realtime')).modNs(host.monotonicNs() + 10);
    host.advance(100);
    system.clocks.runAllTimers();
    expect(fired).toEqual(['realtime']);
    expect(system.clocks.virtual.deadlineNs()).toBe(Number.POSITIVE_INFINITY);
    system.vmStart();
    system.clocks.runAllTimers();
    expect(fired).toEqual(['realtime', 'virtual']);
  });

  it('in icount mode counts 2^shift ns per instruction and stays put while idle', () => {
    const clocks = new Clocks({ icount: { shift: 3 } });
    const icount = clocks.icount!;
    expect(clocks.now('virtual')).toBe(0);
    icount.retire(1000);
    expect(clocks.now('virtual')).toBe(8000);
    icount.inFlight = () => 5;
    expect(clocks.now('virtual')).toBe(8040);
    expect(icount.instructionsUntil(8001)).toBe(1001);
    icount.warp(100);
    icount.inFlight = undefined;
    expect(clocks.now('virtual')).toBe(8100);
  });

  it('follows the host wall clock on the host clock', () => {
    const host = new FakeHostTime(0, 1e18);
    const clocks = new Clocks({ hostTime: host });
    expect(clocks.now('host')).toBe(1e18);
    expect(() => clocks.list('sundial' as never)).toThrow(/unknown clock type 'sundial'/);
  });
});

describe('parseIcountOptions (-icount)', () => {
  it('reads shift=N, a bare N and sleep=on|off', () => {
    expect(parseIcountOptions('shift=7')).toEqual({ shift: 7, sleep: true });
    expect(parseIcountOptions('3')).toEqual({ shift: 3, sleep: true });
    expect(parseIcountOptions('shift=0,sleep=off')).toEqual({ shift: 0, sleep: false });
  });

  it('rejects what it does not support with a clear message', () => {
    expect(() => parseIcountOptions('shift=auto')).toThrow(/adaptive mode.*not supported/);
    expect(() => parseIcountOptions('shift=11')).toThrow(/from 0 to 10, got '11'/);
    expect(() => parseIcountOptions('shift=2,sleep=maybe')).toThrow(/'on' or 'off'/);
    expect(() => parseIcountOptions('shift=2,align=on')).toThrow(/unsupported option 'align=on'/);
    expect(() => parseIcountOptions('sleep=off')).toThrow(/needs shift=N/);
  });
});
