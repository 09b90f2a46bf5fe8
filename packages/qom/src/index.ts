/**
 * @tsemu/qom: QEMU's object model (QOM) and qdev, in TypeScript.
 *
 * - Types, classes and objects: TypeInfo, TypeRegistry, ObjectClass, QomObject.
 * - Typed properties: `prop.*`, set from strings as `-device foo,prop=val` does.
 * - The composition tree: child/link properties, paths, `info qom-tree`.
 * - qdev: Device (realize, reset), Bus, IRQ lines, machine types.
 * - Device state as data: state descriptions, save and load.
 */

export {
  catchQomError,
  type ErrorClass,
  err,
  fail,
  ok,
  QomError,
  type QomErrorOptions,
  type Result,
  unwrap,
} from './errors.js';
export { describeObject, QomObject } from './object/object.js';
export { InterfaceClass, ObjectClass } from './object/object-class.js';
export { lookupPath, type PathLookup, resolvePath, treeRoot } from './object/path.js';
export {
  defaultTypeRegistry,
  type ListClassesOptions,
  TypeRegistry,
  type TypeRegistryOptions,
} from './object/registry.js';
export { createRoot, formatQomTree, getOrCreateContainer, walkTree } from './object/tree.js';
export {
  type ClassConstructor,
  type InstanceConstructor,
  type TypeInfo,
  type TypeRef,
  typeRefName,
} from './object/type-info.js';
export { TYPE_CONTAINER, TYPE_INTERFACE, TYPE_OBJECT } from './object/type-names.js';
export {
  formatOptionString,
  isHelpOption,
  optionValue,
  type ParsedOptions,
  parseOptionString,
} from './options.js';
export { type EnumOptions, type IntOptions, prop } from './property/kinds.js';
export {
  type AccessorPropertyOptions,
  accessorProperty,
  type ObjectProperty,
  type PropertyRole,
  readOnlyLinkProperty,
} from './property/object-property.js';
export type { PropOptions, PropSpec, PropSpecs, PropValue, PropValues } from './property/spec.js';
export { Bus, BusClass, createBus } from './qdev/bus.js';
export {
  type BusDefinition,
  type DeviceDefinition,
  type DeviceStateInit,
  defineBus,
  defineDevice,
  type ParentRef,
} from './qdev/define.js';
export { Device, type DeviceCategory, DeviceClass, describeDevice } from './qdev/device.js';
export { deviceAdd, deviceHelp } from './qdev/device-add.js';
export {
  type DeviceListOptions,
  formatDeviceHelp,
  formatDeviceList,
  formatPropertyHelp,
  listTypeProperties,
  type PropertyInfo,
} from './qdev/help.js';
export { type Irq, type IrqLevel, IrqLine, OutputLine, splitIrq } from './qdev/irq.js';
export {
  createMachine,
  defineMachine,
  findDefaultMachine,
  findMachine,
  formatMachineHelp,
  listMachines,
  Machine,
  MachineClass,
  type MachineDefinition,
  machineTypeName,
} from './qdev/machine.js';
export type { ResetPhase, ResetType } from './qdev/resettable.js';
export { MAX_SPLIT_LINES, SplitIrq } from './qdev/split-irq.js';
export {
  MACHINE_TYPE_SUFFIX,
  TYPE_BUS,
  TYPE_DEVICE,
  TYPE_MACHINE,
  TYPE_SPLIT_IRQ,
} from './qdev/type-names.js';
export {
  deviceStateDescription,
  loadDeviceState,
  saveDeviceState,
} from './vmstate/device-state.js';
export type { FieldOptions, FieldSpec, StateJson } from './vmstate/fields.js';
export {
  defineState,
  loadState,
  type SavedState,
  type StateDescription,
  type StateDescriptionInit,
  type StateFields,
  saveState,
  vmstate,
} from './vmstate/state.js';
