/**
 * The types every registry starts with: QOM's roots (`object`, `interface`),
 * `container`, and qdev's base types.
 */

import { accessorProperty } from '../property/object-property.js';
import { qdevCoreTypes } from '../qdev/core-types.js';
import { QomObject } from './object.js';
import { type InterfaceClass, ObjectClass } from './object-class.js';
import type { TypeRegistry } from './registry.js';
import type { TypeInfo } from './type-info.js';
import { TYPE_CONTAINER, TYPE_INTERFACE, TYPE_OBJECT } from './type-names.js';

export const objectTypeInfo: TypeInfo<QomObject, ObjectClass> = {
  name: TYPE_OBJECT,
  instance: QomObject,
  classType: ObjectClass,
  abstract: true,
  classInit(klass) {
    klass.addObjectProperty(
      accessorProperty('type', {
        type: 'string',
        description: 'the QOM type name of the object',
        internal: true,
        get: (obj) => obj.typeName,
      }),
    );
  },
};

export const interfaceTypeInfo: TypeInfo<QomObject, InterfaceClass> = {
  name: TYPE_INTERFACE,
  abstract: true,
};

export const containerTypeInfo: TypeInfo = {
  name: TYPE_CONTAINER,
  parent: TYPE_OBJECT,
};

export function registerCoreTypes(registry: TypeRegistry): void {
  registry.registerAll([objectTypeInfo, interfaceTypeInfo, containerTypeInfo, ...qdevCoreTypes()]);
}
