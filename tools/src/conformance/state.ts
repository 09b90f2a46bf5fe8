/**
 * What a conformance test is and what running it produces, independent of where it runs
 * (the host processor or tsemu).
 */

/** The general registers in their encoding order (ModRM reg field 0..7). */
export const REGISTER_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export type RegisterName = (typeof REGISTER_NAMES)[number];

/** The fixed user-mode address of the data page every test reads and writes. */
export const DATA_PAGE_ADDRESS = 0x10000000;
export const DATA_PAGE_SIZE = 0x1000;

/** EFLAGS bits. */
export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const DF = 0x0400;
export const OF = 0x0800;
/** The six arithmetic status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** The flags a test may set in its initial state and that the comparator looks at. */
export const TESTABLE_FLAGS = STATUS_FLAGS | DF;

/** The general registers and EFLAGS (only TESTABLE_FLAGS are loaded). */
export interface CpuState {
  /** Eight 32-bit values in REGISTER_NAMES order. */
  readonly regs: readonly number[];
  readonly eflags: number;
}

/** The initial content of the data page: `fill` repeated, then `bytes` at `offset`. */
export interface DataInit {
  readonly fill: number;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** The part of the data page a test's dump carries. */
export interface DataWindow {
  readonly offset: number;
  readonly length: number;
}

/**
 * The x87/MMX/SSE state a test loads and dumps: the first 288 bytes of an FXSAVE image (the
 * 32-bit format: FCW, FSW, abridged tags, FOP, FIP, FDP, MXCSR, ST0-7, XMM0-7; the rest of
 * the 512 bytes is reserved or free for software). Offsets below.
 */
export const FPU_STATE_SIZE = 288;
export const Fx = {
  FCW: 0,
  FSW: 2,
  FTW: 4,
  FOP: 6,
  FIP: 8,
  FCS: 12,
  FDP: 16,
  FDS: 20,
  MXCSR: 24,
  MXCSR_MASK: 28,
  /** ST(0)-ST(7) (relative to TOP), 16 bytes each: the 80-bit value, then 6 reserved. */
  ST: 32,
  /** XMM0-XMM7, 16 bytes each. */
  XMM: 160,
} as const;

/** x87 status word condition codes. */
export const C0 = 0x0100;
export const C1 = 0x0200;
export const C2 = 0x0400;
export const C3 = 0x4000;

/**
 * Approximate single-precision results (RCPPS, RSQRTPS, RCPSS, RSQRTSS): Intel and AMD use
 * different tables, so these lanes are compared against the exact value with the SDM's
 * bound (|relative error| <= 1.5 * 2^-12) instead of bit for bit.
 */
export interface ApproximateLanes {
  readonly fn: 'rcp' | 'rsqrt';
  /** The destination XMM register. */
  readonly xmm: number;
  /** The approximated lanes (dword indexes), with their source values (float32 bits). */
  readonly lanes: readonly number[];
  readonly sources: readonly number[];
}

/** What the comparator ignores in the FPU/SIMD state (FOP, FIP, FDP are never compared). */
export interface FpuUndefinedMask {
  /** FSW bits left undefined (the SDM's "undefined" condition codes: C0 C1 C2 C3). */
  readonly fsw?: number;
  /**
   * Transcendentals (FSIN, F2XM1...), which the hardware does not round exactly: every
   * ST(i) may differ by one unit in the last place, and C1 (rounded up) is not compared.
   */
  readonly transcendental?: boolean;
  readonly approximate?: ApproximateLanes;
}

/** What the comparator ignores because the architecture leaves it undefined. */
export interface UndefinedMask {
  /** EFLAGS bits left undefined. */
  readonly eflags: number;
  /** Register bits left undefined (per register index); absent = fully defined. */
  readonly regs?: readonly number[];
  /** Byte ranges of the data window (offsets relative to the data page) left undefined. */
  readonly data?: readonly DataWindow[];
  readonly fpu?: FpuUndefinedMask;
}

/** One test: code run once from a given state. */
export interface ConformanceTest {
  /** The instruction form it exercises (e.g. `add r32,r/m32`). */
  readonly form: string;
  /** The group it is reported under (e.g. `alu`). */
  readonly group: string;
  /** The seed that reproduces it with its form (see generator.ts); 0 for hand-written tests. */
  readonly seed: number;
  /** The assembly source of `code` (for reports). */
  readonly source: string;
  /** Machine code, position-independent; control falls off its end to the epilogue. */
  readonly code: Uint8Array;
  readonly initial: CpuState;
  readonly data: DataInit;
  readonly window: DataWindow;
  readonly undefinedMask: UndefinedMask;
  /**
   * The x87/MMX/SSE state (FPU_STATE_SIZE bytes of an FXSAVE image) FXRSTOR loads before the
   * code runs; its dump then carries the final state. Absent for the integer tests, which
   * run with whatever FPU state is there and dump none.
   */
  readonly fpu?: Uint8Array;
}

/** How a test ended. `completed` means it fell off its end; otherwise a signal was caught. */
export type Outcome = 'completed' | 'SIGILL' | 'SIGTRAP' | 'SIGBUS' | 'SIGFPE' | 'SIGSEGV';

export const SIGNAL_NUMBERS: Readonly<Record<Exclude<Outcome, 'completed'>, number>> = {
  SIGILL: 4,
  SIGTRAP: 5,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGSEGV: 11,
};

/** x86 exception vectors as Linux reports them in sigcontext.trapno. */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: '#DE',
  1: '#DB',
  3: '#BP',
  4: '#OF',
  5: '#BR',
  6: '#UD',
  7: '#NM',
  12: '#SS',
  13: '#GP',
  14: '#PF',
  16: '#MF',
  17: '#AC',
  19: '#XM',
};

/** The final state of one test, as the dump reports it. */
export interface Dump {
  /** Index of the test in the batch it ran in. */
  readonly index: number;
  readonly outcome: Outcome;
  /** Registers at the end, or at the faulting instruction. */
  readonly regs: readonly number[];
  readonly eflags: number;
  /** EIP relative to the test's first byte: code length when completed, else the faulting EIP. */
  readonly eipOffset: number;
  /** For faults: the exception vector, its error code, siginfo's si_code and si_addr, CR2. */
  readonly trapno: number;
  readonly err: number;
  readonly siCode: number;
  readonly faultAddress: number;
  readonly cr2: number;
  readonly window: DataWindow;
  readonly data: Uint8Array;
  /** The final FPU_STATE_SIZE bytes of FXSAVE state, for a test that loaded one; else null. */
  readonly fpu: Uint8Array | null;
}

/** The exception name for a dump (`#DE`...), or '' when the test completed. */
export function exceptionOf(dump: Dump): string {
  if (dump.outcome === 'completed') return '';
  return EXCEPTION_NAMES[dump.trapno] ?? `vector ${dump.trapno}`;
}
