/**
 * @tsemu/system: runstate, clocks, timers, bottom halves, notifiers, reset, requests and the
 * main loop of tsemu (QEMU's runstate.c, qemu-timer.c, cpus.c and main-loop.c), plus the
 * `-d`/`-D` log.
 */

export { Log, type LogOptions, type LogSink, NULL_LOG_SINK } from './log/log.js';
export {
  isLogItemName,
  LOG_ITEMS,
  LogItemError,
  type LogItemInfo,
  type LogItemName,
  type LogSelection,
  logUsage,
  parseLogItems,
} from './log/log-items.js';
export {
  fileLogOutput,
  type LogOutput,
  MemoryLogOutput,
  stderrLogOutput,
} from './log/log-output.js';
export { BottomHalf, BottomHalfQueue } from './main-loop/bottom-half.js';
export { defaultHostScheduler, type HostScheduler } from './main-loop/host-scheduler.js';
export {
  type EventSource,
  MainLoop,
  type MainLoopHost,
  type MainLoopOptions,
} from './main-loop/main-loop.js';
export type { VcpuBudget, VcpuExitReason, VcpuRunner } from './main-loop/vcpu.js';
export { VcpuScheduler, type VcpuSchedulerHost } from './main-loop/vcpu-scheduler.js';
export { type Notifier, NotifierList } from './notifier.js';
export { attachToProcess, type ProcessLike } from './process-hooks.js';
export { type RunstateActions, SystemRequests } from './runstate/requests.js';
export { type ResetHandler, ResetHandlers } from './runstate/reset.js';
export {
  InvalidRunstateTransitionError,
  isValidRunstateTransition,
  RUN_STATES,
  RUNSTATE_TRANSITIONS,
  type RunState,
  Runstate,
} from './runstate/runstate.js';
export {
  type ShutdownCause,
  shutdownCausedByGuest,
  type WakeupReason,
} from './runstate/shutdown-cause.js';
export {
  type VmChangeStateCallback,
  VmChangeStateHandlers,
  type VmChangeStateOptions,
} from './runstate/vm-change-state.js';
export { System, type SystemNotifiers, type SystemOptions } from './system.js';
export { type SyntheticInstruction, SyntheticVcpu } from './testing/synthetic-vcpu.js';
export {
  CLOCK_TYPES,
  type Clock,
  FakeHostTime,
  HOST_TIME,
  type HostTime,
  QEMUClockType,
  SCALE_MS,
  SCALE_NS,
  SCALE_US,
} from './timer/clock.js';
export { Clocks, type ClocksOptions, VmTicks } from './timer/clocks.js';
export {
  Icount,
  type IcountOptions,
  MAX_ICOUNT_SHIFT,
  parseIcountOptions,
} from './timer/icount.js';
export { ManualClock } from './timer/manual-clock.js';
export { Timer, type TimerCallback, TimerList, type TimerListOptions } from './timer/timer.js';
