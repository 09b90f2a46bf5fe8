/**
 * Installs Debian packages into a private folder, without root's package database: each
 * package is fetched by name with `apt-get download` and unpacked with `dpkg-deb -x`. The
 * shared libraries the packages need and the machine lacks are found by asking apt what it
 * would install (`apt-get -s install`, a simulation that changes nothing) and unpacked too;
 * the programs then run with LD_LIBRARY_PATH pointing into the folder.
 */
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Apt, type PackageRef, runCommand } from '../../src/guest-images/apt.js';
import { ToolError } from '../../src/util/tool-error.js';

export interface PrivateInstall {
  /** The folder the packages were unpacked into (it has usr/, lib/...). */
  root: string;
  packages: Array<{ name: string; version: string }>;
}

const STAMP = 'INSTALLED.json';

/**
 * The packages `apt-get -s install` would newly install, from its `Inst NAME (VERSION ...)`
 * lines; a native architecture suffix ("libfoo:amd64") is dropped. Upgrades of installed
 * packages (`Inst NAME [OLD] (NEW ...)`) are left out: the machine's version serves, and a
 * private copy of a newer libc next to the machine's dynamic loader could break everything.
 */
export function parseSimulatedInstall(output: string, nativeArchitecture: string): string[] {
  const names: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^Inst (\S+) (?!\[)/.exec(line);
    if (match) names.push(match[1].replace(new RegExp(`:${nativeArchitecture}$`), ''));
  }
  return names;
}

/**
 * Makes sure `packages` (and the dependencies of `dependenciesOf` that the machine does not
 * have) are unpacked under `dir/root`. A complete earlier install is reused.
 */
export async function installPrivately(options: {
  dir: string;
  packages: readonly string[];
  dependenciesOf: readonly string[];
  log: (line: string) => void;
}): Promise<PrivateInstall> {
  const root = join(options.dir, 'root');
  const stampPath = join(options.dir, STAMP);
  const previous = await readStamp(stampPath);
  if (previous && options.packages.every((p) => previous.packages.some((q) => q.name === p))) {
    return { root, packages: previous.packages };
  }

  const apt = new Apt(options.log);
  await apt.requireTools();
  const [native] = await apt.architectures();
  let names: string[];
  let versions: Map<string, string>;
  try {
    ({ names, versions } = await resolve(apt, options, native));
  } catch (error) {
    // Lists older than the archive, or none at all: update once and ask again.
    if (!(error instanceof ToolError)) throw error;
    await apt.update();
    ({ names, versions } = await resolve(apt, options, native));
  }
  const refs: PackageRef[] = names.map((name) => ({
    name,
    architecture: 'all',
    version: versions.get(name),
  }));
  options.log(`downloading ${names.join(', ')}...`);
  const debsDir = join(options.dir, 'debs');
  await rm(debsDir, { recursive: true, force: true });
  const debs = await apt.download(refs, debsDir);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const deb of debs.values()) await apt.extract(deb, root);
  await rm(debsDir, { recursive: true, force: true });
  const packages = names.map((name) => ({ name, version: versions.get(name) ?? '' }));
  await writeFile(stampPath, `${JSON.stringify({ packages }, null, 2)}\n`);
  return { root, packages };
}

async function resolve(
  apt: Apt,
  options: { packages: readonly string[]; dependenciesOf: readonly string[] },
  native: string,
): Promise<{ names: string[]; versions: Map<string, string> }> {
  const simulation = await runCommand('apt-get', [
    '-s',
    'install',
    '--no-install-recommends',
    ...options.dependenciesOf,
  ]);
  if (simulation.code !== 0) {
    throw new ToolError(
      `apt-get -s install ${options.dependenciesOf.join(' ')} failed: ${simulation.stderr.trim().split('\n').at(-1) ?? ''}`,
    );
  }
  const names = [
    ...new Set([...options.packages, ...parseSimulatedInstall(simulation.stdout, native)]),
  ];
  const versions = await apt.candidates(names.map((name) => ({ name, architecture: 'all' })));
  const missing = names.filter((name) => !versions.has(name));
  if (missing.length > 0) throw new ToolError(`apt-cache knows no ${missing.join(', ')}`);
  return { names, versions };
}

async function readStamp(path: string): Promise<{ packages: PrivateInstall['packages'] } | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

/** The multiarch library folders under an unpacked root (usr/lib/x86_64-linux-gnu...). */
export async function libraryDirs(root: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const parent of ['lib', 'usr/lib']) {
    let entries: string[] = [];
    try {
      entries = await readdir(join(root, parent));
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (/-linux-gnu[a-z]*$/.test(entry)) dirs.push(join(root, parent, entry));
    }
  }
  return dirs;
}

export async function isFile(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
