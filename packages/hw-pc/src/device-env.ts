/**
 * What a device model sees of the world around it.
 *
 * A device core (the register logic of an i8259, a PIT, a UART...) is a plain
 * object: it knows its registers and nothing about where it is mapped, which
 * machine it is in, or how time passes. Everything it does to the outside world
 * is injected through these small interfaces: a test passes recorders and a
 * manual clock, a machine passes real IRQ lines and the system's virtual clock.
 * (The shape follows rust-vmm's vm-superio: see docs/hw-pc.md.)
 */

/** One interrupt line driven by the device (QEMU's qemu_irq, seen from the source). */
export interface IrqTrigger {
  /** Drive the line to `level` (true = asserted). Edge-triggered sinks see the 0->1 change. */
  set(level: boolean): void;
}

/** Time as the guest sees it: the virtual clock, in nanoseconds. Stops while the VM is paused. */
export interface DeviceClock {
  now(): number;
}

/** A one-shot timer on the virtual clock. */
export interface DeviceTimer {
  /** (Re)arm the timer to fire when the clock reaches `expireNs`. */
  mod(expireNs: number): void;
  /** Disarm the timer; a disarmed timer never fires. */
  del(): void;
  /** Whether the timer is armed. */
  readonly pending: boolean;
}

/** Creates timers on the virtual clock; the callback runs from the main loop, never re-entrantly. */
export interface TimerFactory {
  newTimer(callback: () => void): DeviceTimer;
}

/** The clock and the timers a time-keeping device needs. */
export interface DeviceTime extends DeviceClock, TimerFactory {}

/**
 * QEMU's `-d` logging as devices use it (items such as `guest_errors`, `unimp`).
 * `@tsemu/system`'s Log satisfies this interface.
 */
export interface LogSink {
  enabled(item: string): boolean;
  write(item: string, text: string): void;
}

/** A sink that drops everything: the default for a device built without logging. */
export const SILENT_LOG: LogSink = {
  enabled: () => false,
  write: () => {},
};

/** An IRQ line that goes nowhere: the default for an unconnected output. */
export const UNCONNECTED_IRQ: IrqTrigger = { set: () => {} };
