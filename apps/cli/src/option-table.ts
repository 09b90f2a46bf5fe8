/**
 * Every option `tsemu` accepts, in QEMU's spelling. An option that is not here is refused
 * with a message naming it; nothing is silently ignored.
 */
import type { OptionSpec } from './options.js';

const arg = (name: string, argName: string, help: string): OptionSpec => ({
  name,
  hasArg: true,
  argName,
  help,
});
const flag = (name: string, help: string): OptionSpec => ({ name, hasArg: false, help });

export const OPTION_SPECS: readonly OptionSpec[] = [
  flag('h', 'display this help and exit'),
  flag('help', 'display this help and exit'),
  flag('version', 'display version information and exit'),
  // Machine and CPU
  arg('machine', 'type[,firmware=none]', "select the machine ('-machine help' lists them)"),
  arg('M', 'type', 'same as -machine'),
  arg('cpu', 'model', "select the CPU model ('-cpu help' lists them)"),
  arg(
    'accel',
    'tcg[,backend=tiered|js|interpreter][,tb-size=N]',
    'select the accelerator and its JIT options',
  ),
  arg('smp', 'n', 'number of CPUs (only 1 so far)'),
  arg('m', 'size', 'RAM size in MiB (suffixes M and G accepted)'),
  // Firmware and kernels
  arg('bios', 'file', 'firmware image (default: SeaBIOS bios-256k.bin)'),
  arg('L', 'path', 'directory to search for firmware and option ROMs'),
  arg('kernel', 'bzImage', 'boot this Linux or Multiboot kernel'),
  arg('initrd', 'file', 'initial ram disk (Multiboot: modules, comma separated)'),
  arg('append', 'cmdline', 'kernel command line'),
  // Disks
  arg('drive', 'file=...[,format=..][,if=ide][,index=N][,media=..]', 'add a drive'),
  arg('hda', 'file', 'IDE primary master disk image'),
  arg('hdb', 'file', 'IDE primary slave disk image'),
  arg('hdc', 'file', 'IDE secondary master disk image'),
  arg('hdd', 'file', 'IDE secondary slave disk image'),
  arg('cdrom', 'file', 'CD-ROM image (IDE secondary master)'),
  arg('boot', '[order=]drives', 'boot order: a (floppy), c (disk), d (CD), n (net)'),
  flag('snapshot', 'write to temporary files instead of disk images'),
  // Display and character devices
  flag('nographic', 'no display; serial port and monitor on the terminal'),
  arg('display', 'none|curses', 'select the display'),
  arg('vga', 'std|none', 'select the video card'),
  arg('serial', 'dev', 'redirect the next serial port to dev (stdio, file:, tcp:, ...)'),
  arg('monitor', 'dev', 'redirect the monitor to dev'),
  arg('chardev', 'backend,id=id[,...]', 'create a character device'),
  arg('debugcon', 'dev', 'redirect the debug console (port 0xe9) to dev'),
  arg('device', 'driver[,prop=value...]', "add a device ('-device help' lists them)"),
  arg('rtc', 'base=utc|localtime|date', 'set the RTC start time'),
  // Running
  arg('icount', 'shift=N[,sleep=on|off]', 'count instructions: virtual time from icount'),
  flag('no-reboot', 'exit instead of rebooting'),
  flag('no-shutdown', 'stop instead of exiting when the guest powers off'),
  flag('S', 'do not start the CPU at start-up (use the monitor\'s "cont")'),
  arg('d', 'item1,...', "log items ('-d help' lists them)"),
  arg('D', 'logfile', 'write the log to logfile instead of stderr'),
];
