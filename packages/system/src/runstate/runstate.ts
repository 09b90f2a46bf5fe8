/**
 * The VM run state and the transitions allowed between states (QEMU's runstate.c).
 *
 * The table is QEMU's: a transition that is not listed is an emulator bug, so
 * {@link Runstate.set} throws instead of quietly entering an impossible state.
 */

/** The states of a VM, spelled as QEMU's QMP `query-status` spells them. */
export type RunState =
  | 'debug'
  | 'inmigrate'
  | 'internal-error'
  | 'io-error'
  | 'paused'
  | 'postmigrate'
  | 'prelaunch'
  | 'finish-migrate'
  | 'restore-vm'
  | 'running'
  | 'save-vm'
  | 'shutdown'
  | 'suspended'
  | 'watchdog'
  | 'guest-panicked'
  | 'colo';

export const RUN_STATES: readonly RunState[] = [
  'debug',
  'inmigrate',
  'internal-error',
  'io-error',
  'paused',
  'postmigrate',
  'prelaunch',
  'finish-migrate',
  'restore-vm',
  'running',
  'save-vm',
  'shutdown',
  'suspended',
  'watchdog',
  'guest-panicked',
  'colo',
];

/** For each state, the states it may move to (QEMU's runstate_transitions_def). */
const ALLOWED: Readonly<Record<RunState, readonly RunState[]>> = {
  prelaunch: ['inmigrate', 'suspended', 'running', 'finish-migrate'],
  debug: ['running', 'finish-migrate', 'prelaunch', 'suspended'],
  inmigrate: [
    'internal-error',
    'io-error',
    'paused',
    'running',
    'shutdown',
    'suspended',
    'watchdog',
    'guest-panicked',
    'finish-migrate',
    'prelaunch',
    'postmigrate',
    'colo',
  ],
  'internal-error': ['paused', 'finish-migrate', 'prelaunch'],
  'io-error': ['running', 'finish-migrate', 'prelaunch'],
  paused: ['running', 'finish-migrate', 'postmigrate', 'prelaunch', 'colo', 'suspended'],
  postmigrate: ['running', 'finish-migrate', 'prelaunch'],
  'finish-migrate': [
    'running',
    'paused',
    'postmigrate',
    'prelaunch',
    'colo',
    'internal-error',
    'io-error',
    'shutdown',
    'suspended',
    'watchdog',
    'guest-panicked',
  ],
  'restore-vm': ['running', 'prelaunch', 'suspended'],
  colo: ['running', 'prelaunch', 'shutdown'],
  running: [
    'debug',
    'internal-error',
    'io-error',
    'paused',
    'finish-migrate',
    'restore-vm',
    'save-vm',
    'shutdown',
    'watchdog',
    'guest-panicked',
    'colo',
    'suspended',
  ],
  'save-vm': ['running', 'suspended'],
  shutdown: ['paused', 'finish-migrate', 'prelaunch', 'colo'],
  suspended: [
    'running',
    'finish-migrate',
    'prelaunch',
    'colo',
    'paused',
    'save-vm',
    'restore-vm',
    'shutdown',
  ],
  watchdog: ['running', 'finish-migrate', 'prelaunch', 'colo'],
  'guest-panicked': ['running', 'finish-migrate', 'prelaunch'],
};

/** Every allowed transition as a `[from, to]` pair. */
export const RUNSTATE_TRANSITIONS: readonly (readonly [RunState, RunState])[] = RUN_STATES.flatMap(
  (from) => ALLOWED[from].map((to) => [from, to] as const),
);

/** True if QEMU's table lets a VM go from `from` to `to` (staying put is always allowed). */
export function isValidRunstateTransition(from: RunState, to: RunState): boolean {
  return from === to || ALLOWED[from].includes(to);
}

/** An emulator bug: something tried a transition the table forbids. */
export class InvalidRunstateTransitionError extends Error {
  constructor(
    readonly from: RunState,
    readonly to: RunState,
  ) {
    super(`invalid runstate transition: '${from}' -> '${to}'`);
    this.name = 'InvalidRunstateTransitionError';
  }
}

/** The current run state of one VM. It starts in `prelaunch`. */
export class Runstate {
  private current: RunState;
  private readonly listeners: ((state: RunState, previous: RunState) => void)[] = [];

  constructor(initial: RunState = 'prelaunch') {
    if (!RUN_STATES.includes(initial)) throw new Error(`unknown run state '${initial}'`);
    this.current = initial;
  }

  get(): RunState {
    return this.current;
  }

  check(state: RunState): boolean {
    return this.current === state;
  }

  /** Moves to `state`; throws {@link InvalidRunstateTransitionError} if the table forbids it. */
  set(state: RunState): void {
    if (!RUN_STATES.includes(state)) throw new Error(`unknown run state '${state}'`);
    const previous = this.current;
    if (previous === state) return;
    if (!ALLOWED[previous].includes(state)) {
      throw new InvalidRunstateTransitionError(previous, state);
    }
    this.current = state;
    for (const listener of this.listeners) listener(state, previous);
  }

  isRunning(): boolean {
    return this.current === 'running';
  }

  /** Running or suspended: the guest exists and time passes for it (QEMU runstate_is_live). */
  isLive(): boolean {
    return this.current === 'running' || this.current === 'suspended';
  }

  /** The VM must be reset before it can run again (after an internal error or a shutdown). */
  needsReset(): boolean {
    return this.current === 'internal-error' || this.current === 'shutdown';
  }

  /** Called after every change of state; used by the clocks and the main loop. */
  onChange(listener: (state: RunState, previous: RunState) => void): void {
    this.listeners.push(listener);
  }
}
