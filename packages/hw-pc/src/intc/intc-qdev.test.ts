import { MemoryCore } from '@tsemu/memory';
import { IrqLine, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { ApicBus } from './apic-bus.js';
import type { HwEnvironment } from './hw-environment.js';
import { ISA_I8259, i8259ExtIntSource } from './i8259-qdev.js';
import { IOAPIC } from './ioapic-qdev.js';
import { LOCAL_APIC } from './local-apic-qdev.js';

/** A machine of just an I/O space, a memory space, and the devices under test. */
function machine() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const system = memory.container('system', 2 ** 32);
  const time = new ManualTime();
  const apicBus = new ApicBus();
  const env: HwEnvironment = { memory, time, io, system, apicBus };
  const registry = new TypeRegistry();
  registry.registerAll([ISA_I8259, IOAPIC, LOCAL_APIC]);
  return {
    env,
    registry,
    ioSpace: memory.addressSpace('io', io),
    memorySpace: memory.addressSpace('memory', system),
    time,
  };
}

function pics(m: ReturnType<typeof machine>) {
  const master = m.registry.objectNew(ISA_I8259);
  unwrap(master.setProperty('master', true));
  const slave = m.registry.objectNew(ISA_I8259);
  unwrap(slave.setProperty('iobase', 0xa0));
  unwrap(slave.setProperty('elcr-addr', 0x4d1));
  for (const dev of [master, slave]) {
    dev.setEnvironment(m.env);
    unwrap(dev.realize());
  }
  slave.int.connect(master.getGpioIn('irq', 2));
  return { master, slave };
}

describe('isa-i8259 qdev', () => {
  it('answers on its ports and raises int for an IRQ input', () => {
    const m = machine();
    const { master, slave } = pics(m);
    const intr = new IrqRecorder();
    master.int.connect(new IrqLine((level) => intr.set(level !== 0)));
    for (const [base, vectors, cascade] of [
      [0x20, 0x30, 4],
      [0xa0, 0x38, 2],
    ]) {
      m.ioSpace.write(base, 1, 0x11);
      m.ioSpace.write(base + 1, 1, vectors);
      m.ioSpace.write(base + 1, 1, cascade);
      m.ioSpace.write(base + 1, 1, 1);
    }
    m.ioSpace.write(0x4d1, 1, 0x08);
    expect(m.ioSpace.read(0x4d1, 1)).toBe(0x08);
    slave.getGpioIn('irq', 3).set(1); // IRQ11
    expect(intr.level).toBe(true);
    expect(i8259ExtIntSource(master, slave).acknowledge()).toBe(0x3b);
  });

  it('saves and loads its state through the device state description', () => {
    const m = machine();
    const { master } = pics(m);
    m.ioSpace.write(0x20, 1, 0x11);
    m.ioSpace.write(0x21, 1, 0x30);
    m.ioSpace.write(0x21, 1, 0x04);
    m.ioSpace.write(0x21, 1, 0x01);
    m.ioSpace.write(0x21, 1, 0xf0);
    const saved = JSON.parse(JSON.stringify(saveDeviceState(master)));
    const m2 = machine();
    const copy = pics(m2).master;
    unwrap(loadDeviceState(copy, saved));
    expect(m2.ioSpace.read(0x21, 1)).toBe(0xf0);
    expect(copy.pic.info()).toBe(master.pic.info());
  });
});

describe('ioapic and apic qdev', () => {
  it('routes a GSI through the IOAPIC page to the local APIC page', () => {
    const m = machine();
    const apic = m.registry.objectNew(LOCAL_APIC);
    apic.setEnvironment(m.env);
    unwrap(apic.realize());
    const ioapic = m.registry.objectNew(IOAPIC);
    ioapic.setEnvironment(m.env);
    unwrap(ioapic.realize());
    m.memorySpace.write(0xfee000f0, 4, 0x1ff); // SVR: enable
    m.memorySpace.write(0xfec00000, 4, 0x10 + 2 * 9);
    m.memorySpace.write(0xfec00010, 4, 0x49 | (1 << 15)); // GSI 9 (SCI): level, vector 0x49
    expect(m.memorySpace.read(0xfec00010, 4)).toBe(0x8049);
    ioapic.getGpioIn('irq', 9).set(1);
    expect(apic.apic.acknowledge()).toBe(0x49);
    ioapic.getGpioIn('irq', 9).set(0); // the handler quietened the device
    m.memorySpace.write(0xfee000b0, 4, 0); // EOI
    m.memorySpace.write(0xfec00000, 4, 0x10 + 2 * 9);
    expect(m.memorySpace.read(0xfec00010, 4) & (1 << 14)).toBe(0); // remote IRR cleared
  });

  it('moves the local APIC page when IA32_APIC_BASE moves it', () => {
    const m = machine();
    const apic = m.registry.objectNew(LOCAL_APIC);
    apic.setEnvironment(m.env);
    unwrap(apic.realize());
    expect(apic.writeBaseMsr(0xfed00000 + 0x900)).toBe(true);
    expect(m.memorySpace.read(0xfed00030, 4)).toBe(0x00050014);
    expect(m.memorySpace.read(0xfee00030, 4)).toBe(0xffffffff); // nothing there any more
  });

  it('restores the local APIC state through the device state description', () => {
    const m = machine();
    const apic = m.registry.objectNew(LOCAL_APIC);
    apic.setEnvironment(m.env);
    unwrap(apic.realize());
    m.memorySpace.write(0xfee000f0, 4, 0x1ff);
    m.memorySpace.write(0xfee00080, 4, 0x40); // TPR
    const saved = JSON.parse(JSON.stringify(saveDeviceState(apic)));
    const m2 = machine();
    const copy = m2.registry.objectNew(LOCAL_APIC);
    copy.setEnvironment(m2.env);
    unwrap(copy.realize());
    unwrap(loadDeviceState(copy, saved));
    expect(m2.memorySpace.read(0xfee00080, 4)).toBe(0x40);
  });

  it('refuses to realize without an environment', () => {
    const m = machine();
    const ioapic = m.registry.objectNew(IOAPIC);
    const result = ioapic.realize();
    expect(result.ok).toBe(false);
  });
});
