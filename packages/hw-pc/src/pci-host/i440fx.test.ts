import { MemoryCore } from '@tsemu/memory';
import { createRoot, deviceAdd, loadDeviceState, saveDeviceState, TypeRegistry } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { formatInfoPci, formatInfoPciDevice } from '../pci/info-pci.js';
import { definePciDevice, PciDevice } from '../pci/pci-device.js';
import { ManualTime } from '../testing/manual-time.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from './i440fx-piix.js';

const KiB = 1024;

/** A user-creatable PCI function for `-device`. */
const PCI_TESTDEV = definePciDevice({
  name: 'pci-testdev',
  instance: class extends PciDevice {},
  desc: 'a PCI function with no BARs',
  pci: { vendorId: 0x1b36, deviceId: 0x0005, classId: 0x00ff },
});
const MiB = 1024 * KiB;

/** A PC's memory map and chipset, without CPU: what SeaBIOS's PCI code talks to. */
function pc(ramSize = 32 * MiB) {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', ramSize);
  system.addSubregion(0, memory.alias('ram-below-4g', ram, 0, ramSize));
  const registry = new TypeRegistry();
  registry.registerAll([...I440FX_PIIX_TYPES, PCI_TESTDEV]);
  const root = createRoot(registry);
  const requests: string[] = [];
  const chipset = createI440fxPiix({
    registry,
    memory,
    system,
    io,
    ram,
    belowFourGig: ramSize,
    time: new ManualTime(),
    parent: root,
    requests: {
      reset: (cause) => requests.push(`reset ${cause}`),
      shutdown: (cause) => requests.push(`shutdown ${cause}`),
    },
  });
  // x86_bios_rom_init: the BIOS ROM at the top of 4 GiB, its last 128 KiB at 0xe0000.
  const biosImage = Uint8Array.from({ length: 128 * KiB }, (_, i) => (i * 7) & 0xff);
  const bios = memory.rom('pc.bios', 128 * KiB, { data: biosImage });
  const pci = chipset.host.pciSpace;
  pci.addSubregion(2 ** 32 - 128 * KiB, bios);
  const isaBios = memory.alias('isa-bios', bios, 0, 128 * KiB);
  isaBios.setReadonly(true);
  pci.addSubregionOverlap(0xe0000, isaBios, 1);
  const vga = new Uint8Array(128 * KiB);
  pci.addSubregionOverlap(
    0xa0000,
    memory.io('vga-lowmem', 128 * KiB, {
      read: (offset) => vga[offset],
      write: (offset, value) => {
        vga[offset] = value;
      },
      impl: { maxAccessSize: 1 },
    }),
    1,
  );
  const mem = memory.addressSpace('memory', system);
  const ports = memory.addressSpace('I/O', io);
  return { memory, ram, mem, ports, chipset, requests, biosImage, vga, root };
}

type Pc = ReturnType<typeof pc>;

/** SeaBIOS's pci_config_* helpers (src/hw/pci.c): mechanism #1 through 0xcf8/0xcfc. */
function cfg(m: Pc) {
  const select = (bdf: number, addr: number) =>
    m.ports.write(0xcf8, 4, (0x80000000 | (bdf << 8) | (addr & 0xfc)) >>> 0);
  return {
    readl: (bdf: number, addr: number) => {
      select(bdf, addr);
      return m.ports.read(0xcfc, 4) >>> 0;
    },
    readw: (bdf: number, addr: number) => {
      select(bdf, addr);
      return m.ports.read(0xcfc + (addr & 2), 2);
    },
    readb: (bdf: number, addr: number) => {
      select(bdf, addr);
      return m.ports.read(0xcfc + (addr & 3), 1);
    },
    writel: (bdf: number, addr: number, v: number) => {
      select(bdf, addr);
      m.ports.write(0xcfc, 4, v >>> 0);
    },
    writew: (bdf: number, addr: number, v: number) => {
      select(bdf, addr);
      m.ports.write(0xcfc + (addr & 2), 2, v);
    },
    writeb: (bdf: number, addr: number, v: number) => {
      select(bdf, addr);
      m.ports.write(0xcfc + (addr & 3), 1, v);
    },
  };
}

/** SeaBIOS's pci_probe_devices walk (pci_next): skips functions 1-7 of single-function slots. */
function probe(m: Pc): string[] {
  const c = cfg(m);
  const found: string[] = [];
  let bdf = 0;
  while (bdf < 256) {
    const vendor = c.readw(bdf, 0x00);
    if (vendor === 0xffff || vendor === 0x0000) {
      bdf += (bdf & 7) === 0 ? 8 : 1;
      continue;
    }
    const header = c.readb(bdf, 0x0e);
    const id = c.readl(bdf, 0x00);
    found.push(
      `00:${(bdf >> 3).toString(16).padStart(2, '0')}.${bdf & 7} ${(id & 0xffff).toString(16)}:${(id >>> 16).toString(16)} hdr ${header.toString(16).padStart(2, '0')}`,
    );
    bdf += (bdf & 7) === 0 && !(header & 0x80) ? 8 : 1;
  }
  return found;
}

describe('i440FX host bridge: configuration mechanism #1', () => {
  it('enumerates the chipset the way SeaBIOS probes the bus', () => {
    const m = pc();
    expect(probe(m)).toEqual([
      '00:00.0 8086:1237 hdr 00',
      '00:01.0 8086:7000 hdr 80',
      '00:01.3 8086:7113 hdr 00',
    ]);
  });

  it('shows the subsystem IDs by which SeaBIOS recognises QEMU (1af4:1100 on 00:00.0)', () => {
    const c = cfg(pc());
    expect(c.readw(0, 0x2c)).toBe(0x1af4);
    expect(c.readw(0, 0x2e)).toBe(0x1100);
    expect(c.readw(0, 0x0a)).toBe(0x0600); // host bridge
    expect(c.readb(0, 0x08)).toBe(0x02); // revision
    expect(c.readw(8, 0x0a)).toBe(0x0601); // ISA bridge
    expect(c.readw(11, 0x0a)).toBe(0x0680); // other bridge (PM)
  });

  it('reads back CONFIG_ADDRESS and ignores narrower writes to it (Linux type-1 check)', () => {
    const m = pc();
    m.ports.write(0xcf8, 4, 0x80000000);
    m.ports.write(0xcfb, 1, 0x01);
    expect(m.ports.read(0xcf8, 4) >>> 0).toBe(0x80000000);
    m.ports.write(0xcf8, 4, 0x8000_0810);
    expect(m.ports.read(0xcf8, 4) >>> 0).toBe(0x80000810);
  });

  it('answers all ones while the enable bit is clear, for other buses, and for empty slots', () => {
    const m = pc();
    m.ports.write(0xcf8, 4, 0x00000000); // 00:00.0 vendor, but configuration cycles disabled
    expect(m.ports.read(0xcfc, 4) >>> 0).toBe(0xffffffff);
    m.ports.write(0xcf8, 4, 0x80010000); // bus 1
    expect(m.ports.read(0xcfc, 2)).toBe(0xffff);
    m.ports.write(0xcf8, 4, 0x80001000); // 00:02.0
    expect(m.ports.read(0xcfc, 4) >>> 0).toBe(0xffffffff);
    // A write with the enable bit clear changes nothing.
    m.ports.write(0xcf8, 4, 0x00000004);
    m.ports.write(0xcfc, 2, 0x0000);
    expect(cfg(m).readw(0, 0x04)).toBe(m.chipset.pmc.getWord(0x04));
  });

  it('reaches every byte lane of the data port with byte, word and dword accesses', () => {
    const m = pc();
    m.ports.write(0xcf8, 4, 0x80000000);
    expect(m.ports.read(0xcfc, 4) >>> 0).toBe(0x12378086);
    expect(m.ports.read(0xcfd, 1)).toBe(0x80);
    expect(m.ports.read(0xcfe, 2)).toBe(0x1237);
    expect(m.ports.read(0xcff, 1)).toBe(0x12);
    // An unaligned word reaches two lanes.
    expect(m.ports.read(0xcfd, 2)).toBe(0x3780);
    // The register number in CONFIG_ADDRESS is dword aligned: its low bits do not move the lanes.
    m.ports.write(0xcf8, 4, 0x80000003);
    expect(m.ports.read(0xcfc, 1)).toBe(0x86);
  });

  it('writes only the writable bits of the configuration space', () => {
    const c = cfg(pc());
    c.writel(0, 0x00, 0xffffffff); // IDs are read-only
    expect(c.readl(0, 0x00)).toBe(0x12378086);
    c.writeb(0, 0x3c, 0x0b); // interrupt line is writable
    expect(c.readb(0, 0x3c)).toBe(0x0b);
    c.writew(0, 0x04, 0xffff); // command: only IO, MEM, MASTER, SERR, INTX_DISABLE stick
    expect(c.readw(0, 0x04)).toBe(0x0507);
  });
});

describe('i440FX PAM: BIOS shadowing', () => {
  it("follows SeaBIOS's make_bios_writable / make_bios_readonly sequence", () => {
    const m = pc();
    const c = cfg(m);
    const f0000 = 0xf0000;
    const romByte = m.biosImage[0x10000 + 0x1234];
    // After reset every segment reads the ROM, and writes do not stick.
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(romByte);
    m.mem.write(f0000 + 0x1234, 1, romByte ^ 0xff);
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(romByte);
    // make_bios_writable: read PAM as dwords at 0x58 and 0x5c, set RE|WE, write back.
    const pam0 = c.readl(0, 0x58);
    const pam1 = c.readl(0, 0x5c);
    expect([pam0, pam1]).toEqual([0, 0]);
    c.writel(0, 0x58, 0x33333000); // PAM0 = 0x30 (BIOS RW), PAM1-2 = 0x33
    c.writel(0, 0x5c, 0x33333333);
    // The shadow RAM is read-write and still holds what RAM held: copy the BIOS in.
    const image = m.mem.readBytes(2 ** 32 - 0x10000, 0x10000);
    m.mem.writeBytes(f0000, image);
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(romByte);
    m.mem.write(f0000 + 0x1234, 1, 0x5a); // the running BIOS updates its variables
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(0x5a);
    // make_bios_readonly: PAM0 = 0x10 (RE): reads see the RAM copy, writes are ignored.
    c.writel(0, 0x58, 0x11111000);
    c.writel(0, 0x5c, 0x11111111);
    m.mem.write(f0000 + 0x1234, 1, 0xa5);
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(0x5a);
    expect(m.ram.bytes[f0000 + 0x1234]).toBe(0x5a);
    // PAM back to 0: the ROM again.
    c.writeb(0, 0x59, 0x00);
    expect(m.mem.read(f0000 + 0x1234, 1)).toBe(romByte);
    expect(m.chipset.pmc.pamRegions[0].attribute).toBe(0);
  });

  it('switches each 16 KiB expansion segment on its own nibble', () => {
    const m = pc();
    const c = cfg(m);
    // pc_memory_init's option-ROM area in PCI space, as QEMU maps it.
    const pcRom = m.memory.rom('pc.rom', 128 * KiB, { data: new Uint8Array(128 * KiB).fill(0xc3) });
    m.chipset.host.pciSpace.addSubregionOverlap(0xc0000, pcRom, 1);
    m.ram.bytes[0xc4000] = 0x11;
    m.ram.bytes[0xc0000] = 0x22;
    expect(m.mem.read(0xc4000, 1)).toBe(0xc3);
    c.writeb(0, 0x5a, 0x10); // PAM1 high nibble: 0xc4000-0xc7fff reads RAM
    expect(m.mem.read(0xc4000, 1)).toBe(0x11);
    expect(m.mem.read(0xc0000, 1)).toBe(0xc3); // still the ROM
    c.writeb(0, 0x5a, 0x11);
    expect(m.mem.read(0xc0000, 1)).toBe(0x22);
  });

  it('goes back to ROM on reset, as the chip does', () => {
    const m = pc();
    const c = cfg(m);
    c.writeb(0, 0x59, 0x30);
    m.mem.write(0xf0000, 1, 0x77);
    m.chipset.host.reset();
    expect(c.readb(0, 0x59)).toBe(0);
    expect(m.mem.read(0xf0000, 1)).toBe(m.biosImage[0x10000]);
  });
});

describe('i440FX SMRAM', () => {
  it('keeps the VGA window over 0xa0000 while SMRAM is closed, and shows RAM when D_OPEN', () => {
    const m = pc();
    const c = cfg(m);
    expect(c.readb(0, 0x72)).toBe(0x02);
    m.ram.bytes[0xa0010] = 0x42;
    m.mem.write(0xa0010, 1, 0x99); // goes to the VGA card
    expect(m.vga[0x10]).toBe(0x99);
    expect(m.mem.read(0xa0010, 1)).toBe(0x99);
    c.writeb(0, 0x72, 0x4a); // D_OPEN | G_SMRAME | C_BASE_SEG
    expect(m.mem.read(0xa0010, 1)).toBe(0x42);
    c.writeb(0, 0x72, 0x0a);
    expect(m.mem.read(0xa0010, 1)).toBe(0x99);
  });

  it('D_LCK closes SMRAM and locks the register until reset', () => {
    const m = pc();
    const c = cfg(m);
    c.writeb(0, 0x72, 0x4a);
    c.writeb(0, 0x72, 0x5a); // D_LCK with D_OPEN: D_OPEN is cleared
    expect(c.readb(0, 0x72) & 0x40).toBe(0);
    c.writeb(0, 0x72, 0x4a); // locked: D_OPEN cannot be set again
    expect(c.readb(0, 0x72)).toBe(0x1a);
    expect(m.mem.read(0xa0000, 1)).toBe(m.vga[0]);
    m.chipset.host.reset();
    expect(c.readb(0, 0x72)).toBe(0x02);
    c.writeb(0, 0x72, 0x4a);
    expect(c.readb(0, 0x72)).toBe(0x4a);
  });

  it("reports the RAM size in QEMU's coreboot register 0x57 and the PCI hole", () => {
    const m = pc(64 * MiB);
    expect(cfg(m).readb(0, 0x57)).toBe(8);
    expect(m.chipset.host.pciHole).toEqual({ start: 64 * MiB, end: 0xfec00000 });
  });
});

describe('i440FX state and info', () => {
  it('saves and restores the PMC with its PAM routing', () => {
    const m = pc();
    const c = cfg(m);
    c.writeb(0, 0x59, 0x30);
    m.mem.write(0xf0000, 1, 0x66);
    const saved = JSON.parse(JSON.stringify(saveDeviceState(m.chipset.pmc)));
    c.writeb(0, 0x59, 0x00);
    expect(m.mem.read(0xf0000, 1)).not.toBe(0x66);
    expect(loadDeviceState(m.chipset.pmc, saved).ok).toBe(true);
    expect(m.mem.read(0xf0000, 1)).toBe(0x66);
    const host = saveDeviceState(m.chipset.host);
    expect(host.fields.configAddress).toBe((0x80000000 | 0x58) >>> 0);
  });

  it("prints QEMU's `info pci` for the chipset", () => {
    const m = pc();
    expect(formatInfoPci([m.chipset.pciBus])).toBe(
      [
        '  Bus  0, device   0, function 0:',
        '    Host bridge: PCI device 8086:1237',
        '      PCI subsystem 1af4:1100',
        '      id ""',
        '  Bus  0, device   1, function 0:',
        '    ISA bridge: PCI device 8086:7000',
        '      PCI subsystem 1af4:1100',
        '      id ""',
        '  Bus  0, device   1, function 3:',
        '    Bridge: PCI device 8086:7113',
        '      PCI subsystem 1af4:1100',
        '      IRQ 0, pin A',
        '      id ""',
        '',
      ].join('\n'),
    );
  });

  it('adds a user PCI function with -device at the address it names', () => {
    const m = pc();
    const added = deviceAdd(m.root, 'pci-testdev,addr=04.0,id=t0');
    expect(added.ok).toBe(true);
    expect(probe(m)).toContain('00:04.0 1b36:5 hdr 00');
    const dev = m.chipset.pciBus.findDevice(0x20);
    expect(dev && formatInfoPciDevice(dev)).toContain('id "t0"');
    const clash = deviceAdd(m.root, 'pci-testdev,addr=01.0');
    expect(clash.ok ? '' : clash.error.message).toBe(
      'PCI: slot 1 function 0 not available for pci-testdev, in use by PIIX3',
    );
  });

  it('hangs the host bridge at /machine-like paths and the PMC under unattached', () => {
    const m = pc();
    expect(m.chipset.host.canonicalPath).toBe('/i440fx');
    expect(m.chipset.pciBus.name).toBe('pci.0');
    expect(m.chipset.isaBus.name).toBe('isa.0');
  });
});
