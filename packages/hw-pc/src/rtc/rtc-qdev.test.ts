import { MemoryCore } from '@tsemu/memory';
import { IrqLine, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import type { HwEnvironment } from '../intc/hw-environment.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import { ManualTime } from '../testing/manual-time.js';
import { MC146818_RTC } from './mc146818-qdev.js';

function machine() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const time = new ManualTime();
  const env: HwEnvironment = { memory, time, io };
  const registry = new TypeRegistry();
  registry.register(MC146818_RTC);
  const rtc = registry.objectNew(MC146818_RTC);
  unwrap(rtc.setPropertyFromString('base-time-ms', String(Date.UTC(2030, 5, 15, 8, 0, 0))));
  rtc.setEnvironment(env);
  unwrap(rtc.realize());
  const irq8 = new IrqRecorder();
  rtc.irq.connect(new IrqLine((level) => irq8.set(level !== 0)));
  const ports = memory.addressSpace('io', io);
  const cmos = (index: number) => {
    ports.write(0x70, 1, index);
    return ports.read(0x71, 1);
  };
  return { time, rtc, irq8, ports, cmos };
}

describe('mc146818rtc qdev', () => {
  it('reads the date set by base-time-ms through ports 0x70/0x71', () => {
    const m = machine();
    expect(m.cmos(0x09)).toBe(0x30);
    expect(m.cmos(0x32)).toBe(0x20);
    expect(m.cmos(0x04)).toBe(0x08);
  });

  it('raises IRQ8 on the update-ended interrupt', () => {
    const m = machine();
    m.ports.write(0x70, 1, 0x0b);
    m.ports.write(0x71, 1, 0x12);
    m.time.advance(1e9);
    expect(m.irq8.level).toBe(true);
    expect(m.cmos(0x0c) & 0x90).toBe(0x90);
    expect(m.irq8.level).toBe(false);
  });

  it('carries its CMOS contents across a save and load', () => {
    const m = machine();
    m.rtc.rtc.setCmosByte(0x5f, 0x01); // SeaBIOS: number of CPUs - 1
    const saved = JSON.parse(JSON.stringify(saveDeviceState(m.rtc)));
    const m2 = machine();
    unwrap(loadDeviceState(m2.rtc, saved));
    expect(m2.cmos(0x5f)).toBe(0x01);
  });
});
