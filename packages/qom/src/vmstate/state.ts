/**
 * Device state as data (QEMU's VMStateDescription, kept small).
 *
 * A description names the fields of a state object and their kinds:
 *
 * ```ts
 * const timerState = defineState<ToyTimer>({
 *   name: 'toy-timer',
 *   version: 2,
 *   fields: {
 *     ticks: vmstate.uint32(),
 *     latch: vmstate.uint16Array(4),
 *     mode: vmstate.uint8({ since: 2 }),
 *   },
 *   postLoad: (timer) => timer.updateIrq(),
 * });
 * ```
 *
 * `saveState` turns the object into plain JSON; `loadState` checks a JSON
 * value completely (name, version, every field's presence, type, range and
 * length) before changing anything, then applies it and runs `postLoad`
 * (where a device re-raises the IRQs its state implies).
 *
 * Fields are public properties of the state object, read and written by name.
 */
import { catchQomError, err, ok, QomError, type Result, unwrap } from '../errors.js';
import {
  describeData,
  type FieldOptions,
  type FieldSpec,
  fieldKinds,
  type StateJson,
} from './fields.js';

export type StateFields<T> = { readonly [K in keyof T]?: FieldSpec<T[K]> };

export interface StateDescription<T> {
  readonly name: string;
  /** The version this code saves. */
  readonly version: number;
  /** The oldest version this code can load. */
  readonly minimumVersion: number;
  readonly fields: StateFields<T>;
  /** Runs before saving (QEMU's pre_save). */
  preSave?(obj: T): void;
  /** Runs after a successful load, with the loaded data's version (QEMU's post_load). */
  postLoad?(obj: T, version: number): Result<void> | undefined | void;
}

export interface StateDescriptionInit<T> {
  readonly name: string;
  /** Default 1. */
  readonly version?: number;
  /** Default: `version`. */
  readonly minimumVersion?: number;
  readonly fields: StateFields<T>;
  preSave?(obj: T): void;
  postLoad?(obj: T, version: number): Result<void> | undefined | void;
}

/** A saved state: plain JSON. */
export interface SavedState {
  readonly name: string;
  readonly version: number;
  readonly fields: { readonly [field: string]: StateJson };
}

function checkVersion(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new QomError(`State description: ${what} must be a positive integer, got ${value}`);
  }
}

/** Build a state description, checking its versions. */
export function defineState<T>(init: StateDescriptionInit<T>): StateDescription<T> {
  const version = init.version ?? 1;
  const minimumVersion = init.minimumVersion ?? version;
  checkVersion(`'${init.name}' version`, version);
  checkVersion(`'${init.name}' minimumVersion`, minimumVersion);
  if (minimumVersion > version) {
    throw new QomError(
      `State description '${init.name}': minimumVersion ${minimumVersion} is above version ${version}`,
    );
  }
  for (const [name, field] of fieldEntries<T>(init.fields)) {
    if (field.since !== undefined && (field.since > version || field.since < 1)) {
      throw new QomError(
        `State description '${init.name}': field '${name}' has since ${field.since} outside 1..${version}`,
      );
    }
  }
  return { ...init, version, minimumVersion };
}

function fieldEntries<T>(fields: StateFields<T>): Array<[string, FieldSpec<unknown>]> {
  return Object.entries(fields).filter(
    (entry): entry is [string, FieldSpec<unknown>] => entry[1] !== undefined,
  );
}

type Slots = Record<string, unknown>;

function saveFields<T>(desc: StateDescription<T>, obj: T): { [field: string]: StateJson } {
  desc.preSave?.(obj);
  const out: { [field: string]: StateJson } = {};
  for (const [name, field] of fieldEntries(desc.fields)) {
    out[name] = field.save((obj as Slots)[name]);
  }
  return out;
}

function isRecord(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

/** Where a field is expected in data of `version`. */
function present(field: FieldSpec<unknown>, version: number): boolean {
  return field.since === undefined || field.since <= version;
}

function validateFields<T>(
  desc: StateDescription<T>,
  data: unknown,
  obj: T,
  where: string,
  version: number,
): string | undefined {
  if (!isRecord(data)) {
    return `${where}: expected an object of fields, got ${describeData(data)}`;
  }
  const fields = desc.fields as Record<string, FieldSpec<unknown> | undefined>;
  for (const key of Object.keys(data)) {
    // Own keys only: data from JSON.parse may carry keys such as "__proto__".
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (field === undefined || !present(field, version)) {
      return `${where}: unknown field '${key}' for version ${version}`;
    }
  }
  for (const [name, field] of fieldEntries(desc.fields)) {
    if (!present(field, version)) {
      continue;
    }
    if (!Object.hasOwn(data, name)) {
      return `${where}.${name}: missing`;
    }
    const problem = field.validate(data[name], (obj as Slots)[name], `${where}.${name}`, version);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

function applyFields<T>(
  desc: StateDescription<T>,
  data: Record<string, unknown>,
  obj: T,
  version: number,
): Result<void> {
  for (const [name, field] of fieldEntries(desc.fields)) {
    if (present(field, version)) {
      (obj as Slots)[name] = field.load(data[name], (obj as Slots)[name], version);
    }
  }
  const after = desc.postLoad?.(obj, version);
  return after === undefined ? ok() : after;
}

/**
 * A nested struct: the field holds an object described by `desc`, loaded in
 * place. Its fields' `since` refer to the version of the enclosing state.
 */
function structField<S>(desc: StateDescription<S>, options: FieldOptions = {}): FieldSpec<S> {
  return {
    kind: `struct ${desc.name}`,
    since: options.since,
    save: (value) => saveFields(desc, value),
    validate(data, current, where, version) {
      if (!isRecord(current)) {
        throw new QomError(`State field ${where} should hold an object for struct ${desc.name}`);
      }
      return validateFields(desc, data, current as S, where, version);
    },
    load(data, current, version) {
      unwrap(applyFields(desc, data as Record<string, unknown>, current, version));
      return current;
    },
  };
}

/** Field kinds for state descriptions. */
export const vmstate = {
  ...fieldKinds,
  /** A nested object described by its own state description. */
  struct: structField,
} as const;

/** The state of `obj` as plain JSON. */
export function saveState<T>(desc: StateDescription<T>, obj: T): SavedState {
  return { name: desc.name, version: desc.version, fields: saveFields(desc, obj) };
}

/**
 * Load JSON produced by saveState (possibly by an older version) into `obj`.
 * Nothing changes unless the whole value is valid.
 */
export function loadState<T>(desc: StateDescription<T>, obj: T, data: unknown): Result<void> {
  const fail = (problem: string) => err(`Cannot load state '${desc.name}': ${problem}`);
  if (!isRecord(data)) {
    return fail(`expected an object with name, version and fields, got ${describeData(data)}`);
  }
  if (data.name !== desc.name) {
    return fail(`the data is state '${String(data.name)}'`);
  }
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return fail(`version must be an integer, got ${describeData(version)}`);
  }
  if (version > desc.version) {
    return fail(`version ${version} is newer than the supported version ${desc.version}`);
  }
  if (version < desc.minimumVersion) {
    return fail(
      `version ${version} is older than the oldest supported version ${desc.minimumVersion}`,
    );
  }
  const problem = validateFields(desc, data.fields, obj, desc.name, version);
  if (problem !== undefined) {
    return fail(problem);
  }
  // A nested struct's postLoad failing surfaces as a thrown QomError.
  const applied = catchQomError(() =>
    applyFields(desc, data.fields as Record<string, unknown>, obj, version),
  );
  return applied.ok ? applied.value : applied;
}
