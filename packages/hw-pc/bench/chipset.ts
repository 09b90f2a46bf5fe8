/**
 * PC chipset benchmarks (hw-pc): the costs a booting guest pays in the i440FX/PIIX chipset
 * and fw_cfg, through the memory API's I/O address space as a CPU would reach them: a PCI
 * configuration read (CONFIG_ADDRESS write + CONFIG_DATA read), the ACPI PM timer read that
 * Linux's clocksource does, fw_cfg's byte port and DMA, a PAM change (a memory transaction
 * that re-renders the FlatView), and a BAR move. Each case runs several rounds and keeps its
 * best.
 */
import { MemoryCore } from '@tsemu/memory';
import { TypeRegistry, unwrap } from '@tsemu/qom';
import { FW_CFG_IO } from '../src/fw_cfg/fw-cfg-io.js';
import {
  FW_CFG_DMA_CTL_READ,
  FW_CFG_DMA_CTL_SELECT,
  FW_CFG_SIGNATURE,
} from '../src/fw_cfg/fw-cfg-keys.js';
import { definePciDevice, PciDevice } from '../src/pci/pci-device.js';
import { createI440fxPiix, I440FX_PIIX_TYPES } from '../src/pci-host/i440fx-piix.js';
import { ManualTime } from '../src/testing/manual-time.js';

const ROUNDS = 7;

function best(ops: number, body: () => number): number {
  let bestNs = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    sink ^= body();
    const t1 = process.hrtime.bigint();
    bestNs = Math.min(bestNs, Number(t1 - t0) / ops);
  }
  if (sink === 0x7fffffff) console.log(''); // keep the work observable
  return bestNs;
}

class BenchNic extends PciDevice {
  protected override pciRealize(): undefined {
    const { memory } = this.pciEnvironment;
    this.registerBar(0, 0, memory.io('bench-mmio', 0x1000, { read: () => 0, write: () => {} }));
    return undefined;
  }
}

const BENCH_NIC = definePciDevice<BenchNic>({
  name: 'bench-nic',
  instance: BenchNic,
  pci: { vendorId: 0x1234, deviceId: 0x0002, classId: 0x0200 },
});

const RAM = 64 * 1024 * 1024;
const memory = new MemoryCore();
const system = memory.container('system', 2n ** 64n);
const io = memory.container('io', 0x10000);
const ram = memory.ram('pc.ram', RAM);
system.addSubregion(0, memory.alias('ram-below-4g', ram, 0, RAM));
const registry = new TypeRegistry();
registry.registerAll([...I440FX_PIIX_TYPES, FW_CFG_IO, BENCH_NIC]);
const time = new ManualTime();
const chipset = createI440fxPiix({ registry, memory, system, io, ram, belowFourGig: RAM, time });
const nic = registry.objectNew(BENCH_NIC);
unwrap(nic.realize(chipset.pciBus));
const mem = memory.addressSpace('memory', system);
const ports = memory.addressSpace('I/O', io);
const fw = registry.objectNew(FW_CFG_IO);
fw.setEnvironment({ memory, io, dma: mem });
unwrap(fw.realize());
const FILE_SIZE = 4 * 1024 * 1024;
fw.fwCfg.addFile('genroms/big.bin', new Uint8Array(FILE_SIZE).fill(0x5a));

// SeaBIOS's PM setup: PM block at 0x600, enabled.
ports.write(0xcf8, 4, 0x80000b40);
ports.write(0xcfc, 4, 0x601);
ports.write(0xcf8, 4, 0x80000b80);
ports.write(0xcfc, 1, 1);

const results: Array<[string, number, string]> = [];

{
  const N = 200_000;
  results.push([
    'PCI config dword read (outl 0xcf8 + inl 0xcfc)',
    best(N, () => {
      let acc = 0;
      for (let i = 0; i < N; i++) {
        ports.write(0xcf8, 4, 0x80000000 | ((i & 0x3f) << 2));
        acc ^= ports.read(0xcfc, 4);
      }
      return acc;
    }),
    'ns/read',
  ]);
}

{
  const N = 1_000_000;
  results.push([
    'ACPI PM timer read (inl PM_TMR), the Linux clocksource',
    best(N, () => {
      let acc = 0;
      for (let i = 0; i < N; i++) acc ^= ports.read(0x608, 4);
      return acc;
    }),
    'ns/read',
  ]);
}

{
  const N = 1_000_000;
  results.push([
    'fw_cfg data port byte read (inb 0x511)',
    best(N, () => {
      let acc = 0;
      ports.write(0x510, 2, FW_CFG_SIGNATURE);
      for (let i = 0; i < N; i++) acc ^= ports.read(0x511, 1);
      return acc;
    }),
    'ns/byte',
  ]);
}

{
  const select = fw.fwCfg.files[0].select;
  const descriptor = new DataView(ram.bytes.buffer, 0x1000, 16);
  const ns = best(1, () => {
    descriptor.setUint32(0, (select << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
    descriptor.setUint32(4, FILE_SIZE);
    descriptor.setUint32(12, 0x1000000);
    ports.write(0x518, 4, 0x00100000);
    return descriptor.getUint32(0);
  });
  results.push([
    'fw_cfg DMA read of a 4 MiB file into RAM',
    FILE_SIZE / 1024 / 1024 / (ns / 1e9),
    'MiB/s',
  ]);
}

{
  const N = 2_000;
  results.push([
    'PAM0 write (BIOS segment RW <-> RE: memory transaction, FlatView render)',
    best(N, () => {
      ports.write(0xcf8, 4, 0x80000058);
      for (let i = 0; i < N; i++) ports.write(0xcfd, 1, i & 1 ? 0x30 : 0x10);
      return 0;
    }) / 1000,
    'µs/write',
  ]);
}

{
  const N = 2_000;
  ports.write(0xcf8, 4, (0x80000000 | (nic.devfn << 8) | 0x04) >>> 0);
  ports.write(0xcfc, 2, 0x0002);
  results.push([
    'BAR0 move (config write that remaps a memory BAR)',
    best(N, () => {
      ports.write(0xcf8, 4, (0x80000000 | (nic.devfn << 8) | 0x10) >>> 0);
      for (let i = 0; i < N; i++) ports.write(0xcfc, 4, i & 1 ? 0xfe000000 : 0xfebf0000);
      return 0;
    }) / 1000,
    'µs/move',
  ]);
}

const width = Math.max(...results.map(([name]) => name.length));
console.log('\n## PC chipset and fw_cfg (bench/chipset.ts)\n');
console.log(`| ${'case'.padEnd(width)} | result |`);
console.log(`| ${'-'.repeat(width)} | ------ |`);
for (const [name, value, unit] of results) {
  console.log(`| ${name.padEnd(width)} | ${value.toFixed(value < 10 ? 2 : 1)} ${unit} |`);
}
