import { MemoryCore } from '@tsemu/memory';
import { createBus, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { PCI_BUS, type PciBus } from '../pci/pci-bus.js';
import { PCI_DEVICE } from '../pci/pci-device.js';
import { ManualTime } from '../testing/manual-time.js';
import { TestConsole } from './testing/test-console.js';
import { ISA_VGA, type IsaVga } from './vga-isa.js';
import { PCI_VGA_QEXT_LITTLE_ENDIAN, VGA_PCI } from './vga-pci.js';

const LFB = 0xfd000000;
const MMIO = 0xfebf0000;

/** A PCI bus with a `VGA` on it, its BARs programmed as SeaBIOS would. */
function pciVga(options: { props?: Record<string, string>; rom?: Uint8Array } = {}) {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 32n);
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([PCI_BUS, PCI_DEVICE, VGA_PCI]);
  const pci = createBus<PciBus>(registry, PCI_BUS, 'pci.0');
  pci.configure({
    memory,
    memorySpace: system,
    ioSpace: io,
    dmaRoot: system,
    time: new ManualTime(),
  });
  const vga = registry.objectNew(VGA_PCI);
  for (const [k, v] of Object.entries(options.props ?? {})) unwrap(vga.setPropertyFromString(k, v));
  if (options.rom) vga.setOptionRom(options.rom);
  const console = new TestConsole();
  vga.attachConsole(console);
  unwrap(vga.realize(pci));
  const devfn = vga.devfn;
  pci.configWrite(devfn, 0x10, LFB, 4);
  pci.configWrite(devfn, 0x18, MMIO, 4);
  pci.configWrite(devfn, 0x04, 0x0003, 2);
  const mem = memory.addressSpace('memory', system);
  const ports = memory.addressSpace('io', io);
  return { registry, pci, vga, devfn, mem, ports, console, memory };
}

describe('VGA (PCI 1234:1111)', () => {
  it('identifies as QEMU standard VGA with a 16 MiB framebuffer BAR and a 4 KiB MMIO BAR', () => {
    const { pci, devfn } = pciVga();
    expect(pci.configRead(devfn, 0x00, 4)).toBe(0x11111234);
    expect(pci.configRead(devfn, 0x0a, 2)).toBe(0x0300);
    pci.configWrite(devfn, 0x10, 0xffffffff, 4);
    expect(pci.configRead(devfn, 0x10, 4)).toBe(0xff000008); // 16 MiB, prefetchable memory
    pci.configWrite(devfn, 0x18, 0xffffffff, 4);
    expect(pci.configRead(devfn, 0x18, 4)).toBe(0xfffff000); // 4 KiB memory
  });

  it('rounds vgamem_mb up to a power of two and leaves out the MMIO BAR with mmio=off', () => {
    const { pci, devfn, vga } = pciVga({ props: { vgamem_mb: '5', mmio: 'off' } });
    expect(vga.vga.core.vramSize).toBe(8 << 20);
    pci.configWrite(devfn, 0x10, 0xffffffff, 4);
    expect(pci.configRead(devfn, 0x10, 4)).toBe(0xff800008);
    pci.configWrite(devfn, 0x18, 0xffffffff, 4);
    expect(pci.configRead(devfn, 0x18, 4)).toBe(0);
  });

  it('sets a VBE mode through the MMIO BAR and draws what is written to the LFB BAR', () => {
    const { mem, vga, console } = pciVga();
    const dispi = (index: number, value: number) => mem.write(MMIO + 0x500 + index * 2, 2, value);
    // As Linux's bochs-drm: the screen on through the remapped 0x3c0, then the mode.
    mem.read(MMIO + 0x400 + 0x1a, 1);
    mem.write(MMIO + 0x400, 1, 0x20);
    expect(mem.read(MMIO + 0x600, 4)).toBe(8);
    expect(mem.read(MMIO + 0x604, 4)).toBe(PCI_VGA_QEXT_LITTLE_ENDIAN);
    expect(mem.read(MMIO + 0x500, 2)).toBe(0xb0c5);
    dispi(4, 0);
    dispi(3, 32);
    dispi(1, 800);
    dispi(2, 600);
    dispi(4, 0x41);
    expect(mem.read(MMIO + 0x500 + 2, 2)).toBe(800);
    mem.write(LFB + (599 * 800 + 799) * 4, 4, 0x00102030);
    vga.vga.renderer?.updateDisplay();
    expect([console.surface.width, console.surface.height]).toEqual([800, 600]);
    expect(console.rgb(799, 599)).toEqual([0x10, 0x20, 0x30]);
  });

  it('answers the VGA ports and the legacy window in the PCI spaces', () => {
    const { ports, mem, vga } = pciVga();
    ports.write(0x3c2, 1, 0x67);
    ports.write(0x3d4, 2, 0x550e);
    expect(ports.read(0x3d5, 1)).toBe(0x55);
    // The MMIO copy of 0x3c0-0x3df sees the same registers; a word write sets index and data.
    expect(mem.read(MMIO + 0x400 + 0x15, 1)).toBe(0x55);
    mem.write(MMIO + 0x400 + 0x14, 2, 0x660f);
    expect(ports.read(0x3d5, 1)).toBe(0x66);
    ports.write(0x1ce, 2, 0x0a);
    expect(ports.read(0x1cf, 2)).toBe(256);
    ports.write(0x3ce, 2, 0x0e06); // text window at 0xb8000
    ports.write(0x3ce, 2, 0x1005);
    ports.write(0x3c4, 2, 0x0302);
    mem.write(0xb8000, 2, 0x1f41);
    expect(vga.vga.vram.bytes[0]).toBe(0x41);
    expect(vga.vga.vram.bytes[1]).toBe(0x1f);
  });

  it('exposes the VGA BIOS through its expansion ROM BAR', () => {
    const rom = new Uint8Array(39936);
    rom.set([0x55, 0xaa, 39936 / 512]);
    const { pci, devfn, mem } = pciVga({ rom });
    pci.configWrite(devfn, 0x30, 0xffffffff, 4);
    expect(pci.configRead(devfn, 0x30, 4)).toBe(0xffff0001); // 64 KiB
    pci.configWrite(devfn, 0x30, 0xfeb00001, 4);
    expect(mem.read(0xfeb00000, 2)).toBe(0xaa55);
  });

  it('saves and restores its configuration and registers', () => {
    const a = pciVga();
    a.ports.write(0x3c2, 1, 0x67);
    a.ports.write(0x3d4, 2, 0x420e);
    const saved = saveDeviceState(a.vga);
    const b = pciVga();
    unwrap(loadDeviceState(b.vga, JSON.parse(JSON.stringify(saved))));
    expect(b.ports.read(0x3cc, 1)).toBe(0x67);
    b.ports.write(0x3d4, 1, 0x0e);
    expect(b.ports.read(0x3d5, 1)).toBe(0x42);
    expect(b.pci.configRead(b.devfn, 0x10, 4)).toBe((LFB | 8) >>> 0);
  });

  it('goes back to power-on registers on reset', () => {
    const { ports, vga } = pciVga();
    ports.write(0x3c2, 1, 0x67);
    vga.reset();
    expect(ports.read(0x3cc, 1)).toBe(0);
  });
});

describe('isa-vga', () => {
  it('maps ports, the legacy window and the LFB at 0xe0000000 from its environment', () => {
    const memory = new MemoryCore();
    const system = memory.container('system', 2n ** 32n);
    const io = memory.container('io', 0x10000);
    const registry = new TypeRegistry();
    registry.register(ISA_VGA);
    const vga = registry.objectNew(ISA_VGA) as IsaVga;
    vga.setEnvironment({ memory, time: new ManualTime(), io, system });
    unwrap(vga.realize());
    expect(vga.vga.core.vramSize).toBe(8 << 20);
    const mem = memory.addressSpace('memory', system);
    const ports = memory.addressSpace('io', io);
    ports.write(0x3c2, 1, 0xc3);
    expect(ports.read(0x3cc, 1)).toBe(0xc3);
    mem.write(0xe0000010, 4, 0xcafe);
    expect(vga.vga.vram.bytes[0x10]).toBe(0xfe);
    vga.unrealize();
    expect(ports.read(0x3cc, 1)).toBe(0xff);
    expect(mem.read(0xe0000010, 1)).toBe(0xff);
  });
});
