/**
 * Three-phase reset over the qdev tree (QEMU's Resettable interface).
 *
 * A reset runs three phases over a subtree, each phase visiting children
 * before their parent (a device's children are its buses, a bus's children
 * its devices, in the order they were plugged):
 * - enter: put state back to reset values; no side effects on other devices;
 * - hold: side effects, such as lowering IRQ lines;
 * - exit: leave reset (happens when the reset is released).
 *
 * Resets nest: an object held in reset by two sources leaves reset when both
 * have released it, and its phases run once.
 */
import { QomError } from '../errors.js';

/** Cold: power-on. Warm: a reset while powered (devices may keep some state). */
export type ResetType = 'cold' | 'warm';

export type ResetPhase = 'enter' | 'hold' | 'exit';

/** Per-object reset bookkeeping. */
export class ResetState {
  /** How many reset sources hold the object in reset. */
  count = 0;
  holdPending = false;
  exitInProgress = false;
}

/** What the reset walk needs from a device or a bus. */
export interface ResettableNode {
  readonly resetState: ResetState;
  resetChildren(): Iterable<ResettableNode>;
  runResetPhase(phase: ResetPhase, type: ResetType): void;
}

/** A depth past which the tree must loop back on itself. */
const MAX_RESET_NESTING = 50;

function phaseEnter(node: ResettableNode, type: ResetType): void {
  const state = node.resetState;
  if (state.exitInProgress) {
    throw new QomError('Cannot enter reset while leaving it');
  }
  const firstEntry = state.count === 0;
  state.count++;
  if (state.count > MAX_RESET_NESTING) {
    throw new QomError('Reset nesting too deep: the reset tree has a cycle');
  }
  for (const child of node.resetChildren()) {
    phaseEnter(child, type);
  }
  if (firstEntry) {
    node.runResetPhase('enter', type);
    state.holdPending = true;
  }
}

function phaseHold(node: ResettableNode, type: ResetType): void {
  for (const child of node.resetChildren()) {
    phaseHold(child, type);
  }
  const state = node.resetState;
  if (state.holdPending) {
    state.holdPending = false;
    node.runResetPhase('hold', type);
  }
}

function phaseExit(node: ResettableNode, type: ResetType): void {
  const state = node.resetState;
  state.exitInProgress = true;
  try {
    for (const child of node.resetChildren()) {
      phaseExit(child, type);
    }
    if (state.count === 0) {
      throw new QomError('Cannot release a reset that was not asserted');
    }
    state.count--;
    if (state.count === 0) {
      node.runResetPhase('exit', type);
    }
  } finally {
    state.exitInProgress = false;
  }
}

/** Put a subtree into reset and keep it there (enter and hold phases). */
export function assertReset(node: ResettableNode, type: ResetType): void {
  phaseEnter(node, type);
  phaseHold(node, type);
}

/** Release a reset asserted earlier (exit phase). */
export function releaseReset(node: ResettableNode, type: ResetType): void {
  phaseExit(node, type);
}

/** A complete reset: assert then release (QEMU's resettable_reset). */
export function resetTree(node: ResettableNode, type: ResetType): void {
  assertReset(node, type);
  releaseReset(node, type);
}
