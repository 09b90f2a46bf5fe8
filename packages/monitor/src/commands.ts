/**
 * The built-in HMP commands, with the names, argument syntax and help texts of
 * QEMU's hmp-commands.hx and hmp-commands-info.hx, and the behaviour of their
 * handlers in monitor/*.c and system/runstate*.c.
 */
import type { CommandArgs } from './arguments.js';
import { splitWords } from './command-line.js';
import { type CommandContext, type HmpCommand, printHelp } from './command-table.js';
import { MonitorError, type MonitorInfoCommand } from './machine.js';
import { formatPrintValue, memoryDump } from './memory-dump.js';

const TWO_POW_53 = 2n ** 53n;

function numberArg(args: CommandArgs, key: string): number {
  return args.get(key) as number;
}

function bigintArg(args: CommandArgs, key: string): bigint | undefined {
  return args.get(key) as bigint | undefined;
}

/** `x` and `xp`: a hex/decimal/octal/char dump, or instructions with `/i`. */
function dumpMemory(context: CommandContext, args: CommandArgs, physical: boolean): void {
  const { machine } = context;
  const count = numberArg(args, 'count');
  const format = args.get('format') as string;
  const size = numberArg(args, 'size');
  const targetBits = machine.targetBits ?? 32;
  const addressBits = physical ? 64 : targetBits;
  const start = BigInt.asUintN(addressBits, bigintArg(args, 'addr') ?? 0n);
  if (format === 'i') {
    if (!machine.disassemble) throw new MonitorError('this machine has no disassembler');
    if (count <= 0 || start >= TWO_POW_53) return;
    for (const instruction of machine.disassemble(Number(start), count, physical)) {
      const address = instruction.address.toString(16).padStart(8, '0');
      context.print(`0x${address}:  ${instruction.text}\n`);
    }
    return;
  }
  memoryDump(
    { count, format, size },
    start,
    {
      addressBits,
      addressDigits: addressBits / 4,
      read: (address, length) => {
        if (address + BigInt(length) > TWO_POW_53) return null;
        return physical
          ? machine.readPhysical(Number(address), length)
          : machine.readVirtual(Number(address), length);
      },
    },
    (text) => context.print(text),
  );
}

function infoStatus(context: CommandContext): void {
  const state = context.machine.system.runstate.get();
  const running = state === 'running';
  let text = `VM status: ${running ? 'running' : 'paused'}`;
  if (!running && state !== 'paused') text += ` (${state})`;
  context.print(`${text}\n`);
}

function infoRegisters(context: CommandContext, args: CommandArgs): void {
  const { machine } = context;
  const cpuCount = machine.cpuCount ?? 1;
  const dump = (index: number) => {
    context.print(`\nCPU#${index}\n`);
    context.print(machine.registersText(index));
  };
  if (args.get('cpustate_all') === true) {
    for (let index = 0; index < cpuCount; index++) dump(index);
    return;
  }
  // QEMU keeps the vCPU number in a C int: values past 2^31 - 1 mean "the current CPU".
  const given = bigintArg(args, 'vcpu');
  const vcpu = given === undefined ? -1 : Number(BigInt.asIntN(32, given));
  if (vcpu >= cpuCount) {
    context.print(`CPU#${vcpu} not available\n`);
  } else if (cpuCount === 0) {
    context.print('No CPU available\n');
  } else {
    // The monitor's current CPU is the first one (there is no `cpu` command to change it).
    const currentCpu = 0;
    dump(vcpu >= 0 ? vcpu : currentCpu);
  }
}

function cont(context: CommandContext): void {
  const { system } = context.machine;
  if (system.runstate.needsReset()) {
    throw new MonitorError('Resetting the Virtual Machine is required');
  }
  if (system.runstate.check('suspended')) return;
  if (system.runstate.check('finish-migrate'))
    throw new MonitorError('Migration is not finalized yet');
  system.vmStart();
}

function quit(context: CommandContext): void {
  const { system } = context.machine;
  context.suspendInput();
  // QEMU's qmp_quit: exit even under -no-shutdown.
  system.actions.shutdown = 'poweroff';
  system.requests.shutdown('host-qmp-quit');
}

/** Synchronous unless the machine's screendump returns a promise (then the prompt waits for it). */
function screendump(context: CommandContext, args: CommandArgs): void | Promise<void> {
  const format = (args.get('format') as string | undefined) ?? 'ppm';
  if (format !== 'ppm' && format !== 'png') {
    throw new MonitorError(`invalid parameter value: ${format}`);
  }
  const { machine } = context;
  if (!machine.screendump) {
    throw new MonitorError('There is no console to take a screendump from');
  }
  const device = args.get('device') as string | undefined;
  const head = Number(BigInt.asIntN(32, bigintArg(args, 'head') ?? 0n));
  return machine.screendump(args.get('filename') as string, { format, device, head });
}

/** The `info` sub-commands tsemu itself answers; the machine adds the rest. */
export function builtinInfoCommands(): HmpCommand[] {
  return [
    {
      name: 'history',
      argsType: '',
      params: '',
      help: 'show the command line history',
      run: (context) => {
        context.history().forEach((line, index) => {
          context.print(`${index}: '${line}'\n`);
        });
      },
    },
    {
      name: 'registers',
      argsType: 'cpustate_all:-a,vcpu:i?',
      params: '[-a|vcpu]',
      help:
        'show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; ' +
        "show the current CPU's registers if no argument is specified)",
      run: infoRegisters,
    },
    {
      name: 'status',
      argsType: '',
      params: '',
      help: 'show the current VM status (running|paused)',
      run: infoStatus,
    },
    {
      name: 'version',
      argsType: '',
      params: '',
      help: 'show the version of tsemu',
      run: (context) => context.print(`${context.version}\n`),
    },
  ];
}

/** A machine's `info` provider as a sub-command entry. */
export function infoCommandFromProvider(name: string, provider: MonitorInfoCommand): HmpCommand {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid info command name '${name}'`);
  return {
    name,
    argsType: provider.params ? 'args:S?' : '',
    params: provider.params ?? '',
    help: provider.help,
    run: (context, args) => {
      const rest = (args.get('args') as string | undefined) ?? '';
      const words = splitWords(rest);
      if (!words) {
        context.print(`${name}: string expected\n`);
        return;
      }
      context.print(provider.run(words));
    },
  };
}

/** The top-level commands; `infoTable` is the (sorted) table `info` looks in. */
export function builtinCommands(infoTable: readonly HmpCommand[]): HmpCommand[] {
  return [
    {
      name: 'cont|c',
      argsType: '',
      params: '',
      help: 'resume emulation',
      run: cont,
    },
    {
      name: 'help|?',
      argsType: 'name:S?',
      params: '[cmd]',
      help: 'show the help',
      run: (context, args) => {
        const name = args.get('name') as string | undefined;
        const words = name === undefined ? [] : splitWords(name);
        if (words) printHelp(context.commands, words, (text) => context.print(text));
      },
    },
    {
      name: 'info',
      argsType: 'item:s?',
      params: '[subcommand]',
      help: 'show various information about the system state',
      run: (context) => printHelp(context.commands, ['info'], (text) => context.print(text)),
      subTable: infoTable,
    },
    {
      name: 'print|p',
      argsType: 'fmt:/,val:l',
      params: '/fmt expr',
      help: 'print expression value (use $reg for CPU register access)',
      run: (context, args) => {
        const value = bigintArg(args, 'val') ?? 0n;
        context.print(`${formatPrintValue(value, args.get('format') as string)}\n`);
      },
    },
    {
      name: 'quit|q',
      argsType: '',
      params: '',
      help: 'quit the emulator',
      run: quit,
    },
    {
      name: 'screendump',
      argsType: 'filename:F,format:-fs,device:s?,head:i?',
      params: 'filename [-f format] [device [head]]',
      help:
        "save screen from head 'head' of display device 'device' in specified format 'format' " +
        "as image 'filename'. Currently only 'png' and 'ppm' formats are supported.",
      run: screendump,
    },
    {
      name: 'stop|s',
      argsType: '',
      params: '',
      help: 'stop emulation',
      run: (context) => context.machine.system.vmStop('paused'),
    },
    {
      name: 'system_powerdown',
      argsType: '',
      params: '',
      help: 'send system power down event',
      run: (context) => context.machine.system.requests.powerdown(),
    },
    {
      name: 'system_reset',
      argsType: '',
      params: '',
      help: 'reset the system',
      run: (context) => context.machine.system.requests.reset('host-qmp-system-reset'),
    },
    {
      name: 'x',
      argsType: 'fmt:/,addr:l',
      params: '/fmt addr',
      help: "virtual memory dump starting at 'addr'",
      run: (context, args) => dumpMemory(context, args, false),
    },
    {
      name: 'xp',
      argsType: 'fmt:/,addr:l',
      params: '/fmt addr',
      help: "physical memory dump starting at 'addr'",
      run: (context, args) => dumpMemory(context, args, true),
    },
  ];
}
