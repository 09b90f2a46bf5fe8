import { MemoryCore } from '@tsemu/memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FwCfg } from './fw-cfg.js';
import { FW_CFG_INVALID } from './fw-cfg-keys.js';

const step = fc.oneof(
  fc.record({ kind: fc.constant('select' as const), key: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('read' as const), size: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('write' as const), value: fc.integer({ min: 0, max: 0xff }) }),
  fc.record({
    kind: fc.constant('dma-reg' as const),
    offset: fc.integer({ min: 0, max: 8 }),
    size: fc.constantFrom(1, 2, 4, 8),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({
    kind: fc.constant('dma' as const),
    control: fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0, max: 0xffffffff })),
    length: fc.oneof(fc.integer({ min: 0, max: 0x3000 }), fc.constantFrom(0xffffffff, 0x7fffffff)),
    address: fc.oneof(
      fc.integer({ min: 0, max: 0x1fffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
    descriptorAt: fc.oneof(
      fc.integer({ min: 0, max: 0x1ffff0 }),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
  }),
);

describe('fw_cfg under random guest traffic', () => {
  it('never throws or hangs, and keeps its selection and offset in range', () => {
    const memory = new MemoryCore();
    const system = memory.container('system', 2n ** 64n);
    const ram = memory.ram('ram', 0x200000);
    system.addSubregion(0, ram);
    const dma = memory.addressSpace('memory', system);
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const fwCfg = new FwCfg({ dma });
        fwCfg.addFile('etc/a', new Uint8Array(100).fill(1));
        fwCfg.addFile('etc/w', new Uint8Array(16), { allowWrite: true });
        fwCfg.reset();
        for (const s of steps) {
          if (s.kind === 'select') fwCfg.select(s.key);
          else if (s.kind === 'read') {
            const v = fwCfg.readData(s.size);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThan(2 ** (8 * s.size));
          } else if (s.kind === 'write') fwCfg.writeData(s.value);
          else if (s.kind === 'dma-reg') fwCfg.writeDmaRegister(s.offset, s.value, s.size);
          else {
            if (s.descriptorAt + 16 <= 0x200000) {
              const d = new DataView(ram.bytes.buffer, s.descriptorAt, 16);
              d.setUint32(0, s.control);
              d.setUint32(4, s.length);
              d.setUint32(8, 0);
              d.setUint32(12, s.address);
            }
            fwCfg.dmaAddress = s.descriptorAt;
            fwCfg.dmaTransfer();
          }
          const state = fwCfg.state();
          expect(state.curEntry === FW_CFG_INVALID || state.curEntry <= 0xffff).toBe(true);
          expect(state.curOffset).toBeGreaterThanOrEqual(0);
          expect(state.curOffset).toBeLessThan(2 ** 32);
        }
      }),
      { numRuns: 300 },
    );
  });
});
