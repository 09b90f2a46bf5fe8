/**
 * Fetches the guest packages with apt, takes the files and kernel modules tsemu needs out of
 * them, builds the initramfs (a plain one and one with the disk modules) and the isolinux CD
 * from them, and writes MANIFEST.json. A second run with a full
 * cache only checks the files' hashes: no apt, no network.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildDiskInitramfs } from '../initramfs/disk-initramfs.js';
import { buildInitramfs, INITTAB, initScript } from '../initramfs/initramfs.js';
import { buildLinuxIso, isolinuxConfig } from '../iso9660/linux-iso.js';
import { readFileIfExists, sha256Hex, temporarySibling, writeFileAtomic } from '../util/files.js';
import { ToolError } from '../util/tool-error.js';
import { Apt, aptName } from './apt.js';
import { acquireLock } from './cache-lock.js';
import { resolveKernelModules } from './kernel-modules.js';
import {
  type BuiltFileEntry,
  describeFile,
  type FetchedFileEntry,
  MANIFEST_FILE,
  type Manifest,
  manifestIsCurrent,
} from './manifest.js';
import {
  DISK_INITRAMFS_FILE,
  GUEST_PACKAGES,
  type GuestPackage,
  INITRAMFS_FILE,
  KERNEL_MODULES_DIR,
  LINUX_ISO_FILE,
  newestFirst,
  type PackageFilePath,
  packageLabel,
} from './recipe.js';

/** Bump when the layout of the images folder or the manifest changes. */
const FORMAT_VERSION = 1;

export interface FetchOptions {
  /** The cache root: .debs go to `debs/`, the images to `images/`. */
  cacheDir: string;
  /** Ask apt again for the newest versions even when the cache is complete. */
  refresh?: boolean;
  /** What to fetch; the default is tsemu's guest packages. */
  packages?: readonly GuestPackage[];
  /**
   * Build the initramfs, the disk initramfs and the ISO (needs busybox, isolinux, ldlinux.c32,
   * vmlinuz and the kernel modules).
   */
  build?: boolean;
  /** Progress lines for a person; silent by default. */
  log?: (line: string) => void;
}

export interface FetchResult {
  manifest: Manifest;
  imagesDir: string;
  /** False when the cache was already complete and nothing was done. */
  changed: boolean;
}

interface ResolvedPackage {
  spec: GuestPackage;
  name: string;
  version: string;
}

export function imagesDirOf(cacheDir: string): string {
  return join(cacheDir, 'images');
}

export async function fetchGuestImages(options: FetchOptions): Promise<FetchResult> {
  const log = options.log ?? (() => {});
  const packages = options.packages ?? GUEST_PACKAGES;
  const build = options.build ?? packages === GUEST_PACKAGES;
  const imagesDir = imagesDirOf(options.cacheDir);
  const debsDir = join(options.cacheDir, 'debs');
  const recipe = await recipeHash(packages, build);
  const expected = expectedFiles(packages, build);

  if (!options.refresh) {
    const current = await manifestIsCurrent(imagesDir, recipe, expected);
    if (current) return { manifest: current, imagesDir, changed: false };
  }

  await mkdir(imagesDir, { recursive: true });
  await mkdir(debsDir, { recursive: true });
  const release = await acquireLock(join(options.cacheDir, 'guest-images.lock'), {
    onWait: (pid) =>
      log(`waiting for another fetch-guest-images run (pid ${pid ?? '?'}) to finish...`),
  });
  try {
    // The run we waited for may have done the work already.
    if (!options.refresh) {
      const current = await manifestIsCurrent(imagesDir, recipe, expected);
      if (current) return { manifest: current, imagesDir, changed: false };
    }
    await removeLeftovers(options.cacheDir, debsDir, imagesDir);
    const apt = new Apt(log);
    const fetched = await fetchPackages(apt, packages, debsDir, imagesDir, options.cacheDir, log);
    const built = build ? await buildImages(imagesDir, fetched, log) : [];
    const manifest: Manifest = { recipe, files: [...fetched, ...built] };
    await writeFileAtomic(join(imagesDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, imagesDir, changed: true };
  } finally {
    await release();
  }
}

async function fetchPackages(
  apt: Apt,
  packages: readonly GuestPackage[],
  debsDir: string,
  imagesDir: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<FetchedFileEntry[]> {
  await apt.requireTools();
  let updated = false;
  const update = async () => {
    await apt.update();
    updated = true;
  };

  const foreign = [...new Set(packages.map((p) => p.architecture).filter((a) => a !== 'all'))];
  const known = await apt.architectures();
  const added = foreign.filter((a) => !known.includes(a));
  for (const architecture of added) await apt.addArchitecture(architecture);
  // A newly added architecture has no indexes until apt-get update fetches them.
  if (added.length > 0) await update();

  let resolved = await resolveAll(apt, packages);
  if (resolved.missing.length > 0 && !updated) {
    await update();
    resolved = await resolveAll(apt, packages);
  }
  if (resolved.missing.length > 0) {
    throw new ToolError(
      `package ${resolved.missing.map(packageLabel).join(', ')} not found by apt-cache, even after apt-get update`,
    );
  }

  let debs: Map<ResolvedPackage, string>;
  try {
    debs = await downloadAll(apt, resolved.found, debsDir, log);
  } catch (error) {
    // Lists older than the archive name versions it no longer has: update once and retry.
    if (!(error instanceof ToolError) || updated) throw error;
    await update();
    resolved = await resolveAll(apt, packages);
    if (resolved.missing.length > 0) throw error;
    debs = await downloadAll(apt, resolved.found, debsDir, log);
  }

  const staging = join(cacheDir, `.staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    const entries: FetchedFileEntry[] = [];
    const modulesDir = join(imagesDir, KERNEL_MODULES_DIR);
    const modulesKept = new Set<string>();
    for (const [pkg, deb] of debs) {
      const control = await apt.control(deb);
      const root = join(staging, control.package);
      await apt.extract(deb, root);
      const take = async (pathInPackage: string, file: string) => {
        const target = join(imagesDir, file);
        const temporary = temporarySibling(target);
        await copyFile(join(root, pathInPackage), temporary);
        await rename(temporary, target);
        entries.push({
          ...(await describeFile(imagesDir, file)),
          package: control.package,
          version: control.version,
          architecture: control.architecture,
          pathInPackage,
        });
      };
      for (const file of pkg.spec.files) {
        await take(await locate(root, file.from, control.package), file.to);
      }
      if (pkg.spec.modules !== undefined) {
        await mkdir(modulesDir, { recursive: true });
        for (const module of await resolveKernelModules(root, pkg.spec.modules, control.package)) {
          const file = `${KERNEL_MODULES_DIR}/${module.name}.ko`;
          await take(module.pathInPackage, file);
          modulesKept.add(basename(file));
        }
      }
      await rm(root, { recursive: true, force: true });
    }
    // Modules an earlier recipe wanted and this one does not.
    for (const name of await readdir(modulesDir).catch(() => [])) {
      if (!modulesKept.has(name)) await rm(join(modulesDir, name), { force: true });
    }
    return entries;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function resolveAll(
  apt: Apt,
  packages: readonly GuestPackage[],
): Promise<{ found: ResolvedPackage[]; missing: GuestPackage[] }> {
  // Every candidate name of every spec, asked in one apt-cache run.
  const namesBySpec = new Map<GuestPackage, string[]>();
  for (const spec of packages) {
    if (typeof spec.name === 'string') {
      namesBySpec.set(spec, [spec.name]);
    } else {
      const { prefix, pattern } = spec.name;
      const names = (await apt.packageNames(prefix))
        .filter((n) => pattern.test(n))
        .sort(newestFirst);
      namesBySpec.set(spec, names);
    }
  }
  const versions = await apt.candidates(
    packages.flatMap((spec) =>
      (namesBySpec.get(spec) ?? []).map((name) => ({ name, architecture: spec.architecture })),
    ),
  );
  const found: ResolvedPackage[] = [];
  const missing: GuestPackage[] = [];
  for (const spec of packages) {
    const name = namesBySpec.get(spec)?.find((n) => versions.has(aptName(n, spec.architecture)));
    if (name === undefined) missing.push(spec);
    else found.push({ spec, name, version: versions.get(aptName(name, spec.architecture)) ?? '' });
  }
  return { found, missing };
}

/** Downloads the .debs not in the cache yet; each lands under its final name by a rename. */
async function downloadAll(
  apt: Apt,
  packages: readonly ResolvedPackage[],
  debsDir: string,
  log: (line: string) => void,
): Promise<Map<ResolvedPackage, string>> {
  const debs = new Map<ResolvedPackage, string>();
  const toDownload: ResolvedPackage[] = [];
  for (const pkg of packages) {
    const path = join(debsDir, debFileName(pkg));
    debs.set(pkg, path);
    if (!(await exists(path))) toDownload.push(pkg);
  }
  if (toDownload.length === 0) return debs;
  log(`downloading ${toDownload.map((p) => `${p.name} ${p.version}`).join(', ')}...`);
  const scratch = join(debsDir, `.download-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  try {
    const downloaded = await apt.download(
      toDownload.map((p) => ({
        name: p.name,
        architecture: p.spec.architecture,
        version: p.version,
      })),
      scratch,
    );
    for (const pkg of toDownload) {
      const file = downloaded.get(aptName(pkg.name, pkg.spec.architecture));
      if (file !== undefined) await rename(file, debs.get(pkg) ?? '');
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return debs;
}

/**
 * Removes the scratch folders and temporary files of a run that was killed (`.staging-*`,
 * `.download-*`, `.NAME.tmp-*`). Only called with the lock held, so no live run owns them.
 */
async function removeLeftovers(
  cacheDir: string,
  debsDir: string,
  imagesDir: string,
): Promise<void> {
  const temporary = /^\..*\.tmp-\d+-[0-9a-f]+$/;
  const scratch: Array<[string, RegExp]> = [
    [cacheDir, /^\.staging-\d+$/],
    [debsDir, /^\.download-\d+$/],
    [imagesDir, temporary],
    [join(imagesDir, KERNEL_MODULES_DIR), temporary],
  ];
  for (const [dir, pattern] of scratch) {
    for (const name of await readdir(dir).catch(() => [])) {
      if (pattern.test(name)) await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}

function debFileName(pkg: ResolvedPackage): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${pkg.spec.architecture}.deb`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Finds a file in an unpacked package; a missing file is a ToolError naming the package. */
async function locate(root: string, from: PackageFilePath, packageName: string): Promise<string> {
  if (typeof from === 'string') {
    if (!(await exists(join(root, from)))) {
      throw new ToolError(`package ${packageName} has no ${from}`);
    }
    return from;
  }
  let names: string[] = [];
  try {
    names = (await readdir(join(root, from.directory))).filter((n) => n.startsWith(from.prefix));
  } catch {
    // no such folder: reported below
  }
  if (names.length !== 1) {
    throw new ToolError(
      `package ${packageName} has ${names.length} files ${from.directory}/${from.prefix}*, expected exactly one`,
    );
  }
  return `${from.directory}/${names[0]}`;
}

/** Builds the initramfs, the disk initramfs and the isolinux CD from the fetched files. */
async function buildImages(
  imagesDir: string,
  fetched: readonly FetchedFileEntry[],
  log: (line: string) => void,
): Promise<BuiltFileEntry[]> {
  const need = (file: string) => {
    if (!fetched.some((f) => f.file === file)) {
      throw new Error(`building the images needs ${file}, which the recipe does not fetch`);
    }
    return readFile(join(imagesDir, file));
  };
  log(`building ${INITRAMFS_FILE}, ${DISK_INITRAMFS_FILE} and ${LINUX_ISO_FILE}...`);
  const busybox = await need('busybox');
  const initrd = buildInitramfs({ busybox });
  await writeFileAtomic(join(imagesDir, INITRAMFS_FILE), initrd);
  const iso = buildLinuxIso({
    isolinuxBin: await need('isolinux.bin'),
    ldlinuxC32: await need('ldlinux.c32'),
    kernel: await need('vmlinuz'),
    initrd,
  });
  await writeFileAtomic(join(imagesDir, LINUX_ISO_FILE), iso);
  // The manifest lists the modules in load order, as the kernel package's recipe resolved them.
  const modules = fetched.filter((f) => f.file.startsWith(`${KERNEL_MODULES_DIR}/`));
  if (modules.length === 0) {
    throw new Error(
      `building ${DISK_INITRAMFS_FILE} needs kernel modules, which the recipe does not fetch`,
    );
  }
  const diskInitrd = buildDiskInitramfs({
    busybox,
    modules: await Promise.all(
      modules.map(async (m) => ({
        name: basename(m.file, '.ko'),
        data: await readFile(join(imagesDir, m.file)),
      })),
    ),
  });
  await writeFileAtomic(join(imagesDir, DISK_INITRAMFS_FILE), diskInitrd);
  return [
    {
      ...(await describeFile(imagesDir, INITRAMFS_FILE)),
      builtFrom: ['busybox'],
      builder: 'tools/src/initramfs/initramfs.ts',
    },
    {
      ...(await describeFile(imagesDir, LINUX_ISO_FILE)),
      builtFrom: ['isolinux.bin', 'ldlinux.c32', 'vmlinuz', INITRAMFS_FILE],
      builder: 'tools/src/iso9660/linux-iso.ts',
    },
    {
      ...(await describeFile(imagesDir, DISK_INITRAMFS_FILE)),
      builtFrom: ['busybox', ...modules.map((m) => m.file)],
      builder: 'tools/src/initramfs/disk-initramfs.ts',
    },
  ];
}

function expectedFiles(packages: readonly GuestPackage[], build: boolean): string[] {
  const files = packages.flatMap((p) => p.files.map((f) => f.to));
  return build ? [...files, INITRAMFS_FILE, LINUX_ISO_FILE, DISK_INITRAMFS_FILE] : files;
}

/** The sources of the builders: editing any of them makes the next run rebuild the images. */
const BUILDER_SOURCES = [
  '../cpio/newc-writer.ts',
  '../initramfs/initramfs.ts',
  '../initramfs/disk-initramfs.ts',
  './kernel-modules.ts',
  '../iso9660/encoding.ts',
  '../iso9660/names.ts',
  '../iso9660/el-torito.ts',
  '../iso9660/writer.ts',
  '../iso9660/linux-iso.ts',
];

/**
 * A hash of everything that decides the images' content apart from package versions: the
 * package list and, when building, the builders' sources and what they write (init script,
 * inittab, isolinux config).
 */
async function recipeHash(packages: readonly GuestPackage[], build: boolean): Promise<string> {
  const builders = build
    ? await Promise.all(
        BUILDER_SOURCES.map(async (source) => {
          const text = await readFileIfExists(join(import.meta.dirname, source));
          return text === undefined ? source : sha256Hex(text);
        }),
      )
    : [];
  const description = JSON.stringify({
    format: FORMAT_VERSION,
    packages: packages.map((p) => ({
      name:
        typeof p.name === 'string'
          ? p.name
          : { prefix: p.name.prefix, pattern: p.name.pattern.source },
      architecture: p.architecture,
      files: p.files,
      modules: p.modules ?? [],
    })),
    build: build
      ? { builders, init: initScript(), inittab: INITTAB, isolinux: isolinuxConfig() }
      : false,
  });
  return sha256Hex(new TextEncoder().encode(description));
}
