/**
 * Symbols through which Device and Bus update each other's private state.
 * Not exported from the package: the public way is `realize(bus)`,
 * `createBus()` and `unparent()`.
 */
export const BUS_PLUG: unique symbol = Symbol('qdev.busPlug');
export const BUS_UNPLUG: unique symbol = Symbol('qdev.busUnplug');
export const BUS_SET_PARENT: unique symbol = Symbol('qdev.busSetParent');
export const DEVICE_SET_PARENT_BUS: unique symbol = Symbol('qdev.deviceSetParentBus');
export const DEVICE_FORGET_CHILD_BUS: unique symbol = Symbol('qdev.deviceForgetChildBus');
