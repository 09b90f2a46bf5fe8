import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { I8254, PIT_FREQUENCY_HZ } from './i8254.js';
import { SystemControlPortB } from './port61.js';

/** A PIT and port 0x61 reached through the PC's port numbers. */
function setup() {
  const time = new ManualTime();
  const irq0 = new IrqRecorder();
  const pit = new I8254({ time, irq: irq0 });
  const portB = new SystemControlPortB(pit);
  const outb = (value: number, port: number) => {
    if (port === 0x61) portB.write(0, value);
    else pit.write(port - 0x40, value);
  };
  const inb = (port: number) => (port === 0x61 ? portB.read(0) : pit.read(port - 0x40));
  return { time, irq0, pit, portB, outb, inb };
}

/** Virtual ns for `ticks` PIT input clocks. */
const ns = (ticks: number) => Math.ceil((ticks * 1e9) / PIT_FREQUENCY_HZ);

describe('i8254 PIT', () => {
  it("times 10 ms on counter 2 through port 0x61 as Linux's pit_calibrate_tsc does", () => {
    const { time, inb, outb } = setup();
    const latch = Math.floor(PIT_FREQUENCY_HZ / (1000 / 10)); // 11931
    // Set the gate high, disable the speaker.
    outb((inb(0x61) & ~0x02) | 0x01, 0x61);
    // Counter 2, mode 0 (one-shot), binary count, LSB then MSB.
    outb(0xb0, 0x43);
    outb(latch & 0xff, 0x42);
    outb(latch >> 8, 0x42);
    let polls = 0;
    while ((inb(0x61) & 0x20) === 0) {
      time.advance(1000); // the CPU runs 1 µs between polls
      polls++;
      expect(polls).toBeLessThan(20_000);
    }
    expect(time.now()).toBeGreaterThanOrEqual(ns(latch));
    expect(time.now()).toBeLessThan(ns(latch) + 1000);
  });

  it('counts counter 2 down in mode 0 so that the MSB can be watched (pit_expect_msb)', () => {
    const { time, inb, outb } = setup();
    outb((inb(0x61) & ~0x02) | 0x01, 0x61);
    outb(0xb0, 0x43);
    outb(0xff, 0x42);
    outb(0xff, 0x42);
    inb(0x42);
    expect(inb(0x42)).toBe(0xff);
    time.advance(ns(256 * 10));
    inb(0x42);
    expect(inb(0x42)).toBe(0xff - 10);
  });

  it('holds counter 2 while its gate is low in mode 0', () => {
    const { time, pit, outb } = setup();
    outb(0x00, 0x61); // gate low
    outb(0xb0, 0x43);
    outb(100, 0x42);
    outb(0, 0x42);
    time.advance(ns(500));
    expect(pit.getOut(2)).toBe(false);
    outb(0x01, 0x61);
    time.advance(ns(99));
    expect(pit.getOut(2)).toBe(false);
    time.advance(ns(1));
    expect(pit.getOut(2)).toBe(true);
  });

  it('toggles the refresh bit of port 0x61 on every read', () => {
    const { inb } = setup();
    const a = inb(0x61) & 0x10;
    const b = inb(0x61) & 0x10;
    expect(a ^ b).toBe(0x10);
  });

  it('ticks IRQ0 at HZ in mode 2 (rate generator), the way Linux programs it', () => {
    const { time, irq0, outb } = setup();
    const latch = Math.round(PIT_FREQUENCY_HZ / 100);
    outb(0x34, 0x43); // counter 0, LSB/MSB, mode 2
    outb(latch & 0xff, 0x40);
    outb(latch >> 8, 0x40);
    expect(irq0.level).toBe(true);
    time.advance(1e9);
    expect(irq0.risingEdges).toBe(100);
  });

  it('drops OUT for exactly one clock per period in mode 2', () => {
    const { time, pit, outb } = setup();
    outb(0x34, 0x43);
    outb(10, 0x40);
    outb(0, 0x40);
    time.advance(ns(8));
    expect(pit.getOut(0)).toBe(true);
    time.advance(ns(9) - ns(8));
    expect(pit.getOut(0)).toBe(false);
    time.advance(ns(10) - ns(9));
    expect(pit.getOut(0)).toBe(true);
  });

  it('makes a square wave on IRQ0 in mode 3 with the programmed period', () => {
    const { time, irq0, pit, outb } = setup();
    outb(0x36, 0x43); // counter 0, LSB/MSB, mode 3
    outb(0x00, 0x40);
    outb(0x10, 0x40); // 4096
    const edgesAtLoad = irq0.risingEdges; // the control word set OUT high
    time.advance(ns(2047));
    expect(pit.getOut(0)).toBe(true);
    time.advance(ns(2048) - ns(2047));
    expect(pit.getOut(0)).toBe(false);
    time.advance(ns(4096 * 10) - ns(2048));
    expect(irq0.risingEdges - edgesAtLoad).toBe(10);
  });

  it('raises IRQ0 once at terminal count in mode 0', () => {
    const { time, irq0, outb } = setup();
    outb(0x30, 0x43);
    outb(0xe8, 0x40);
    outb(0x03, 0x40); // 1000
    time.advance(ns(999));
    expect(irq0.level).toBe(false);
    time.advance(ns(1000) - ns(999));
    expect(irq0.level).toBe(true);
    time.advance(ns(200_000));
    expect(irq0.risingEdges).toBe(1);
  });

  it('freezes the count with a latch command until it is read', () => {
    const { time, inb, outb } = setup();
    outb(0x34, 0x43);
    outb(0x00, 0x40);
    outb(0x00, 0x40); // 65536
    time.advance(ns(1000));
    outb(0x00, 0x43); // latch counter 0
    time.advance(ns(5000));
    const latched = inb(0x40) | (inb(0x40) << 8);
    expect(latched).toBe(65536 - 1000);
    const live = inb(0x40) | (inb(0x40) << 8);
    expect(live).toBe(65536 - 6000);
  });

  it('returns the status byte after a read-back command', () => {
    const { inb, outb } = setup();
    outb(0xb6, 0x43); // counter 2, LSB/MSB, mode 3, binary
    outb(0xe8, 0x43); // read back status of counter 2
    expect(inb(0x42)).toBe(0x40 | 0x80 | 0x36); // null count, OUT high, access 3, mode 3
    outb(0x00, 0x42);
    outb(0x10, 0x42);
    outb(0xe8, 0x43);
    expect(inb(0x42) & 0x40).toBe(0); // the count is loaded
  });

  it('latches count and status together with one read-back command', () => {
    const { time, inb, outb } = setup();
    outb(0x30, 0x43);
    outb(0x10, 0x40);
    outb(0x00, 0x40);
    time.advance(ns(4));
    outb(0xc2, 0x43); // latch count and status of counter 0
    expect(inb(0x40)).toBe(0x30); // status first: OUT low, access 3, mode 0
    expect(inb(0x40)).toBe(0x0c);
    expect(inb(0x40)).toBe(0x00);
  });

  it('counts in BCD when asked', () => {
    const { time, inb, outb } = setup();
    outb(0x31, 0x43); // counter 0, LSB/MSB, mode 0, BCD
    outb(0x00, 0x40);
    outb(0x10, 0x40); // 1000 decimal
    time.advance(ns(1));
    expect(inb(0x40)).toBe(0x99);
    expect(inb(0x40)).toBe(0x09);
  });

  it('logs a count that is not BCD in BCD mode under guest_errors', () => {
    const lines: string[] = [];
    const log = {
      enabled: () => true,
      write: (item: string, text: string) => lines.push(`${item}: ${text}`),
    };
    const pit = new I8254({ time: new ManualTime(), log });
    pit.write(3, 0x31);
    pit.write(0, 0xff);
    pit.write(0, 0x00);
    expect(lines).toEqual(['guest_errors: i8254: counter 0: count 0xff is not BCD\n']);
  });

  it('loads and reads one byte in LSB-only access', () => {
    const { time, inb, outb } = setup();
    outb(0x10, 0x43); // counter 0, LSB only, mode 0
    outb(200, 0x40);
    time.advance(ns(50));
    expect(inb(0x40)).toBe(150);
    expect(inb(0x40)).toBe(150);
  });

  it('starts a mode 1 one-shot on the gate rising edge', () => {
    const { time, pit, outb } = setup();
    outb(0x00, 0x61);
    outb(0xb2, 0x43); // counter 2, LSB/MSB, mode 1
    outb(100, 0x42);
    outb(0, 0x42);
    time.advance(ns(500));
    expect(pit.getOut(2)).toBe(true); // waiting for the trigger
    outb(0x01, 0x61);
    expect(pit.getOut(2)).toBe(false);
    time.advance(ns(100));
    expect(pit.getOut(2)).toBe(true);
  });

  it('strobes OUT low for one clock in mode 4', () => {
    const { time, irq0, outb } = setup();
    outb(0x38, 0x43); // counter 0, LSB/MSB, mode 4
    outb(50, 0x40);
    outb(0, 0x40);
    expect(irq0.level).toBe(true);
    time.advance(ns(50));
    expect(irq0.level).toBe(false);
    time.advance(ns(51) - ns(50));
    expect(irq0.level).toBe(true);
  });

  it('strobes OUT low for one clock after a gate trigger in mode 5', () => {
    const { time, pit, outb } = setup();
    outb(0x00, 0x61);
    outb(0xba, 0x43); // counter 2, LSB/MSB, mode 5
    outb(20, 0x42);
    outb(0, 0x42);
    time.advance(ns(100));
    expect(pit.getOut(2)).toBe(true); // no trigger yet
    outb(0x01, 0x61);
    time.advance(ns(20));
    expect(pit.getOut(2)).toBe(false);
    time.advance(ns(21) - ns(20));
    expect(pit.getOut(2)).toBe(true);
  });

  it('loads and reads the high byte only in MSB access', () => {
    const { time, inb, outb } = setup();
    outb(0x20, 0x43); // counter 0, MSB only, mode 0
    outb(0x02, 0x40); // 0x200
    time.advance(ns(0x100));
    expect(inb(0x40)).toBe(0x01);
  });

  it('stops driving IRQ0 while the HPET has taken over (irq disabled)', () => {
    const { time, irq0, pit, outb } = setup();
    outb(0x34, 0x43);
    outb(100, 0x40);
    outb(0, 0x40);
    pit.setIrqEnabled(false);
    const edges = irq0.risingEdges;
    time.advance(ns(1000));
    expect(irq0.risingEdges).toBe(edges);
  });

  it('restores a snapshot that keeps counting and ticking IRQ0', () => {
    const { time, pit, outb } = setup();
    outb(0x34, 0x43);
    outb(0x9c, 0x40);
    outb(0x2e, 0x40);
    outb(0xb0, 0x43);
    outb(0x34, 0x42);
    time.advance(ns(300));
    const time2 = new ManualTime();
    time2.advanceTo(time.now());
    const irq = new IrqRecorder();
    const copy = I8254.fromState(structuredClone(pit.state()), { time: time2, irq });
    expect(copy.state()).toEqual(pit.state());
    expect(irq.level).toBe(true);
    expect(copy.read(0)).toBe(pit.read(0));
    time2.advance(1e8);
    expect(irq.risingEdges).toBe(11);
  });

  it('survives any sequence of guest accesses with byte-sized reads', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        offset: fc.integer({ min: 0, max: 4 }),
        value: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('read' as const), offset: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('portb' as const), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('time' as const), ns: fc.integer({ min: 0, max: 20_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const { time, pit, portB } = setup();
        for (const o of ops) {
          switch (o.kind) {
            case 'write':
              pit.write(o.offset, o.value);
              break;
            case 'read': {
              const v = pit.read(o.offset);
              expect(v >= 0 && v <= 0xff).toBe(true);
              break;
            }
            case 'portb': {
              portB.write(0, o.value);
              const v = portB.read(0);
              expect(v >= 0 && v <= 0xff).toBe(true);
              break;
            }
            case 'time':
              time.advance(o.ns);
          }
        }
        const copy = I8254.fromState(pit.state(), { time });
        expect(copy.state()).toEqual(pit.state());
      }),
      { numRuns: 200 },
    );
  });
});
