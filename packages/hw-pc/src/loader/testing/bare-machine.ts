/**
 * The smallest machine a loaded kernel can run on, for the loaders' tests: RAM from
 * address 0, an i386 CPU with the JIT, a 16550A UART at COM1 (the real device core) and
 * isa-debug-exit at 0xf4. No firmware, no interrupt controller: the kernel is placed by a
 * loader and started with applyEntryState.
 */
import { type AddressSpace, MemoryCore } from '@tsemu/memory';
import { EXCP_HALTED, EXCP_HLT, EXCP_INTERRUPT, TcgEngine, X86Cpu, x86Frontend } from '@tsemu/tcg';
import { CharRecorder } from '../../char/char-recorder.js';
import { Serial } from '../../char/serial.js';
import { DebugExit } from '../../misc/debug-exit.js';
import { ManualTime } from '../../testing/manual-time.js';
import { applyEntryState, type EntryState } from '../entry-state.js';
import type { LoadRegion, PhysicalMemoryWriter } from '../load-region.js';
import { writeLoadRegions } from '../load-region.js';

export interface BareMachineOptions {
  /** RAM size in bytes; default 32 MiB. */
  ramSize?: number;
  /** The isa-debug-exit port; default 0xf4. */
  exitPort?: number;
}

export type BareRunResult = 'exit' | 'halted' | 'timeout';

export class BareMachine {
  readonly memory: AddressSpace;
  readonly cpu: X86Cpu;
  readonly engine: TcgEngine<X86Cpu>;
  /** What the guest sent to COM1. */
  readonly serial = new CharRecorder();
  /** isa-debug-exit's status, (value << 1) | 1, once the guest wrote the port. */
  exitStatus: number | undefined;
  readonly ramSize: number;

  constructor(options: BareMachineOptions = {}) {
    const core = new MemoryCore();
    this.ramSize = options.ramSize ?? 32 << 20;
    const system = core.container('system', 2n ** 32n);
    system.addSubregion(0, core.ram('ram', this.ramSize));
    const io = core.container('io', 0x10000);
    const uart = new Serial({ time: new ManualTime(), chardev: this.serial });
    io.addSubregion(
      0x3f8,
      core.io('serial', 8, {
        read: (offset) => uart.read(offset),
        write: (offset, value) => uart.write(offset, value),
        valid: { maxAccessSize: 1 },
      }),
    );
    const debugExit = new DebugExit({
      exitRequest: (status) => {
        this.exitStatus = status;
        this.cpu.exit();
      },
    });
    io.addSubregion(
      options.exitPort ?? 0xf4,
      core.io('isa-debug-exit', 4, {
        read: (offset, size) => debugExit.read(offset, size),
        write: (offset, value, size) => debugExit.write(offset, value, size),
        valid: { minAccessSize: 1, maxAccessSize: 4 },
      }),
    );
    this.memory = core.addressSpace('memory', system);
    this.cpu = new X86Cpu({ memory: this.memory, io: core.addressSpace('io', io) });
    this.engine = new TcgEngine({ cpu: this.cpu, frontend: x86Frontend });
  }

  /** Guest memory as the loaders write it. */
  get writer(): PhysicalMemoryWriter {
    return { write: (addr, bytes) => this.memory.writeBytes(addr, bytes) };
  }

  /** Write a loader's regions and start the CPU in its entry state. */
  boot(regions: readonly LoadRegion[], entry: EntryState): void {
    writeLoadRegions(this.writer, regions);
    this.cpu.reset();
    applyEntryState(this.cpu, entry);
  }

  /** Run until isa-debug-exit is written, the CPU halts for good, or the budget is spent. */
  run(maxSlices = 200): BareRunResult {
    for (let i = 0; i < maxSlices; i++) {
      const r = this.engine.cpuExec(10_000);
      if (this.exitStatus !== undefined) return 'exit';
      if (r === EXCP_HALTED || (r === EXCP_HLT && !x86Frontend.hasWork(this.cpu))) return 'halted';
      if (r !== EXCP_INTERRUPT && r !== EXCP_HLT) {
        throw new Error(`unexpected cpuExec result 0x${r.toString(16)}\n${this.cpu.dumpState()}`);
      }
    }
    return 'timeout';
  }

  /** The serial output as text. */
  get text(): string {
    return Buffer.from(this.serial.output).toString('latin1');
  }
}
