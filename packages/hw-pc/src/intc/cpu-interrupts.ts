/**
 * The contract between the interrupt controllers and a CPU (see docs/hw-pc-interrupts.md).
 *
 * A CPU never reads controller registers to find its interrupts: it polls one object that
 * implements {@link CpuInterruptLines} at instruction (translation block) boundaries. In a PC
 * with APICs that object is the CPU's {@link LocalApic}; in a machine with only the 8259 pair
 * it is a {@link PicInterruptLines}. The controller calls the CPU's `kick` when something
 * new becomes pending, so that a JIT leaves its chained blocks (and a halted CPU wakes up).
 */

/** pending() bit: a maskable interrupt waits for an INTA cycle (taken only with EFLAGS.IF=1). */
export const CPU_INTERRUPT_HARD = 0x01;
/** pending() bit: a non-maskable interrupt is latched. */
export const CPU_INTERRUPT_NMI = 0x02;
/** pending() bit: an INIT (IPI or reset message) is latched. */
export const CPU_INTERRUPT_INIT = 0x04;
/** pending() bit: a start-up IPI arrived while the CPU waits for one. */
export const CPU_INTERRUPT_SIPI = 0x08;
/** pending() bit: a system-management interrupt is latched. */
export const CPU_INTERRUPT_SMI = 0x10;

/** What a CPU polls at instruction boundaries. */
export interface CpuInterruptLines {
  /** A mask of CPU_INTERRUPT_* bits; 0 when there is nothing to do. Cheap: call it every block. */
  pending(): number;
  /** Whether a maskable interrupt is waiting (pending() & CPU_INTERRUPT_HARD). */
  hasInterrupt(): boolean;
  /**
   * The INTA cycle: returns the vector (0-255) to dispatch and moves the interrupt in service.
   * Returns -1 when the request went away since {@link hasInterrupt} (nothing to dispatch).
   * May return a spurious vector, which the CPU dispatches like any other (no EOI follows).
   */
  acknowledge(): number;
  /** The CPU takes the latched NMI (it then blocks NMIs until IRET, which is the CPU's job). */
  acknowledgeNmi(): void;
  /** The CPU takes the latched INIT: the controller resets its own INIT state; the CPU resets. */
  acknowledgeInit(): void;
  /** The CPU takes the start-up IPI: returns its vector (the CPU starts at vector << 12). */
  acknowledgeSipi(): number;
  /** The CPU takes the latched SMI. */
  acknowledgeSmi(): void;
}

/** Where an INTA cycle for an ExtINT interrupt goes: the 8259 pair, seen from an APIC. */
export interface ExtIntSource {
  /** The level of the 8259 master's INT output. */
  readonly interruptOutput: boolean;
  /** Perform the interrupt-acknowledge cycle and return the vector. */
  acknowledge(): number;
}

/** How a controller tells the CPU that pending() changed (QEMU's cpu_interrupt + kick). */
export type CpuKick = () => void;
