import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import {
  HPET_CFG,
  HPET_CFG_ENABLE,
  HPET_CFG_LEGACY,
  HPET_COUNTER,
  HPET_COUNTER_HIGH,
  HPET_ID,
  HPET_PERIOD,
  HPET_STATUS,
  HPET_TIMER_BASE,
  HPET_TIMER_STRIDE,
  HPET_TN_32BIT,
  HPET_TN_CFG,
  HPET_TN_CMP,
  HPET_TN_CMP_HIGH,
  HPET_TN_ENABLE,
  HPET_TN_INT_CAP,
  HPET_TN_PERIODIC,
  HPET_TN_SETVAL,
  HPET_TN_TYPE_LEVEL,
  Hpet,
} from './hpet.js';

function setup() {
  const time = new ManualTime();
  const lines = Array.from({ length: 24 }, () => new IrqRecorder());
  const pitEnable = new IrqRecorder();
  const hpet = new Hpet({ time, irqs: lines, pitEnable });
  const timer = (n: number, reg: number) => HPET_TIMER_BASE + HPET_TIMER_STRIDE * n + reg;
  return { time, lines, pitEnable, hpet, timer };
}

describe('HPET', () => {
  it("reports QEMU's capabilities: 3 timers, 64-bit, legacy capable, 10 ns period", () => {
    const { hpet, timer } = setup();
    expect(hpet.read(HPET_ID)).toBe(0x8086a201);
    expect(hpet.read(HPET_PERIOD)).toBe(10_000_000);
    expect(hpet.read(timer(0, HPET_TN_CFG))).toBe(0x30);
    expect(hpet.read(timer(0, HPET_TN_INT_CAP))).toBe(0x4);
  });

  it('counts at 100 MHz only while enabled', () => {
    const { hpet, time } = setup();
    time.advance(1000);
    expect(hpet.read(HPET_COUNTER)).toBe(0);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE);
    time.advance(1000);
    expect(hpet.read(HPET_COUNTER)).toBe(100);
    hpet.write(HPET_CFG, 0);
    time.advance(1000);
    expect(hpet.read(HPET_COUNTER)).toBe(100);
  });

  it('lets the main counter be written while halted, both halves', () => {
    const { hpet } = setup();
    hpet.write(HPET_COUNTER, 0xfffffff0);
    hpet.write(HPET_COUNTER_HIGH, 0x12);
    expect(hpet.read(HPET_COUNTER)).toBe(0xfffffff0);
    expect(hpet.read(HPET_COUNTER_HIGH)).toBe(0x12);
  });

  it('routes timer 0 to IRQ0 in legacy mode and cuts the PIT off', () => {
    const { hpet, time, lines, pitEnable, timer } = setup();
    expect(pitEnable.level).toBe(true);
    // Linux's hpet_clkevt_set_state_periodic for a 1 ms tick.
    hpet.write(
      timer(0, HPET_TN_CFG),
      HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL | HPET_TN_32BIT,
    );
    hpet.write(timer(0, HPET_TN_CMP), 100_000);
    hpet.write(timer(0, HPET_TN_CMP), 100_000);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    expect(pitEnable.level).toBe(false);
    time.advance(10_000_000);
    expect(lines[0].risingEdges).toBe(10);
    expect(lines[2].risingEdges).toBe(0);
  });

  it('keeps a periodic comparator one period ahead of the counter', () => {
    const { hpet, time, timer } = setup();
    hpet.write(timer(0, HPET_TN_CFG), HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL);
    hpet.write(timer(0, HPET_TN_CMP), 500);
    hpet.write(timer(0, HPET_TN_CMP_HIGH), 0);
    hpet.write(timer(0, HPET_TN_CMP), 500);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE);
    time.advance(5_000 + 10); // 501 ticks: past the first match
    expect(hpet.read(timer(0, HPET_TN_CMP))).toBe(1000);
  });

  it('routes timer 1 to IRQ8 in legacy mode and passes the RTC through otherwise', () => {
    const { hpet, time, lines, timer } = setup();
    hpet.legacyRtcIrq.set(true);
    expect(lines[8].level).toBe(true);
    hpet.legacyRtcIrq.set(false);
    hpet.write(timer(1, HPET_TN_CFG), HPET_TN_ENABLE);
    hpet.write(timer(1, HPET_TN_CMP), 1000);
    hpet.write(timer(1, HPET_TN_CMP_HIGH), 0);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    hpet.legacyRtcIrq.set(true);
    expect(lines[8].risingEdges).toBe(1); // the RTC is cut off
    time.advance(10_000);
    expect(lines[8].risingEdges).toBe(2); // the one-shot match
    time.advance(1_000_000);
    expect(lines[8].risingEdges).toBe(2);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE);
    expect(lines[8].level).toBe(true); // the RTC's level comes back
  });

  it('passes the PIT through to IRQ0 unless legacy replacement is on', () => {
    const { hpet, lines } = setup();
    hpet.legacyPitIrq.set(true);
    expect(lines[0].level).toBe(true);
    hpet.write(HPET_CFG, HPET_CFG_LEGACY);
    hpet.legacyPitIrq.set(false);
    hpet.legacyPitIrq.set(true);
    expect(lines[0].level).toBe(false);
  });

  it('holds a level-triggered interrupt in the status register until written back', () => {
    const { hpet, time, lines, timer } = setup();
    hpet.write(timer(2, HPET_TN_CFG), HPET_TN_ENABLE | HPET_TN_TYPE_LEVEL | (2 << 9));
    hpet.write(timer(2, HPET_TN_CMP), 10);
    hpet.write(timer(2, HPET_TN_CMP_HIGH), 0);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE);
    time.advance(100);
    expect(hpet.read(HPET_STATUS)).toBe(0x4);
    expect(lines[2].level).toBe(true);
    hpet.write(HPET_STATUS, 0x4);
    expect(hpet.read(HPET_STATUS)).toBe(0);
    expect(lines[2].level).toBe(false);
  });

  it('interrupts when a 32-bit one-shot comparator is reached, and at the counter wrap', () => {
    const { hpet, time, lines, timer } = setup();
    hpet.write(HPET_COUNTER, 0xffffff00);
    hpet.write(timer(2, HPET_TN_CFG), HPET_TN_ENABLE | HPET_TN_32BIT | (2 << 9));
    hpet.write(timer(2, HPET_TN_CMP), 0x100);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE);
    time.advance(0x100 * 10);
    expect(lines[2].risingEdges).toBe(1); // the wrap
    time.advance(0x100 * 10);
    expect(lines[2].risingEdges).toBe(2); // the match
  });

  it('restores a snapshot that keeps its running timer', () => {
    const { hpet, time, timer } = setup();
    hpet.write(timer(0, HPET_TN_CFG), HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL);
    hpet.write(timer(0, HPET_TN_CMP), 1000);
    hpet.write(timer(0, HPET_TN_CMP_HIGH), 0);
    hpet.write(timer(0, HPET_TN_CMP), 1000);
    hpet.write(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    time.advance(5_000);
    const time2 = new ManualTime();
    time2.advanceTo(time.now());
    const lines = Array.from({ length: 24 }, () => new IrqRecorder());
    const copy = Hpet.fromState(structuredClone(hpet.state()), { time: time2, irqs: lines });
    expect(copy.state()).toEqual(hpet.state());
    expect(copy.read(HPET_COUNTER)).toBe(500);
    time2.advance(100_000);
    expect(lines[0].risingEdges).toBe(10);
  });

  it('survives any sequence of guest accesses with reads that fit in a dword', () => {
    const offsets = [
      0, 4, 0x10, 0x14, 0x20, 0xf0, 0xf4, 0x100, 0x104, 0x108, 0x10c, 0x110, 0x120, 0x128, 0x12c,
      0x140, 0x148, 0x160, 0x3fc,
    ];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        offset: fc.constantFrom(...offsets),
        value: fc.integer({ min: 0, max: 0xffffffff }),
      }),
      fc.record({
        kind: fc.constant('read' as const),
        offset: fc.constantFrom(...offsets),
        size: fc.constantFrom(1, 4, 8),
      }),
      fc.record({ kind: fc.constant('time' as const), ns: fc.integer({ min: 0, max: 50_000 }) }),
      fc.record({ kind: fc.constant('legacy' as const), rtc: fc.boolean(), level: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const { hpet, time } = setup();
        for (const o of ops) {
          switch (o.kind) {
            case 'write':
              hpet.write(o.offset, o.value);
              break;
            case 'read': {
              const v = hpet.read(o.offset, o.size);
              expect(Number.isInteger(v) && v >= 0 && v <= 0xffffffff).toBe(true);
              break;
            }
            case 'time':
              time.advance(o.ns);
              break;
            case 'legacy':
              (o.rtc ? hpet.legacyRtcIrq : hpet.legacyPitIrq).set(o.level);
          }
        }
        expect(Hpet.fromState(hpet.state(), { time }).state()).toEqual(hpet.state());
      }),
      { numRuns: 200 },
    );
  });
});
