import { expect, test } from 'vitest';
import { TypeRegistry } from '../object/registry.js';
import {
  createMachine,
  defineMachine,
  findDefaultMachine,
  findMachine,
  formatMachineHelp,
  listMachines,
  Machine,
  MachineClass,
  machineTypeName,
} from './machine.js';

class PcMachineClass extends MachineClass {
  acpi = true;
}
class PcMachine extends Machine {}

const PC_BASE = defineMachine({
  name: 'pc-base',
  abstract: true,
  classType: PcMachineClass,
  instance: PcMachine,
});
const PC_9_0 = defineMachine<PcMachine, PcMachineClass>({
  name: 'pc-i440fx-9.0',
  parent: PC_BASE,
  alias: 'pc',
  isDefault: true,
  desc: 'Standard PC (i440FX + PIIX, 1996)',
  family: 'pc_piix',
});
const PC_8_2 = defineMachine<PcMachine, PcMachineClass>({
  name: 'pc-i440fx-8.2',
  parent: PC_BASE,
  desc: 'Standard PC (i440FX + PIIX, 1996)',
  family: 'pc_piix',
  classInit: (mc) => {
    mc.acpi = false;
  },
});
const ISAPC = defineMachine({ name: 'isapc', desc: 'ISA-only PC', deprecationReason: 'use pc' });
const NONE = defineMachine({ name: 'none', desc: 'empty machine' });

function machines(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.registerAll([PC_BASE, PC_9_0, PC_8_2, ISAPC, NONE]);
  return registry;
}

test('machine types are QOM types named <name>-machine', () => {
  const registry = machines();
  expect(machineTypeName('pc-i440fx-9.0')).toBe('pc-i440fx-9.0-machine');
  expect(registry.has('pc-i440fx-9.0-machine')).toBe(true);
  const pc = registry.getClass<PcMachineClass>(PC_9_0);
  expect(pc.machineName).toBe('pc-i440fx-9.0');
  expect(pc.acpi).toBe(true);
  expect(registry.getClass<PcMachineClass>(PC_8_2).acpi).toBe(false);
  // Abstract bases are not machines one can choose.
  expect(listMachines(registry).map((mc) => mc.machineName)).toEqual([
    'pc-i440fx-9.0',
    'pc-i440fx-8.2',
    'isapc',
    'none',
  ]);
});

test('machines are found by name or alias; the default is the one marked so', () => {
  const registry = machines();
  expect(findMachine(registry, 'pc')?.machineName).toBe('pc-i440fx-9.0');
  expect(findMachine(registry, 'pc-i440fx-8.2')?.machineName).toBe('pc-i440fx-8.2');
  expect(findMachine(registry, 'q35')).toBeUndefined();
  expect(findDefaultMachine(registry)?.machineName).toBe('pc-i440fx-9.0');
  expect(findDefaultMachine(new TypeRegistry())).toBeUndefined();
});

test('two default machines are a registration mistake', () => {
  const registry = machines();
  registry.register(defineMachine({ name: 'other', isDefault: true }));
  expect(() => findDefaultMachine(registry)).toThrow(
    'Multiple default machines: pc-i440fx-9.0, other',
  );
});

test('createMachine makes the named or default machine, or explains', () => {
  const registry = machines();
  const pc = createMachine(registry, 'pc');
  expect(pc.ok && pc.value).toBeInstanceOf(PcMachine);
  expect(pc.ok && pc.value.machineClass.machineName).toBe('pc-i440fx-9.0');
  const byDefault = createMachine(registry);
  expect(byDefault.ok && byDefault.value.typeName).toBe('pc-i440fx-9.0-machine');
  const missing = createMachine(registry, 'q35');
  expect(!missing.ok && missing.error.describe()).toBe(
    "unsupported machine type 'q35'\nUse -machine help to list supported machines",
  );
  expect(createMachine(new TypeRegistry()).ok).toBe(false);
});

test('-machine help lists aliases, the default and deprecated machines', () => {
  expect(formatMachineHelp(machines())).toBe(
    [
      'Supported machines are:',
      'pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-9.0)',
      'pc-i440fx-9.0        Standard PC (i440FX + PIIX, 1996) (default)',
      'pc-i440fx-8.2        Standard PC (i440FX + PIIX, 1996)',
      'isapc                ISA-only PC (deprecated)',
      'none                 empty machine',
      '',
    ].join('\n'),
  );
});
