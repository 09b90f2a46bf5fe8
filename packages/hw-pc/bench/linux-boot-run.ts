/**
 * The boot benchmark itself (see linux-boot.ts, which runs it bundled like the tsemu
 * command, or straight from the sources with --no-bundle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Log, System } from '@tsemu/system';
import type { BackendKind } from '@tsemu/tcg';
import type { CharBackend } from '../src/char/char-backend.js';
import { PcMachine } from '../src/pc/pc-machine.js';

const MIB = 1024 * 1024;

const MILESTONES = [
  { key: 'linux', text: 'Linux version' },
  { key: 'init', text: 'Run /init' },
  { key: 'marker', text: 'TSEMU-INITRAMFS-READY' },
] as const;
type MilestoneKey = (typeof MILESTONES)[number]['key'];

/**
 * CPU time of the main thread and of the others (V8's compiler and GC threads, libuv's
 * pool), from /proc: how much of the CPU time is V8 optimizing generated code on the side.
 */
function threadCpu(): string {
  try {
    const tick = 100; // USER_HZ
    let main = 0;
    let others = 0;
    for (const task of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const t = (Number(f[11]) + Number(f[12])) / tick;
      if (Number(task) === process.pid) main += t;
      else others += t;
    }
    return `main thread ${main.toFixed(1)} s, other threads ${others.toFixed(1)} s`;
  } catch {
    return 'no per-thread figures';
  }
}

/** Boot, print the time of each milestone line, and exit the process at the chosen one. */
export function runLinuxBoot(argv: string[], imagesDir: string, mode: string): void {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string' },
      until: { type: 'string', default: 'marker' },
      firmware: { type: 'string' },
      'tier-threshold': { type: 'string' },
      'no-regions': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      echo: { type: 'boolean', default: false },
      stats: { type: 'boolean', default: false },
      'no-bundle': { type: 'boolean', default: false },
      d: { type: 'string' },
      D: { type: 'string' },
    },
  });

  const backend = args.backend as BackendKind | undefined;
  if (backend !== undefined && !['js', 'tiered', 'interpreter'].includes(backend)) {
    throw new Error(`--backend ${backend}: js, tiered or interpreter`);
  }
  const until = args.until as MilestoneKey;
  const untilIndex = MILESTONES.findIndex((m) => m.key === until);
  if (untilIndex < 0) throw new Error(`--until ${until}: linux, init or marker`);
  if (args.firmware !== undefined && args.firmware !== 'none') {
    throw new Error(`--firmware ${args.firmware}: only 'none' (the default is SeaBIOS)`);
  }
  const firmwareNone = args.firmware === 'none';
  const tierThreshold =
    args['tier-threshold'] === undefined ? undefined : Number(args['tier-threshold']);
  const timeoutMs = Number(args.timeout) * 1000;

  const image = (name: string) => new Uint8Array(readFileSync(join(imagesDir, name)));

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0];
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const cpuSeconds = () => {
    const u = process.cpuUsage(cpu0);
    return seconds((u.user + u.system) / 1000);
  };

  let tail = '';
  let next = 0;
  let finished = false;
  const serial: CharBackend = {
    setHandlers: () => {},
    acceptInput: () => {},
    write: (data) => {
      const text = Buffer.from(data).toString('latin1');
      if (args.echo) process.stdout.write(text);
      if (finished) return;
      // Keep only the tail: a milestone line may arrive split over several writes.
      tail = (tail + text).slice(-256);
      while (next <= untilIndex && tail.includes(MILESTONES[next].text)) {
        const m = MILESTONES[next];
        process.stderr.write(
          `${m.key.padEnd(7)} ${seconds(performance.now() - t0).padStart(7)} s wall ${cpuSeconds().padStart(7)} s cpu  (${m.text})\n`,
        );
        tail = tail.slice(tail.indexOf(m.text) + m.text.length);
        next++;
      }
      if (next > untilIndex) finish(0);
    },
  };

  const log = Log.fromCommandLine({ d: args.d, D: args.D });
  const system = new System({ log, reportError: (m) => process.stderr.write(`tsemu: ${m}\n`) });
  const machine = new PcMachine({
    system,
    ramSize: 256 * MIB,
    bios: firmwareNone ? undefined : image('bios-256k.bin'),
    vgaBios: firmwareNone ? undefined : image('vgabios-stdvga.bin'),
    linuxBootRom: firmwareNone ? undefined : image('linuxboot_dma.bin'),
    kernel: {
      name: 'vmlinuz',
      bytes: image('vmlinuz'),
      initrd: [{ name: 'initramfs.cpio.gz', bytes: image('initramfs.cpio.gz') }],
      cmdline: 'console=ttyS0',
    },
    nographic: true,
    serial: [serial],
    jit: { backend },
  });
  if (args['no-regions']) {
    // The engine's option, reached past `readonly` as the threshold is below.
    (machine.vcpu.engine as unknown as { regions: boolean }).regions = false;
  }
  if (tierThreshold !== undefined) {
    // The engine's option, reached past `readonly`: PcMachine does not expose it.
    (machine.vcpu.engine as unknown as { tierThreshold: number }).tierThreshold = tierThreshold;
  }

  process.stderr.write(
    `linux-boot: ${mode}, backend ${machine.vcpu.engine.backend}, ${firmwareNone ? 'firmware=none' : 'SeaBIOS'}, until ${until}, load average ${load0.toFixed(2)}\n`,
  );

  function finish(status: number): void {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (args.stats) {
      const mem = process.memoryUsage();
      const mib = (n: number) => `${(n / MIB).toFixed(0)} MiB`;
      process.stderr.write(
        `\n${machine.vcpu.engine.formatStatistics()}memory: rss ${mib(mem.rss)}, heap used ${mib(mem.heapUsed)} of ${mib(mem.heapTotal)}\n`,
      );
    }
    process.stderr.write(
      `total   ${seconds(performance.now() - t0).padStart(7)} s wall ${cpuSeconds().padStart(7)} s cpu (${threadCpu()})  load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}\n`,
    );
    process.exit(status);
  }

  const timer = setTimeout(() => {
    process.stderr.write(`timeout after ${seconds(timeoutMs)} s\n${machine.vcpu.dumpState()}\n`);
    finish(1);
  }, timeoutMs);

  machine.start();
  system.mainLoop.run().then((status) => {
    process.stderr.write(`the machine stopped (status ${status}) before '${until}'\n`);
    finish(1);
  });
}
