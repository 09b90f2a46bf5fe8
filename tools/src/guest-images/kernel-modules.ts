/**
 * Kernel modules out of Debian's unpacked kernel package, with everything they need, in an
 * order `insmod` can load them in. The package has no modules.dep (depmod writes it when the
 * package is installed), so each module's needs are read from its own `.modinfo` section:
 * `depends=` (modules whose symbols it uses) and `softdep=pre:` (modules it asks for by name or
 * alias at load time, such as ext4's "crypto-crc32c").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists } from '../util/files.js';
import { ToolError } from '../util/tool-error.js';

/** A module to copy out of the package. */
export interface PackageModule {
  /** The module's name as the kernel spells it (dashes become underscores): "crc_t10dif". */
  name: string;
  /** Its file, relative to the unpacked package: "lib/modules/6.1.0-50-686/kernel/...". */
  pathInPackage: string;
}

/** What a module's `.modinfo` says about loading it. */
export interface ModuleInfo {
  depends: string[];
  /** The `pre:` names of its softdeps: modules or aliases to load before it. */
  softdepsBefore: string[];
  aliases: string[];
}

/** The kernel's spelling of a module name: file names and depends= may use dashes. */
export function moduleName(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * The `key=value` strings of an ELF file's `.modinfo` section (32- or 64-bit, either byte
 * order), grouped by key. Throws for a file that is not ELF or has no such section.
 */
export function readModinfo(elf: Uint8Array): Map<string, string[]> {
  const section = modinfoSection(elf);
  const entries = new Map<string, string[]>();
  for (const text of new TextDecoder().decode(section).split('\0')) {
    const equals = text.indexOf('=');
    if (equals <= 0) continue;
    const key = text.slice(0, equals);
    entries.set(key, [...(entries.get(key) ?? []), text.slice(equals + 1)]);
  }
  return entries;
}

/** The load-relevant parts of `.modinfo`, names in the kernel's spelling. */
export function moduleInfo(elf: Uint8Array): ModuleInfo {
  const modinfo = readModinfo(elf);
  const depends = (modinfo.get('depends') ?? [])
    .flatMap((list) => list.split(','))
    .filter((n) => n !== '')
    .map(moduleName);
  const softdepsBefore: string[] = [];
  for (const softdep of modinfo.get('softdep') ?? []) {
    // "pre: a b post: c": the names after "pre:" up to the next "post:".
    let before = false;
    for (const word of softdep.split(/\s+/).filter((w) => w !== '')) {
      if (word === 'pre:') before = true;
      else if (word === 'post:') before = false;
      else if (before) softdepsBefore.push(word);
    }
  }
  return { depends, softdepsBefore, aliases: modinfo.get('alias') ?? [] };
}

function modinfoSection(elf: Uint8Array): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const fail = (why: string): never => {
    throw new Error(`not a kernel module: ${why}`);
  };
  if (elf.length < 52 || view.getUint32(0) !== 0x7f454c46) fail('no ELF header');
  const is64 = elf[4] === 2;
  const little = elf[5] === 1;
  if (!is64 && elf[4] !== 1) fail(`unknown ELF class ${elf[4]}`);
  if (is64 && elf.length < 64) fail('truncated ELF header');
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const word = (at: number) => (is64 ? Number(view.getBigUint64(at, little)) : u32(at));
  const sectionTable = word(is64 ? 0x28 : 0x20);
  const entrySize = u16(is64 ? 0x3a : 0x2e);
  const count = u16(is64 ? 0x3c : 0x30);
  const namesIndex = u16(is64 ? 0x3e : 0x32);
  const headerSize = is64 ? 0x40 : 0x28;
  if (entrySize < headerSize || sectionTable + count * entrySize > elf.length) {
    fail('section table outside the file');
  }
  const section = (index: number) => {
    const at = sectionTable + index * entrySize;
    const offset = word(at + (is64 ? 0x18 : 0x10));
    const size = word(at + (is64 ? 0x20 : 0x14));
    if (offset + size > elf.length) fail(`section ${index} outside the file`);
    return { name: u32(at), data: elf.subarray(offset, offset + size) };
  };
  if (namesIndex >= count) fail('no section name table');
  const names = section(namesIndex).data;
  const nameOf = (offset: number) => {
    const end = names.indexOf(0, offset);
    return new TextDecoder().decode(names.subarray(offset, end < 0 ? names.length : end));
  };
  for (let index = 0; index < count; index++) {
    const { name, data } = section(index);
    if (name < names.length && nameOf(name) === '.modinfo') return data;
  }
  return fail('no .modinfo section');
}

/**
 * The modules `wanted` and everything they need, from the package unpacked at `root`, in a
 * load order: every module after its `depends=` and after the modules that answer its
 * `softdep=pre:` names. A softdep is answered by a module of the set with that name or alias,
 * else by the package's module of that name; one that names an alias no module of the set
 * has is an error asking for the providing module in the recipe (finding it would mean reading
 * all of the package's four thousand modules). Wanted modules built into the kernel
 * (modules.builtin) are skipped.
 */
export async function resolveKernelModules(
  root: string,
  wanted: readonly string[],
  packageName: string,
): Promise<PackageModule[]> {
  const modulesRoot = 'lib/modules';
  let versions: string[] = [];
  try {
    versions = await readdir(join(root, modulesRoot));
  } catch {
    // reported below
  }
  if (versions.length !== 1) {
    throw new ToolError(
      `package ${packageName} has ${versions.length} folders in ${modulesRoot}, expected exactly one kernel version`,
    );
  }
  const versionDir = `${modulesRoot}/${versions[0]}`;
  const files = new Map<string, string>();
  for (const entry of await readdir(join(root, versionDir), { recursive: true })) {
    const file = entry.toString();
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (base.endsWith('.ko')) files.set(moduleName(base.slice(0, -3)), `${versionDir}/${file}`);
  }
  const builtinList = await readFileIfExists(join(root, versionDir, 'modules.builtin'));
  const builtin = new Set(
    (builtinList?.toString() ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => moduleName(line.slice(line.lastIndexOf('/') + 1).replace(/\.ko$/, ''))),
  );

  // Read the set first (names and their hard dependencies), so that softdeps can be answered
  // by any module of it, whatever the order the recipe names them in.
  const infos = new Map<string, ModuleInfo>();
  const add = async (name: string, neededBy: string | undefined): Promise<void> => {
    if (infos.has(name)) return;
    const path = files.get(name);
    if (path === undefined) {
      if (neededBy === undefined && builtin.has(name)) return;
      const why = neededBy === undefined ? '' : ` (needed by ${neededBy})`;
      throw new ToolError(`package ${packageName} has no kernel module ${name}${why}`);
    }
    const info = moduleInfo(await readFile(join(root, path)));
    infos.set(name, info);
    for (const dependency of info.depends) await add(dependency, name);
  };
  for (const name of wanted) await add(moduleName(name), undefined);
  const provider = new Map<string, string>();
  const registerProviders = () => {
    for (const [name, info] of infos) {
      if (!provider.has(name)) provider.set(name, name);
      for (const alias of info.aliases) if (!provider.has(alias)) provider.set(alias, name);
    }
  };
  const providerOf = (softdep: string) =>
    provider.get(softdep) ?? provider.get(moduleName(softdep));
  registerProviders();
  // A live iteration: modules added for a softdep get their own softdeps checked too.
  for (const [name, info] of infos) {
    for (const softdep of info.softdepsBefore) {
      if (providerOf(softdep) !== undefined) continue;
      if (!files.has(moduleName(softdep))) {
        throw new ToolError(
          `kernel module ${name} asks for "${softdep}" before it (softdep), and no module of the recipe provides it: add that module to the recipe`,
        );
      }
      await add(moduleName(softdep), name);
      registerProviders();
    }
  }

  // Depth first: a module's dependencies and softdeps, then the module.
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new ToolError(`kernel modules depend on each other: ${name}`);
    visiting.add(name);
    const info = infos.get(name);
    if (info !== undefined) {
      const before = info.softdepsBefore.map((softdep) => providerOf(softdep) ?? '');
      for (const dependency of [...info.depends, ...before]) {
        if (dependency !== name && infos.has(dependency)) visit(dependency);
      }
      order.push(name);
    }
    visiting.delete(name);
  };
  for (const name of wanted) visit(moduleName(name));
  return order.map((name) => ({ name, pathInPackage: files.get(name) ?? '' }));
}
