import { expect, test } from 'vitest';
import { QomObject } from './object.js';
import { ObjectClass } from './object-class.js';
import { TypeRegistry } from './registry.js';
import type { TypeInfo } from './type-info.js';

class ShapeClass extends ObjectClass {
  sides = 0;
  label = 'shape';
  tags: string[] = [];
}

/** Types base > middle > leaf that record every hook they run into `log`. */
function recordingTypes(log: string[]): TypeInfo<QomObject, ShapeClass>[] {
  const hooks = (name: string): Partial<TypeInfo<QomObject, ShapeClass>> => ({
    classInit: () => log.push(`classInit ${name}`),
    instanceInit: () => log.push(`instanceInit ${name}`),
    instancePostInit: () => log.push(`postInit ${name}`),
    instanceFinalize: () => log.push(`finalize ${name}`),
  });
  return [
    {
      name: 'base',
      parent: 'object',
      classType: ShapeClass,
      ...hooks('base'),
      classBaseInit: (klass) => log.push(`classBaseInit from base on ${klass.typeName}`),
    },
    { name: 'middle', parent: 'base', ...hooks('middle') },
    { name: 'leaf', parent: 'middle', ...hooks('leaf') },
  ];
}

test('class init runs parent first, once per type, with ancestors classBaseInit before classInit', () => {
  const log: string[] = [];
  const registry = new TypeRegistry();
  registry.registerAll(recordingTypes(log));
  registry.objectNew('leaf');
  registry.objectNew('leaf');
  expect(log.filter((line) => line.startsWith('class'))).toEqual([
    'classInit base',
    'classBaseInit from base on middle',
    'classInit middle',
    'classBaseInit from base on leaf',
    'classInit leaf',
  ]);
});

test('instance init and post-init run parent first; finalize runs child first', () => {
  const log: string[] = [];
  const registry = new TypeRegistry();
  registry.registerAll(recordingTypes(log));
  const leaf = registry.objectNew('leaf');
  expect(log.filter((line) => !line.startsWith('class'))).toEqual([
    'instanceInit base',
    'instanceInit middle',
    'instanceInit leaf',
    'postInit base',
    'postInit middle',
    'postInit leaf',
  ]);
  log.length = 0;
  leaf.unparent();
  expect(log).toEqual(['finalize leaf', 'finalize middle', 'finalize base']);
  expect(leaf.finalized).toBe(true);
});

test('children are finalized before their parent', () => {
  const log: string[] = [];
  const registry = new TypeRegistry();
  registry.registerAll(recordingTypes(log));
  const parent = registry.objectNew('base');
  parent.addChild('a', registry.objectNew('leaf'));
  parent.addChild('b', registry.objectNew('base'));
  log.length = 0;
  parent.unparent();
  expect(log).toEqual([
    'finalize base',
    'finalize leaf',
    'finalize middle',
    'finalize base',
    'finalize base',
  ]);
});

test('the class object is shared by all instances of a type and copied for subtypes', () => {
  const registry = new TypeRegistry();
  registry.registerAll([
    {
      name: 'polygon',
      parent: 'object',
      classType: ShapeClass,
      classInit: (k: ShapeClass) => {
        k.label = 'polygon';
        k.tags.push('flat');
      },
    },
    {
      name: 'triangle',
      parent: 'polygon',
      classInit: (k: ShapeClass) => {
        k.sides = 3;
        k.tags.push('pointy');
      },
    },
  ] as TypeInfo<QomObject, ShapeClass>[]);
  const t1 = registry.objectNew('triangle');
  const t2 = registry.objectNew('triangle');
  expect(t1.objectClass).toBe(t2.objectClass);
  const triangle = registry.getClass<ShapeClass>('triangle');
  const polygon = registry.getClass<ShapeClass>('polygon');
  expect(triangle).toBeInstanceOf(ShapeClass);
  expect(triangle.parentClass).toBe(polygon);
  // Inherited from the parent's classInit, overridden or extended by its own.
  expect(triangle.label).toBe('polygon');
  expect(triangle.sides).toBe(3);
  expect(triangle.tags).toEqual(['flat', 'pointy']);
  // The parent's class is untouched by the child's classInit.
  expect(polygon.sides).toBe(0);
  expect(polygon.tags).toEqual(['flat']);
});

test('a classType that does not extend the parent class type is refused', () => {
  const registry = new TypeRegistry();
  class OtherClass extends ObjectClass {}
  registry.register({ name: 'polygon', parent: 'object', classType: ShapeClass });
  registry.register({ name: 'odd', parent: 'polygon', classType: OtherClass });
  expect(() => registry.getClass('odd')).toThrow(
    "Type 'odd': its classType OtherClass must extend ShapeClass, the class type of its parent",
  );
});

test('JS field initializers run before instanceInit hooks', () => {
  class Counter extends QomObject {
    count = 10;
  }
  const registry = new TypeRegistry();
  registry.register({
    name: 'counter',
    parent: 'object',
    instance: Counter,
    instanceInit: (obj: Counter) => {
      obj.count += 1;
    },
  } as TypeInfo<Counter>);
  expect((registry.objectNew('counter') as Counter).count).toBe(11);
});
