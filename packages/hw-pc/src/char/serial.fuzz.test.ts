import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { CharRecorder } from './char-recorder.js';
import { Serial } from './serial.js';

/** One thing that can happen to a UART: a guest access or an event from outside. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), offset: fc.integer({ min: -2, max: 9 }) }),
  fc.record({
    kind: fc.constant('write' as const),
    offset: fc.integer({ min: -2, max: 9 }),
    value: fc.integer({ min: 0, max: 0xffff }),
  }),
  fc.record({
    kind: fc.constant('type' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ns: fc.integer({ min: 0, max: 5_000_000 }) }),
  fc.record({ kind: fc.constant('break' as const) }),
);

describe('16550A under random register traffic', () => {
  it('never throws, reads bytes, keeps IIR and the IRQ line in agreement, and snapshots faithfully', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const time = new ManualTime();
        const irq = new IrqRecorder();
        const chardev = new CharRecorder();
        const uart = new Serial({ time, irq, chardev });
        for (const s of steps) {
          if (s.kind === 'read') {
            const value = uart.read(s.offset);
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(0xff);
          } else if (s.kind === 'write') {
            uart.write(s.offset, s.value);
          } else if (s.kind === 'type') {
            chardev.type(s.bytes);
          } else if (s.kind === 'advance') {
            time.advance(s.ns);
          } else {
            chardev.signal('break');
          }
          const state = uart.state();
          expect(irq.level).toBe((state.iir & 0x01) === 0);
          expect(state.recvFifo.length).toBeLessThanOrEqual(16);
        }
        const saved = uart.state();
        const copy = Serial.fromState(saved, { time: new ManualTime(), irq: new IrqRecorder() });
        expect(copy.state()).toEqual(saved);
      }),
      { numRuns: 300 },
    );
  });
});
