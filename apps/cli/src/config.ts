/**
 * The command line turned into a run configuration: every value checked here, so that a
 * mistake is one line naming the option before anything is built.
 */
import { parseOptionString } from '@tsemu/qom';
import { type ParsedOption, UsageError } from './options.js';

export interface TsemuConfig {
  machine: string;
  /** `-machine pc,firmware=none`: the BIOS-less fast path. */
  firmwareNone: boolean;
  cpu: string;
  ramMiB: number;
  accel: { backend: 'tiered' | 'js' | 'interpreter'; maxTbs?: number };
  bios?: string;
  firmwareDirs: string[];
  kernel?: string;
  initrd?: string;
  append: string;
  /** `-drive` texts and the shorthands, in order (the block layer parses them). */
  drives: { kind: 'drive' | 'hda' | 'hdb' | 'hdc' | 'hdd' | 'cdrom'; value: string }[];
  bootOrder: string;
  snapshot: boolean;
  nographic: boolean;
  display: 'none' | 'curses' | undefined;
  vga: 'std' | 'none';
  serial: string[];
  monitor: string[];
  chardevs: string[];
  debugcon?: string;
  devices: string[];
  rtcBase: 'utc' | 'localtime' | number;
  icount?: string;
  noReboot: boolean;
  noShutdown: boolean;
  startPaused: boolean;
  logItems?: string;
  logFile?: string;
  /** `-machine help`, `-cpu help`, `-device help`, `-d help`... : print and exit. */
  help?: { topic: 'machine' | 'cpu' | 'device' | 'd' | 'accel'; detail?: string };
}

/** CPU models: tsemu's CPU is QEMU's qemu32 (family 6), which `-cpu` may name. */
export const CPU_MODELS = ['qemu32'] as const;

/** QEMU's size syntax for -m: a number of MiB, or with a suffix (K, M, G, T). */
export function parseRamSize(text: string): number {
  const value = text.startsWith('size=') ? text.slice(5) : text;
  const match = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)[bB]?$/.exec(value);
  if (!match) throw new UsageError(`-m ${text}: invalid RAM size`);
  const number = Number(match[1]);
  const unit = match[2].toUpperCase();
  const mib =
    unit === 'K'
      ? number / 1024
      : unit === 'G'
        ? number * 1024
        : unit === 'T'
          ? number * 1024 * 1024
          : number;
  if (!Number.isInteger(mib) || mib <= 0) {
    throw new UsageError(`-m ${text}: RAM size must be a whole number of MiB, above 0`);
  }
  return mib;
}

function onOff(option: string, key: string, value: string): boolean {
  if (value === 'on' || value === 'yes' || value === 'true') return true;
  if (value === 'off' || value === 'no' || value === 'false') return false;
  throw new UsageError(`-${option}: ${key}=${value}: expected on or off`);
}

function parseMachine(config: TsemuConfig, text: string): void {
  const parsed = parseOptionString(text, 'type');
  if (!parsed.ok) throw new UsageError(`-machine ${text}: ${parsed.error.message}`);
  if (parsed.value.help) {
    config.help = { topic: 'machine' };
    return;
  }
  for (const [key, value] of parsed.value.entries) {
    if (key === 'type') {
      if (value === 'help' || value === '?') config.help = { topic: 'machine' };
      else config.machine = value;
    } else if (key === 'firmware') {
      if (value !== 'none') {
        throw new UsageError(
          `-machine firmware=${value}: only firmware=none is supported (use -bios for a file)`,
        );
      }
      config.firmwareNone = true;
    } else if (key === 'accel') {
      if (value !== 'tcg') throw new UsageError(`-machine accel=${value}: only tcg is available`);
    } else {
      throw new UsageError(`-machine ${text}: unsupported machine property '${key}'`);
    }
  }
}

function parseAccel(config: TsemuConfig, text: string): void {
  const parsed = parseOptionString(text, 'accel');
  if (!parsed.ok) throw new UsageError(`-accel ${text}: ${parsed.error.message}`);
  for (const [key, value] of parsed.value.entries) {
    if (key === 'accel') {
      if (value === 'help' || value === '?') config.help = { topic: 'accel' };
      else if (value !== 'tcg') {
        throw new UsageError(`-accel ${value}: accelerator not available (tsemu has tcg only)`);
      }
    } else if (key === 'backend') {
      if (value !== 'tiered' && value !== 'js' && value !== 'interpreter') {
        throw new UsageError(`-accel backend=${value}: expected tiered, js or interpreter`);
      }
      config.accel.backend = value;
    } else if (key === 'tb-size' || key === 'max-tbs') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 16) {
        throw new UsageError(`-accel ${key}=${value}: expected a whole number of at least 16`);
      }
      config.accel.maxTbs = n;
    } else if (key === 'thread') {
      if (value !== 'single')
        throw new UsageError(`-accel thread=${value}: only single is supported`);
    } else {
      throw new UsageError(`-accel ${text}: unsupported property '${key}'`);
    }
  }
}

function parseBoot(text: string): string {
  let order: string | undefined;
  if (!text.includes('=')) order = text;
  else {
    const parsed = parseOptionString(text, 'order');
    if (!parsed.ok) throw new UsageError(`-boot ${text}: ${parsed.error.message}`);
    for (const [key, value] of parsed.value.entries) {
      if (key === 'order' || key === 'once') order = value;
      else if (key === 'menu' || key === 'strict') onOff('boot', key, value);
      else throw new UsageError(`-boot ${text}: unsupported property '${key}'`);
    }
  }
  if (order === undefined) return 'cad';
  if (!/^[abcdn]{1,3}$/.test(order)) {
    throw new UsageError(
      `-boot ${text}: invalid boot order '${order}' (up to three of a, c, d, n)`,
    );
  }
  return order;
}

function parseRtc(text: string): TsemuConfig['rtcBase'] {
  const parsed = parseOptionString(text);
  if (!parsed.ok) throw new UsageError(`-rtc ${text}: ${parsed.error.message}`);
  let base: TsemuConfig['rtcBase'] = 'utc';
  for (const [key, value] of parsed.value.entries) {
    if (key === 'base') {
      if (value === 'utc' || value === 'localtime') base = value;
      else {
        const ms = Date.parse(value.endsWith('Z') ? value : `${value}Z`);
        if (Number.isNaN(ms))
          throw new UsageError(`-rtc base=${value}: invalid date (use YYYY-MM-DDTHH:MM:SS)`);
        base = ms;
      }
    } else if (key === 'clock') {
      if (value !== 'host' && value !== 'vm' && value !== 'rt') {
        throw new UsageError(`-rtc clock=${value}: expected host, rt or vm`);
      }
    } else if (key === 'driftfix') {
      if (value !== 'none' && value !== 'slew')
        throw new UsageError(`-rtc driftfix=${value}: expected none or slew`);
    } else {
      throw new UsageError(`-rtc ${text}: unsupported property '${key}'`);
    }
  }
  return base;
}

/** Checks and collects the options; help requests stop at the first one. */
export function buildConfig(options: readonly ParsedOption[]): TsemuConfig {
  const config: TsemuConfig = {
    machine: 'pc',
    firmwareNone: false,
    cpu: 'qemu32',
    ramMiB: 128,
    accel: { backend: 'tiered' },
    firmwareDirs: [],
    append: '',
    drives: [],
    bootOrder: 'cad',
    snapshot: false,
    nographic: false,
    display: undefined,
    vga: 'std',
    serial: [],
    monitor: [],
    chardevs: [],
    devices: [],
    rtcBase: 'utc',
    noReboot: false,
    noShutdown: false,
    startPaused: false,
  };
  for (const { name, value = '' } of options) {
    switch (name) {
      case 'machine':
      case 'M':
        parseMachine(config, value);
        break;
      case 'cpu':
        if (value === 'help' || value === '?') config.help = { topic: 'cpu' };
        else if (!(CPU_MODELS as readonly string[]).includes(value.split(',')[0])) {
          throw new UsageError(
            `-cpu ${value}: unable to find CPU model '${value.split(',')[0]}' ('-cpu help' lists them)`,
          );
        } else if (value.includes(',')) {
          throw new UsageError(`-cpu ${value}: CPU feature flags are not supported`);
        }
        break;
      case 'accel':
        parseAccel(config, value);
        break;
      case 'smp': {
        const cpus = Number(value.startsWith('cpus=') ? value.slice(5) : value);
        if (!Number.isInteger(cpus) || cpus < 1)
          throw new UsageError(`-smp ${value}: invalid CPU count`);
        if (cpus > 1)
          throw new UsageError(`-smp ${value}: only 1 CPU is supported (SMP has not landed yet)`);
        break;
      }
      case 'm':
        config.ramMiB = parseRamSize(value);
        break;
      case 'bios':
        config.bios = value;
        break;
      case 'L':
        config.firmwareDirs.push(value);
        break;
      case 'kernel':
        config.kernel = value;
        break;
      case 'initrd':
        config.initrd = value;
        break;
      case 'append':
        config.append = value;
        break;
      case 'drive':
      case 'hda':
      case 'hdb':
      case 'hdc':
      case 'hdd':
      case 'cdrom':
        config.drives.push({ kind: name, value });
        break;
      case 'boot':
        config.bootOrder = parseBoot(value);
        break;
      case 'snapshot':
        config.snapshot = true;
        break;
      case 'nographic':
        config.nographic = true;
        break;
      case 'display':
        if (value === 'none' || value === 'curses') config.display = value;
        else throw new UsageError(`-display ${value}: unsupported display (none or curses)`);
        break;
      case 'vga':
        if (value === 'std' || value === 'none') config.vga = value;
        else throw new UsageError(`-vga ${value}: unsupported video card (std or none)`);
        break;
      case 'serial':
        config.serial.push(value);
        break;
      case 'monitor':
        config.monitor.push(value);
        break;
      case 'chardev':
        config.chardevs.push(value);
        break;
      case 'debugcon':
        config.debugcon = value;
        break;
      case 'device':
        if (value === 'help' || value === '?') config.help = { topic: 'device' };
        else if (/(^|,)help$|,\?$/.test(value)) config.help = { topic: 'device', detail: value };
        config.devices.push(value);
        break;
      case 'rtc':
        config.rtcBase = parseRtc(value);
        break;
      case 'icount':
        config.icount = value;
        break;
      case 'no-reboot':
        config.noReboot = true;
        break;
      case 'no-shutdown':
        config.noShutdown = true;
        break;
      case 'S':
        config.startPaused = true;
        break;
      case 'd':
        if (value === 'help' || value === '?') config.help = { topic: 'd' };
        config.logItems = value;
        break;
      case 'D':
        config.logFile = value;
        break;
      default:
        throw new UsageError(`-${name}: option not handled`);
    }
    if (config.help) return config;
  }
  if (config.nographic && config.display !== undefined && config.display !== 'none') {
    throw new UsageError(`-nographic cannot be used with -display ${config.display}`);
  }
  if (config.firmwareNone && config.kernel === undefined) {
    throw new UsageError(
      '-machine firmware=none needs -kernel (there is no firmware to boot from disks)',
    );
  }
  if (config.kernel === undefined && (config.initrd !== undefined || config.append !== '')) {
    throw new UsageError(
      config.initrd !== undefined
        ? '-initrd only allowed with -kernel option'
        : '-append only allowed with -kernel option',
    );
  }
  return config;
}
