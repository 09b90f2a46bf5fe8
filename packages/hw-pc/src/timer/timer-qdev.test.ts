import { MemoryCore } from '@tsemu/memory';
import { IrqLine, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import type { HwEnvironment } from '../intc/hw-environment.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { HPET } from './hpet-qdev.js';
import { ISA_PCSPK, ISA_PIT } from './i8254-qdev.js';

/** A machine of just an I/O space, a memory space, the timers and recorders on their lines. */
function machine() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const system = memory.container('system', 2 ** 32);
  const time = new ManualTime();
  const env: HwEnvironment = { memory, time, io, system };
  const registry = new TypeRegistry();
  registry.registerAll([ISA_PIT, ISA_PCSPK, HPET]);
  const pit = registry.objectNew(ISA_PIT);
  pit.setEnvironment(env);
  unwrap(pit.realize());
  const pcspk = registry.objectNew(ISA_PCSPK);
  unwrap(pcspk.setProperty('pit', pit));
  pcspk.setEnvironment(env);
  unwrap(pcspk.realize());
  const hpet = registry.objectNew(HPET);
  hpet.setEnvironment(env);
  unwrap(hpet.realize());
  // QEMU's pc wiring: PIT -> HPET legacy input -> GSI 0; HPET pit-enabled -> PIT irq-control.
  pit.irq.connect(hpet.getGpioIn('legacy', 0));
  hpet.pitEnabled.connect(pit.getGpioIn('irq-control'));
  const irq0 = new IrqRecorder();
  hpet.irqs[0].connect(new IrqLine((level) => irq0.set(level !== 0)));
  return {
    time,
    pit,
    hpet,
    irq0,
    ports: memory.addressSpace('io', io),
    mem: memory.addressSpace('memory', system),
  };
}

describe('isa-pit, isa-pcspk and hpet qdev', () => {
  it('runs the PIT calibration loop through the I/O space', () => {
    const m = machine();
    m.ports.write(0x61, 1, (m.ports.read(0x61, 1) & ~0x02) | 0x01);
    m.ports.write(0x43, 1, 0xb0);
    m.ports.write(0x42, 1, 0x9b);
    m.ports.write(0x42, 1, 0x2e); // 11931: 10 ms
    m.time.advance(9_990_000);
    expect(m.ports.read(0x61, 1) & 0x20).toBe(0);
    m.time.advance(10_000);
    expect(m.ports.read(0x61, 1) & 0x20).toBe(0x20);
  });

  it('ticks IRQ0 from the PIT until the HPET takes over in legacy mode', () => {
    const m = machine();
    m.ports.write(0x43, 1, 0x34);
    m.ports.write(0x40, 1, 1193 & 0xff);
    m.ports.write(0x40, 1, 1193 >> 8);
    m.time.advance(10_000_000);
    expect(m.irq0.risingEdges).toBeGreaterThanOrEqual(10);
    const before = m.irq0.risingEdges;
    m.mem.write(0xfed00010, 4, 0x2); // legacy replacement, counter stopped
    m.time.advance(10_000_000);
    expect(m.irq0.risingEdges).toBe(before);
  });

  it('splits a 64-bit HPET counter read into dwords', () => {
    const m = machine();
    m.mem.write(0xfed000f0, 4, 0xfffffff0);
    m.mem.write(0xfed000f4, 4, 0x7);
    const result = { low: 0, high: 0 };
    m.mem.read64(0xfed000f0, result);
    expect(result).toEqual({ low: 0xfffffff0, high: 0x7 });
  });

  it('saves and loads the PIT state as JSON', () => {
    const m = machine();
    m.ports.write(0x43, 1, 0x34);
    m.ports.write(0x40, 1, 0x00);
    m.ports.write(0x40, 1, 0x10);
    m.time.advance(1_000_000);
    const saved = JSON.parse(JSON.stringify(saveDeviceState(m.pit)));
    const m2 = machine();
    m2.time.advanceTo(m.time.now());
    unwrap(loadDeviceState(m2.pit, saved));
    m.ports.write(0x43, 1, 0x00);
    m2.ports.write(0x43, 1, 0x00);
    expect(m2.ports.read(0x40, 1)).toBe(m.ports.read(0x40, 1));
    expect(m2.ports.read(0x40, 1)).toBe(m.ports.read(0x40, 1));
    expect(JSON.parse(JSON.stringify(saveDeviceState(m.hpet)))).toEqual(
      JSON.parse(JSON.stringify(saveDeviceState(m2.hpet))),
    );
  });
});
