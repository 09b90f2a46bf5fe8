/**
 * Saving and loading a device's state through the description its class
 * declares (`defineDevice({ state })`, or `dc.vmsd` in classInit).
 */
import { QomError, type Result } from '../errors.js';
import type { Device } from '../qdev/device.js';
import { loadState, type SavedState, type StateDescription, saveState } from './state.js';

/** The device's state description, if its class declares one. */
export function deviceStateDescription<D extends Device>(dev: D): StateDescription<D> | undefined {
  return dev.deviceClass.vmsd as StateDescription<D> | undefined;
}

function requireDescription<D extends Device>(dev: D): StateDescription<D> {
  const vmsd = deviceStateDescription(dev);
  if (vmsd === undefined) {
    throw new QomError(`Device type '${dev.typeName}' declares no state description`);
  }
  return vmsd;
}

/** The device's state as plain JSON. Throws if its type declares no state. */
export function saveDeviceState(dev: Device): SavedState {
  return saveState(requireDescription(dev), dev);
}

/**
 * Load state saved by saveDeviceState (possibly by an older version of the
 * device). Invalid data is refused with a message and changes nothing; after
 * a load the description's postLoad runs.
 */
export function loadDeviceState(dev: Device, data: unknown): Result<void> {
  return loadState(requireDescription(dev), dev, data);
}
