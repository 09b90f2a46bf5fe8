/** Register classes the assembler knows. `num` is the 3-bit encoding. */
export type RegisterClass = 'gpr' | 'sreg' | 'cr' | 'dr';

export interface Register {
  name: string;
  cls: RegisterClass;
  /** Encoding in ModRM.reg / ModRM.rm / opcode+r. */
  num: number;
  /** Size in bytes (GPRs: 1, 2 or 4; segment registers: 2; control/debug registers: 4). */
  size: number;
}

const GPR_NAMES: Record<number, string[]> = {
  1: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  2: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  4: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
};
export const SREG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

// Built once at module load and never mutated afterwards.
const REGISTERS: ReadonlyMap<string, Register> = (() => {
  const map = new Map<string, Register>();
  for (const [size, names] of Object.entries(GPR_NAMES)) {
    names.forEach((name, num) => {
      map.set(name, { name, cls: 'gpr', num, size: Number(size) });
    });
  }
  SREG_NAMES.forEach((name, num) => {
    map.set(name, { name, cls: 'sreg', num, size: 2 });
  });
  for (const num of [0, 2, 3, 4])
    map.set(`cr${num}`, { name: `cr${num}`, cls: 'cr', num, size: 4 });
  for (const num of [0, 1, 2, 3, 4, 5, 6, 7]) {
    map.set(`dr${num}`, { name: `dr${num}`, cls: 'dr', num, size: 4 });
  }
  return map;
})();

export function lookupRegister(name: string): Register | undefined {
  return REGISTERS.get(name.toLowerCase());
}

/** Register numbers used by the addressing code. */
export const Reg = {
  EAX: 0,
  ECX: 1,
  EDX: 2,
  EBX: 3,
  ESP: 4,
  EBP: 5,
  ESI: 6,
  EDI: 7,
} as const;

/** Segment register numbers, which are also the order of the override prefixes below. */
export const SEGMENT_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
