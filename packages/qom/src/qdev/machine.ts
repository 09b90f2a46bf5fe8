/**
 * Machine types and their registry (QEMU's MachineClass, find_machine,
 * find_default_machine and `-machine help`).
 *
 * A machine type `pc-i440fx-9.0` is the QOM type `pc-i440fx-9.0-machine`
 * deriving from `machine`; its class carries the name users type, an optional
 * alias (`pc`), whether it is the default, and a description.
 */
import { err, ok, QomError, type Result } from '../errors.js';
import { QomObject } from '../object/object.js';
import { ObjectClass } from '../object/object-class.js';
import type { TypeRegistry } from '../object/registry.js';
import type { ClassConstructor, InstanceConstructor, TypeInfo } from '../object/type-info.js';
import { TYPE_OBJECT } from '../object/type-names.js';
import type { PropSpecs } from '../property/spec.js';
import type { ParentRef } from './define.js';
import { MACHINE_TYPE_SUFFIX, TYPE_MACHINE } from './type-names.js';

export class MachineClass extends ObjectClass {
  /** The name users type: `-machine pc-i440fx-9.0`. */
  machineName = '';
  /** Another name for it, e.g. `pc`. */
  alias: string | undefined = undefined;
  /** Chosen when no `-machine` is given. */
  isDefault = false;
  desc = '';
  /** Machines of a family list newest first (QEMU's MachineClass.family). */
  family: string | undefined = undefined;
  deprecationReason: string | undefined = undefined;
}

/** The base of machine objects; machine packages extend it. */
export class Machine<P extends PropSpecs = {}> extends QomObject<P> {
  get machineClass(): MachineClass {
    return this.objectClass as MachineClass;
  }
}

export const machineTypeInfo: TypeInfo<Machine, MachineClass> = {
  name: TYPE_MACHINE,
  parent: TYPE_OBJECT,
  abstract: true,
  instance: Machine,
  classType: MachineClass,
};

export interface MachineDefinition<I extends Machine, C extends MachineClass> {
  /** The user-facing name; the QOM type is `<name>-machine`. */
  readonly name: string;
  /** Default: `machine`. */
  readonly parent?: ParentRef;
  readonly abstract?: boolean;
  readonly alias?: string;
  readonly isDefault?: boolean;
  readonly desc?: string;
  readonly family?: string;
  readonly deprecationReason?: string;
  readonly instance?: InstanceConstructor<I>;
  readonly classType?: ClassConstructor<C>;
  readonly props?: PropSpecs;
  classInit?(mc: C): void;
  instanceInit?(machine: I): void;
}

/** The QOM type name of machine `name` (QEMU's MACHINE_TYPE_NAME). */
export function machineTypeName(name: string): string {
  return `${name}${MACHINE_TYPE_SUFFIX}`;
}

export function defineMachine<I extends Machine, C extends MachineClass = MachineClass>(
  def: MachineDefinition<I, C>,
): TypeInfo<I, C> {
  const parent =
    def.parent === undefined
      ? TYPE_MACHINE
      : typeof def.parent === 'string'
        ? def.parent
        : def.parent.name;
  return {
    name: machineTypeName(def.name),
    parent,
    abstract: def.abstract,
    instance: def.instance,
    classType: def.classType,
    props: def.props,
    classInit(mc) {
      mc.machineName = def.name;
      mc.alias = def.alias;
      mc.isDefault = def.isDefault ?? false;
      mc.desc = def.desc ?? '';
      mc.family = def.family;
      mc.deprecationReason = def.deprecationReason;
      def.classInit?.(mc);
    },
    instanceInit: def.instanceInit && ((machine) => def.instanceInit?.(machine)),
  };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** QEMU's machine_class_cmp: families first, alphabetically, newest first within one. */
function compareMachines(a: MachineClass, b: MachineClass): number {
  if (a.family === undefined || b.family === undefined) {
    if (a.family === b.family) {
      return compareStrings(a.typeName, b.typeName);
    }
    return a.family === undefined ? 1 : -1;
  }
  return compareStrings(a.family, b.family) || compareStrings(b.typeName, a.typeName);
}

/** Concrete machine types, in `-machine help` order. */
export function listMachines(registry: TypeRegistry): MachineClass[] {
  return registry.listClasses<MachineClass>(TYPE_MACHINE).sort(compareMachines);
}

/** The machine type named `name` or aliased as `name` (QEMU's find_machine). */
export function findMachine(registry: TypeRegistry, name: string): MachineClass | undefined {
  const machines = listMachines(registry);
  return machines.find((mc) => mc.machineName === name) ?? machines.find((mc) => mc.alias === name);
}

/** The default machine type, if one is marked; two defaults are a registration mistake. */
export function findDefaultMachine(registry: TypeRegistry): MachineClass | undefined {
  const defaults = listMachines(registry).filter((mc) => mc.isDefault);
  if (defaults.length > 1) {
    throw new QomError(
      `Multiple default machines: ${defaults.map((mc) => mc.machineName).join(', ')}`,
    );
  }
  return defaults[0];
}

/** A new machine object for `-machine NAME` (or the default machine when no name is given). */
export function createMachine(registry: TypeRegistry, name?: string): Result<Machine> {
  const mc = name === undefined ? findDefaultMachine(registry) : findMachine(registry, name);
  if (mc === undefined) {
    return err(
      name === undefined
        ? 'No machine specified, and there is no default'
        : `unsupported machine type '${name}'`,
      {
        hint: 'Use -machine help to list supported machines',
      },
    );
  }
  return ok(registry.objectNew(mc.typeName) as Machine);
}

/** The text of `-machine help`. */
export function formatMachineHelp(registry: TypeRegistry): string {
  const lines = ['Supported machines are:'];
  for (const mc of listMachines(registry)) {
    if (mc.alias !== undefined) {
      lines.push(`${mc.alias.padEnd(20)} ${mc.desc} (alias of ${mc.machineName})`);
    }
    const notes = `${mc.isDefault ? ' (default)' : ''}${mc.deprecationReason !== undefined ? ' (deprecated)' : ''}`;
    lines.push(`${mc.machineName.padEnd(20)} ${mc.desc}${notes}`);
  }
  return `${lines.join('\n')}\n`;
}
