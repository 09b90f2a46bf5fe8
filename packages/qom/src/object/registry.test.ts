import { describe, expect, test } from 'vitest';
import { QomError } from '../errors.js';
import { QomObject } from './object.js';
import { defaultTypeRegistry, TypeRegistry } from './registry.js';
import type { TypeInfo } from './type-info.js';

class Animal extends QomObject {
  sound(): string {
    return '...';
  }
}
class Dog extends Animal {
  override sound(): string {
    return 'woof';
  }
}

const ANIMAL: TypeInfo<Animal> = {
  name: 'animal',
  parent: 'object',
  abstract: true,
  instance: Animal,
};
const DOG: TypeInfo<Dog> = { name: 'dog', parent: 'animal', instance: Dog };
const PUPPY: TypeInfo<Dog> = { name: 'puppy', parent: 'dog' };
const CAT: TypeInfo<Animal> = { name: 'cat', parent: 'animal' };

function zoo(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.registerAll([ANIMAL, DOG, PUPPY, CAT]);
  return registry;
}

describe('registration errors', () => {
  test('a duplicate type name is refused', () => {
    const registry = zoo();
    expect(() => registry.register({ name: 'dog', parent: 'animal' })).toThrow(
      new QomError("Type 'dog' is already registered"),
    );
  });

  test('a type with an unknown parent fails when its class is first needed', () => {
    const registry = zoo();
    registry.register({ name: 'unicorn', parent: 'horse' });
    expect(() => registry.objectNew('unicorn')).toThrow(
      "Type 'unicorn' has unknown parent type 'horse'",
    );
    expect(() => registry.validate()).toThrow("Type 'unicorn' has unknown parent type 'horse'");
  });

  test('a dangling grandparent is reported for the type that names it', () => {
    const registry = new TypeRegistry();
    registry.register({ name: 'b', parent: 'a' });
    registry.register({ name: 'c', parent: 'b' });
    expect(() => registry.getClass('c')).toThrow("Type 'b' has unknown parent type 'a'");
  });

  test('a type must have a parent unless it is a root', () => {
    const registry = new TypeRegistry();
    expect(() => registry.register({ name: 'orphan' })).toThrow("Type 'orphan' has no parent type");
  });

  test('a parent loop is detected', () => {
    const registry = new TypeRegistry();
    registry.register({ name: 'x', parent: 'y' });
    registry.register({ name: 'y', parent: 'x' });
    expect(() => registry.validate()).toThrow('is its own ancestor');
  });

  test('types may be registered before their parents', () => {
    const registry = new TypeRegistry();
    registry.register(PUPPY);
    registry.register(DOG);
    registry.register(ANIMAL);
    expect(registry.objectNew(PUPPY).sound()).toBe('woof');
  });

  test('an instance class must extend the parent type instance class', () => {
    const registry = zoo();
    class Rock extends QomObject {}
    registry.register({ name: 'rock-dog', parent: 'dog', instance: Rock });
    expect(() => registry.getClass('rock-dog')).toThrow(
      "Type 'rock-dog': its instance class Rock must extend Dog, the instance class of its parent",
    );
  });

  test('abstract types cannot be instantiated; unknown ones are reported', () => {
    const registry = zoo();
    expect(() => registry.objectNew('animal')).toThrow(
      "Type 'animal' is abstract and cannot be instantiated",
    );
    expect(() => registry.objectNew('fish')).toThrow("Unknown type 'fish'");
    const tried = registry.tryObjectNew('fish');
    expect(tried.ok).toBe(false);
    expect(!tried.ok && tried.error.message).toBe("Unknown type 'fish'");
    expect(registry.tryObjectNew('animal').ok).toBe(false);
  });

  test('objectNew with a TypeInfo checks it is the registered one', () => {
    const registry = zoo();
    const impostor: TypeInfo<Dog> = { name: 'dog', parent: 'animal', instance: Dog };
    expect(() => registry.objectNew(impostor)).toThrow(
      "Type 'dog' is registered with a different TypeInfo object",
    );
  });

  test('objects are made by the registry, not by new', () => {
    const registry = zoo();
    const dogClass = registry.getClass(DOG);
    expect(() => new Dog(dogClass)).not.toThrow();
    expect(() => new Animal(dogClass)).toThrow(
      'Create QOM objects with registry.objectNew(type), not with new Animal()',
    );
  });
});

describe('casts', () => {
  test('isA follows the parent chain', () => {
    const registry = zoo();
    const puppy = registry.objectNew(PUPPY);
    expect(puppy.isA('puppy')).toBe(true);
    expect(puppy.isA(DOG)).toBe(true);
    expect(puppy.isA('animal')).toBe(true);
    expect(puppy.isA('object')).toBe(true);
    expect(puppy.isA('cat')).toBe(false);
    expect(registry.isSubtype('puppy', 'animal')).toBe(true);
    expect(registry.isSubtype('cat', 'dog')).toBe(false);
  });

  test('cast returns the object typed, or throws naming both types', () => {
    const registry = zoo();
    const cat = registry.objectNew('cat');
    expect(cat.cast(ANIMAL).sound()).toBe('...');
    expect(() => cat.cast(DOG)).toThrow(
      new QomError("Object '<unattached cat>' of type 'cat' is not an instance of type 'dog'"),
    );
    expect(cat.dynamicCast(DOG)).toBeUndefined();
    expect(cat.dynamicCast('animal')).toBe(cat);
  });
});

describe('listing types', () => {
  test('subtypes are listed by name, abstract ones on request', () => {
    const registry = zoo();
    expect(registry.listClasses('animal').map((c) => c.typeName)).toEqual(['cat', 'dog', 'puppy']);
    expect(registry.listClasses('dog').map((c) => c.typeName)).toEqual(['dog', 'puppy']);
    expect(
      registry.listClasses('animal', { includeAbstract: true }).map((c) => c.typeName),
    ).toEqual(['animal', 'cat', 'dog', 'puppy']);
  });

  test('each registry is independent; the default one is shared', () => {
    const registry = zoo();
    expect(new TypeRegistry().has('dog')).toBe(false);
    expect(registry.has('dog')).toBe(true);
    expect(defaultTypeRegistry()).toBe(defaultTypeRegistry());
    expect(defaultTypeRegistry().has('device')).toBe(true);
  });

  test('a registry without core types starts empty', () => {
    const bare = new TypeRegistry({ coreTypes: false });
    expect(bare.typeNames()).toEqual([]);
  });
});
