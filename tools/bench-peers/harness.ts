/**
 * The side-by-side benchmark (issue 12): prepares the guest images and the peers, runs every
 * workload on every peer N times (peers alternating, the machine idle-checked before each
 * run), and writes the report.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFetched } from '../src/guest-images/manifest.js';
import { INITRAMFS_READY_MARKER } from '../src/initramfs/initramfs.js';
import { defaultCacheDir, REPO_ROOT } from '../src/paths.js';
import { runGuest } from './guest-run.js';
import { waitForIdle } from './idle.js';
import { type GuestImages, prepareGuestImages } from './images.js';
import { machineInfo } from './machine-info.js';
import { type BenchOptions, commandLine, parseBenchOptions, USAGE } from './options.js';
import { makePeer } from './peers/index.js';
import type { GuestSpec, Peer, PeerSetup, PrepareContext } from './peers/peer.js';
import { profileTsemuBoot } from './profile/profile-run.js';
import { benchmarksSection, renderResults, spliceSection } from './report.js';
import { formatSeconds, type RunRecord } from './table.js';
import { POWER_OFF_LINE, WORKLOADS, type Workload } from './workloads.js';

export const RESULTS_FILE = join(import.meta.dirname, 'RESULTS.md');
export const PROFILE_FILE = join(import.meta.dirname, 'PROFILE.md');
const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');

/** The kernel command line and memory size every peer gets (issue 12). */
export const KERNEL_APPEND = 'console=ttyS0';
export const MEMORY_MIB = 256;

interface ReadyPeer {
  peer: Peer;
  setup: PeerSetup;
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const date = new Date().toISOString().slice(0, 10);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const images = await prepareGuestImages(cacheDir, log);
  const context: PrepareContext = {
    repoRoot: REPO_ROOT,
    peersDir: join(cacheDir, 'peers'),
    imagesDir: images.imagesDir,
    log,
  };

  if (options.runs > 0) {
    const ready: ReadyPeer[] = [];
    const unavailable: Array<{ name: string; label: string; reason: string }> = [];
    for (const name of options.peers) {
      const peer = makePeer(name, {
        qemuBinary: options.qemuBinary,
        v86Version: options.v86Version,
      });
      try {
        const setup = await peer.prepare(context);
        log(`${peer.label}: ${setup.version}`);
        ready.push({ peer, setup });
      } catch (error) {
        const reason = oneLine(error);
        log(`${peer.label}: not available: ${reason}`);
        unavailable.push({ name: peer.name, label: peer.label, reason });
      }
    }
    const machine = await machineInfo(REPO_ROOT);
    const records = await runAll(options, ready, images, context, log);
    const results = renderResults({
      date,
      command: commandLine(argv),
      machine,
      peers: ready.map(({ peer, setup }) => ({
        name: peer.name,
        label: peer.label,
        version: setup.version,
      })),
      unavailable,
      guest: {
        kernel: packageOf(images, 'vmlinuz'),
        busybox: packageOf(images, 'busybox'),
        append: KERNEL_APPEND,
        memoryMiB: MEMORY_MIB,
      },
      workloads: options.workloads,
      runs: options.runs,
      idle: { maxBusy: options.idleMaxBusy, timeoutSeconds: options.idleTimeoutSeconds },
      records,
    });
    if (options.dryRun) process.stdout.write(`\n${results}`);
    else await writeFile(RESULTS_FILE, results);
  }

  if (options.profile) {
    const profile = await profileTsemuBoot({
      context,
      guest: guestFor(WORKLOADS[0], images),
      marker: INITRAMFS_READY_MARKER,
      timeoutMs: options.timeoutSeconds.boot * 1000,
      date,
    });
    if (options.dryRun) process.stdout.write(`\n${profile}`);
    else await writeFile(PROFILE_FILE, profile);
  }

  if (!options.dryRun) {
    await updateBenchmarks();
    log(`wrote ${RESULTS_FILE} and the peers section of ${BENCHMARKS_FILE}`);
  }
}

async function runAll(
  options: BenchOptions,
  ready: readonly ReadyPeer[],
  images: GuestImages,
  context: PrepareContext,
  log: (line: string) => void,
): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const workloads = WORKLOADS.filter((w) => options.workloads.includes(w.id));
  const logsDir = join(context.peersDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  for (let run = 1; run <= options.runs; run++) {
    for (const workload of workloads) {
      // Peers take turns, and who goes first rotates: no peer always gets the coolest machine.
      const order = ready.map((_, i) => ready[(i + run - 1) % ready.length]);
      for (const { peer, setup } of order) {
        const idle = await waitForQuiet(options);
        const logPath = join(logsDir, `${peer.name}-${workload.id}-${run}.log`);
        const console = createWriteStream(logPath);
        const trace = await runGuest(setup.launch(guestFor(workload, images)), {
          timeoutMs: options.timeoutSeconds[workload.id] * 1000,
          input:
            workload.inputAfterMarker === undefined
              ? undefined
              : {
                  after: (text) => text.includes(INITRAMFS_READY_MARKER),
                  text: workload.inputAfterMarker,
                },
          doneLine: (text) => POWER_OFF_LINE.test(text),
          onOutput: (chunk) => console.write(chunk),
        });
        console.end();
        const outcome = workload.interpret(trace, INITRAMFS_READY_MARKER);
        records.push({
          peer: peer.name,
          workload: workload.id,
          run,
          busyBefore: idle,
          figures: outcome.figures,
          results: outcome.results,
        });
        const brief = outcome.figures
          .filter((f) => f.table !== 'guest')
          .map(
            (f) =>
              `${f.row} ${'seconds' in f.value ? formatSeconds(f.value.seconds) : f.value.failure}`,
          )
          .join(', ');
        log(
          `run ${run}/${options.runs} ${workload.id} ${peer.label} (busy ${(idle * 100).toFixed(0)} %): ${brief}`,
        );
      }
    }
  }
  return records;
}

/** Waits for an idle machine (bounded); returns the busy share of the last sample. */
async function waitForQuiet(options: BenchOptions): Promise<number> {
  if (!existsSync('/proc/stat')) return 0;
  const result = await waitForIdle({
    readStat: () => readFile('/proc/stat', 'utf8'),
    sleep: (ms) => sleep(ms),
    now: () => performance.now(),
    maxBusy: options.idleMaxBusy,
    sampleMs: 1000,
    timeoutMs: options.idleTimeoutSeconds * 1000,
  });
  return result.busy;
}

function guestFor(workload: Workload, images: GuestImages): GuestSpec {
  return {
    kernel: images.kernel,
    initrd: workload.image === 'bench' ? images.benchInitrd : images.initrd,
    append: KERNEL_APPEND,
    memoryMiB: MEMORY_MIB,
  };
}

function packageOf(images: GuestImages, file: string): string {
  const entry = images.manifest.files.find((f) => f.file === file);
  return entry && isFetched(entry) ? `${entry.package} ${entry.version}` : file;
}

/** Rewrites the peers section of BENCHMARKS.md from RESULTS.md and PROFILE.md. */
async function updateBenchmarks(): Promise<void> {
  const read = async (path: string) => (existsSync(path) ? readFile(path, 'utf8') : undefined);
  const results = await read(RESULTS_FILE);
  if (results === undefined) return;
  const section = benchmarksSection(results, await read(PROFILE_FILE));
  const document = (await read(BENCHMARKS_FILE)) ?? '# Benchmarks\n';
  await writeFile(BENCHMARKS_FILE, spliceSection(document, section));
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
