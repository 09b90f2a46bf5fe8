/**
 * `-device DRIVER,prop=value,...` and the monitor's `device_add` (QEMU's
 * qdev_device_add and qdev_device_help).
 */
import { err, ok, type Result } from '../errors.js';
import type { QomObject } from '../object/object.js';
import type { TypeRegistry } from '../object/registry.js';
import { getOrCreateContainer, walkTree } from '../object/tree.js';
import { isHelpOption, optionValue, type ParsedOptions, parseOptionString } from '../options.js';
import type { Bus } from './bus.js';
import type { Device, DeviceClass } from './device.js';
import { formatDeviceHelp, formatDeviceList } from './help.js';
import { TYPE_BUS, TYPE_DEVICE } from './type-names.js';

/** Option keys qdev itself consumes; every other key is a device property. */
const QDEV_KEYS = new Set(['driver', 'bus', 'id']);

/** QEMU's id_wellformed: a letter, then letters, digits, `-`, `.`, `_`. */
const ID_SYNTAX = /^[A-Za-z][A-Za-z0-9._-]*$/;

function toOptions(options: string | ParsedOptions): Result<ParsedOptions> {
  return typeof options === 'string' ? parseOptionString(options, 'driver') : ok(options);
}

/**
 * If the options ask for help, the help text: `-device help` lists device
 * types, `-device NAME,help` lists NAME's properties. Otherwise undefined.
 */
export function deviceHelp(
  registry: TypeRegistry,
  options: string | ParsedOptions,
): Result<string | undefined> {
  const parsed = toOptions(options);
  if (!parsed.ok) {
    return parsed;
  }
  const driver = optionValue(parsed.value, 'driver');
  if (isHelpOption(driver)) {
    return ok(formatDeviceList(registry));
  }
  if (driver === undefined || !parsed.value.help) {
    return ok(undefined);
  }
  return formatDeviceHelp(registry, driver);
}

function findDeviceClass(registry: TypeRegistry, driver: string): Result<DeviceClass> {
  const klass = registry.findClass(driver);
  if (klass === undefined || !klass.isA(TYPE_DEVICE)) {
    return err(`'${driver}' is not a valid device model name`);
  }
  if (klass.abstract) {
    return err("Parameter 'driver' expects a non-abstract device type");
  }
  const dc = klass as DeviceClass;
  if (!dc.userCreatable) {
    return err("Parameter 'driver' expects a pluggable device type");
  }
  return ok(dc);
}

function allBuses(machine: QomObject): Bus[] {
  const buses: Bus[] = [];
  walkTree(machine, (node) => {
    if (node.isA(TYPE_BUS)) {
      buses.push(node as Bus);
    }
  });
  return buses;
}

function findBus(
  machine: QomObject,
  dc: DeviceClass,
  path: string | undefined,
): Result<Bus | undefined> {
  const buses = allBuses(machine);
  if (path !== undefined) {
    const bus = buses.find((b) => b.name === path || b.canonicalPath === path);
    if (bus === undefined) {
      return err(`Bus '${path}' not found`, { errorClass: 'DeviceNotFound' });
    }
    if (dc.busType === undefined || !bus.isA(dc.busType)) {
      return err(`Device '${dc.typeName}' can't go on ${bus.typeName} bus`);
    }
    if (bus.isFull) {
      return err(`Bus '${path}' is full`);
    }
    return ok(bus);
  }
  if (dc.busType === undefined) {
    return ok(undefined);
  }
  const busType = dc.busType;
  const bus = buses.find((b) => b.isA(busType) && !b.isFull);
  if (bus === undefined) {
    return err(`No '${busType}' bus found for device '${dc.typeName}'`);
  }
  return ok(bus);
}

/**
 * Create, configure and realize a device from `-device` options, under the
 * machine object `machine` (its tree is searched for buses). With `id=NAME`
 * the device becomes `<machine>/peripheral/NAME`, otherwise
 * `<machine>/peripheral-anon/device[N]`. On any error nothing is left behind.
 */
export function deviceAdd(machine: QomObject, options: string | ParsedOptions): Result<Device> {
  const parsed = toOptions(options);
  if (!parsed.ok) {
    return parsed;
  }
  const driver = optionValue(parsed.value, 'driver');
  if (driver === undefined) {
    return err("Parameter 'driver' is missing");
  }
  const dc = findDeviceClass(machine.registry, driver);
  if (!dc.ok) {
    return dc;
  }
  const bus = findBus(machine, dc.value, optionValue(parsed.value, 'bus'));
  if (!bus.ok) {
    return bus;
  }
  const id = optionValue(parsed.value, 'id');
  if (id !== undefined && !ID_SYNTAX.test(id)) {
    return err("Parameter 'id' expects an identifier", {
      hint: "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.",
    });
  }
  if (
    id !== undefined &&
    getOrCreateContainer(machine, 'peripheral').findProperty(id) !== undefined
  ) {
    return err(`Duplicate device ID '${id}'`);
  }

  const dev = machine.registry.objectNew(dc.value.typeName) as Device;
  dev.id = id;
  if (id !== undefined) {
    getOrCreateContainer(machine, 'peripheral').addChild(id, dev);
  } else {
    getOrCreateContainer(machine, 'peripheral-anon').addChild('device[*]', dev);
  }
  for (const [key, value] of parsed.value.entries) {
    if (QDEV_KEYS.has(key)) {
      continue;
    }
    const set = dev.setPropertyFromString(key, value);
    if (!set.ok) {
      dev.unparent();
      return set;
    }
  }
  const realized = dev.realize(bus.value);
  if (!realized.ok) {
    dev.unparent();
    return realized;
  }
  return ok(dev);
}
