import { EXCP_HALTED, EXCP_HLT } from '../exec/cpu-state.js';
import { TcgEngine, type TcgEngineOptions } from '../exec/engine.js';
import { TestMemory, type TestMemoryOptions } from './test-memory.js';
import { ToyCpu, toyFrontend } from './toy-frontend.js';

export interface ToyMachineOptions
  extends Partial<Omit<TcgEngineOptions<ToyCpu>, 'cpu' | 'frontend'>> {
  memory?: TestMemoryOptions;
}

/** A toy CPU, a TestMemory and a TcgEngine wired together, for tests and benchmarks. */
export class ToyMachine {
  readonly memory: TestMemory;
  readonly cpu: ToyCpu;
  readonly engine: TcgEngine<ToyCpu>;

  constructor(options: ToyMachineOptions = {}) {
    this.memory = new TestMemory(options.memory ?? { ramSize: 1 << 20 });
    this.cpu = new ToyCpu(this.memory);
    const { memory: _m, ...engineOptions } = options;
    this.engine = new TcgEngine({ cpu: this.cpu, frontend: toyFrontend, ...engineOptions });
  }

  /** Copy a program into RAM and point the PC at `entry` (default: its start). */
  load(addr: number, bytes: Uint8Array, entry = addr): this {
    this.memory.load(addr, bytes);
    this.cpu.pc = entry;
    return this;
  }

  /** Run until the guest halts (or `maxSlices` cpuExec calls pass). Returns the last exit code. */
  runUntilHalt(maxSlices = 100, slice = 100_000): number {
    let r = 0;
    for (let i = 0; i < maxSlices; i++) {
      r = this.engine.cpuExec(slice);
      if (r === EXCP_HLT || r === EXCP_HALTED) return r;
    }
    throw new Error(
      `ToyMachine: no HALT after ${maxSlices} slices (pc=0x${this.cpu.pc.toString(16)})`,
    );
  }
}
