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

/** The general registers, EFLAGS (only TESTABLE_FLAGS are loaded) and, later, FPU/SIMD state. */
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

/** What the comparator ignores because the architecture leaves it undefined. */
export interface UndefinedMask {
  /** EFLAGS bits left undefined. */
  readonly eflags: number;
  /** Register bits left undefined (per register index); absent = fully defined. */
  readonly regs?: readonly number[];
  /** Byte ranges of the data window (offsets relative to the data page) left undefined. */
  readonly data?: readonly DataWindow[];
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
}

/** The exception name for a dump (`#DE`...), or '' when the test completed. */
export function exceptionOf(dump: Dump): string {
  if (dump.outcome === 'completed') return '';
  return EXCEPTION_NAMES[dump.trapno] ?? `vector ${dump.trapno}`;
}
