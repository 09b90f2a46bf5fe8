/**
 * A minimal machine for i386 guest tests and benchmarks (not the PC): RAM at 0, a ROM at
 * the top of the 4 GiB space (for the reset vector) and aliased at 0xf0000, an I/O space with a debug-output
 * port (0xe9, as QEMU's isa-debugcon), an exit port (0xf4, as isa-debug-exit: the value
 * written ends the run) and a test interrupt controller.
 */
import { type AddressSpace, MemoryCore, type MemoryRegion } from '@tsemu/memory';
import { assemble } from '@tsemu/x86asm';
import { EXCP_HALTED, EXCP_HLT, EXCP_INTERRUPT } from '../../src/core/exec/cpu-state.js';
import { type BackendKind, TcgEngine } from '../../src/core/exec/engine.js';
import type { LogSink } from '../../src/core/log.js';
import { EXCP_RESET_REQUEST } from '../../src/i386/cpu/constants.js';
import type { CpuModel } from '../../src/i386/cpu/cpuid.js';
import {
  type CpuInterruptLines,
  LINE_INTERRUPT_HARD,
  LINE_INTERRUPT_NMI,
} from '../../src/i386/cpu/interfaces.js';
import { CORE, SYS } from '../../src/i386/cpu/state-layout.js';
import { X86Cpu } from '../../src/i386/cpu/x86-cpu.js';
import { x86Frontend } from '../../src/i386/frontend.js';
import { Desc } from '../../src/i386/mmu/descriptor.js';

/** Flat 4 GiB code and data segment attributes (present, DPL 0, 32-bit, 4 KiB granularity). */
export const FLAT_CODE = Desc.P | Desc.S | Desc.CS | Desc.R | Desc.A | Desc.B | Desc.G;
export const FLAT_DATA = Desc.P | Desc.S | Desc.W | Desc.A | Desc.B | Desc.G;

export const DEBUG_PORT = 0xe9;
export const EXIT_PORT = 0xf4;
/** Writing a vector here makes the test PIC raise it (IRQ line high until acknowledged). */
export const IRQ_PORT = 0xf0;
/** Physical address of a register whose read raises vector 0x20 (see the constructor). */
export const IRQ_ON_READ = 0xe0000000;

/** A test interrupt controller: one pending vector at a time, plus NMI. */
export class TestInterruptLines implements CpuInterruptLines {
  vector = -1;
  nmi = false;
  acknowledged: number[] = [];
  constructor(private readonly kick: () => void) {}
  raise(vector: number): void {
    this.vector = vector;
    this.kick();
  }
  raiseNmi(): void {
    this.nmi = true;
    this.kick();
  }
  pending(): number {
    return (this.vector >= 0 ? LINE_INTERRUPT_HARD : 0) | (this.nmi ? LINE_INTERRUPT_NMI : 0);
  }
  hasInterrupt(): boolean {
    return this.vector >= 0;
  }
  acknowledge(): number {
    const v = this.vector;
    this.vector = -1;
    if (v >= 0) this.acknowledged.push(v);
    return v;
  }
  acknowledgeNmi(): void {
    this.nmi = false;
  }
  acknowledgeInit(): void {}
  acknowledgeSipi(): number {
    return 0;
  }
  acknowledgeSmi(): void {}
}

export interface TestMachineOptions {
  backend?: BackendKind;
  ramSize?: number;
  optimize?: boolean;
  singlestep?: boolean;
  log?: LogSink;
  /** Bytes of the 64 KiB ROM at 0xffff0000 (the reset vector is its offset 0xfff0). */
  rom?: Uint8Array;
  /** The CPUID model (default: X86Cpu's qemu32-like one). */
  model?: CpuModel;
  /**
   * Runs of a TB before the tiered backend compiles it. Default 3, so that guest programs
   * of a few iterations exercise both tiers and the re-translation between them.
   */
  tierThreshold?: number;
  /** The tiered backend's hot regions (default on, as in the engine). */
  regions?: boolean;
}

export type RunResult = 'exit' | 'halted' | 'reset' | 'timeout';

export class TestMachine {
  readonly core = new MemoryCore();
  readonly system: MemoryRegion;
  readonly ram: MemoryRegion;
  readonly memory: AddressSpace;
  readonly io: AddressSpace;
  readonly cpu: X86Cpu;
  readonly engine: TcgEngine<X86Cpu>;
  readonly pic: TestInterruptLines;
  /** Bytes written to the debug port. */
  readonly output: number[] = [];
  /** The value written to the exit port, or null. */
  exitCode: number | null = null;

  constructor(options: TestMachineOptions = {}) {
    const core = this.core;
    this.system = core.container('system', 2n ** 32n);
    this.ram = core.ram('ram', options.ramSize ?? 4 << 20);
    this.system.addSubregion(0, this.ram);
    const rom = core.rom('rom', 0x10000);
    if (options.rom) rom.bytes.set(options.rom);
    this.system.addSubregion(0xffff0000, rom);
    // The same ROM below 1 MiB, where real-mode code at F000:xxxx runs (as in a PC).
    this.system.addSubregionOverlap(0xf0000, core.alias('rom.low', rom, 0, 0x10000), 1);
    // An MMIO register whose read raises IRQ vector 0x20 and returns 0x10: the interrupt
    // becomes pending in the middle of the reading instruction.
    this.system.addSubregion(
      IRQ_ON_READ,
      core.io('irq-on-read', 4, {
        read: () => {
          this.pic.raise(0x20);
          return 0x10;
        },
      }),
    );
    const ioRoot = core.container('io', 0x10000);
    ioRoot.addSubregion(
      DEBUG_PORT,
      core.io('debugcon', 1, {
        read: () => 0xe9,
        write: (_o, v) => {
          this.output.push(v & 0xff);
        },
      }),
    );
    ioRoot.addSubregion(
      EXIT_PORT,
      core.io('exit', 4, {
        read: () => 0,
        write: (_o, v) => {
          this.exitCode = v;
          this.cpu.exit();
        },
        valid: { maxAccessSize: 4 },
        impl: { maxAccessSize: 4 },
      }),
    );
    ioRoot.addSubregion(
      IRQ_PORT,
      core.io('irq', 1, {
        read: () => 0,
        write: (_o, v) => this.pic.raise(v & 0xff),
      }),
    );
    this.memory = core.addressSpace('memory', this.system);
    this.io = core.addressSpace('io', ioRoot);
    this.pic = new TestInterruptLines(() => this.cpu.kick());
    // A deterministic clock: every reading advances it by 1 µs.
    let now = 0;
    this.cpu = new X86Cpu({
      memory: this.memory,
      io: this.io,
      interrupts: this.pic,
      clockNs: () => {
        now += 1000;
        return now;
      },
      log: options.log,
      model: options.model,
    });
    this.engine = new TcgEngine({
      cpu: this.cpu,
      frontend: x86Frontend,
      backend: options.backend ?? 'js',
      optimize: options.optimize,
      singlestep: options.singlestep,
      tierThreshold: options.tierThreshold ?? 3,
      regions: options.regions,
      log: options.log,
    });
  }

  /** Copy bytes into physical memory. */
  load(addr: number, bytes: Uint8Array): void {
    this.memory.writeBytes(addr, bytes);
  }

  /** Read `length` bytes of physical memory. */
  read(addr: number, length: number): Uint8Array {
    return this.memory.readBytes(addr, length);
  }

  read32(addr: number): number {
    return this.memory.read(addr, 4) >>> 0;
  }

  read16(addr: number): number {
    return this.memory.read(addr, 2);
  }

  /**
   * Assemble `source` (16-bit code by default) at `org`, load it, and point the CPU at it in
   * real mode with CS = org >> 4 ... (CS = 0, EIP = org), SS:SP = 0:0x8000.
   */
  loadReal(source: string, org = 0x1000): ReturnType<typeof assemble> {
    const program = assemble(source, { bits: 16, org });
    this.load(org, program.bytes);
    const cpu = this.cpu;
    cpu.loadRealModeSegment(1, 0);
    cpu.segLimit[1] = 0xffff;
    for (const s of [0, 2, 3, 4, 5]) cpu.loadRealModeSegment(s, 0);
    cpu.core[CORE.EIP] = org;
    cpu.regs[4] = 0x8000;
    return program;
  }

  /**
   * Assemble 32-bit `source` at `org` and start it in flat 32-bit protected mode (CPL 0,
   * CS = 0x08 and data segments 0x10 covering 4 GiB, as if a GDT had been loaded), with
   * ESP = 0x80000.
   */
  loadFlat32(source: string, org = 0x10000): ReturnType<typeof assemble> {
    const program = assemble(source, { bits: 32, org });
    this.load(org, program.bytes);
    const cpu = this.cpu;
    cpu.setCr0(cpu.cr0 | 1);
    cpu.loadSegCache(1, 0x08, 0, -1, FLAT_CODE);
    for (const s of [0, 2, 3, 4, 5]) cpu.loadSegCache(s, 0x10, 0, -1, FLAT_DATA);
    cpu.core[CORE.EIP] = org;
    cpu.regs[4] = 0x80000;
    return program;
  }

  /** Run until the exit port is written, the CPU halts with nothing to do, or a reset. */
  run(maxSlices = 200, slice = 10_000): RunResult {
    for (let i = 0; i < maxSlices; i++) {
      const r = this.engine.cpuExec(slice);
      if (this.exitCode !== null) return 'exit';
      if (r === EXCP_RESET_REQUEST) return 'reset';
      if (r === EXCP_HALTED) return 'halted';
      if (r === EXCP_HLT && !x86Frontend.hasWork(this.cpu)) return 'halted';
      if (r !== EXCP_INTERRUPT && r !== EXCP_HLT)
        throw new Error(`unexpected cpuExec result 0x${r.toString(16)}`);
    }
    return 'timeout';
  }

  /** The debug port output as text. */
  get text(): string {
    return String.fromCharCode(...this.output);
  }

  /** Full EFLAGS. */
  get eflags(): number {
    return this.cpu.eflags;
  }

  get cr2(): number {
    return this.cpu.sys[SYS.CR2] >>> 0;
  }
}

/**
 * Every backend, for describe.each: the JS backend, the interpreter, and the tiered backend
 * (the default of real machines), which starts in the interpreter and compiles a TB again
 * from its code bytes once it is hot.
 */
export const BACKENDS: BackendKind[] = ['js', 'interpreter', 'tiered'];
