import { expect, test } from 'vitest';
import type { QomObject } from './object.js';
import { InterfaceClass, type ObjectClass } from './object-class.js';
import { TypeRegistry } from './registry.js';
import type { TypeInfo } from './type-info.js';

/** An interface whose class holds a method slot, as QEMU interfaces do. */
class NamedClass extends InterfaceClass {
  describe: (obj: QomObject) => string = () => 'nameless';
}

const NAMED: TypeInfo<QomObject, NamedClass> = {
  name: 'named',
  parent: 'interface',
  classType: NamedClass,
};
const LOUD: TypeInfo = { name: 'loud', parent: 'named' };

function registryWithInterfaces(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.registerAll([
    NAMED,
    LOUD,
    {
      name: 'robot',
      parent: 'object',
      interfaces: ['named'],
      classInit: (klass: ObjectClass) => {
        klass.getInterface<NamedClass>('named').describe = (obj) => `robot ${obj.typeName}`;
      },
    },
    { name: 'android', parent: 'robot' },
    {
      name: 'cyborg',
      parent: 'robot',
      classInit: (klass: ObjectClass) => {
        klass.getInterface<NamedClass>('named').describe = () => 'cyborg';
      },
    },
    { name: 'siren', parent: 'object', interfaces: ['loud'] },
    { name: 'stone', parent: 'object' },
  ]);
  return registry;
}

test('an object is-a every interface its type or an ancestor implements', () => {
  const registry = registryWithInterfaces();
  const android = registry.objectNew('android');
  expect(android.isA('named')).toBe(true);
  expect(android.isA('interface')).toBe(true);
  expect(android.cast('named')).toBe(android);
  expect(registry.objectNew('stone').isA('named')).toBe(false);
  expect(registry.listClasses('named').map((c) => c.typeName)).toEqual([
    'android',
    'cyborg',
    'robot',
    'siren',
  ]);
});

test('interface methods set in classInit are inherited and can be overridden per type', () => {
  const registry = registryWithInterfaces();
  const describe = (type: string) => {
    const obj = registry.objectNew(type);
    return obj.objectClass.getInterface<NamedClass>('named').describe(obj);
  };
  expect(describe('robot')).toBe('robot robot');
  expect(describe('android')).toBe('robot android');
  expect(describe('cyborg')).toBe('cyborg');
  expect(describe('siren')).toBe('nameless');
  // The override in cyborg did not leak into its parent's implementation.
  expect(describe('robot')).toBe('robot robot');
});

test('implementing a sub-interface implements its parent interface too', () => {
  const registry = registryWithInterfaces();
  const siren = registry.objectNew('siren');
  expect(siren.isA('loud')).toBe(true);
  expect(siren.isA('named')).toBe(true);
  const iface = siren.objectClass.getInterface('named');
  expect(iface.concreteClass).toBe(siren.objectClass);
});

test('interfaces are abstract and must be registered interface types', () => {
  const registry = registryWithInterfaces();
  expect(() => registry.objectNew('named')).toThrow("Type 'named' is abstract");
  registry.register({ name: 'pretender', parent: 'object', interfaces: ['stone'] });
  expect(() => registry.getClass('pretender')).toThrow(
    "Type 'pretender' lists 'stone' as an interface, but it is not an interface type",
  );
  registry.register({ name: 'dreamer', parent: 'object', interfaces: ['flying'] });
  expect(() => registry.getClass('dreamer')).toThrow(
    "Type 'dreamer' implements unknown interface 'flying'",
  );
  expect(() => registry.getClass('stone').getInterface('named')).toThrow(
    "Type 'stone' does not implement interface 'named'",
  );
});
