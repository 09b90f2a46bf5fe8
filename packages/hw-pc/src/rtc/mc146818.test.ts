import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import {
  Mc146818,
  REG_A_UIP,
  REG_B_24H,
  REG_B_AIE,
  REG_B_DM_BINARY,
  REG_B_PIE,
  REG_B_SET,
  REG_B_UIE,
  REG_C_AF,
  REG_C_IRQF,
  REG_C_PF,
  REG_C_UF,
  RTC_CENTURY,
  RTC_DAY_OF_MONTH,
  RTC_DAY_OF_WEEK,
  RTC_HOURS,
  RTC_HOURS_ALARM,
  RTC_MINUTES,
  RTC_MINUTES_ALARM,
  RTC_MONTH,
  RTC_REG_A,
  RTC_REG_B,
  RTC_REG_C,
  RTC_REG_D,
  RTC_SECONDS,
  RTC_SECONDS_ALARM,
  RTC_YEAR,
} from './mc146818.js';

const MS = 1e6;
const S = 1e9;
/** Tuesday 2024-03-05 13:45:30 UTC. */
const BASE = Date.UTC(2024, 2, 5, 13, 45, 30);

function setup(baseTimeMs = BASE) {
  const time = new ManualTime();
  const irq8 = new IrqRecorder();
  const nmiMask = new IrqRecorder();
  const rtc = new Mc146818({ time, baseTimeMs, irq: irq8, nmiMask });
  /** CMOS_READ/CMOS_WRITE as Linux spells them: index to 0x70, data at 0x71. */
  const cmosRead = (index: number) => {
    rtc.write(0, index);
    return rtc.read(1);
  };
  const cmosWrite = (value: number, index: number) => {
    rtc.write(0, index);
    rtc.write(1, value);
  };
  return { time, irq8, nmiMask, rtc, cmosRead, cmosWrite };
}

describe('mc146818 RTC', () => {
  it('reads the base date in BCD, 24-hour, as the firmware expects', () => {
    const { cmosRead } = setup();
    expect(cmosRead(RTC_SECONDS)).toBe(0x30);
    expect(cmosRead(RTC_MINUTES)).toBe(0x45);
    expect(cmosRead(RTC_HOURS)).toBe(0x13);
    expect(cmosRead(RTC_DAY_OF_WEEK)).toBe(3); // Tuesday, Sunday = 1
    expect(cmosRead(RTC_DAY_OF_MONTH)).toBe(0x05);
    expect(cmosRead(RTC_MONTH)).toBe(0x03);
    expect(cmosRead(RTC_YEAR)).toBe(0x24);
    expect(cmosRead(RTC_CENTURY)).toBe(0x20);
    expect(cmosRead(RTC_REG_D)).toBe(0x80);
  });

  it('keeps time with the virtual clock', () => {
    const { time, cmosRead } = setup();
    time.advance(45 * S);
    expect(cmosRead(RTC_SECONDS)).toBe(0x15);
    expect(cmosRead(RTC_MINUTES)).toBe(0x46);
  });

  it('reads binary values and 12-hour time with the PM bit', () => {
    const { cmosRead, cmosWrite } = setup();
    cmosWrite(REG_B_DM_BINARY, RTC_REG_B); // binary, 12-hour
    expect(cmosRead(RTC_MINUTES)).toBe(45);
    expect(cmosRead(RTC_HOURS)).toBe(0x80 | 1);
  });

  it('sets the time while SET holds the clock, then runs from it', () => {
    const { time, cmosRead, cmosWrite } = setup();
    cmosWrite(REG_B_SET | REG_B_24H, RTC_REG_B);
    cmosWrite(0x59, RTC_SECONDS);
    cmosWrite(0x59, RTC_MINUTES);
    cmosWrite(0x23, RTC_HOURS);
    cmosWrite(0x31, RTC_DAY_OF_MONTH);
    cmosWrite(0x12, RTC_MONTH);
    cmosWrite(0x99, RTC_YEAR);
    cmosWrite(0x19, RTC_CENTURY);
    time.advance(5 * S);
    expect(cmosRead(RTC_SECONDS)).toBe(0x59); // held
    cmosWrite(REG_B_24H, RTC_REG_B);
    time.advance(S);
    expect(cmosRead(RTC_YEAR)).toBe(0x00);
    expect(cmosRead(RTC_CENTURY)).toBe(0x20);
    expect(cmosRead(RTC_MONTH)).toBe(0x01);
    expect(cmosRead(RTC_DAY_OF_MONTH)).toBe(0x01);
  });

  it('shows UIP only in the 244 µs before each update', () => {
    const { time, cmosRead } = setup();
    time.advance(S - 244_141);
    expect(cmosRead(RTC_REG_A) & REG_A_UIP).toBe(0);
    time.advance(2);
    expect(cmosRead(RTC_REG_A) & REG_A_UIP).toBe(REG_A_UIP);
    expect(cmosRead(RTC_SECONDS)).toBe(0x30); // not yet updated
    time.advance(244_140);
    expect(cmosRead(RTC_REG_A) & REG_A_UIP).toBe(0);
    expect(cmosRead(RTC_SECONDS)).toBe(0x31);
  });

  it('never shows UIP while SET holds the clock', () => {
    const { time, cmosRead, cmosWrite } = setup();
    cmosWrite(REG_B_SET | REG_B_24H, RTC_REG_B);
    time.advance(S - 1000);
    expect(cmosRead(RTC_REG_A) & REG_A_UIP).toBe(0);
  });

  it('raises IRQ8 at the end of each update when UIE is set, until register C is read', () => {
    const { time, irq8, cmosRead, cmosWrite } = setup();
    cmosWrite(REG_B_24H | REG_B_UIE, RTC_REG_B);
    time.advance(S - 1);
    expect(irq8.level).toBe(false);
    time.advance(1);
    expect(irq8.level).toBe(true);
    // PF is set too: the 1024 Hz periodic flag runs whether or not PIE enables it.
    expect(cmosRead(RTC_REG_C)).toBe(REG_C_IRQF | REG_C_PF | REG_C_UF);
    expect(irq8.level).toBe(false);
    expect(cmosRead(RTC_REG_C)).toBe(0); // cleared by the read
    time.advance(S);
    expect(irq8.risingEdges).toBe(2);
  });

  it('sets UF for a driver that polls register C without interrupts', () => {
    const { time, irq8, cmosRead } = setup();
    time.advance(1.5 * S);
    expect(cmosRead(RTC_REG_C) & ~REG_C_PF).toBe(REG_C_UF);
    expect(irq8.risingEdges).toBe(0);
  });

  it('raises IRQ8 at once when UIE is set while UF is already set', () => {
    const { time, irq8, cmosWrite } = setup();
    time.advance(1.5 * S);
    cmosWrite(REG_B_24H | REG_B_UIE, RTC_REG_B);
    expect(irq8.level).toBe(true);
  });

  it('raises periodic interrupts at the rate register A selects', () => {
    const { time, irq8, cmosRead, cmosWrite } = setup();
    cmosWrite(0x26, RTC_REG_A); // 1024 Hz
    cmosWrite(REG_B_24H | REG_B_PIE, RTC_REG_B);
    let ticks = 0;
    for (let i = 0; i < 1024; i++) {
      time.advance(976_563);
      if (irq8.level) {
        ticks++;
        expect(cmosRead(RTC_REG_C) & REG_C_PF).toBe(REG_C_PF);
      }
    }
    expect(ticks).toBe(1024);
  });

  it("raises the alarm interrupt when the time matches, with don't-care fields", () => {
    const { time, irq8, cmosRead, cmosWrite } = setup();
    cmosWrite(0x00, RTC_SECONDS_ALARM);
    cmosWrite(0xc0, RTC_MINUTES_ALARM); // any minute
    cmosWrite(0xc0, RTC_HOURS_ALARM); // any hour
    cmosWrite(REG_B_24H | REG_B_AIE, RTC_REG_B);
    time.advance(29 * S);
    expect(irq8.level).toBe(false);
    time.advance(S); // 13:46:00
    expect(irq8.level).toBe(true);
    expect(cmosRead(RTC_REG_C) & ~REG_C_PF).toBe(REG_C_IRQF | REG_C_AF | REG_C_UF);
    time.advance(59 * S);
    expect(irq8.level).toBe(false);
    time.advance(S); // 13:47:00
    expect(irq8.level).toBe(true);
  });

  it('holds the clock in divider reset and makes the first update half a second after', () => {
    const { time, cmosRead, cmosWrite } = setup();
    cmosWrite(0x66, RTC_REG_A); // divider reset
    time.advance(10 * S);
    expect(cmosRead(RTC_SECONDS)).toBe(0x30);
    cmosWrite(0x26, RTC_REG_A);
    time.advance(500 * MS - 1);
    expect(cmosRead(RTC_SECONDS)).toBe(0x30);
    time.advance(1);
    expect(cmosRead(RTC_SECONDS)).toBe(0x31);
  });

  it('masks NMI with bit 7 of the index port', () => {
    const { rtc, nmiMask } = setup();
    rtc.write(0, 0x80 | RTC_SECONDS);
    expect(nmiMask.level).toBe(true);
    expect(rtc.nmiDisabled).toBe(true);
    rtc.write(0, RTC_SECONDS);
    expect(nmiMask.level).toBe(false);
  });

  it('keeps the CMOS bytes the machine sets for the firmware', () => {
    const { rtc, cmosRead } = setup();
    rtc.setCmosByte(0x34, 0x00);
    rtc.setCmosByte(0x35, 0x07); // memory above 16 MB in 64 KB units
    rtc.setCmosByte(0x3d, 0x21); // boot order
    expect(cmosRead(0x35)).toBe(0x07);
    expect(cmosRead(0x3d)).toBe(0x21);
    expect(() => rtc.setCmosByte(RTC_REG_B, 0)).toThrow(/clock register/);
    expect(() => rtc.setCmosByte(128, 0)).toThrow();
  });

  it('restores a snapshot with the same time and a pending IRQ8', () => {
    const { time, rtc, cmosRead, cmosWrite } = setup();
    rtc.setCmosByte(0x40, 0x5a);
    cmosWrite(REG_B_24H | REG_B_UIE, RTC_REG_B);
    time.advance(1.25 * S);
    const time2 = new ManualTime();
    time2.advanceTo(time.now());
    const irq = new IrqRecorder();
    const copy = Mc146818.fromState(structuredClone(rtc.state()), {
      time: time2,
      baseTimeMs: 0,
      irq,
    });
    expect(copy.state()).toEqual(rtc.state());
    expect(irq.level).toBe(true);
    expect(copy.getCmosByte(RTC_SECONDS)).toBe(cmosRead(RTC_SECONDS));
    expect(copy.getCmosByte(0x40)).toBe(0x5a);
    copy.write(0, RTC_REG_C);
    copy.read(1);
    time2.advance(0.75 * S);
    expect(irq.risingEdges).toBe(2);
  });

  it('survives any sequence of guest accesses with byte-sized reads', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        index: fc.integer({ min: 0, max: 255 }),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('read' as const), index: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('time' as const), ns: fc.integer({ min: 0, max: 3 * S }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const { time, rtc } = setup();
        for (const o of ops) {
          switch (o.kind) {
            case 'write':
              rtc.write(0, o.index);
              rtc.write(1, o.value);
              break;
            case 'read': {
              rtc.write(0, o.index);
              const v = rtc.read(1);
              expect(Number.isInteger(v) && v >= 0 && v <= 0xff).toBe(true);
              expect(rtc.read(0)).toBe(0xff);
              break;
            }
            case 'time':
              time.advance(o.ns);
          }
        }
        expect(Number.isFinite(rtc.currentTimeMs())).toBe(true);
        const copy = Mc146818.fromState(rtc.state(), { time, baseTimeMs: 0 });
        expect(copy.state()).toEqual(rtc.state());
      }),
      { numRuns: 150 },
    );
  });
});
