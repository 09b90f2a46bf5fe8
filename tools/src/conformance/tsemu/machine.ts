/**
 * A minimal machine that runs one static i386 Linux executable at CPL 3, the way an x86-64
 * Linux kernel runs it (not the PC: no firmware, no devices). It is built from tsemu's memory
 * API and i386 CPU:
 *
 * - RAM holds the process's pages, PAE page tables (data pages NX, as Linux maps them), and
 *   two supervisor-only kernel pages at the top of the address space: a GDT with Linux's
 *   x86-64 selectors (user CS 0x23, user DS 0x2b, TSS 0x40), a 32-bit TSS (ESP0, no I/O
 *   bitmap), an IDT, and one 5-byte stub per vector; and below them the kernel stack.
 * - Every IDT gate is a ring-0 interrupt gate to its vector's stub, in a third kernel page:
 *   `fxsave [area]; hlt; jmp tail`, and the tail is `fxrstor [area]; [add esp, 4]; iret`
 *   (the error code is dropped when the vector pushes one). The FXSAVE/FXRSTOR pair lets the
 *   kernel side read and replace the user's x87/MMX/SSE state (signal frames) with the CPU's
 *   own instructions. Only #BP,
 *   #OF and `int 0x80` have DPL 3, as in Linux, so `int n` to any other vector is
 *   #GP(n*8+2) as on the host.
 * - The CPU delivers an exception or `int 0x80` through the gate itself; the stub's `hlt`
 *   ends cpu_exec with EXCP_HLT, and the host (kernel.ts) reads the interrupted state from
 *   the registers and the frame on the kernel stack, handles the system call or builds the
 *   signal frame, writes the state back and lets the stub's `iret` return to user mode.
 */
import { type AddressSpace, MemoryCore } from '@tsemu/memory';
import {
  type BackendKind,
  CORE,
  Desc,
  descriptorFlags,
  EXCP_HLT,
  EXCP_INTERRUPT,
  makeDescriptor,
  SYS,
  SystemType,
  TcgEngine,
  X86Constants,
  X86Cpu,
  x86Frontend,
} from '@tsemu/tcg';
import { PF_W, PF_X } from '../elf.js';
import { readElf32 } from './elf-reader.js';
import { FXSAVE_SIZE } from './fpstate.js';
import { LinuxKernel, type ProcessEnd, type UserContext } from './kernel.js';
import { ERROR_CODE_VECTORS, SYSCALL_VECTOR, USER_GATES } from './linux-abi.js';
import { PAGE_SIZE, ProcessMemory, pagesOf, physicalPagesFor } from './process-memory.js';

/** Linux x86-64's GDT selectors (arch/x86/include/asm/segment.h), as an ia32 process sees them. */
export const KERNEL_CS = 0x10;
export const KERNEL_DS = 0x18;
export const USER_CS = 0x23;
export const USER_DS = 0x2b;
export const TSS_SELECTOR = 0x40;
const GDT_ENTRIES = 9;

/** Linear addresses of the kernel's pages (supervisor only). */
export const KERNEL_STUBS = 0xffffc000;
export const KERNEL_STACK_PAGE = 0xffffd000;
export const KERNEL_TABLES = 0xffffe000;
const IDT = KERNEL_TABLES;
const GDT = KERNEL_TABLES + 0x800;
const TSS = KERNEL_TABLES + 0x880;
const TSS_LIMIT = 0x67;
/** Where the stubs save the user's FPU state (FXSAVE needs 16-byte alignment). */
const FPU_AREA = KERNEL_TABLES + 0xa00;
const STUBS = KERNEL_STUBS;
const STUB_SIZE = 16;
/** The stubs' common tails: without and with an error code to drop. */
const TAIL = KERNEL_TABLES + 0xc00;
const TAIL_ERROR_CODE = KERNEL_TABLES + 0xc10;
/** The stub's `hlt` follows a 7-byte FXSAVE. */
const STUB_HLT = 7;

/** The initial user stack (Linux puts it just below the top of an ia32 address space). */
export const USER_STACK_TOP = 0xffff0000;
const USER_STACK_SIZE = 0x10000;

const EFER_NXE = 1 << 11;
const R_ESP = 4;
const { R_CS, R_SS, R_TR } = X86Constants;
const R_ES = 0;
const R_DS = 3;
const R_FS = 4;
const R_GS = 5;

export interface LinuxUserMachineOptions {
  /** The JIT backend ('js' by default, as the PC uses). */
  readonly backend?: BackendKind;
  /**
   * cpu_exec slices (of `sliceTbs` TB executions) the program may run without entering the
   * kernel before it counts as hung. Default 100.
   */
  readonly maxSlicesWithoutKernelEntry?: number;
  readonly sliceTbs?: number;
}

/** What running the program produced. */
export interface RunOutcome {
  readonly end: ProcessEnd | { readonly kind: 'hung' };
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function le32(value: number): number[] {
  return [0, 8, 16, 24].map((shift) => (value >>> shift) & 0xff);
}

const FLAT_CODE = Desc.P | Desc.S | Desc.CS | Desc.R | Desc.A | Desc.B;
const FLAT_DATA = Desc.P | Desc.S | Desc.W | Desc.A | Desc.B;
const DPL3 = 3 << Desc.DPL_SHIFT;

export class LinuxUserMachine {
  readonly memory: AddressSpace;
  readonly cpu: X86Cpu;
  readonly engine: TcgEngine<X86Cpu>;
  readonly process: ProcessMemory;
  readonly kernel: LinuxKernel;
  private readonly kernelStackPhysical: number;
  private readonly fpuAreaPhysical: number;
  private readonly maxSlices: number;
  private readonly sliceTbs: number;

  constructor(elf: Uint8Array, options: LinuxUserMachineOptions = {}) {
    const image = readElf32(elf);
    this.maxSlices = options.maxSlicesWithoutKernelEntry ?? 100;
    this.sliceTbs = options.sliceTbs ?? 100_000;

    const userPages = [
      ...image.segments.flatMap((s) => pagesOf(s.vaddr, s.memSize)),
      ...pagesOf(USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE),
    ];
    const kernelPages = pagesOf(KERNEL_STUBS, 3 * PAGE_SIZE);
    const ramSize = physicalPagesFor([...userPages, ...kernelPages]) * PAGE_SIZE;

    const core = new MemoryCore();
    const system = core.container('system', 2n ** 32n);
    const ram = core.ram('process.ram', ramSize);
    system.addSubregion(0, ram);
    this.memory = core.addressSpace('memory', system);
    this.process = new ProcessMemory(this.memory, ram.bytes);

    for (const s of image.segments) {
      const start = s.vaddr - (s.vaddr % PAGE_SIZE);
      this.process.map(start, s.vaddr + s.memSize - start, {
        user: true,
        writable: (s.flags & PF_W) !== 0,
        executable: (s.flags & PF_X) !== 0,
      });
      this.process.load(s.vaddr, s.fileBytes);
    }
    this.process.map(USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, {
      user: true,
      writable: true,
      executable: false,
    });
    const supervisor = { user: false, writable: true, executable: true };
    this.process.map(KERNEL_STUBS, PAGE_SIZE, supervisor);
    this.kernelStackPhysical = this.process.map(KERNEL_STACK_PAGE, PAGE_SIZE, supervisor);
    this.fpuAreaPhysical =
      this.process.map(KERNEL_TABLES, PAGE_SIZE, supervisor) + (FPU_AREA - KERNEL_TABLES);
    this.writeKernelTables();
    // argc = 0, argv and envp empty, auxv: AT_NULL.
    this.process.load(USER_STACK_TOP - 16, new Uint8Array(16));

    // A deterministic clock: every reading advances it by 1 µs.
    let now = 0;
    this.cpu = new X86Cpu({
      memory: this.memory,
      clockNs: () => {
        now += 1000;
        return now;
      },
    });
    this.engine = new TcgEngine({
      cpu: this.cpu,
      frontend: x86Frontend,
      backend: options.backend ?? 'js',
    });
    const memory = this.memory;
    const fpuArea = this.fpuAreaPhysical;
    this.kernel = new LinuxKernel(this.process, {
      read: () => memory.readBytes(fpuArea, FXSAVE_SIZE),
      write: (image) => memory.writeBytes(fpuArea, image.subarray(0, FXSAVE_SIZE)),
    });
    this.enterUserMode(image.entry, USER_STACK_TOP - 16);
  }

  /** Builds the GDT, TSS and IDT in the kernel tables page, and the stubs in theirs. */
  private writeKernelTables(): void {
    const page = new Uint8Array(PAGE_SIZE);
    const stubs = new Uint8Array(PAGE_SIZE);
    const view = new DataView(page.buffer);
    const at = (linear: number) => linear - KERNEL_TABLES;
    const putDescriptor = (table: number, index: number, [low, high]: [number, number]) => {
      view.setUint32(at(table) + index * 8, low, true);
      view.setUint32(at(table) + index * 8 + 4, high, true);
    };
    putDescriptor(GDT, KERNEL_CS >> 3, makeDescriptor(0, 0xffffffff, FLAT_CODE));
    putDescriptor(GDT, KERNEL_DS >> 3, makeDescriptor(0, 0xffffffff, FLAT_DATA));
    putDescriptor(GDT, USER_CS >> 3, makeDescriptor(0, 0xffffffff, FLAT_CODE | DPL3));
    putDescriptor(GDT, USER_DS >> 3, makeDescriptor(0, 0xffffffff, FLAT_DATA | DPL3));
    putDescriptor(
      GDT,
      TSS_SELECTOR >> 3,
      makeDescriptor(TSS, TSS_LIMIT, Desc.P | (SystemType.Tss32Busy << Desc.TYPE_SHIFT)),
    );
    // TSS: ESP0 and SS0 for entries from ring 3; the I/O map base past the limit means no
    // bitmap, so IN/OUT at CPL 3 are #GP as under Linux.
    view.setUint32(at(TSS) + 4, KERNEL_STACK_PAGE + PAGE_SIZE, true);
    view.setUint32(at(TSS) + 8, KERNEL_DS, true);
    view.setUint16(at(TSS) + 0x66, TSS_LIMIT + 1, true);

    for (let vector = 0; vector < 256; vector++) {
      const stub = STUBS + vector * STUB_SIZE;
      const dpl = USER_GATES.has(vector) ? 3 : 0;
      const high =
        (stub & 0xffff0000) |
        Desc.P |
        (dpl << Desc.DPL_SHIFT) |
        (SystemType.InterruptGate32 << Desc.TYPE_SHIFT);
      putDescriptor(IDT, vector, [((KERNEL_CS << 16) | (stub & 0xffff)) >>> 0, high >>> 0]);
      // fxsave [FPU_AREA]; hlt; jmp tail
      const tail = ERROR_CODE_VECTORS.has(vector) ? TAIL_ERROR_CODE : TAIL;
      stubs.set([0x0f, 0xae, 0x05, ...le32(FPU_AREA), 0xf4, 0xe9], stub - STUBS);
      new DataView(stubs.buffer).setInt32(stub - STUBS + 9, tail - (stub + 13), true);
    }
    // fxrstor [FPU_AREA]; [add esp, 4]; iret
    page.set([0x0f, 0xae, 0x0d, ...le32(FPU_AREA), 0xcf], at(TAIL));
    page.set([0x0f, 0xae, 0x0d, ...le32(FPU_AREA), 0x83, 0xc4, 0x04, 0xcf], at(TAIL_ERROR_CODE));
    this.process.load(KERNEL_TABLES, page);
    this.process.load(KERNEL_STUBS, stubs);
  }

  /** The state Linux leaves after execve: flat ring-3 segments, paging on, IF set. */
  private enterUserMode(entry: number, stack: number): void {
    const cpu = this.cpu;
    const sys = cpu.sys;
    sys[SYS.GDT_BASE] = GDT;
    sys[SYS.GDT_LIMIT] = GDT_ENTRIES * 8 - 1;
    sys[SYS.IDT_BASE] = IDT;
    sys[SYS.IDT_LIMIT] = 256 * 8 - 1;
    sys[SYS.EFER_LO] = EFER_NXE;
    const C = X86Constants;
    cpu.setCr4(C.CR4_PAE | C.CR4_OSFXSR | C.CR4_OSXMMEXCPT);
    cpu.setCr3(this.process.cr3);
    cpu.setCr0(C.CR0_PE | C.CR0_MP | C.CR0_ET | C.CR0_NE | C.CR0_WP | C.CR0_AM | C.CR0_PG);
    const tss = makeDescriptor(TSS, TSS_LIMIT, Desc.P | (SystemType.Tss32Busy << Desc.TYPE_SHIFT));
    cpu.loadSegCache(R_TR, TSS_SELECTOR, TSS, TSS_LIMIT, descriptorFlags(tss[1]));
    const code = makeDescriptor(0, 0xffffffff, FLAT_CODE | DPL3);
    const data = makeDescriptor(0, 0xffffffff, FLAT_DATA | DPL3);
    cpu.loadSegCache(R_CS, USER_CS, 0, -1, descriptorFlags(code[1]));
    for (const seg of [R_ES, R_SS, R_DS])
      cpu.loadSegCache(seg, USER_DS, 0, -1, descriptorFlags(data[1]));
    // A 32-bit process on x86-64 starts with null FS and GS.
    for (const seg of [R_FS, R_GS]) cpu.loadSegCache(seg, 0, 0, 0, 0);
    cpu.regs.fill(0);
    cpu.regs[R_ESP] = stack;
    cpu.loadEflags(C.IF_MASK | 2, -1);
    cpu.core[CORE.EIP] = entry;
    if (cpu.cpl !== 3) throw new Error('LinuxUserMachine: failed to enter CPL 3');
  }

  /** Runs the program until it exits, is killed by a signal, or runs too long. */
  run(): RunOutcome {
    let idleSlices = 0;
    while (this.kernel.end === null) {
      const r = this.engine.cpuExec(this.sliceTbs);
      if (r === EXCP_HLT) {
        idleSlices = 0;
        this.kernelEntry();
      } else if (r === EXCP_INTERRUPT) {
        if (++idleSlices > this.maxSlices) return this.outcome({ kind: 'hung' });
      } else {
        throw new Error(
          `LinuxUserMachine: cpu_exec returned 0x${r.toString(16)} at eip 0x${this.cpu.eip.toString(16)}` +
            (this.cpu.resetRequested ? ' (triple fault)' : ''),
        );
      }
    }
    return this.outcome(this.kernel.end);
  }

  private outcome(end: RunOutcome['end']): RunOutcome {
    return { end, stdout: concat(this.kernel.stdout), stderr: concat(this.kernel.stderr) };
  }

  /** The CPU halted in a stub: an exception or a system call from user mode. */
  private kernelEntry(): void {
    const cpu = this.cpu;
    const offset = cpu.eip - 1 - STUB_HLT - STUBS;
    const vector = offset / STUB_SIZE;
    if (cpu.cpl !== 0 || !Number.isInteger(vector) || vector < 0 || vector > 255) {
      throw new Error(
        `LinuxUserMachine: halted outside the kernel stubs at 0x${cpu.eip.toString(16)}`,
      );
    }
    cpu.halted = false;
    const frame = new TrapFrame(this, vector);
    if (frame.fromKernel) {
      throw new Error(
        `LinuxUserMachine: exception ${vector} in the kernel at 0x${frame.context.eip.toString(16)}`,
      );
    }
    if (vector === SYSCALL_VECTOR) this.kernel.syscall(frame.context);
    else this.kernel.exception(frame.context, vector, frame.errorCode, cpu.sys[SYS.CR2] >>> 0);
    if (this.kernel.end === null) frame.writeBack();
  }

  /** Reads a dword of the kernel stack. */
  stackRead(linear: number): number {
    return this.memory.read(this.kernelStackPhysical + (linear - KERNEL_STACK_PAGE), 4) >>> 0;
  }

  stackWrite(linear: number, value: number): void {
    this.memory.write(this.kernelStackPhysical + (linear - KERNEL_STACK_PAGE), 4, value >>> 0);
  }
}

/**
 * The interrupt frame the CPU pushed on the kernel stack (error code, EIP, CS, EFLAGS, and
 * the user ESP and SS), with the user's general registers: the UserContext the kernel sees.
 */
class TrapFrame {
  readonly errorCode: number;
  readonly fromKernel: boolean;
  readonly context: UserContext;
  private readonly at: number;

  constructor(
    private readonly machine: LinuxUserMachine,
    vector: number,
  ) {
    const cpu = machine.cpu;
    let at = cpu.regs[R_ESP] >>> 0;
    if (at < KERNEL_STACK_PAGE || at > KERNEL_STACK_PAGE + PAGE_SIZE - 20)
      throw new Error(`LinuxUserMachine: kernel ESP 0x${at.toString(16)} outside the kernel stack`);
    this.errorCode = ERROR_CODE_VECTORS.has(vector) ? machine.stackRead(at) : 0;
    if (ERROR_CODE_VECTORS.has(vector)) at += 4;
    this.at = at;
    const cs = machine.stackRead(at + 4) & 0xffff;
    this.fromKernel = (cs & 3) !== 3;
    const regs = Array.from(cpu.regs, (v) => v >>> 0);
    if (!this.fromKernel) regs[R_ESP] = machine.stackRead(at + 12);
    const sel = cpu.segSelector;
    this.context = {
      regs,
      eip: machine.stackRead(at),
      eflags: machine.stackRead(at + 8),
      cs,
      ss: this.fromKernel ? 0 : machine.stackRead(at + 16) & 0xffff,
      ds: sel[R_DS] as number,
      es: sel[R_ES] as number,
      fs: sel[R_FS] as number,
      gs: sel[R_GS] as number,
    };
  }

  /** Writes the (possibly changed) user state back, for the stub's IRET. */
  writeBack(): void {
    const { machine, at, context } = this;
    const regs = machine.cpu.regs;
    context.regs.forEach((v, r) => {
      if (r !== R_ESP) regs[r] = v;
    });
    machine.stackWrite(at, context.eip);
    machine.stackWrite(at + 8, context.eflags);
    machine.stackWrite(at + 12, context.regs[R_ESP] as number);
  }
}
