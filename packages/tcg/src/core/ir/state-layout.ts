import { Temp, TempKind, TempType } from './temp.js';

/** A named Int32Array of the CPU state, declared in a StateLayout. */
export interface StateArrayRef {
  readonly id: number;
  readonly name: string;
  readonly length: number;
}

/**
 * How a frontend declares its CPU state (QEMU's tcg_global_mem_new on CPUArchState).
 *
 * The state is a few Int32Arrays (for example `regs` for the eight x86 registers and
 * `seg` for segment bases); globals are IR temps bound to one slot of one array. Generated
 * code keeps globals in JS locals inside a TB and writes them back where the state must be
 * exact (helper calls that read them, exits, guest exceptions).
 *
 * Fields that are not globals can still be read and written from IR with
 * `IrBuilder.loadState` / `storeState`, or from helpers. A field must not be both a global
 * and accessed through loadState/storeState (the cached local would go stale).
 *
 * Declare everything first, then call `createState()` per CPU; the layout is frozen by then.
 *
 * ```ts
 * const layout = new StateLayout();
 * const regs = layout.addArray('regs', 8);
 * const [eax, ecx] = layout.addGlobals(regs, ['eax', 'ecx']);
 * const state = layout.createState(); // state[regs.id] is an Int32Array(8)
 * ```
 */
export class StateLayout {
  private readonly arrayRefs: StateArrayRef[] = [];
  private readonly globalTemps: Temp[] = [];
  private readonly names = new Set<string>();
  private readonly bound = new Set<string>();
  private frozen = false;

  get arrays(): readonly StateArrayRef[] {
    return this.arrayRefs;
  }

  get globals(): readonly Temp[] {
    return this.globalTemps;
  }

  addArray(name: string, length: number): StateArrayRef {
    this.checkOpen();
    if (!Number.isInteger(length) || length <= 0) {
      throw new Error(`StateLayout: array '${name}' needs a positive integer length`);
    }
    if (this.arrayRefs.some((a) => a.name === name)) {
      throw new Error(`StateLayout: array '${name}' declared twice`);
    }
    const ref: StateArrayRef = Object.freeze({ id: this.arrayRefs.length, name, length });
    this.arrayRefs.push(ref);
    return ref;
  }

  /** Declare a 32-bit global bound to `array[index]`. */
  addGlobal(array: StateArrayRef, index: number, name: string): Temp {
    this.checkOpen();
    if (this.arrayRefs[array.id] !== array) {
      throw new Error(`StateLayout: array '${array.name}' belongs to another layout`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= array.length) {
      throw new Error(`StateLayout: global '${name}' index ${index} is outside '${array.name}'`);
    }
    if (this.names.has(name)) throw new Error(`StateLayout: global '${name}' declared twice`);
    const slot = `${array.id}:${index}`;
    if (this.bound.has(slot)) {
      throw new Error(`StateLayout: ${array.name}[${index}] is already bound to a global`);
    }
    this.names.add(name);
    this.bound.add(slot);
    const t = new Temp(
      this.globalTemps.length,
      TempKind.Global,
      TempType.I32,
      name,
      0,
      array.id,
      index,
    );
    this.globalTemps.push(t);
    return t;
  }

  /** Declare globals for consecutive slots of `array`, starting at `first`. */
  addGlobals(array: StateArrayRef, names: readonly string[], first = 0): Temp[] {
    return names.map((n, i) => this.addGlobal(array, first + i, n));
  }

  /** True when `array[index]` is bound to a global. */
  isGlobalSlot(array: StateArrayRef, index: number): boolean {
    return this.bound.has(`${array.id}:${index}`);
  }

  /** Allocate one CPU's state: one zeroed Int32Array per declared array, by id. */
  createState(): Int32Array[] {
    this.frozen = true;
    return this.arrayRefs.map((a) => new Int32Array(a.length));
  }

  /** Stop further declarations (createState does it too). */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  private checkOpen(): void {
    if (this.frozen) throw new Error('StateLayout: declarations are closed once state exists');
  }
}
