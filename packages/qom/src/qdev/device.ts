/**
 * Device: the qdev base class (QEMU's DeviceState / DeviceClass).
 *
 * Life of a device:
 * 1. `registry.objectNew(type)`: constructors and instanceInit run; properties
 *    hold their defaults.
 * 2. Configure: `dev.props.x = ...` or `dev.setPropertyFromString('x', text)`.
 * 3. `dev.realize(bus?)`: plugs into the bus, runs `onRealize`; from now on
 *    qdev properties are frozen.
 * 4. Reset (`dev.reset('cold')` or a reset of an ancestor bus) runs the reset
 *    phases; the machine resets everything once before the guest starts.
 * 5. `dev.unrealize()` / `dev.unparent()`.
 *
 * A device talks to the outside through GPIO lines: outputs it drives
 * (`this.outputLine('irq')`) and inputs that call it (`this.inputLine(...)`).
 */
import { catchQomError, err, ok, QomError, type Result } from '../errors.js';
import { QomObject } from '../object/object.js';
import { ObjectClass } from '../object/object-class.js';
import { getOrCreateContainer } from '../object/tree.js';
import type { TypeInfo, TypeRef } from '../object/type-info.js';
import { TYPE_OBJECT } from '../object/type-names.js';
import {
  accessorProperty,
  type ObjectProperty,
  readOnlyLinkProperty,
} from '../property/object-property.js';
import type { PropSpecs } from '../property/spec.js';
import type { StateDescription } from '../vmstate/state.js';
import type { Bus } from './bus.js';
import {
  BUS_PLUG,
  BUS_SET_PARENT,
  BUS_UNPLUG,
  DEVICE_FORGET_CHILD_BUS,
  DEVICE_SET_PARENT_BUS,
} from './internal.js';
import { type Irq, IrqLine, OutputLine } from './irq.js';
import {
  assertReset,
  type ResetPhase,
  ResetState,
  type ResetType,
  type ResettableNode,
  releaseReset,
  resetTree,
} from './resettable.js';
import { TYPE_BUS, TYPE_DEVICE, TYPE_MACHINE } from './type-names.js';

/** QEMU's DeviceCategory: the headings of `-device help`. */
export type DeviceCategory =
  | 'bridge'
  | 'usb'
  | 'storage'
  | 'network'
  | 'input'
  | 'display'
  | 'sound'
  | 'misc'
  | 'cpu'
  | 'watchdog';

export class DeviceClass extends ObjectClass {
  /** One line for `-device help`. */
  desc: string | undefined = undefined;
  /** Type of bus the device plugs into; undefined for bus-less devices. */
  busType: string | undefined = undefined;
  /** Whether `-device` may create it (QEMU's user_creatable). */
  userCreatable = true;
  hotpluggable = true;
  categories: DeviceCategory[] = [];
  /** The device's state description, for save/load (QEMU's vmsd). */
  // biome-ignore lint/suspicious/noExplicitAny: checked against the instance type by defineDevice.
  vmsd: StateDescription<any> | undefined = undefined;
}

/** How messages name a device: its id, else its path, else its type. */
export function describeDevice(dev: Device): string {
  return dev.id ?? dev.canonicalPath ?? `<unattached ${dev.typeName}>`;
}

export class Device<P extends PropSpecs = {}> extends QomObject<P> implements ResettableNode {
  /** The user's name for the device (`-device ...,id=NAME`). */
  id: string | undefined = undefined;
  /** @internal Reset bookkeeping. */
  readonly resetState = new ResetState();
  #realized = false;
  #parentBus: Bus | undefined = undefined;
  #childBuses: Bus[] = [];
  #gpioIn = new Map<string, IrqLine[]>();
  #gpioOut = new Map<string, OutputLine[]>();

  get deviceClass(): DeviceClass {
    return this.objectClass as DeviceClass;
  }

  get realized(): boolean {
    return this.#realized;
  }

  /** The bus the device is plugged into. */
  get parentBus(): Bus | undefined {
    return this.#parentBus;
  }

  /** Buses this device provides, in creation order. */
  get childBuses(): readonly Bus[] {
    return [...this.#childBuses];
  }

  /** Whether a reset is asserted on the device. */
  get inReset(): boolean {
    return this.resetState.count > 0;
  }

  // ---- realize -------------------------------------------------------------

  /**
   * Realize the device (QEMU's qdev_realize): plug it into `bus` (required
   * if its class has a busType), run `onRealize`, and freeze its qdev
   * properties. A device realized without a parent in the composition tree is
   * placed at `<machine>/unattached/device[N]` when its bus is in a machine.
   * On failure nothing changes (the device leaves the bus again).
   */
  realize(bus?: Bus): Result<void> {
    if (this.finalized) {
      return err(`Device of type '${this.typeName}' has been finalized`);
    }
    if (this.#realized) {
      return err(`Device '${describeDevice(this)}' is already realized`);
    }
    const plugged = this.#plug(bus);
    if (!plugged.ok) {
      return plugged;
    }
    const outcome = catchQomError(() => this.onRealize());
    const failure = !outcome.ok
      ? outcome
      : outcome.value && !outcome.value.ok
        ? outcome.value
        : undefined;
    if (failure !== undefined) {
      if (plugged.value && bus !== undefined) {
        bus[BUS_UNPLUG](this);
        this.#parentBus = undefined;
      }
      return failure;
    }
    this.#realized = true;
    this.#attachIfOrphan();
    return ok();
  }

  /** Put the device on `bus` if needed; the value says whether this call plugged it. */
  #plug(bus: Bus | undefined): Result<boolean> {
    const busType = this.deviceClass.busType;
    if (bus === undefined) {
      if (busType !== undefined && this.#parentBus === undefined) {
        return err(
          `Device '${describeDevice(this)}' of type '${this.typeName}' needs a bus of type '${busType}'`,
        );
      }
      return ok(false);
    }
    if (busType === undefined) {
      return err(
        `Device type '${this.typeName}' does not plug into a bus, but bus '${bus.name}' was given`,
      );
    }
    if (!bus.isA(busType)) {
      return err(`Device '${this.typeName}' can't go on ${bus.typeName} bus`);
    }
    if (this.#parentBus === bus) {
      return ok(false);
    }
    if (this.#parentBus !== undefined) {
      return err(`Device '${describeDevice(this)}' is already on bus '${this.#parentBus.name}'`);
    }
    if (bus.isFull) {
      return err(`Bus '${bus.name}' is full`);
    }
    bus[BUS_PLUG](this);
    this.#parentBus = bus;
    return ok(true);
  }

  #attachIfOrphan(): void {
    if (this.parent !== undefined) {
      return;
    }
    for (let node: QomObject | undefined = this.#parentBus; node; node = node.parent) {
      if (node.isA(TYPE_MACHINE)) {
        getOrCreateContainer(node, 'unattached').addChild('device[*]', this);
        return;
      }
    }
  }

  /**
   * Unrealize (QEMU's qdev_unrealize): first the devices on this device's
   * buses, last plugged first, then this device's `onUnrealize`. The device
   * stays on its bus and in the tree.
   */
  unrealize(): void {
    if (!this.#realized) {
      return;
    }
    for (const bus of [...this.#childBuses].reverse()) {
      for (const dev of [...bus.children].reverse()) {
        dev.unrealize();
      }
    }
    this.onUnrealize();
    this.#realized = false;
  }

  /**
   * Build the device (QEMU's DeviceClass.realize): check properties, create
   * output lines whose count depends on properties, register with the bus.
   * Return `err(...)` (or throw a QomError) to refuse; then nothing is kept.
   */
  protected onRealize(): Result<void> | undefined | void {}

  /** Undo what onRealize did (QEMU's DeviceClass.unrealize). */
  protected onUnrealize(): void {}

  protected override checkPropertyWritable(property: ObjectProperty): string | undefined {
    if (this.#realized && property.frozenAfterRealize) {
      return `Attempt to set property '${property.name}' on device '${describeDevice(this)}' (type '${this.typeName}') after it was realized`;
    }
    return super.checkPropertyWritable(property);
  }

  protected override beforeUnparent(): void {
    this.unrealize();
    for (const bus of [...this.#childBuses].reverse()) {
      bus.unparent();
    }
    if (this.#parentBus !== undefined) {
      this.#parentBus[BUS_UNPLUG](this);
      this.#parentBus = undefined;
    }
    super.beforeUnparent();
  }

  // ---- reset ---------------------------------------------------------------

  /** Reset this device and everything on its buses (QEMU's device_cold_reset, or warm). */
  reset(type: ResetType = 'cold'): void {
    resetTree(this, type);
  }

  /** Hold the device subtree in reset until releaseReset (e.g. a reset pin held low). */
  assertReset(type: ResetType = 'cold'): void {
    assertReset(this, type);
  }

  releaseReset(type: ResetType = 'cold'): void {
    releaseReset(this, type);
  }

  /**
   * Reset phase 1: put registers back to their reset values. Do not touch
   * other devices here (no IRQ changes).
   */
  protected resetEnter(_type: ResetType): void {}

  /** Reset phase 2: side effects, e.g. lower output IRQ lines. Most devices override this one. */
  protected resetHold(_type: ResetType): void {}

  /** Reset phase 3: the reset is released; start running again. */
  protected resetExit(_type: ResetType): void {}

  /** @internal ResettableNode: a device's reset children are its buses. */
  resetChildren(): Iterable<ResettableNode> {
    return [...this.#childBuses];
  }

  /**
   * @internal ResettableNode. An unrealized device has no state to reset
   * yet, so its phases are skipped (the walk still counts it in reset).
   */
  runResetPhase(phase: ResetPhase, type: ResetType): void {
    if (!this.#realized) {
      return;
    }
    if (phase === 'enter') {
      this.resetEnter(type);
    } else if (phase === 'hold') {
      this.resetHold(type);
    } else {
      this.resetExit(type);
    }
  }

  // ---- buses ---------------------------------------------------------------

  /**
   * Create a bus provided by this device (QEMU's qbus_new with this device as
   * parent). It becomes a child named `name`, by default `<id or bus type>.<n>`
   * in lower case, e.g. `isa-bus.0`.
   */
  createBus<B extends Bus>(type: TypeRef<B>, name?: string): B {
    const bus = this.registry.objectNew(type as TypeInfo<B>);
    if (!bus.isA(TYPE_BUS)) {
      bus.unparent();
      throw new QomError(`Type '${bus.typeName}' is not a bus type`);
    }
    const busName = name ?? `${(this.id ?? bus.typeName).toLowerCase()}.${this.#childBuses.length}`;
    this.addChild(busName, bus);
    bus[BUS_SET_PARENT](this, busName);
    this.#childBuses.push(bus);
    return bus;
  }

  /** @internal */
  [DEVICE_SET_PARENT_BUS](bus: Bus | undefined): void {
    this.#parentBus = bus;
  }

  /** @internal */
  [DEVICE_FORGET_CHILD_BUS](bus: Bus): void {
    this.#childBuses = this.#childBuses.filter((b) => b !== bus);
  }

  // ---- GPIO lines ----------------------------------------------------------

  /** Declare one output line (QEMU's qdev_init_gpio_out_named with one pin). */
  protected outputLine(name: string): OutputLine {
    return this.outputLines(name, 1)[0] as OutputLine;
  }

  /** Declare `count` more output lines under `name`; indices continue from earlier ones. */
  protected outputLines(name: string, count: number): OutputLine[] {
    checkLineCount(count);
    const lines = this.#gpioOut.get(name) ?? [];
    const created = Array.from(
      { length: count },
      (_, i) => new OutputLine(name, lines.length + i, () => `device '${describeDevice(this)}'`),
    );
    lines.push(...created);
    this.#gpioOut.set(name, lines);
    return created;
  }

  /** Declare one input line; `handler` receives each level set on it. */
  protected inputLine(name: string, handler: (level: number) => void): IrqLine {
    return this.inputLines(name, 1, (_index, level) => handler(level))[0] as IrqLine;
  }

  /**
   * Declare `count` more input lines under `name` (QEMU's
   * qdev_init_gpio_in_named); `handler` gets the line's index and the level.
   */
  protected inputLines(
    name: string,
    count: number,
    handler: (index: number, level: number) => void,
  ): IrqLine[] {
    checkLineCount(count);
    const lines = this.#gpioIn.get(name) ?? [];
    const first = lines.length;
    const created = Array.from({ length: count }, (_, i) => {
      const index = first + i;
      return new IrqLine((level) => handler(index, level), `${name}[${index}]`);
    });
    lines.push(...created);
    this.#gpioIn.set(name, lines);
    return created;
  }

  /** Input line `name[n]`, to connect an output to (QEMU's qdev_get_gpio_in_named). */
  getGpioIn(name: string, n = 0): IrqLine {
    return this.#line(this.#gpioIn, 'input', name, n);
  }

  /** Output line `name[n]`. */
  getGpioOut(name: string, n = 0): OutputLine {
    return this.#line(this.#gpioOut, 'output', name, n);
  }

  /** Connect output `name[n]` to `target` (QEMU's qdev_connect_gpio_out_named). */
  connectGpioOut(name: string, n: number, target: Irq): void {
    this.getGpioOut(name, n).connect(target);
  }

  /** Declared input lines by name. */
  gpioInputs(): ReadonlyMap<string, readonly IrqLine[]> {
    return new Map(this.#gpioIn);
  }

  /** Declared output lines by name. */
  gpioOutputs(): ReadonlyMap<string, readonly OutputLine[]> {
    return new Map(this.#gpioOut);
  }

  #line<L>(table: Map<string, L[]>, direction: string, name: string, n: number): L {
    const line = table.get(name)?.[n];
    if (line === undefined) {
      const known = [...table].map(([lineName, lines]) => `${lineName}[0..${lines.length - 1}]`);
      throw new QomError(
        `Device '${describeDevice(this)}' has no ${direction} line '${name}[${n}]'`,
        {
          hint:
            known.length === 0
              ? `It has no ${direction} lines.`
              : `Its ${direction} lines: ${known.join(', ')}`,
        },
      );
    }
    return line;
  }
}

function checkLineCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new QomError(`A GPIO line count must be a positive integer, got ${count}`);
  }
}

export const deviceTypeInfo: TypeInfo<Device, DeviceClass> = {
  name: TYPE_DEVICE,
  parent: TYPE_OBJECT,
  abstract: true,
  instance: Device,
  classType: DeviceClass,
  classInit(dc) {
    dc.addObjectProperty(
      accessorProperty<boolean>('realized', {
        type: 'bool',
        internal: true,
        get: (obj) => (obj as Device).realized,
      }),
    );
    dc.addObjectProperty(
      readOnlyLinkProperty('parent_bus', {
        type: `link<${TYPE_BUS}>`,
        internal: true,
        get: (obj) => (obj as Device).parentBus,
      }),
    );
  },
};
