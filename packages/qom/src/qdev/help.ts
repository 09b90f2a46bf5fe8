/**
 * `-device help` and `-device NAME,help` (QEMU's qdev_print_devinfos and
 * qdev_device_help), plus the property listing behind them.
 */
import { err, ok, type Result } from '../errors.js';
import type { ObjectClass } from '../object/object-class.js';
import type { TypeRegistry } from '../object/registry.js';
import type { ObjectProperty } from '../property/object-property.js';
import type { DeviceCategory, DeviceClass } from './device.js';
import { TYPE_DEVICE } from './type-names.js';

/** Headings of `-device help`, in QEMU's order. */
const CATEGORY_TITLES: ReadonlyArray<readonly [DeviceCategory, string]> = [
  ['bridge', 'Controller/Bridge/Hub'],
  ['usb', 'USB'],
  ['storage', 'Storage'],
  ['network', 'Network'],
  ['input', 'Input'],
  ['display', 'Display'],
  ['sound', 'Sound'],
  ['misc', 'Misc'],
  ['cpu', 'CPU'],
  ['watchdog', 'Watchdog'],
];

/** One `-device help` line: `name "isa-serial", bus ISA, desc "..."`. */
function deviceInfoLine(dc: DeviceClass): string {
  let line = `name "${dc.typeName}"`;
  if (dc.busType !== undefined) {
    line += `, bus ${dc.busType}`;
  }
  if (dc.desc !== undefined) {
    line += `, desc "${dc.desc}"`;
  }
  if (!dc.userCreatable) {
    line += ', no-user';
  }
  return line;
}

export interface DeviceListOptions {
  /** Also list devices `-device` cannot create (QEMU shows them only in some contexts). */
  readonly showNoUser?: boolean;
}

/** The text of `-device help`: concrete device types grouped by category. */
export function formatDeviceList(registry: TypeRegistry, options: DeviceListOptions = {}): string {
  const devices = registry
    .listClasses<DeviceClass>(TYPE_DEVICE)
    .filter((dc) => options.showNoUser || dc.userCreatable);
  const groups: Array<[string, DeviceClass[]]> = CATEGORY_TITLES.map(([category, title]) => [
    title,
    devices.filter((dc) => dc.categories.includes(category)),
  ]);
  groups.push(['Uncategorized', devices.filter((dc) => dc.categories.length === 0)]);
  const blocks = groups
    .filter(([, members]) => members.length > 0)
    .map(([title, members]) => [`${title} devices:`, ...members.map(deviceInfoLine)].join('\n'));
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

/** A property as `-device NAME,help` and QMP's device-list-properties describe it. */
export interface PropertyInfo {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  /** JSON value of the default, when the property declares one. */
  readonly defaultValue?: unknown;
}

function describeProperty(property: ObjectProperty): PropertyInfo {
  const spec = property.spec;
  const info = { name: property.name, type: property.type, description: property.description };
  return spec?.hasDefault ? { ...info, defaultValue: spec.toJson(spec.defaultValue) } : info;
}

/**
 * The user-visible properties of a type. For a concrete type a temporary
 * instance is made so that properties added by instanceInit show too (as
 * QEMU does); for an abstract type only class properties are listed.
 */
export function listTypeProperties(
  registry: TypeRegistry,
  typeName: string,
): Result<PropertyInfo[]> {
  const klass: ObjectClass | undefined = registry.findClass(typeName);
  if (klass === undefined) {
    return err(`Type '${typeName}' not found`, { errorClass: 'DeviceNotFound' });
  }
  let properties: ObjectProperty[];
  if (klass.abstract) {
    properties = klass.properties();
  } else {
    const temporary = registry.objectNew(typeName);
    properties = temporary.listProperties();
    temporary.unparent();
  }
  return ok(properties.filter((p) => !p.internal).map(describeProperty));
}

/** One help line, as QEMU's object_property_help formats it. */
export function formatPropertyHelp(info: PropertyInfo): string {
  let line = `  ${info.name}=<${info.type}>`;
  const hasDefault = 'defaultValue' in info;
  if (info.description !== undefined || hasDefault) {
    line = `${line.padEnd(24)} - `;
  }
  if (info.description !== undefined) {
    line += info.description;
  }
  if (hasDefault) {
    line += ` (default: ${JSON.stringify(info.defaultValue)})`;
  }
  return line;
}

/** The text of `-device NAME,help`. */
export function formatDeviceHelp(registry: TypeRegistry, typeName: string): Result<string> {
  const klass = registry.findClass(typeName);
  if (klass === undefined) {
    return err(`'${typeName}' is not a valid device model name`);
  }
  if (!klass.isA(TYPE_DEVICE)) {
    return err(`'${typeName}' is not a device type`);
  }
  if (klass.abstract) {
    return err(`'${typeName}' is an abstract device type`);
  }
  const listed = listTypeProperties(registry, typeName);
  if (!listed.ok) {
    return listed;
  }
  if (listed.value.length === 0) {
    return ok(`There are no options for ${typeName}.\n`);
  }
  const lines = listed.value.map(formatPropertyHelp).sort();
  return ok(`${typeName} options:\n${lines.join('\n')}\n`);
}
