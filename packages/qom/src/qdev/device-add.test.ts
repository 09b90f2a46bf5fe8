import { describe, expect, test } from 'vitest';
import { TOY_BUS, toyTree } from '../../test/toy-devices.js';
import { type Result, unwrap } from '../errors.js';
import { deviceAdd, deviceHelp } from './device-add.js';
import { formatDeviceHelp, formatDeviceList, listTypeProperties } from './help.js';

function message(result: Result<unknown>): string {
  return result.ok ? 'ok' : result.error.message;
}

function machineWithBus() {
  const tree = toyTree();
  unwrap(tree.bridge.realize());
  return tree;
}

describe('-device help', () => {
  test('lists user-creatable devices by category with their bus type', () => {
    const { registry } = toyTree();
    expect(formatDeviceList(registry)).toBe(
      [
        'Controller/Bridge/Hub devices:',
        'name "toy-sub-bridge", bus toy-bus, desc "a device on a toy bus"',
        '',
        'Misc devices:',
        'name "toy-dev", bus toy-bus, desc "a device on a toy bus"',
        '',
      ].join('\n'),
    );
    const all = formatDeviceList(registry, { showNoUser: true });
    expect(all).toContain('name "toy-bridge", desc "provides a toy bus", no-user');
    expect(all).toContain('name "split-irq", desc "fan one IRQ line out to several", no-user');
  });

  test('NAME,help lists properties with types, descriptions and defaults', () => {
    const { registry } = toyTree();
    expect(unwrap(formatDeviceHelp(registry, 'toy-dev'))).toBe(
      [
        'toy-dev options:',
        '  fail=<bool>            - refuse to realize',
        '  size=<uint32>          - bytes of registers (default: 8)',
        '',
      ].join('\n'),
    );
    expect(unwrap(formatDeviceHelp(registry, 'split-irq'))).toBe(
      'split-irq options:\n  num-lines=<uint16>     - number of output lines (1 to 16)\n',
    );
    expect(message(formatDeviceHelp(registry, 'nic'))).toBe(
      "'nic' is not a valid device model name",
    );
    expect(message(formatDeviceHelp(registry, 'toy-bus'))).toBe("'toy-bus' is not a device type");
    expect(message(formatDeviceHelp(registry, 'device'))).toBe(
      "'device' is an abstract device type",
    );
  });

  test('property listing includes instance properties and hides internal ones', () => {
    const { registry } = toyTree();
    const listed = unwrap(listTypeProperties(registry, 'toy-dev'));
    expect(listed.map((p) => p.name)).toEqual(['size', 'fail']);
    expect(listed[0]).toEqual({
      name: 'size',
      type: 'uint32',
      description: 'bytes of registers',
      defaultValue: 8,
    });
    expect(unwrap(listTypeProperties(registry, 'device'))).toEqual([]);
    expect(message(listTypeProperties(registry, 'nic'))).toBe("Type 'nic' not found");
  });

  test('deviceHelp recognizes help requests in option strings', () => {
    const { registry } = toyTree();
    expect(unwrap(deviceHelp(registry, 'help'))).toContain('Misc devices:');
    expect(unwrap(deviceHelp(registry, '?'))).toContain('Misc devices:');
    expect(unwrap(deviceHelp(registry, 'toy-dev,help'))).toContain('toy-dev options:');
    expect(unwrap(deviceHelp(registry, 'toy-dev,size=4'))).toBeUndefined();
  });
});

describe('-device DRIVER,...', () => {
  test('with an id the device goes to /machine/peripheral and onto a bus of its type', () => {
    const { machine, bus } = machineWithBus();
    const dev = unwrap(deviceAdd(machine, 'toy-dev,id=serial0,size=0x20'));
    expect(dev.canonicalPath).toBe('/machine/peripheral/serial0');
    expect(dev.realized).toBe(true);
    expect(dev.parentBus).toBe(bus);
    expect(dev.id).toBe('serial0');
    expect(unwrap(dev.getProperty('size'))).toBe(32);
  });

  test('without an id it goes to /machine/peripheral-anon', () => {
    const { machine } = machineWithBus();
    expect(unwrap(deviceAdd(machine, 'toy-dev')).canonicalPath).toBe(
      '/machine/peripheral-anon/device[0]',
    );
    expect(unwrap(deviceAdd(machine, 'driver=toy-dev')).canonicalPath).toBe(
      '/machine/peripheral-anon/device[1]',
    );
  });

  test('bus= picks a bus by name or path', () => {
    const { machine } = machineWithBus();
    const subBridge = unwrap(deviceAdd(machine, 'toy-sub-bridge,id=sb'));
    const subBus = subBridge.createBus(TOY_BUS, 'second.0');
    const dev = unwrap(deviceAdd(machine, 'toy-dev,bus=second.0'));
    expect(dev.parentBus).toBe(subBus);
    const byPath = unwrap(deviceAdd(machine, 'toy-dev,bus=/machine/peripheral/sb/second.0'));
    expect(byPath.parentBus).toBe(subBus);
    expect(message(deviceAdd(machine, 'toy-dev,bus=pci.0'))).toBe("Bus 'pci.0' not found");
  });

  test('errors name what is wrong and leave nothing behind', () => {
    const { machine } = machineWithBus();
    expect(message(deviceAdd(machine, 'nic'))).toBe("'nic' is not a valid device model name");
    expect(message(deviceAdd(machine, 'toy-bus'))).toBe(
      "'toy-bus' is not a valid device model name",
    );
    expect(message(deviceAdd(machine, 'device'))).toBe(
      "Parameter 'driver' expects a non-abstract device type",
    );
    expect(message(deviceAdd(machine, 'toy-bridge'))).toBe(
      "Parameter 'driver' expects a pluggable device type",
    );
    expect(message(deviceAdd(machine, 'size=3'))).toBe("Parameter 'driver' is missing");
    expect(message(deviceAdd(machine, 'toy-dev,speed=9600'))).toBe(
      "Property 'toy-dev.speed' not found",
    );
    expect(message(deviceAdd(machine, 'toy-dev,size=big'))).toBe(
      "Property 'toy-dev.size' does not accept value 'big': expected an integer from 0 to 4294967295 (uint32)",
    );
    expect(message(deviceAdd(machine, 'toy-dev,id=9lives'))).toBe(
      "Parameter 'id' expects an identifier",
    );
    expect(message(deviceAdd(machine, 'toy-dev,fail=on,id=x'))).toBe('x: told to fail');
    expect(machine.getChild('peripheral-anon')?.childObjects() ?? []).toEqual([]);
    expect(machine.getChild('peripheral')?.childObjects() ?? []).toEqual([]);
    unwrap(deviceAdd(machine, 'toy-dev,id=x'));
    expect(message(deviceAdd(machine, 'toy-dev,id=x'))).toBe("Duplicate device ID 'x'");
  });

  test('a device needing a bus that the machine lacks is refused', () => {
    const { machine } = toyTree();
    machine.getChild('bridge')?.unparent();
    expect(message(deviceAdd(machine, 'toy-dev'))).toBe(
      "No 'toy-bus' bus found for device 'toy-dev'",
    );
  });
});
