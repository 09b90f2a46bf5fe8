/**
 * Bus: where devices plug in (QEMU's BusState / BusClass).
 *
 * A bus is usually created by the device that provides it
 * (`hostBridge.createBus(PCI_BUS)`) and is then that device's child; a root
 * bus such as the main system bus can be created on its own with
 * {@link createBus}. Devices join a bus when realized on it; the bus lists
 * them in plug order and shows each as a `child[N]` link property.
 */
import { QomError } from '../errors.js';
import { QomObject } from '../object/object.js';
import { ObjectClass } from '../object/object-class.js';
import type { TypeRegistry } from '../object/registry.js';
import type { TypeInfo, TypeRef } from '../object/type-info.js';
import { TYPE_OBJECT } from '../object/type-names.js';
import { readOnlyLinkProperty } from '../property/object-property.js';
import type { Device } from './device.js';
import {
  BUS_PLUG,
  BUS_SET_PARENT,
  BUS_UNPLUG,
  DEVICE_FORGET_CHILD_BUS,
  DEVICE_SET_PARENT_BUS,
} from './internal.js';
import {
  assertReset,
  type ResetPhase,
  ResetState,
  type ResetType,
  type ResettableNode,
  releaseReset,
  resetTree,
} from './resettable.js';
import { TYPE_BUS } from './type-names.js';

export class BusClass extends ObjectClass {
  /** How many devices fit; 0 means no limit (QEMU's max_dev). */
  maxDevices = 0;
}

export class Bus extends QomObject implements ResettableNode {
  /** @internal Reset bookkeeping. */
  readonly resetState = new ResetState();
  #name: string | undefined = undefined;
  #parentDevice: Device | undefined = undefined;
  #children: Device[] = [];
  #linkNames = new Map<Device, string>();
  #nextIndex = 0;

  get busClass(): BusClass {
    return this.objectClass as BusClass;
  }

  /** The bus name used by `-device ...,bus=NAME`, e.g. `pci.0`. */
  get name(): string {
    return this.#name ?? this.canonicalPathComponent ?? this.typeName;
  }

  /** The device providing this bus, if any. */
  get parentDevice(): Device | undefined {
    return this.#parentDevice;
  }

  /** Devices on the bus, in plug order. */
  get children(): readonly Device[] {
    return [...this.#children];
  }

  get isFull(): boolean {
    const max = this.busClass.maxDevices;
    return max > 0 && this.#children.length >= max;
  }

  get inReset(): boolean {
    return this.resetState.count > 0;
  }

  /** Reset every device on the bus (and below), in plug order. */
  reset(type: ResetType = 'cold'): void {
    resetTree(this, type);
  }

  assertReset(type: ResetType = 'cold'): void {
    assertReset(this, type);
  }

  releaseReset(type: ResetType = 'cold'): void {
    releaseReset(this, type);
  }

  /** Bus-level reset phases (after the devices on it; see Device). */
  protected resetEnter(_type: ResetType): void {}
  protected resetHold(_type: ResetType): void {}
  protected resetExit(_type: ResetType): void {}

  /** @internal ResettableNode: a bus's reset children are its devices. */
  resetChildren(): Iterable<ResettableNode> {
    return [...this.#children];
  }

  /** @internal ResettableNode. */
  runResetPhase(phase: ResetPhase, type: ResetType): void {
    if (phase === 'enter') {
      this.resetEnter(type);
    } else if (phase === 'hold') {
      this.resetHold(type);
    } else {
      this.resetExit(type);
    }
  }

  /** @internal */
  [BUS_SET_PARENT](device: Device | undefined, name: string): void {
    this.#parentDevice = device;
    this.#name = name;
  }

  /** @internal */
  [BUS_PLUG](dev: Device): void {
    const linkName = `child[${this.#nextIndex++}]`;
    this.#children.push(dev);
    this.#linkNames.set(dev, linkName);
    this.addObjectProperty(
      readOnlyLinkProperty(linkName, { type: `link<${dev.typeName}>`, get: () => dev }),
    );
  }

  /** @internal */
  [BUS_UNPLUG](dev: Device): void {
    const linkName = this.#linkNames.get(dev);
    if (linkName === undefined) {
      return;
    }
    this.#children = this.#children.filter((d) => d !== dev);
    this.#linkNames.delete(dev);
    this.removeProperty(linkName);
  }

  /** Destroying a bus destroys the devices on it, then leaves the parent device. */
  protected override beforeUnparent(): void {
    for (const dev of [...this.#children].reverse()) {
      dev.unparent();
      if (this.#linkNames.has(dev)) {
        this[BUS_UNPLUG](dev);
        dev[DEVICE_SET_PARENT_BUS](undefined);
      }
    }
    this.#parentDevice?.[DEVICE_FORGET_CHILD_BUS](this);
    this.#parentDevice = undefined;
    super.beforeUnparent();
  }
}

/**
 * A bus without a parent device, e.g. the main system bus, named `name`.
 * Add it to the tree yourself (QEMU puts it at /machine/unattached/sysbus).
 */
export function createBus<B extends Bus>(
  registry: TypeRegistry,
  type: TypeRef<B>,
  name: string,
): B {
  const bus = registry.objectNew(type as TypeInfo<B>);
  if (!bus.isA(TYPE_BUS)) {
    bus.unparent();
    throw new QomError(`Type '${bus.typeName}' is not a bus type`);
  }
  bus[BUS_SET_PARENT](undefined, name);
  return bus;
}

export const busTypeInfo: TypeInfo<Bus, BusClass> = {
  name: TYPE_BUS,
  parent: TYPE_OBJECT,
  abstract: true,
  instance: Bus,
  classType: BusClass,
};
