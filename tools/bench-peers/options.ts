/** The harness's command line. */
import { parseArgs } from 'node:util';
import { parseOrExplain } from '../src/util/args.js';
import { ToolError } from '../src/util/tool-error.js';
import { PEER_NAMES, type PeerName } from './peers/index.js';
import type { WorkloadId } from './workloads.js';

export const USAGE = `usage: bench:peers [--peers qemu,v86,tsemu] [--workloads boot,cpu] [--runs N]
                   [--profile] [--dry-run] [more options below]

Boots the same Debian kernel and busybox initramfs on each peer emulator, N runs each,
alternating peers and waiting for the machine to be idle before each run, and writes the
medians, min-max ranges and the tsemu/QEMU and tsemu/v86 ratios to
tools/bench-peers/RESULTS.md and BENCHMARKS.md. QEMU (Debian's qemu-system-x86) and v86
(npm) are installed into .cache/peers on first use.

  --peers LIST          peers to run: ${PEER_NAMES.join(', ')} (default qemu,v86,tsemu)
  --workloads LIST      boot (to the marker and to poweroff), cpu (busybox workloads)
                        (default boot,cpu)
  --runs N              runs per peer and workload (default 3; 0 with --profile: profile only)
  --timeout-boot S      time limit of one boot run (default 300)
  --timeout-cpu S       time limit of one CPU workload run (default 900)
  --idle-max-busy PCT   a run starts once at most PCT % of the CPU time is busy (default 25)
  --idle-timeout S      ... or after S seconds of waiting for that (default 30)
  --profile             also run tsemu's boot once under node --cpu-prof and write the
                        summary to tools/bench-peers/PROFILE.md
  --dry-run             print the report instead of writing the files
  --qemu PATH           use this qemu-system-i386 instead of installing Debian's
  --v86-version V       the v86 release to install (default 0.5.462)
  --cache-dir DIR       cache root (default: $TSEMU_CACHE_DIR, else .cache)
`;

export interface BenchOptions {
  peers: PeerName[];
  workloads: WorkloadId[];
  runs: number;
  timeoutSeconds: Record<WorkloadId, number>;
  idleMaxBusy: number;
  idleTimeoutSeconds: number;
  profile: boolean;
  dryRun: boolean;
  qemuBinary?: string;
  v86Version?: string;
  cacheDir?: string;
  help: boolean;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseOrExplain(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      options: {
        peers: { type: 'string', default: 'qemu,v86,tsemu' },
        workloads: { type: 'string', default: 'boot,cpu' },
        runs: { type: 'string', default: '3' },
        'timeout-boot': { type: 'string', default: '300' },
        'timeout-cpu': { type: 'string', default: '900' },
        'idle-max-busy': { type: 'string', default: '25' },
        'idle-timeout': { type: 'string', default: '30' },
        profile: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        qemu: { type: 'string' },
        'v86-version': { type: 'string' },
        'cache-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  const runs = count(values.runs, '--runs', 0);
  if (runs === 0 && !values.profile)
    throw new ToolError('--runs 0 only makes sense with --profile');
  return {
    peers: list(values.peers, '--peers', PEER_NAMES),
    workloads: list(values.workloads, '--workloads', ['boot', 'cpu'] as const),
    runs,
    timeoutSeconds: {
      boot: count(values['timeout-boot'], '--timeout-boot', 1),
      cpu: count(values['timeout-cpu'], '--timeout-cpu', 1),
    },
    idleMaxBusy: count(values['idle-max-busy'], '--idle-max-busy', 0) / 100,
    idleTimeoutSeconds: count(values['idle-timeout'], '--idle-timeout', 0),
    profile: values.profile,
    dryRun: values['dry-run'],
    qemuBinary: values.qemu,
    v86Version: values['v86-version'],
    cacheDir: values['cache-dir'],
    help: values.help,
  };
}

function count(text: string, option: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min) {
    throw new ToolError(`${option} wants a whole number of at least ${min}, got "${text}"`);
  }
  return value;
}

function list<T extends string>(text: string, option: string, known: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0)
    throw new ToolError(`${option} wants at least one of ${known.join(', ')}`);
  for (const item of items) {
    if (!(known as readonly string[]).includes(item)) {
      throw new ToolError(`${option}: unknown "${item}" (known: ${known.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

/** The command line as a person would type it again, for the report. */
export function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((arg) => (/^[\w,./=:@+-]+$/.test(arg) ? arg : `'${arg}'`));
  return ['pnpm bench:peers', ...quoted].join(' ');
}
