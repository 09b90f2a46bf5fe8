import { fail, ok, type Result } from '../errors.js';
import { QomObject } from '../object/object.js';
import { lookupPath } from '../object/path.js';
import { type TypeRef, typeRefName } from '../object/type-info.js';
import type { PropOptions, PropSpec } from './spec.js';

/**
 * A `link<TYPE>` property: a reference to another object of TYPE (or none).
 *
 * From text it takes a QOM path, absolute or partial, resolved in the owner's
 * tree; an empty string clears the link. A target of another type is refused.
 */
export function linkProp<T extends QomObject>(
  target: TypeRef<T>,
  options: Omit<PropOptions<never>, 'default'> = {},
): PropSpec<T | undefined> {
  const targetType = typeRefName(target);
  const check = (value: unknown): Result<T | undefined, string> => {
    if (value === undefined) {
      return ok(undefined);
    }
    if (!(value instanceof QomObject)) {
      return fail(`expected an object of type '${targetType}'`);
    }
    if (!value.isA(targetType)) {
      return fail(
        `expected an object of type '${targetType}', got one of type '${value.typeName}'`,
      );
    }
    return ok(value as T);
  };
  return {
    typeName: `link<${targetType}>`,
    description: options.description,
    defaultValue: undefined,
    hasDefault: false,
    isLink: true,
    parse(text, owner) {
      if (text === '') {
        return ok(undefined);
      }
      const typed = lookupPath(owner, text, targetType);
      if (typed.ambiguous) {
        return fail(`the path matches more than one object of type '${targetType}'`);
      }
      if (typed.object !== undefined) {
        return ok(typed.object as T);
      }
      const any = lookupPath(owner, text);
      if (any.object !== undefined) {
        return fail(`the object there has type '${any.object.typeName}', expected '${targetType}'`);
      }
      return fail(`no object of type '${targetType}' found at that path`);
    },
    check: (value) => check(value),
    format: (value) => value?.canonicalPath ?? '',
    toJson: (value) => value?.canonicalPath ?? null,
  };
}
