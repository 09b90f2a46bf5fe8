import { MemoryCore } from '@tsemu/memory';
import { createBus, loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { formatInfoPciDevice } from './info-pci.js';
import { PCI_BUS, type PciBus } from './pci-bus.js';
import { parsePciAddr } from './pci-devfn-prop.js';
import {
  definePciDevice,
  PCI_BAR_UNMAPPED,
  PCI_DEVICE,
  PciDevice,
  pciDeviceStateFields,
} from './pci-device.js';
import {
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_ROM_SLOT,
} from './pci-regs.js';

/** A toy NIC: a 4 KiB memory BAR with a scratch register, a 32-byte I/O BAR, INTA#. */
class ToyNic extends PciDevice {
  scratch = 0;

  protected override pciRealize(): undefined {
    const { memory } = this.pciEnvironment;
    const regs = {
      read: (offset: number) => (offset === 0 ? this.scratch : 0x5a),
      write: (offset: number, value: number) => {
        if (offset === 0) this.scratch = value;
      },
    };
    this.registerBar(0, 0, memory.io('toy-mmio', 0x1000, regs));
    this.registerBar(1, PCI_BASE_ADDRESS_SPACE_IO, memory.io('toy-io', 0x20, regs));
    this.registerBar(
      2,
      PCI_BASE_ADDRESS_MEM_PREFETCH | PCI_BASE_ADDRESS_MEM_TYPE_64,
      memory.ram('toy-vram', 0x10000),
    );
    this.setInterruptPin(1);
    return undefined;
  }
}

const TOY_NIC = definePciDevice<ToyNic>({
  name: 'toy-nic',
  instance: ToyNic,
  pci: { vendorId: 0x1234, deviceId: 0x5678, classId: 0x0200, revision: 1 },
  state: { fields: pciDeviceStateFields<ToyNic>(), postLoad: (d) => d.pciPostLoad() },
});

/** Just a memory space, an I/O space, a PCI bus, and a recorder of its interrupt lines. */
function bus() {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([PCI_BUS, PCI_DEVICE, TOY_NIC]);
  const pci = createBus<PciBus>(registry, PCI_BUS, 'pci.0');
  pci.configure({ memory, memorySpace: system, ioSpace: io, dmaRoot: system });
  const lines: boolean[] = [false, false, false, false];
  pci.setIrqHandler((line, level) => {
    lines[line] = level;
  });
  const ram = memory.ram('ram', 0x10000);
  system.addSubregion(0, ram);
  return {
    registry,
    pci,
    lines,
    ram,
    mem: memory.addressSpace('memory', system),
    ports: memory.addressSpace('io', io),
    nic(addr?: string): ToyNic {
      const dev = registry.objectNew(TOY_NIC);
      if (addr !== undefined) unwrap(dev.setPropertyFromString('addr', addr));
      unwrap(dev.realize(pci));
      return dev;
    },
  };
}

describe('PCI BARs', () => {
  it('sizes a BAR by writing all ones, as firmware does', () => {
    const b = bus();
    const nic = b.nic('03.0');
    const devfn = nic.devfn;
    b.pci.configWrite(devfn, 0x10, 0xffffffff, 4);
    expect(b.pci.configRead(devfn, 0x10, 4)).toBe(0xfffff000); // 4 KiB, 32-bit memory
    b.pci.configWrite(devfn, 0x14, 0xffffffff, 4);
    expect(b.pci.configRead(devfn, 0x14, 4)).toBe(0xffffffe1); // 32 bytes of I/O
    b.pci.configWrite(devfn, 0x18, 0xffffffff, 4);
    b.pci.configWrite(devfn, 0x1c, 0xffffffff, 4);
    expect(b.pci.configRead(devfn, 0x18, 4)).toBe(0xffff000c); // 64 KiB, 64-bit, prefetchable
    expect(b.pci.configRead(devfn, 0x1c, 4)).toBe(0xffffffff);
    expect(b.pci.configRead(devfn, 0x20, 4)).toBe(0); // BAR4: not implemented
  });

  it('maps BARs only while the command register enables their space', () => {
    const b = bus();
    const nic = b.nic();
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x14, 0xc000, 4);
    b.mem.write(0xfebf0000, 4, 0x1234);
    expect(nic.scratch).toBe(0);
    expect(b.mem.read(0xfebf0004, 1)).toBe(0xff);
    b.pci.configWrite(nic.devfn, 0x04, 0x0002, 2); // memory space enable
    expect(b.mem.read(0xfebf0004, 1)).toBe(0x5a);
    b.mem.write(0xfebf0000, 4, 0x1234);
    expect(nic.scratch).toBe(0x1234);
    expect(b.ports.read(0xc004, 1)).toBe(0xff);
    b.pci.configWrite(nic.devfn, 0x04, 0x0003, 2); // and I/O
    expect(b.ports.read(0xc004, 1)).toBe(0x5a);
    b.pci.configWrite(nic.devfn, 0x04, 0x0001, 2);
    expect(b.mem.read(0xfebf0004, 1)).toBe(0xff);
    expect(nic.barAddress(0)).toBe(PCI_BAR_UNMAPPED);
  });

  it('relocates a BAR: the new address reaches the device, the old one does not', () => {
    const b = bus();
    const nic = b.nic();
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0002, 2);
    b.mem.write(0xfebf0000, 4, 7);
    b.pci.configWrite(nic.devfn, 0x10, 0xfe000000, 4);
    expect(nic.barAddress(0)).toBe(0xfe000000);
    b.mem.write(0xfebf0000, 4, 8);
    expect(nic.scratch).toBe(7);
    expect(b.mem.read(0xfebf0004, 1)).toBe(0xff);
    b.mem.write(0xfe000000, 4, 9);
    expect(nic.scratch).toBe(9);
    // The address is aligned down to the BAR's size.
    b.pci.configWrite(nic.devfn, 0x10, 0xfe000abc, 4);
    expect(b.pci.configRead(nic.devfn, 0x10, 4)).toBe(0xfe000000);
  });

  it('treats a BAR at 0 or one that wraps past 4 GiB as unmapped, as QEMU does', () => {
    const b = bus();
    const nic = b.nic();
    b.pci.configWrite(nic.devfn, 0x04, 0x0003, 2);
    expect(nic.barAddress(0)).toBe(PCI_BAR_UNMAPPED);
    b.pci.configWrite(nic.devfn, 0x10, 0xfffff000, 4);
    expect(nic.barAddress(0)).toBe(PCI_BAR_UNMAPPED);
    // A 64-bit BAR may go above 4 GiB.
    b.pci.configWrite(nic.devfn, 0x18, 0x00000000, 4);
    b.pci.configWrite(nic.devfn, 0x1c, 0x00000001, 4);
    expect(nic.barAddress(2)).toBe(2 ** 32);
    b.mem.write(2 ** 32 + 8, 1, 0x77);
    expect(b.mem.read(2 ** 32 + 8, 1)).toBe(0x77);
  });

  it('decodes an expansion ROM only with its enable bit and memory space on', () => {
    const b = bus();
    const nic = b.nic();
    nic.addOptionRom('toy.rom', Uint8Array.of(0x55, 0xaa, 0x04));
    b.pci.configWrite(nic.devfn, 0x30, 0xffffffff, 4);
    expect(b.pci.configRead(nic.devfn, 0x30, 4)).toBe(0xfffff801); // 2 KiB, enable bit writable
    b.pci.configWrite(nic.devfn, 0x30, 0xfeb00000, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0002, 2);
    expect(nic.barAddress(PCI_ROM_SLOT)).toBe(PCI_BAR_UNMAPPED);
    b.pci.configWrite(nic.devfn, 0x30, 0xfeb00001, 4);
    expect(b.mem.read(0xfeb00000, 2)).toBe(0xaa55);
  });

  it('returns to unmapped type bits on reset', () => {
    const b = bus();
    const nic = b.nic();
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0507, 2);
    b.pci.configWrite(nic.devfn, 0x3c, 11, 1);
    nic.reset();
    expect(b.pci.configRead(nic.devfn, 0x10, 4)).toBe(0);
    expect(b.pci.configRead(nic.devfn, 0x04, 2)).toBe(0);
    expect(b.pci.configRead(nic.devfn, 0x3c, 1)).toBe(0);
    expect(nic.barAddress(0)).toBe(PCI_BAR_UNMAPPED);
  });
});

describe('PCI functions on a bus', () => {
  it('takes the first free slot, or the one its addr property names', () => {
    const b = bus();
    expect(b.nic().devfn).toBe(0);
    expect(b.nic().devfn).toBe(8);
    expect(b.nic('05.0').pciAddress).toBe('05.0');
    const clash = b.registry.objectNew(TOY_NIC);
    unwrap(clash.setPropertyFromString('addr', '05'));
    expect(clash.realize(b.pci).ok).toBe(false);
  });

  it('refuses functions 1-7 behind a single-function function 0, as QEMU does', () => {
    const b = bus();
    b.nic('04.0');
    const f1 = b.registry.objectNew(TOY_NIC);
    unwrap(f1.setPropertyFromString('addr', '04.1'));
    const refused = f1.realize(b.pci);
    expect(refused.ok ? '' : refused.error.message).toBe(
      "PCI: single function device can't be populated in function 4.1",
    );
    const f0 = b.registry.objectNew(TOY_NIC);
    unwrap(f0.setPropertyFromString('addr', '06.0'));
    unwrap(f0.setPropertyFromString('multifunction', 'on'));
    unwrap(f0.realize(b.pci));
    expect(b.pci.configRead(f0.devfn, 0x0e, 1)).toBe(0x80);
    b.nic('06.2');
    expect(b.pci.configRead((6 << 3) | 2, 0x00, 4)).toBe(0x56781234);
  });

  it('parses QEMU PCI addresses', () => {
    expect(parsePciAddr('01.3')).toEqual({ ok: true, value: 0x0b });
    expect(parsePciAddr('1f')).toEqual({ ok: true, value: 0xf8 });
    expect(parsePciAddr('20.0').ok).toBe(false);
    expect(parsePciAddr('01.8').ok).toBe(false);
  });

  it('gives up its slot and BARs when unrealized', () => {
    const b = bus();
    const nic = b.nic('02.0');
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0002, 2);
    nic.unrealize();
    expect(b.pci.configRead(0x10, 0x00, 4)).toBe(0xffffffff);
    expect(b.mem.read(0xfebf0004, 1)).toBe(0xff);
  });
});

describe('PCI INTx', () => {
  it('drives the bus line its pin maps to, ORed between devices, and shows it in the status', () => {
    const b = bus();
    const a = b.nic('01.0'); // swizzle: INTA# of slot 1 -> line 1
    const c = b.nic('05.0'); // slot 5 -> line 1 too
    a.setIrq(1);
    expect(b.lines).toEqual([false, true, false, false]);
    expect(b.pci.configRead(a.devfn, 0x06, 2) & 0x08).toBe(0x08);
    c.setIrq(1);
    a.setIrq(0);
    expect(b.lines[1]).toBe(true);
    c.setIrq(0);
    expect(b.lines[1]).toBe(false);
    expect(b.pci.configRead(a.devfn, 0x06, 2) & 0x08).toBe(0);
  });

  it('holds the pin low while INTx is disabled in the command register', () => {
    const b = bus();
    const a = b.nic('01.0');
    a.setIrq(1);
    b.pci.configWrite(a.devfn, 0x04, 0x0400, 2);
    expect(b.lines[1]).toBe(false);
    expect(b.pci.configRead(a.devfn, 0x06, 2) & 0x08).toBe(0x08); // still pending in the status
    b.pci.configWrite(a.devfn, 0x04, 0x0000, 2);
    expect(b.lines[1]).toBe(true);
  });
});

describe('PCI bus mastering and state', () => {
  it('lets the device DMA only while bus mastering is enabled', () => {
    const b = bus();
    const nic = b.nic();
    const dma = nic.dmaSpace();
    dma.write(0x100, 4, 0xdeadbeef);
    expect(b.mem.read(0x100, 4)).toBe(0);
    b.pci.configWrite(nic.devfn, 0x04, 0x0004, 2);
    dma.write(0x100, 4, 0xdeadbeef);
    expect(b.mem.read(0x100, 4) >>> 0).toBe(0xdeadbeef);
  });

  it('saves and restores configuration space, remapping BARs', () => {
    const b = bus();
    const nic = b.nic();
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0002, 2);
    const saved = JSON.parse(JSON.stringify(saveDeviceState(nic)));
    b.pci.configWrite(nic.devfn, 0x04, 0x0000, 2);
    expect(nic.barAddress(0)).toBe(PCI_BAR_UNMAPPED);
    unwrap(loadDeviceState(nic, saved));
    expect(nic.barAddress(0)).toBe(0xfebf0000);
    expect(b.mem.read(0xfebf0004, 1)).toBe(0x5a);
  });

  it('prints BARs in `info pci` as QEMU does', () => {
    const b = bus();
    const nic = b.nic('03.0');
    b.pci.configWrite(nic.devfn, 0x10, 0xfebf0000, 4);
    b.pci.configWrite(nic.devfn, 0x14, 0xc040, 4);
    b.pci.configWrite(nic.devfn, 0x04, 0x0003, 2);
    b.pci.configWrite(nic.devfn, 0x3c, 11, 1);
    expect(formatInfoPciDevice(nic)).toBe(
      [
        '  Bus  0, device   3, function 0:',
        '    Ethernet controller: PCI device 1234:5678',
        '      PCI subsystem 1af4:1100',
        '      IRQ 11, pin A',
        '      BAR0: 32 bit memory at 0xfebf0000 [0xfebf0fff]',
        '      BAR1: I/O at 0xc040 [0xc05f]',
        '      BAR2: 64 bit prefetchable memory (not mapped)',
        '      id ""',
        '',
      ].join('\n'),
    );
  });
});
