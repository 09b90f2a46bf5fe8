import { MemoryChardev } from '@tsemu/chardev';
import { System, type SystemOptions } from '@tsemu/system';
import {
  type DisassembledInstruction,
  Monitor,
  type MonitorMachine,
  type ScreendumpOptions,
} from '../src/index.js';

/** Where the fake machine maps its 64 KiB of RAM in virtual memory (a kernel-style 3 GiB split). */
export const VIRTUAL_BASE = 0xc0000000;
export const RAM_SIZE = 0x10000;

export interface FakeMachine extends MonitorMachine {
  readonly system: System;
  readonly ram: Uint8Array;
  readonly registers: Record<string, number>;
  readonly screendumps: { file: string; options: ScreendumpOptions }[];
}

/**
 * A machine with a real System, 64 KiB of RAM at physical 0 (bytes 1, 2, 3 ...
 * from 0x1000), the same RAM at virtual 0xc0000000 and nothing else mapped,
 * a few registers, and `info mtree` / `info pic` providers.
 */
export function fakeMachine(
  systemOptions: SystemOptions = {},
  extra: Partial<MonitorMachine> = {},
): FakeMachine {
  const system = new System({ reportError: () => {}, ...systemOptions });
  const ram = new Uint8Array(RAM_SIZE);
  for (let i = 0; i < 64; i++) ram[0x1000 + i] = i + 1;
  const registers: Record<string, number> = {
    eax: 0x80000000,
    ebx: 0x1234,
    eip: 0x1000,
    pc: 0x1000,
  };
  const screendumps: { file: string; options: ScreendumpOptions }[] = [];
  const readPhysical = (address: number, length: number) =>
    address + length <= RAM_SIZE ? ram.slice(address, address + length) : null;
  const machine: FakeMachine = {
    system,
    ram,
    registers,
    screendumps,
    registersText: (cpu) =>
      `EAX=${registers.eax.toString(16).padStart(8, '0')} EBX=${registers.ebx
        .toString(16)
        .padStart(8, '0')} (cpu ${cpu})\nEIP=${registers.eip.toString(16).padStart(8, '0')}\n`,
    readPhysical,
    readVirtual: (address, length) =>
      address >= VIRTUAL_BASE ? readPhysical(address - VIRTUAL_BASE, length) : null,
    readRegister: (name) => registers[name],
    disassemble: (address, count): DisassembledInstruction[] =>
      Array.from({ length: count }, (_, i) => ({ address: address + i, text: 'nop' })),
    screendump: (file, options) => {
      screendumps.push({ file, options });
    },
    info: {
      mtree: {
        params: '[-f]',
        help: 'show memory tree',
        run: (args) =>
          args.includes('-f')
            ? 'FlatView #0\n  0000000000000000-000000000000ffff (prio 0, ram): pc.ram\n'
            : 'address-space: memory\n  0000000000000000-000000000000ffff (prio 0, ram): pc.ram\n',
      },
      pic: { help: 'show PIC state', run: () => 'pic0: irr=00 imr=ff isr=00\n' },
    },
    ...extra,
  };
  return machine;
}

/** Let queued microtasks and promise callbacks run (the monitor prints its banner at the end of a turn). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A monitor on an in-memory terminal, with the banner already read. */
export async function monitorOnTerminal(machine: FakeMachine = fakeMachine()) {
  const terminal = new MemoryChardev('monitor');
  const monitor = new Monitor(terminal, machine, { version: '0.1.0' });
  await settle();
  const banner = terminal.takeText();
  /** Type `input` and return what the terminal showed. */
  const type = (input: string): string => {
    terminal.type(input);
    return terminal.takeText();
  };
  return { terminal, monitor, machine, banner, type };
}
