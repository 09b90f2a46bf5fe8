import { MemoryCore } from '@tsemu/memory';
import { TypeRegistry, unwrap } from '@tsemu/qom';
import { addPcFwCfgItems, FW_CFG_DMA_CTL_READ, FW_CFG_DMA_CTL_SELECT, FW_CFG_IO } from './index.js';

export function main(print: (line: string) => void): void {
  const memory = new MemoryCore();
  const system = memory.container('system', 2n ** 64n);
  const ram = memory.ram('pc.ram', 0x100000);
  system.addSubregion(0, ram);
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.register(FW_CFG_IO);
  const dev = registry.objectNew(FW_CFG_IO);
  dev.setEnvironment({ memory, io, dma: memory.addressSpace('memory', system) });
  unwrap(dev.realize());
  // What QEMU's pc machine adds, then a file of our own.
  addPcFwCfgItems(dev.fwCfg, { ramSize: 0x100000, belowFourGig: 0x100000 });
  dev.fwCfg.addFile('etc/hello', new TextEncoder().encode('hello, firmware'));
  dev.reset();

  const ports = memory.addressSpace('I/O', io);
  const bytes = (n: number) => Array.from({ length: n }, () => ports.read(0x511, 1));
  print(`signature ${String.fromCharCode(...bytes(4))}`); // selected at reset
  ports.write(0x510, 2, 0x19); // FW_CFG_FILE_DIR
  const count = bytes(4).reduce((acc, b) => acc * 256 + b, 0);
  for (let i = 0; i < count; i++) {
    const entry = bytes(64);
    const name = String.fromCharCode(...entry.slice(8, entry.indexOf(0, 8)));
    print(`file 0x${((entry[4] << 8) | entry[5]).toString(16)} ${name}`);
  }
  // DMA, as SeaBIOS reads a file: a big-endian descriptor in RAM, its address to 0x518.
  const select = dev.fwCfg.files.find((f) => f.name === 'etc/hello')!.select;
  const descriptor = new DataView(ram.bytes.buffer, 0x1000, 16);
  descriptor.setUint32(0, (select << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);
  descriptor.setUint32(4, 15); // length
  descriptor.setUint32(12, 0x2000); // address (low half)
  ports.write(0x518, 4, 0x00100000); // 0x1000, byte-swapped
  print(
    `control ${descriptor.getUint32(0)}: ${new TextDecoder().decode(ram.bytes.subarray(0x2000, 0x200f))}`,
  );
}
