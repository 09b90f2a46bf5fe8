/**
 * Concise definitions of device and bus types.
 *
 * ```ts
 * const timerProps = {
 *   period: prop.uint32({ default: 100, min: 1, description: 'ticks between interrupts' }),
 * };
 *
 * class ToyTimer extends Device<typeof timerProps> {
 *   readonly irq = this.outputLine('irq');
 *   ticks = 0;
 *   protected override resetHold() { this.ticks = 0; this.irq.lower(); }
 * }
 *
 * export const TOY_TIMER = defineDevice({
 *   name: 'toy-timer',
 *   instance: ToyTimer,
 *   props: timerProps,
 *   desc: 'A toy periodic timer',
 *   state: { fields: { ticks: vmstate.uint32() } },
 * });
 * ```
 */
import type { ClassConstructor, InstanceConstructor, TypeInfo } from '../object/type-info.js';
import type { PropSpecs } from '../property/spec.js';
import { defineState, type StateDescription, type StateDescriptionInit } from '../vmstate/state.js';
import type { Bus, BusClass } from './bus.js';
import type { Device, DeviceCategory, DeviceClass } from './device.js';
import { TYPE_BUS, TYPE_DEVICE } from './type-names.js';

/** A parent named by string or by its TypeInfo. */
// biome-ignore lint/suspicious/noExplicitAny: any parent type will do.
export type ParentRef = string | TypeInfo<any, any>;

function parentName(parent: ParentRef | undefined, fallback: string): string {
  return parent === undefined ? fallback : typeof parent === 'string' ? parent : parent.name;
}

/** A state description given inline: the name defaults to the device type's name. */
export type DeviceStateInit<I> = Omit<StateDescriptionInit<I>, 'name'> & { readonly name?: string };

export interface DeviceDefinition<I extends Device, C extends DeviceClass> {
  readonly name: string;
  /** Default: `device`. */
  readonly parent?: ParentRef;
  readonly abstract?: boolean;
  /** The device's JS class; inherits the parent's when omitted. */
  readonly instance?: InstanceConstructor<I>;
  readonly classType?: ClassConstructor<C>;
  /** Typed qdev properties, frozen after realize. */
  readonly props?: PropSpecs;
  /** One line for `-device help`. */
  readonly desc?: string;
  /** The bus type the device plugs into. */
  readonly busType?: string;
  readonly categories?: readonly DeviceCategory[];
  /** Default true: `-device` may create it. */
  readonly userCreatable?: boolean;
  readonly hotpluggable?: boolean;
  /** What saveDeviceState/loadDeviceState save and load. */
  readonly state?: StateDescription<I> | DeviceStateInit<I>;
  readonly interfaces?: readonly string[];
  classInit?(dc: C): void;
  instanceInit?(dev: I): void;
  instancePostInit?(dev: I): void;
  instanceFinalize?(dev: I): void;
}

/** A device type's TypeInfo from a concise definition. */
export function defineDevice<I extends Device, C extends DeviceClass = DeviceClass>(
  def: DeviceDefinition<I, C>,
): TypeInfo<I, C> {
  const vmsd =
    def.state === undefined ? undefined : defineState<I>({ name: def.name, ...def.state });
  return {
    name: def.name,
    parent: parentName(def.parent, TYPE_DEVICE),
    abstract: def.abstract,
    instance: def.instance,
    classType: def.classType,
    props: def.props,
    interfaces: def.interfaces,
    classInit(dc) {
      if (def.desc !== undefined) {
        dc.desc = def.desc;
      }
      if (def.busType !== undefined) {
        dc.busType = def.busType;
      }
      if (def.categories !== undefined) {
        dc.categories = [...def.categories];
      }
      if (def.userCreatable !== undefined) {
        dc.userCreatable = def.userCreatable;
      }
      if (def.hotpluggable !== undefined) {
        dc.hotpluggable = def.hotpluggable;
      }
      if (vmsd !== undefined) {
        dc.vmsd = vmsd;
      }
      def.classInit?.(dc);
    },
    instanceInit: def.instanceInit && ((dev) => def.instanceInit?.(dev)),
    instancePostInit: def.instancePostInit && ((dev) => def.instancePostInit?.(dev)),
    instanceFinalize: def.instanceFinalize && ((dev) => def.instanceFinalize?.(dev)),
  };
}

export interface BusDefinition<B extends Bus> {
  readonly name: string;
  /** Default: `bus`. */
  readonly parent?: ParentRef;
  readonly abstract?: boolean;
  readonly instance?: InstanceConstructor<B>;
  /** How many devices fit; 0 or omitted means no limit. */
  readonly maxDevices?: number;
  readonly interfaces?: readonly string[];
  classInit?(bc: BusClass): void;
}

/** A bus type's TypeInfo from a concise definition. */
export function defineBus<B extends Bus>(def: BusDefinition<B>): TypeInfo<B, BusClass> {
  return {
    name: def.name,
    parent: parentName(def.parent, TYPE_BUS),
    abstract: def.abstract,
    instance: def.instance,
    interfaces: def.interfaces,
    classInit(bc) {
      if (def.maxDevices !== undefined) {
        bc.maxDevices = def.maxDevices;
      }
      def.classInit?.(bc);
    },
  };
}
