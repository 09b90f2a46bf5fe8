import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { I8042 } from './i8042.js';
import { I8042_CTR_AUXINT, I8042_CTR_KBDDIS, I8042_CTR_KBDINT } from './i8042-registers.js';
import { PS2Keyboard } from './ps2-keyboard.js';
import { QKEYCODES } from './qkeycode.js';

const step = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), offset: fc.constantFrom(0, 4, 0, 4, 1, 7) }),
  fc.record({
    kind: fc.constant('write' as const),
    offset: fc.constantFrom(0, 4, 0, 4, 2),
    value: fc.integer({ min: 0, max: 0x1ff }),
  }),
  fc.record({
    kind: fc.constant('key' as const),
    key: fc.constantFrom(...QKEYCODES),
    down: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('mouse' as const),
    dx: fc.integer({ min: -600, max: 600 }),
    dy: fc.integer({ min: -600, max: 600 }),
    dz: fc.integer({ min: -20, max: 20 }),
    buttons: fc.integer({ min: 0, max: 31 }),
  }),
  fc.record({
    kind: fc.constant('advance' as const),
    ns: fc.integer({ min: 0, max: 2_000_000_000 }),
  }),
);

describe('i8042 under random port traffic and input', () => {
  it('never throws, reads bytes, drives the IRQ lines as its state says, and snapshots faithfully', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const time = new ManualTime();
        const kbdIrq = new IrqRecorder();
        const mouseIrq = new IrqRecorder();
        const kbc = new I8042({
          kbdIrq,
          mouseIrq,
          keyboard: new PS2Keyboard({ typematicTime: time }),
        });
        for (const s of steps) {
          if (s.kind === 'read') {
            const value = kbc.read(s.offset);
            expect(value >= 0 && value <= 0xff).toBe(true);
          } else if (s.kind === 'write') {
            kbc.write(s.offset, s.value);
          } else if (s.kind === 'key') {
            if (s.down) kbc.keyboard.keyDown(s.key);
            else kbc.keyboard.keyUp(s.key);
          } else if (s.kind === 'mouse') {
            kbc.mouse.mouseEvent(s.dx, s.dy, s.dz, s.buttons);
          } else {
            time.advance(s.ns);
          }
          const state = kbc.state();
          const ctr = state.ram[0];
          const kbdExpected =
            state.outputFull &&
            !state.outputFromAux &&
            (ctr & I8042_CTR_KBDINT) !== 0 &&
            !(ctr & I8042_CTR_KBDDIS);
          expect(kbdIrq.level).toBe(kbdExpected);
          expect(mouseIrq.level).toBe(
            state.outputFull && state.outputFromAux && (ctr & I8042_CTR_AUXINT) !== 0,
          );
        }
        const saved = kbc.state();
        const copy = I8042.fromState(saved, {
          keyboard: new PS2Keyboard({ typematicTime: new ManualTime() }),
        });
        expect(copy.state()).toEqual(saved);
      }),
      { numRuns: 300 },
    );
  });
});
