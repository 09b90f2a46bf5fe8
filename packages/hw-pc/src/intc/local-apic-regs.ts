// Local APIC (xAPIC) register offsets and bits, from the Intel SDM vol. 3, chapter 10.

/** Local APIC ID: bits 31-24. */
export const APIC_ID = 0x020;
/** Version: bits 7-0 version, bits 23-16 the highest LVT entry index. */
export const APIC_VERSION = 0x030;
/** Task priority register: interrupts of this class and below are held off. */
export const APIC_TPR = 0x080;
/** Arbitration priority (read-only): decides lowest-priority delivery. */
export const APIC_APR = 0x090;
/** Processor priority (read-only): the larger of TPR and the highest in-service class. */
export const APIC_PPR = 0x0a0;
/** End of interrupt (write-only): retires the highest in-service vector. */
export const APIC_EOI = 0x0b0;
/** Remote read (read-only): unused on xAPIC. */
export const APIC_RRD = 0x0c0;
/** Logical destination: bits 31-24. */
export const APIC_LDR = 0x0d0;
/** Destination format: bits 31-28 model (0xf flat, 0x0 cluster), the rest read as ones. */
export const APIC_DFR = 0x0e0;
/** Spurious-interrupt vector: bits 7-0 vector, bit 8 APIC software enable. */
export const APIC_SVR = 0x0f0;
/** In-service register: eight 32-bit registers, 16 bytes apart. */
export const APIC_ISR = 0x100;
/** Trigger mode register: set for vectors accepted as level-triggered. */
export const APIC_TMR = 0x180;
/** Interrupt request register: accepted, not yet dispatched vectors. */
export const APIC_IRR = 0x200;
/** Error status: a write latches the errors found since the previous write. */
export const APIC_ESR = 0x280;
/** Interrupt command register, low dword: writing it sends the IPI. */
export const APIC_ICR_LOW = 0x300;
/** Interrupt command register, high dword: bits 31-24 destination. */
export const APIC_ICR_HIGH = 0x310;
/** LVT timer entry. */
export const APIC_LVT_TIMER = 0x320;
/** LVT thermal sensor entry. */
export const APIC_LVT_THERMAL = 0x330;
/** LVT performance counter entry. */
export const APIC_LVT_PERF = 0x340;
/** LVT LINT0 entry (the 8259's INTR in virtual-wire mode). */
export const APIC_LVT_LINT0 = 0x350;
/** LVT LINT1 entry (NMI). */
export const APIC_LVT_LINT1 = 0x360;
/** LVT error entry. */
export const APIC_LVT_ERROR = 0x370;
/** Timer initial count: writing it (re)starts the timer. */
export const APIC_TIMER_INITIAL_COUNT = 0x380;
/** Timer current count (read-only). */
export const APIC_TIMER_CURRENT_COUNT = 0x390;
/** Timer divide configuration: bits 0, 1 and 3. */
export const APIC_TIMER_DIVIDE = 0x3e0;
/** Size of the MMIO page (the machine maps it at the IA32_APIC_BASE address). */
export const APIC_MMIO_SIZE = 0x1000;

/** Version register value: version 0x14 (Pentium 4 xAPIC), 6 LVT entries (highest index 5). */
export const APIC_VERSION_VALUE = 0x00050014;

// LVT indexes, in register order from 0x320.

/** Index of the timer entry in the LVT. */
export const LVT_TIMER = 0;
/** Index of the thermal entry. */
export const LVT_THERMAL = 1;
/** Index of the performance counter entry. */
export const LVT_PERF = 2;
/** Index of the LINT0 entry. */
export const LVT_LINT0 = 3;
/** Index of the LINT1 entry. */
export const LVT_LINT1 = 4;
/** Index of the error entry. */
export const LVT_ERROR = 5;
/** Number of LVT entries. */
export const LVT_COUNT = 6;

// LVT entry bits.

/** Vector field. */
export const LVT_VECTOR_MASK = 0xff;
/** Delivery mode field (bits 10-8). */
export const LVT_DELIVERY_MODE_SHIFT = 8;
/** Delivery status (read-only): always idle here. */
export const LVT_DELIVERY_STATUS = 1 << 12;
/** Input pin polarity (LINT0/1): active low. */
export const LVT_POLARITY_LOW = 1 << 13;
/** Remote IRR (LINT0/1, read-only). */
export const LVT_REMOTE_IRR = 1 << 14;
/** Trigger mode (LINT0/1): level. */
export const LVT_LEVEL_TRIGGER = 1 << 15;
/** Mask: the entry delivers nothing. */
export const LVT_MASKED = 1 << 16;
/** Timer mode field (bits 18-17): 0 one-shot, 1 periodic, 2 TSC-deadline. */
export const LVT_TIMER_MODE_SHIFT = 17;
/** Timer mode: one-shot. */
export const APIC_TIMER_MODE_ONESHOT = 0;
/** Timer mode: periodic. */
export const APIC_TIMER_MODE_PERIODIC = 1;
/** Timer mode: TSC-deadline (only when the CPU advertises it). */
export const APIC_TIMER_MODE_TSC_DEADLINE = 2;

/** LINT0 as QEMU resets the BSP's: unmasked ExtINT (virtual wire to the 8259). */
export const LVT_LINT0_BSP_RESET = 0x700;

/** Writable bits of the timer entry: vector, mask, periodic (TSC-deadline added when enabled). */
export const LVT_TIMER_WRITABLE = 0x300ff;
/** Writable bits of the thermal and performance entries: vector, delivery mode, mask. */
export const LVT_THERMAL_PERF_WRITABLE = 0x107ff;
/** Writable bits of LINT0/LINT1: vector, delivery mode, polarity, trigger mode, mask. */
export const LVT_LINT_WRITABLE = 0x1a7ff;
/** Writable bits of the error entry: vector, mask. */
export const LVT_ERROR_WRITABLE = 0x100ff;

// Spurious-interrupt vector register.

/** SVR: the spurious vector. */
export const SVR_VECTOR_MASK = 0xff;
/** SVR: APIC software enable. */
export const SVR_APIC_ENABLED = 1 << 8;
/** Writable SVR bits (no focus-processor checking, no EOI-broadcast suppression). */
export const SVR_WRITABLE = 0x1ff;

// Interrupt command register, low dword.

/** ICR: vector. */
export const ICR_VECTOR_MASK = 0xff;
/** ICR: delivery mode field (bits 10-8). */
export const ICR_DELIVERY_MODE_SHIFT = 8;
/** ICR: logical destination mode. */
export const ICR_DEST_LOGICAL = 1 << 11;
/** ICR: delivery status (read-only): always idle, IPIs are delivered at once. */
export const ICR_DELIVERY_STATUS = 1 << 12;
/** ICR: level assert (0 = de-assert, used by the INIT level de-assert IPI). */
export const ICR_LEVEL_ASSERT = 1 << 14;
/** ICR: level-triggered. */
export const ICR_TRIGGER_LEVEL = 1 << 15;
/** ICR: destination shorthand field (bits 19-18). */
export const ICR_SHORTHAND_SHIFT = 18;
/** Shorthand: use the destination field. */
export const ICR_SHORTHAND_NONE = 0;
/** Shorthand: self. */
export const ICR_SHORTHAND_SELF = 1;
/** Shorthand: all including self. */
export const ICR_SHORTHAND_ALL = 2;
/** Shorthand: all excluding self. */
export const ICR_SHORTHAND_ALL_BUT_SELF = 3;
/** Writable ICR low bits. */
export const ICR_LOW_WRITABLE = 0xccfff;
/** Writable ICR high bits: the destination field. */
export const ICR_HIGH_WRITABLE = 0xff000000;

// Error status register bits.

/** ESR: an IPI with an illegal vector (0-15) was sent. */
export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
/** ESR: an interrupt with an illegal vector (0-15) was received. */
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
/** ESR: a reserved register was accessed. */
export const ESR_ILLEGAL_REGISTER = 1 << 7;

// IA32_APIC_BASE MSR (0x1b).

/** The MSR number of IA32_APIC_BASE. */
export const MSR_IA32_APICBASE = 0x1b;
/** The MSR number of IA32_TSC_DEADLINE. */
export const MSR_IA32_TSC_DEADLINE = 0x6e0;
/** IA32_APIC_BASE: this processor is the bootstrap processor. */
export const APICBASE_BSP = 1 << 8;
/** IA32_APIC_BASE: x2APIC enable (not supported: setting it faults). */
export const APICBASE_X2APIC = 1 << 10;
/** IA32_APIC_BASE: APIC global enable. */
export const APICBASE_ENABLE = 1 << 11;
/** The APIC's default physical address. */
export const APIC_DEFAULT_ADDRESS = 0xfee00000;
/** Address bits of IA32_APIC_BASE for a 36-bit physical address space (bits 35-12). */
export const APICBASE_ADDRESS_MASK = 0xffffff000;
