import type { Temp } from './temp.js';

/** What a helper may do to the IR globals: `'all'`, `'none'` or a list of globals. */
export type GlobalEffect = 'all' | 'none' | readonly Temp[];

/**
 * A helper: a plain JS function called from generated code (QEMU's DEF_HELPER).
 * Generated code calls `fn(cpu, ...args)`, with `cpu` the frontend's CPU object,
 * and the return value (if any) is truncated to a signed 32-bit integer.
 */
export interface HelperInfo {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: helpers are typed by their frontend.
  readonly fn: (cpu: any, ...args: number[]) => unknown;
  /** Number of IR arguments after `cpu` (0 to 8). */
  readonly nArgs: number;
  readonly hasReturn: boolean;
  /** Globals the helper reads from the state arrays: written back before the call. */
  readonly reads: GlobalEffect;
  /** Globals the helper may write: reloaded after the call. */
  readonly writes: GlobalEffect;
  /**
   * May raise a guest exception (cpuLoopExit / cpuLoopExitRestore). All globals are
   * exact when it does; the guest PC is restored from the insn_start data.
   */
  readonly canRaise: boolean;
  /** False for a pure function of its arguments: removable when its result is unused. */
  readonly sideEffects: boolean;
}

export interface HelperSpec {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: helpers are typed by their frontend.
  fn: (cpu: any, ...args: number[]) => unknown;
  nArgs: number;
  hasReturn?: boolean;
  /** Default 'all' (safe). Narrow it so fewer globals need writing back. */
  reads?: GlobalEffect;
  /** Default 'all' (safe). Narrow it so fewer globals need reloading. */
  writes?: GlobalEffect;
  /** Default true (safe). */
  canRaise?: boolean;
  /** Default true (safe). */
  sideEffects?: boolean;
}

/**
 * Declare a helper. The defaults are QEMU's: the helper may read and write every global,
 * may raise, and has side effects. Declare less to let the JIT keep globals in locals.
 *
 * ```ts
 * const helperDivu = defineHelper({
 *   name: 'divu', nArgs: 2, hasReturn: true, reads: 'none', writes: 'none', canRaise: true,
 *   fn: (cpu: MyCpu, a: number, b: number) => {
 *     if (b === 0) raiseDivideError(cpu); // sets cpu.exceptionIndex, cpuLoopExitRestore
 *     return (a >>> 0) / (b >>> 0);
 *   },
 * });
 * ```
 */
export function defineHelper(spec: HelperSpec): HelperInfo {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.name)) {
    throw new Error(`defineHelper: '${spec.name}' is not a valid helper name`);
  }
  if (!Number.isInteger(spec.nArgs) || spec.nArgs < 0 || spec.nArgs > 8) {
    throw new Error(`defineHelper(${spec.name}): nArgs must be an integer from 0 to 8`);
  }
  if (typeof spec.fn !== 'function') {
    throw new Error(`defineHelper(${spec.name}): fn must be a function`);
  }
  for (const effect of [spec.reads, spec.writes]) {
    if (Array.isArray(effect) && effect.some((t: Temp) => !t.isGlobal)) {
      throw new Error(`defineHelper(${spec.name}): reads/writes may only list globals`);
    }
  }
  const writes = spec.writes ?? 'all';
  const sideEffects = spec.sideEffects ?? true;
  if (!sideEffects && writes !== 'none' && !(Array.isArray(writes) && writes.length === 0)) {
    throw new Error(
      `defineHelper(${spec.name}): a helper without side effects cannot write globals`,
    );
  }
  return Object.freeze({
    name: spec.name,
    fn: spec.fn as HelperInfo['fn'],
    nArgs: spec.nArgs,
    hasReturn: spec.hasReturn ?? false,
    reads: spec.reads ?? 'all',
    writes,
    canRaise: spec.canRaise ?? true,
    sideEffects,
  });
}

/** True when the effect covers global index `g`. */
export function effectCovers(effect: GlobalEffect, g: number): boolean {
  if (effect === 'all') return true;
  if (effect === 'none') return false;
  for (const t of effect) if (t.index === g) return true;
  return false;
}
