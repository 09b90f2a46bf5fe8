import { MemoryCore } from '@tsemu/memory';
import { createBus, createRoot, deviceAdd, IrqLine, TypeRegistry, unwrap } from '@tsemu/qom';
import { describe, expect, it } from 'vitest';
import { CharRecorder } from '../char/char-recorder.js';
import { ISA_BUS, ISA_DEVICE, type IsaBus } from '../isa/index.js';
import { IrqRecorder } from '../testing/irq-recorder.js';
import {
  ISA_DEBUG_EXIT,
  ISA_DEBUGCON,
  type IsaDebugcon,
  IsaDebugExit,
  type IsaPort92,
  PORT92,
} from './misc-qdev.js';

/** A machine object holding `isa.0` over an I/O space, as `-device` finds it. */
function machine() {
  const memory = new MemoryCore();
  const io = memory.container('io', 0x10000);
  const registry = new TypeRegistry();
  registry.registerAll([ISA_BUS, ISA_DEVICE, PORT92, ISA_DEBUGCON, ISA_DEBUG_EXIT]);
  const root = createRoot(registry);
  const bus = createBus<IsaBus>(registry, ISA_BUS, 'isa.0');
  root.addChild('isa.0', bus);
  bus.configure({ memory, ioSpace: io });
  bus.registerInputIrqs(Array.from({ length: 16 }, () => new IrqLine(() => {})));
  const ports = memory.addressSpace('io', io);
  return { registry, root, bus, ports };
}

describe('port92', () => {
  it('drives its a20 line from bit 1 and pulses reset on bit 0', () => {
    const m = machine();
    const port = m.registry.objectNew(PORT92) as IsaPort92;
    const a20 = new IrqRecorder();
    const reset = new IrqRecorder();
    port.a20.connect(new IrqLine((level) => a20.set(level !== 0)));
    port.resetRequest.connect(new IrqLine((level) => reset.set(level !== 0)));
    unwrap(port.realize(m.bus));
    m.ports.write(0x92, 1, 0x02);
    expect(a20.level).toBe(true);
    expect(m.ports.read(0x92, 1)).toBe(0x02);
    m.ports.write(0x92, 1, 0x00);
    expect(a20.level).toBe(false);
    expect(reset.risingEdges).toBe(0);
    m.ports.write(0x92, 1, 0x01);
    expect(reset.history.slice(-2)).toEqual([true, false]);
  });
});

describe('isa-debugcon', () => {
  it('sends bytes written to port 0xE9 to its chardev and reads back 0xE9', () => {
    const m = machine();
    const con = m.registry.objectNew(ISA_DEBUGCON) as IsaDebugcon;
    const chardev = new CharRecorder();
    con.setChardev(chardev);
    unwrap(con.realize(m.bus));
    for (const byte of Buffer.from('ok\n')) m.ports.write(0xe9, 1, byte);
    expect(chardev.takeText()).toBe('ok\n');
    expect(m.ports.read(0xe9, 1)).toBe(0xe9);
  });
});

describe('isa-debug-exit', () => {
  it('works as -device isa-debug-exit,iobase=0xf4,iosize=4', () => {
    const m = machine();
    const dev = unwrap(deviceAdd(m.root, 'isa-debug-exit,iobase=0xf4,iosize=4'));
    expect(dev).toBeInstanceOf(IsaDebugExit);
    const statuses: number[] = [];
    (dev as IsaDebugExit).setExitRequest((status) => statuses.push(status));
    m.ports.write(0xf4, 1, 1);
    expect(statuses).toEqual([3]);
    m.ports.write(0xf4, 4, 0x10);
    expect(statuses).toEqual([3, 0x21]);
  });

  it('decodes nothing at its default port once moved', () => {
    const m = machine();
    unwrap(deviceAdd(m.root, 'isa-debug-exit'));
    const dev = unwrap(deviceAdd(m.root, 'isa-debugcon,iobase=0x402'));
    expect(dev.realized).toBe(true);
    expect(m.ports.read(0x402, 1)).toBe(0xe9);
    expect(m.ports.read(0x501, 1)).toBe(0);
  });
});
