import { MemoryCore } from '@tsemu/memory';
import { loadDeviceState, saveDeviceState, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { E820_RAM, E820Table, pcE820Table } from './e820.js';
import { FwCfg } from './fw-cfg.js';
import { FW_CFG_IO } from './fw-cfg-io.js';
import {
  FW_CFG_DMA_CTL_ERROR,
  FW_CFG_DMA_CTL_READ,
  FW_CFG_DMA_CTL_SELECT,
  FW_CFG_DMA_CTL_SKIP,
  FW_CFG_DMA_CTL_WRITE,
  FW_CFG_FILE_DIR,
  FW_CFG_ID,
  FW_CFG_IRQ0_OVERRIDE,
  FW_CFG_KERNEL_DATA,
  FW_CFG_KERNEL_SIZE,
  FW_CFG_MAX_CPUS,
  FW_CFG_NUMA,
  FW_CFG_RAM_SIZE,
  FW_CFG_SIGNATURE,
} from './fw-cfg-keys.js';
import { addLinuxBootItems, addPcFwCfgItems } from './pc-fw-cfg.js';

const MiB = 1024 * 1024;

/** A memory space with RAM, an I/O space, and fw_cfg_io at 0x510/0x514. */
function machine(options: { dma?: boolean } = {}) {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const io = memory.container('io', 0x10000);
  const ram = memory.ram('pc.ram', 2 * MiB);
  system.addSubregion(0, ram);
  const mem = memory.addressSpace('memory', system);
  const ports = memory.addressSpace('I/O', io);
  const registry = new TypeRegistry();
  registry.register(FW_CFG_IO);
  const dev = registry.objectNew(FW_CFG_IO);
  if (options.dma === false) dev.props.dma_enabled = false;
  dev.setEnvironment({ memory, io, dma: mem });
  unwrap(dev.realize());
  dev.reset();
  return { dev, fwCfg: dev.fwCfg, ram, mem, ports };
}

type M = ReturnType<typeof machine>;

/** SeaBIOS's port interface: outw(key, 0x510), insb(0x511, buf, len). */
function portRead(m: M, key: number, length: number): Uint8Array {
  m.ports.write(0x510, 2, key);
  return Uint8Array.from({ length }, () => m.ports.read(0x511, 1));
}

/** SeaBIOS's qemu_cfg_dma_transfer: a descriptor in RAM, its address written big-endian to 0x518. */
function dma(
  m: M,
  control: number,
  length: number,
  address: number,
  descriptorAt = 0x1000,
): number {
  const d = new DataView(m.ram.bytes.buffer, m.ram.bytes.byteOffset + descriptorAt, 16);
  d.setUint32(0, control, false);
  d.setUint32(4, length, false);
  d.setUint32(8, 0, false);
  d.setUint32(12, address, false);
  const swapped = new DataView(new ArrayBuffer(4));
  swapped.setUint32(0, descriptorAt, false);
  m.ports.write(0x518, 4, swapped.getUint32(0, true));
  return d.getUint32(0, false);
}

const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);

describe('fw_cfg port interface', () => {
  it('answers "QEMU" on the signature, as SeaBIOS checks first', () => {
    const m = machine();
    expect(ascii(portRead(m, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
  });

  it('selects the signature at reset, and reading rewinds on every select', () => {
    const m = machine();
    expect(m.ports.read(0x511, 1)).toBe(0x51); // 'Q' without a select
    expect(ascii(portRead(m, FW_CFG_SIGNATURE, 2))).toBe('QE');
    expect(ascii(portRead(m, FW_CFG_SIGNATURE, 4))).toBe('QEMU');
  });

  it('reads zeros past the end of an item and for keys without an item', () => {
    const m = machine();
    expect([...portRead(m, FW_CFG_SIGNATURE, 6)]).toEqual([0x51, 0x45, 0x4d, 0x55, 0, 0]);
    expect([...portRead(m, 0x1f, 2)]).toEqual([0, 0]); // no item
    expect([...portRead(m, 0x3fff, 2)]).toEqual([0, 0]); // beyond the last slot: nothing selected
  });

  it('takes only byte reads and 16-bit selector writes on its ports', () => {
    const m = machine();
    m.ports.write(0x510, 2, FW_CFG_SIGNATURE);
    expect(m.ports.read(0x510, 2)).toBe(0xffff); // rejected: QEMU's fw_cfg_comb_valid
    expect(m.ports.read(0x511, 1)).toBe(0x51);
    m.ports.write(0x511, 1, 0x12); // data writes are ignored
    expect(m.ports.read(0x511, 1)).toBe(0x45);
  });

  it('reports the DMA interface in FW_CFG_ID when it has one', () => {
    expect([...portRead(machine(), FW_CFG_ID, 4)]).toEqual([3, 0, 0, 0]);
    const plain = machine({ dma: false });
    expect([...portRead(plain, FW_CFG_ID, 4)]).toEqual([1, 0, 0, 0]);
    expect(plain.ports.read(0x514, 1)).toBe(0xff); // no DMA register
  });
});

describe('fw_cfg files', () => {
  it('lists files sorted by name in FILE_DIR, with their selectors and sizes', () => {
    const m = machine();
    m.fwCfg.addFile('etc/e820', new Uint8Array(40));
    m.fwCfg.addFile('bootorder', new Uint8Array(0));
    m.fwCfg.addFile('genroms/linuxboot_dma.bin', new Uint8Array(1536));
    // SeaBIOS: read the 32-bit BE count, then 64-byte entries.
    const count = new DataView(portRead(m, FW_CFG_FILE_DIR, 4).buffer).getUint32(0, false);
    expect(count).toBe(3);
    const entries = [];
    for (let i = 0; i < count; i++) {
      const e = Uint8Array.from({ length: 64 }, () => m.ports.read(0x511, 1));
      const v = new DataView(e.buffer);
      const name = ascii(e.subarray(8, e.indexOf(0, 8)));
      entries.push(`${v.getUint16(4, false).toString(16)} ${v.getUint32(0, false)} ${name}`);
    }
    expect(entries).toEqual([
      '20 0 bootorder',
      '21 40 etc/e820',
      '22 1536 genroms/linuxboot_dma.bin',
    ]);
  });

  it('refuses duplicate names and names too long for a directory entry', () => {
    const fwCfg = new FwCfg();
    fwCfg.addFile('a', new Uint8Array(1));
    expect(() => fwCfg.addFile('a', new Uint8Array(1))).toThrow('duplicate fw_cfg file name: a');
    expect(() => fwCfg.addFile('x'.repeat(56), new Uint8Array(1))).toThrow('1 to 55 bytes');
    expect(() => fwCfg.addBytes(FW_CFG_SIGNATURE, new Uint8Array(1))).toThrow(
      'already has an item',
    );
  });

  it('replaces a file in place with modifyFile', () => {
    const m = machine();
    m.fwCfg.addFile('bootorder', new Uint8Array(0));
    m.fwCfg.modifyFile(
      'bootorder',
      new TextEncoder().encode('/pci@i0cf8/ide@1,1/drive@0/disk@0\n'),
    );
    expect(m.fwCfg.files[0].size).toBe(34);
    expect(ascii(portRead(m, 0x20, 6))).toBe('/pci@i');
  });
});

describe('fw_cfg DMA interface', () => {
  it('reads "QEMU CFG" from the DMA address register', () => {
    const m = machine();
    const bytes = Array.from({ length: 8 }, (_, i) => m.ports.read(0x514 + i, 1));
    expect(String.fromCharCode(...bytes)).toBe('QEMU CFG');
    expect(m.ports.read(0x514, 4)).toBe(0x554d4551); // the bytes in order, little-endian load
  });

  it('copies a file into guest RAM with select+read, and clears the control word', () => {
    const m = machine();
    const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff);
    m.fwCfg.addFile('genroms/test.bin', image);
    const select = m.fwCfg.files[0].select;
    const control = dma(
      m,
      (select << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
      5000,
      0x20000,
    );
    expect(control).toBe(0);
    expect(m.mem.readBytes(0x20000, 5000)).toEqual(image);
  });

  it('continues from the current offset, skips, and zero-fills past the end', () => {
    const m = machine();
    m.fwCfg.addFile('etc/data', Uint8Array.of(1, 2, 3, 4, 5, 6));
    m.ports.write(0x510, 2, 0x20);
    expect(dma(m, FW_CFG_DMA_CTL_SKIP, 2, 0)).toBe(0);
    m.ram.bytes.fill(0xee, 0x3000, 0x3008);
    expect(dma(m, FW_CFG_DMA_CTL_READ, 8, 0x3000)).toBe(0);
    expect([...m.ram.bytes.subarray(0x3000, 0x3008)]).toEqual([3, 4, 5, 6, 0, 0, 0, 0]);
    // And the port interface sees the same offset.
    expect(m.ports.read(0x511, 1)).toBe(0);
  });

  it('fails a write to a read-only item and a read into unassigned memory with ERROR', () => {
    const m = machine();
    m.fwCfg.addFile('etc/ro', new Uint8Array(4));
    expect(dma(m, (0x20 << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 4, 0x4000)).toBe(
      FW_CFG_DMA_CTL_ERROR,
    );
    expect(dma(m, (0x20 << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, 0x7fff0000)).toBe(
      FW_CFG_DMA_CTL_ERROR,
    );
  });

  it('lets the guest write a writable item by DMA and tells its owner', () => {
    const m = machine();
    const writes: string[] = [];
    m.fwCfg.addFile('etc/vmgenid_addr', new Uint8Array(8), {
      allowWrite: true,
      onWrite: (offset, length) => writes.push(`${offset}+${length}`),
    });
    m.ram.bytes.set([1, 2, 3, 4, 5, 6, 7, 8], 0x5000);
    expect(dma(m, (0x20 << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 8, 0x5000)).toBe(0);
    expect([...m.fwCfg.getFile('etc/vmgenid_addr')!]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(writes).toEqual(['0+8']);
  });

  it('writes ERROR to the descriptor when the descriptor itself cannot be read', () => {
    const m = machine();
    // The descriptor straddles the end of RAM: unreadable.
    const at = 2 * MiB - 8;
    const swapped = new DataView(new ArrayBuffer(4));
    swapped.setUint32(0, at, false);
    m.ports.write(0x518, 4, swapped.getUint32(0, true));
    expect(new DataView(m.ram.bytes.buffer).getUint32(at, false)).toBe(FW_CFG_DMA_CTL_ERROR);
  });

  it('saves and restores the selection and offset', () => {
    const m = machine();
    portRead(m, FW_CFG_SIGNATURE, 2);
    const saved = saveDeviceState(m.dev);
    portRead(m, FW_CFG_ID, 1);
    unwrap(loadDeviceState(m.dev, saved));
    expect(m.ports.read(0x511, 1)).toBe(0x4d); // 'M'
  });
});

describe("the items of QEMU's pc machine", () => {
  it('gives SeaBIOS what qemu_cfg_init and qemu_cfg_e820 read', () => {
    const m = machine();
    addPcFwCfgItems(m.fwCfg, { ramSize: 128 * MiB, belowFourGig: 128 * MiB, bootCpus: 1 });
    expect(new DataView(portRead(m, FW_CFG_RAM_SIZE, 8).buffer).getBigUint64(0, true)).toBe(
      BigInt(128 * MiB),
    );
    expect([...portRead(m, FW_CFG_MAX_CPUS, 2)]).toEqual([1, 0]);
    expect([...portRead(m, FW_CFG_IRQ0_OVERRIDE, 4)]).toEqual([1, 0, 0, 0]);
    expect([...portRead(m, FW_CFG_NUMA, 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(m.fwCfg.files.map((f) => f.name)).toEqual([
      'bootorder',
      'etc/boot-fail-wait',
      'etc/e820',
    ]);
    expect([...m.fwCfg.getFile('etc/boot-fail-wait')!]).toEqual([0xff, 0xff, 0xff, 0xff]);
    const e820 = E820Table.fromBytes(m.fwCfg.getFile('etc/e820')!);
    expect(e820.entries).toEqual([{ address: 0, length: 128 * MiB, type: E820_RAM }]);
  });

  it('builds an e820 table with RAM above 4 GiB', () => {
    const table = pcE820Table({ belowFourGig: 0xc0000000, aboveFourGig: 0x40000000 });
    const bytes = table.toBytes();
    expect(bytes.length).toBe(40);
    expect(E820Table.fromBytes(bytes).entries[1]).toEqual({
      address: 2 ** 32,
      length: 0x40000000,
      type: E820_RAM,
    });
  });

  it('holds the direct kernel boot items linuxboot_dma.bin reads', () => {
    const m = machine();
    const kernel = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    addLinuxBootItems(m.fwCfg, {
      setupAddr: 0x10000,
      setup: new Uint8Array(0x2000),
      kernelAddr: 0x100000,
      kernel,
      cmdlineAddr: 0x20000,
      cmdline: 'console=ttyS0',
    });
    expect([...portRead(m, FW_CFG_KERNEL_SIZE, 4)]).toEqual([0xb8, 0x0b, 0, 0]);
    expect(
      dma(
        m,
        (FW_CFG_KERNEL_DATA << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
        3000,
        0x100000,
      ),
    ).toBe(0);
    expect(m.mem.readBytes(0x100000, 3000)).toEqual(kernel);
    expect(ascii(m.fwCfg.getBytes(0x15)!)).toBe('console=ttyS0\0');
  });
});
