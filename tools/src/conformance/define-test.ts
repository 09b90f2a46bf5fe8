/**
 * Builds a ConformanceTest from assembly text and a partial initial state: the door both the
 * generator and hand-written tests go through.
 */
import { assemble } from '@tsemu/x86asm';
import {
  type ConformanceTest,
  DATA_PAGE_ADDRESS,
  type DataInit,
  type DataWindow,
  REGISTER_NAMES,
  type RegisterName,
  type UndefinedMask,
} from './state.js';

/** Where the default stack pointer and data window sit in the data page. */
export const DEFAULT_WINDOW: DataWindow = { offset: 0x780, length: 0x100 };
export const DEFAULT_ESP = DATA_PAGE_ADDRESS + 0x800;

export interface TestSpec {
  /** Assembly (x86asm syntax, 32-bit); `DATA` names the data page's address. */
  readonly source: string;
  readonly form?: string;
  readonly group?: string;
  readonly seed?: number;
  /** Registers not given are 0, except ESP which defaults to DEFAULT_ESP. */
  readonly regs?: Partial<Record<RegisterName, number>>;
  readonly eflags?: number;
  readonly data?: Partial<DataInit>;
  readonly window?: DataWindow;
  readonly undefinedMask?: UndefinedMask;
  /** The x87/MMX/SSE state to load (FPU_STATE_SIZE bytes of an FXSAVE image); none if absent. */
  readonly fpu?: Uint8Array;
}

export function defineTest(spec: TestSpec): ConformanceTest {
  const program = assemble(spec.source, { bits: 32, org: 0, symbols: { DATA: DATA_PAGE_ADDRESS } });
  const regs = REGISTER_NAMES.map(
    (name) => (spec.regs?.[name] ?? (name === 'esp' ? DEFAULT_ESP : 0)) >>> 0,
  );
  const window = spec.window ?? DEFAULT_WINDOW;
  return {
    form: spec.form ?? spec.source.trim(),
    group: spec.group ?? 'hand-written',
    seed: spec.seed ?? 0,
    source: spec.source.trim(),
    code: program.bytes,
    initial: { regs, eflags: spec.eflags ?? 0 },
    data: {
      fill: spec.data?.fill ?? 0,
      offset: spec.data?.offset ?? window.offset,
      bytes: spec.data?.bytes ?? new Uint8Array(0),
    },
    window,
    undefinedMask: spec.undefinedMask ?? { eflags: 0 },
    ...(spec.fpu ? { fpu: spec.fpu } : {}),
  };
}
