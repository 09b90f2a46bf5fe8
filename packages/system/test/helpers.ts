import { type SyntheticInstruction, SyntheticVcpu } from '../src/index.js';

/** Waits (without spinning) until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A vCPU that executes no-ops forever (until its instruction function says otherwise). */
export function busyVcpu(name = 'cpu0', instruction: SyntheticInstruction = () => undefined) {
  return new SyntheticVcpu(name, instruction);
}

/** A vCPU that executes HLT with interrupts disabled: it never runs again. */
export function deadVcpu(name = 'cpu0'): SyntheticVcpu {
  const cpu = new SyntheticVcpu(name, (self) => self.hlt());
  cpu.interruptsEnabled = false;
  return cpu;
}
