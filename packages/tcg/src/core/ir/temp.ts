/**
 * IR values: QEMU's TCGTemp. A temp is a global (bound to a field of the CPU state), a
 * per-TB temporary, or a constant. Ops refer to temps by index: globals take the first
 * indexes of every TB (in the order the StateLayout declared them).
 */

/** The type of a value. Only I32 is implemented; I64 is reserved for x86-64. */
export enum TempType {
  I32 = 0,
  I64 = 1,
}

export enum TempKind {
  /** Bound to a state field (an Int32Array slot) for the whole life of the CPU. */
  Global = 0,
  /**
   * Lives within one extended basic block: from its definition up to the next label.
   * Reading it after a label without redefining it is a frontend bug (the builder checks).
   */
  Ebb = 1,
  /** Lives for the whole TB, across labels and branches (QEMU's TEMP_TB, "local temp"). */
  Tb = 2,
  /** A constant: never written. */
  Const = 3,
}

export class Temp {
  constructor(
    /** Index in the TB's temp table (globals first). */
    readonly index: number,
    readonly kind: TempKind,
    readonly type: TempType,
    /** Name used by the printer (`eax`, `tmp3`, `loc1`, `$0x10`). */
    readonly name: string,
    /** For a constant: its value as a signed 32-bit integer. */
    readonly value: number = 0,
    /** For a global: the id of the state array it lives in. */
    readonly stateArray: number = -1,
    /** For a global: its index in that state array. */
    readonly stateIndex: number = -1,
  ) {}

  get isGlobal(): boolean {
    return this.kind === TempKind.Global;
  }

  get isConst(): boolean {
    return this.kind === TempKind.Const;
  }

  toString(): string {
    return this.name;
  }
}

/** A branch target inside a TB. Created by `IrBuilder.newLabel()`. */
export class Label {
  constructor(readonly id: number) {}
  toString(): string {
    return `$L${this.id}`;
  }
}
