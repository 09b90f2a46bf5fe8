/**
 * `info qtree` (QEMU's qdev_print / qbus_print): the device tree by buses, each device with
 * its qdev properties. Devices that sit on no bus hang from QEMU's `main-system-bus`.
 */
import { type Bus, Device, type QomObject } from '@tsemu/qom';

function formatDevice(dev: Device, indent: string, out: string[]): void {
  out.push(`${indent}dev: ${dev.typeName}, id "${dev.id ?? ''}"`);
  const inner = `${indent}  `;
  for (const property of dev.listProperties()) {
    if (property.spec === undefined || property.internal) continue;
    const text = dev.getPropertyAsString(property.name);
    if (!text.ok) continue;
    const value =
      typeof dev.props[property.name as keyof typeof dev.props] === 'number'
        ? `${text.value} (0x${(Number(text.value) >>> 0).toString(16)})`
        : text.value;
    out.push(`${inner}${property.name} = ${value}`);
  }
  for (const bus of dev.childBuses) formatBus(bus, inner, out);
}

function formatBus(bus: Bus, indent: string, out: string[]): void {
  out.push(`${indent}bus: ${bus.name}`);
  out.push(`${indent}  type ${bus.typeName}`);
  for (const dev of bus.children) formatDevice(dev, `${indent}  `, out);
}

/** The qtree of every device under `machine`: bus-less devices first, as main-system-bus children. */
export function formatQtree(machine: QomObject): string {
  const out = ['bus: main-system-bus', '  type System'];
  for (const dev of busLessDevices(machine)) formatDevice(dev, '  ', out);
  return `${out.join('\n')}\n`;
}

/** Devices of `machine` that sit on no bus (the roots of the reset tree). */
export function busLessDevices(machine: QomObject): Device[] {
  const roots: Device[] = [];
  const visit = (obj: QomObject) => {
    if (obj instanceof Device && obj.parentBus === undefined) roots.push(obj);
    for (const child of obj.childObjects()) visit(child);
  };
  visit(machine);
  return roots;
}
