/**
 * What the i386 CPU needs from the machine around it, declared structurally so that the
 * JIT can be used alone (tests, tools) and never imports the device packages.
 */

/** An I/O port space: `@tsemu/memory`'s AddressSpace for I/O fits as it is. */
export interface IoPortSpace {
  read(port: number, size: 1 | 2 | 4): number;
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

/** pending() bits of CpuInterruptLines (the interrupt controllers' values). */
export const LINE_INTERRUPT_HARD = 0x01;
export const LINE_INTERRUPT_NMI = 0x02;
export const LINE_INTERRUPT_INIT = 0x04;
export const LINE_INTERRUPT_SIPI = 0x08;
export const LINE_INTERRUPT_SMI = 0x10;

/**
 * The interrupt lines a CPU polls at instruction boundaries: a structural copy of
 * `@tsemu/hw-pc`'s CpuInterruptLines (its LocalApic and PicInterruptLines implement it).
 * See docs/hw-pc-interrupts.md.
 */
export interface CpuInterruptLines {
  /** A mask of LINE_INTERRUPT_* bits; 0 when there is nothing to do. */
  pending(): number;
  hasInterrupt(): boolean;
  /** The INTA cycle: the vector to dispatch, or -1 when the request went away. */
  acknowledge(): number;
  acknowledgeNmi(): void;
  acknowledgeInit(): void;
  acknowledgeSipi(): number;
  acknowledgeSmi(): void;
}

/** IA32_APIC_BASE forwarding to the CPU's local APIC (LocalApic implements it). */
export interface ApicBaseMsr {
  readBaseMsr(): number;
  /** False when reserved bits are set: the CPU raises #GP(0). */
  writeBaseMsr(value: number): boolean;
}

/** A ready-made I/O space with nothing attached: reads give all ones. */
export const EMPTY_IO_SPACE: IoPortSpace = Object.freeze({
  read: (_port: number, size: 1 | 2 | 4) => (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1),
  write: () => {},
});
