/**
 * From a checked configuration to a running `pc` machine (QEMU's qemu_init and
 * qemu_main_loop): the log, the System, character devices, disks, firmware and kernel
 * files, the machine, `-device`s, the display and the monitor; then the main loop, and the
 * exit status when it ends.
 */
import { readFileSync, statSync } from 'node:fs';
import {
  BlockBackendRegistry,
  BlockOpenError,
  type DriveOptions,
  driveShorthand,
  openDrives,
  parseDriveOptions,
  resolveDrives,
} from '@tsemu/block';
import {
  type Chardev,
  ChardevError,
  ChardevRegistry,
  parseChardevOptions,
  parseCompatChardev,
} from '@tsemu/chardev';
import {
  checkFirmwareImage,
  detectKernelFormat,
  ISA_DEBUG_EXIT,
  ISA_DEBUGCON,
  ideDrivesFromBlock,
  PC_MAX_RAM,
  PcConfigError,
  type PcKernelImage,
  PcMachine,
  parseMultibootModuleList,
} from '@tsemu/hw-pc';
import { Monitor } from '@tsemu/monitor';
import {
  deviceAdd,
  deviceHelp,
  findMachine,
  formatDeviceList,
  formatMachineHelp,
  TypeRegistry,
} from '@tsemu/qom';
import { attachToProcess, Log, logUsage, System } from '@tsemu/system';
import { CursesDisplay, DisplayConsole, hostRefreshClock } from '@tsemu/ui';
import { connectTerminal } from '@tsemu/ui/node';
import { CPU_MODELS, type TsemuConfig } from './config.js';
import { FIRMWARE_HINT, findFirmware } from './firmware-search.js';
import { monitorMachine } from './monitor-machine.js';
import { UsageError } from './options.js';
import { TSEMU_VERSION } from './version.js';

export interface RunIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const MIB = 1024 * 1024;

/** Reads a file the user named; any problem is one line naming the option. */
function readUserFile(option: string, path: string): Uint8Array {
  try {
    if (!statSync(path).isFile()) throw new UsageError(`${option} ${path}: not a regular file`);
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${option} ${path}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String((error as Error).message)}`,
    );
  }
}

/** A firmware file by name through the search path, or a clear error. */
function loadFirmware(option: string, name: string, dirs: readonly string[]): Uint8Array {
  const path = findFirmware(name, dirs);
  if (!path) throw new UsageError(`${option}: could not find firmware '${name}': ${FIRMWARE_HINT}`);
  return readUserFile(option, path);
}

/** Texts for the `help` forms of -machine, -cpu, -device, -d and -accel. */
export function helpOutput(config: TsemuConfig): string {
  const help = config.help;
  if (!help) return '';
  const registry = new TypeRegistry();
  switch (help.topic) {
    case 'machine': {
      registry.registerAll(PcMachine.deviceTypes);
      return formatMachineHelp(registry);
    }
    case 'cpu':
      return `Available CPUs:\n${CPU_MODELS.map((m) => `x86 ${m.padEnd(16)} QEMU Virtual CPU version 2.5+`).join('\n')}\n`;
    case 'accel':
      return 'Accelerators supported in QEMU binary:\ntcg\n';
    case 'd':
      return logUsage();
    case 'device': {
      registry.registerAll(PcMachine.deviceTypes);
      if (help.detail === undefined) return formatDeviceList(registry);
      const text = deviceHelp(registry, help.detail);
      if (!text.ok) throw new UsageError(`-device ${help.detail}: ${text.error.message}`);
      return text.value ?? '';
    }
  }
}

/**
 * `-kernel` with `-initrd` and `-append`. A Multiboot kernel's `-initrd` is QEMU's module
 * list ("file args,file2"); a Linux kernel's is one file.
 */
function readKernel(config: TsemuConfig): PcKernelImage {
  const name = config.kernel as string;
  const bytes = readUserFile('-kernel', name);
  let initrd: PcKernelImage['initrd'];
  if (config.initrd !== undefined) {
    if (detectKernelFormat(bytes) === 'multiboot') {
      initrd = parseMultibootModuleList(config.initrd).map((m) => ({
        name: m.file,
        bytes: readUserFile('-initrd', m.file),
        commandLine: m.commandLine,
      }));
    } else {
      initrd = [{ name: config.initrd, bytes: readUserFile('-initrd', config.initrd) }];
    }
  }
  return { name, bytes, initrd, cmdline: config.append };
}

/** The drives of `-drive`, `-hda`..`-hdd` and `-cdrom`, opened. */
async function openUserDrives(config: TsemuConfig, registry: BlockBackendRegistry, io: RunIo) {
  const options: DriveOptions[] = config.drives.map(({ kind, value }) =>
    kind === 'drive' ? parseDriveOptions(value) : driveShorthand(`-${kind}`, value),
  );
  const resolved = resolveDrives(options, {
    snapshot: config.snapshot,
    defaultInterface: 'ide',
    ideBuses: 2,
  });
  for (const drive of resolved) {
    if (drive.interface !== 'ide') {
      throw new UsageError(`-drive if=${drive.interface}: only if=ide is supported on pc`);
    }
  }
  const backends = await openDrives(resolved, registry, {
    warn: (m) => io.stderr(`tsemu: warning: ${m}\n`),
  });
  return ideDrivesFromBlock(resolved, backends);
}

/** Builds the machine and runs it; returns the exit status. */
export async function runMachine(config: TsemuConfig, io: RunIo): Promise<number> {
  const machineTypes = new TypeRegistry();
  machineTypes.registerAll(PcMachine.deviceTypes);
  if (!findMachine(machineTypes, config.machine)) {
    throw new UsageError(
      `-machine ${config.machine}: unsupported machine type '${config.machine}' ('-machine help' lists them)`,
    );
  }
  const ramSize = config.ramMiB * MIB;
  if (ramSize > PC_MAX_RAM) {
    throw new UsageError(
      `-m ${config.ramMiB}: at most ${PC_MAX_RAM / MIB} MiB (tsemu has no RAM above 4 GiB yet)`,
    );
  }
  if (config.ramMiB < 2) throw new UsageError(`-m ${config.ramMiB}: at least 2 MiB`);

  let log: Log;
  try {
    log = Log.fromCommandLine({ d: config.logItems, D: config.logFile });
  } catch (error) {
    throw new UsageError(`-d ${config.logItems}: ${(error as Error).message}`);
  }

  // Files first: a missing file is an error before anything starts.
  const bios = config.firmwareNone
    ? undefined
    : loadFirmware('-bios', config.bios ?? 'bios-256k.bin', config.firmwareDirs);
  const biosProblem = bios && checkFirmwareImage(bios);
  if (biosProblem)
    throw new UsageError(
      `-bios ${config.bios ?? 'bios-256k.bin'}: could not load PC BIOS: ${biosProblem}`,
    );
  const vgaBios =
    config.vga === 'std' && !config.firmwareNone
      ? loadFirmware('-vga std', 'vgabios-stdvga.bin', config.firmwareDirs)
      : undefined;
  const kernel = config.kernel ? readKernel(config) : undefined;
  const kernelFormat = kernel && detectKernelFormat(kernel.bytes);
  const linuxBootRom =
    kernelFormat === 'linux' && bios
      ? loadFirmware('-kernel', 'linuxboot_dma.bin', config.firmwareDirs)
      : undefined;
  const multibootRom =
    kernelFormat === 'multiboot' && bios
      ? loadFirmware('-kernel', 'multiboot_dma.bin', config.firmwareDirs)
      : undefined;

  const system = new System({
    log,
    icount: config.icount,
    noReboot: config.noReboot,
    noShutdown: config.noShutdown,
    reportError: (message) => io.stderr(`tsemu: ${message}\n`),
  });
  const blockRegistry = new BlockBackendRegistry();
  const chardevs = new ChardevRegistry({
    log: (message) => io.stderr(`tsemu: ${message}\n`),
    onQuit: () => system.requests.shutdown('host-qmp-quit'),
  });
  const cleanup = async () => {
    await blockRegistry
      .closeAll()
      .catch((error) => io.stderr(`tsemu: ${(error as Error).message}\n`));
    chardevs.closeAll?.();
  };
  system.notifiers.exit.add(() => blockRegistry.closeAllSync?.());

  try {
    // Character devices: -chardev, then -serial/-debugcon (QEMU's defaults for -nographic:
    // the serial port and the monitor share stdio through a mux).
    for (const text of config.chardevs) await chardevs.open(parseChardevOptions(text));
    // QEMU's defaults: -nographic puts the serial port and the monitor on stdio, muxed, unless
    // -serial or -monitor say otherwise.
    const serialSpecs =
      config.serial.length > 0
        ? config.serial
        : config.nographic
          ? [config.monitor.length > 0 ? 'stdio' : 'mon:stdio']
          : [];
    // The monitor's frontends are attached first (QEMU creates monitors before serial ports);
    // the serial port gets the focus of a shared mux afterwards.
    const monitorChardevs: Chardev[] = [];
    const focusSerial: (() => void)[] = [];
    for (const [index, text] of config.monitor.entries()) {
      const spec = parseCompatChardev(text, `compat_monitor${index}`);
      if (spec.kind === 'none') continue;
      const id = spec.kind === 'chardev' ? spec.id : spec.options.id;
      if (spec.kind === 'new') await chardevs.open(spec.options);
      monitorChardevs.push(chardevs.attach(id));
    }
    const serial: (Chardev | null)[] = [];
    for (const [index, text] of serialSpecs.entries()) {
      const spec = parseCompatChardev(text, `serial${index}`);
      if (spec.kind === 'none') serial.push(null);
      else if (spec.kind === 'chardev') serial.push(chardevs.attach(spec.id));
      else {
        await chardevs.open(spec.options);
        if (spec.monitor) monitorChardevs.push(chardevs.attach(spec.options.id));
        const mux = chardevs.getMux(spec.options.id);
        serial.push(chardevs.attach(spec.options.id));
        if (mux) {
          const serialIndex = mux.frontendCount - 1;
          focusSerial.push(() => mux.setFocus(serialIndex));
        }
      }
    }
    let debugcon: Chardev | undefined;
    if (config.debugcon) {
      const spec = parseCompatChardev(config.debugcon, 'debugcon');
      if (spec.kind === 'chardev') debugcon = chardevs.attach(spec.id);
      else if (spec.kind === 'new') {
        await chardevs.open(spec.options);
        debugcon = chardevs.attach(spec.options.id);
      }
    }

    const drives = await openUserDrives(config, blockRegistry, io);

    // The display: the VGA always has a console (screendump works without a display).
    const console = new DisplayConsole('vga');
    const machine = new PcMachine({
      system,
      ramSize,
      bios,
      vgaBios,
      linuxBootRom,
      multibootRom,
      vga: config.vga,
      console,
      nographic: config.nographic,
      serial,
      bootOrder: config.bootOrder,
      kernel,
      drives,
      rtcBaseMs: typeof config.rtcBase === 'number' ? config.rtcBase : undefined,
      jit: {
        backend: config.accel.backend,
        maxTbs: config.accel.maxTbs,
        icount: config.icount !== undefined,
      },
      log,
    });
    if (debugcon) {
      const dev = machine.registry.objectNew(ISA_DEBUGCON);
      dev.setChardev(debugcon);
      const realized = dev.realize(machine.isaBus);
      if (!realized.ok) throw new UsageError(`-debugcon: ${realized.error.message}`);
    }
    for (const text of config.devices) {
      const added = deviceAdd(machine.machine, text);
      if (!added.ok) throw new UsageError(`-device ${text}: ${added.error.message}`);
    }
    for (const dev of machine.findDevices(ISA_DEBUG_EXIT)) {
      // QEMU's isa-debug-exit ends the process at once with (value << 1) | 1.
      dev.setExitRequest((status) => system.requests.shutdown('guest-shutdown', status));
    }

    const display = config.nographic ? 'none' : (config.display ?? 'none');
    let closeDisplay: (() => void) | undefined;
    if (display === 'curses') {
      const keyboard = machine.devices.i8042.controller.keyboard;
      const curses = new CursesDisplay({
        output: process.stdout,
        keys: {
          keyDown: (key) => keyboard.keyDown(key as Parameters<typeof keyboard.keyDown>[0]),
          keyUp: (key) => keyboard.keyUp(key as Parameters<typeof keyboard.keyUp>[0]),
        },
        columns: process.stdout.columns,
        rows: process.stdout.rows,
        clock: hostRefreshClock(),
      });
      curses.attach(console);
      const disconnect = connectTerminal(curses, { input: process.stdin, output: process.stdout });
      closeDisplay = () => {
        disconnect();
        curses.close();
      };
    }

    const monitors = monitorChardevs.map(
      (chardev) =>
        new Monitor(chardev, monitorMachine(machine, console), { version: TSEMU_VERSION }),
    );
    for (const focus of focusSerial) focus();

    attachToProcess(system);
    machine.start({ paused: config.startPaused });
    const status = await system.mainLoop.run();
    void monitors;
    closeDisplay?.();
    await cleanup();
    return status;
  } catch (error) {
    await cleanup();
    if (
      error instanceof ChardevError ||
      error instanceof BlockOpenError ||
      error instanceof PcConfigError
    ) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
