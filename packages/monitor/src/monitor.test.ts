import { MemoryChardev } from '@tsemu/chardev';
import type { ShutdownCause } from '@tsemu/system';
import { describe, expect, it } from 'vitest';
import { fakeMachine, monitorOnTerminal, settle } from '../test/fake-machine.js';
import { Monitor } from './monitor.js';

/** Polls until `condition` holds (the main loop handles requests in its own turns). */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('banner and prompt', () => {
  it('greets with the banner and the (qemu) prompt when the chardev opens', async () => {
    const { banner } = await monitorOnTerminal();
    expect(banner).toBe("tsemu 0.1.0 monitor - type 'help' for more information\r\n(qemu) ");
  });

  it('prints nothing before the chardev opens, and greets when it does', async () => {
    const terminal = new MemoryChardev('monitor', false);
    new Monitor(terminal, fakeMachine(), { version: '9.9' });
    await settle();
    expect(terminal.takeText()).toBe('');
    terminal.signal('opened');
    await settle();
    expect(terminal.takeText()).toBe(
      "tsemu 9.9 monitor - type 'help' for more information\r\n(qemu) ",
    );
  });

  it('echoes what is typed and shows a new prompt after each command', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('\r')).toBe('\r\n(qemu) ');
    expect(type('info version\r')).toBe('info version\r\n0.1.0\r\n(qemu) ');
  });
});

describe('info status, stop and cont', () => {
  it('follows the System run state', async () => {
    const { type, machine } = await monitorOnTerminal();
    expect(type('info status\r')).toBe('info status\r\nVM status: paused (prelaunch)\r\n(qemu) ');
    expect(type('cont\r')).toBe('cont\r\n(qemu) ');
    expect(machine.system.runstate.get()).toBe('running');
    expect(type('info status\r')).toContain('\r\nVM status: running\r\n');
    expect(type('stop\r')).toBe('stop\r\n(qemu) ');
    expect(machine.system.runstate.get()).toBe('paused');
    expect(type('info status\r')).toContain('\r\nVM status: paused\r\n');
    type('c\r');
    expect(machine.system.runstate.get()).toBe('running');
    type('s\r');
    expect(machine.system.runstate.get()).toBe('paused');
  });

  it('refuses to continue a VM that must be reset first', async () => {
    const { type, machine } = await monitorOnTerminal();
    machine.system.vmStart();
    machine.system.vmStop('shutdown');
    expect(type('cont\r')).toBe(
      'cont\r\nError: Resetting the Virtual Machine is required\r\n(qemu) ',
    );
    expect(type('info status\r')).toContain('VM status: paused (shutdown)\r\n');
  });
});

describe('requests to the main loop', () => {
  it('system_reset resets the machine through the System', async () => {
    const { type, machine } = await monitorOnTerminal();
    const causes: ShutdownCause[] = [];
    machine.system.resetHandlers.addDeviceReset((cause) => causes.push(cause));
    machine.system.vmStart();
    const run = machine.system.mainLoop.run();
    expect(type('system_reset\r')).toBe('system_reset\r\n(qemu) ');
    await until(() => causes.length > 0);
    expect(causes).toEqual(['host-qmp-system-reset']);
    expect(machine.system.runstate.get()).toBe('running');
    type('quit\r');
    await expect(run).resolves.toBe(0);
  });

  it('system_powerdown presses the power button', async () => {
    const { type, machine } = await monitorOnTerminal();
    let presses = 0;
    machine.system.notifiers.powerdown.add(() => presses++);
    machine.system.vmStart();
    const run = machine.system.mainLoop.run();
    type('system_powerdown\r');
    await until(() => presses > 0);
    type('q\r');
    await expect(run).resolves.toBe(0);
    expect(presses).toBe(1);
  });

  it('quit ends the main loop with status 0, even under -no-shutdown, and takes no more input', async () => {
    const machine = fakeMachine({ noShutdown: true });
    const { type, terminal } = await monitorOnTerminal(machine);
    const causes: ShutdownCause[] = [];
    machine.system.notifiers.shutdown.add((cause) => causes.push(cause));
    machine.system.vmStart();
    const run = machine.system.mainLoop.run();
    expect(type('quit\r')).toBe('quit\r\n');
    await expect(run).resolves.toBe(0);
    expect(causes).toEqual(['host-qmp-quit']);
    expect(type('info status\r')).toBe('');
    expect(terminal.pendingInput).toBeGreaterThan(0);
  });
});

describe('x and xp', () => {
  it('x /4xw dumps virtual memory in words, QEMU style', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('x /4xw 0xc0001000\r')).toBe(
      'x /4xw 0xc0001000\r\nc0001000: 0x04030201 0x08070605 0x0c0b0a09 0x100f0e0d\r\n(qemu) ',
    );
  });

  it('xp /16xb shows eight bytes per line with 16-digit physical addresses', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('xp /16xb 0x1000\r')).toBe(
      'xp /16xb 0x1000\r\n' +
        '0000000000001000: 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08\r\n' +
        '0000000000001008: 0x09 0x0a 0x0b 0x0c 0x0d 0x0e 0x0f 0x10\r\n' +
        '(qemu) ',
    );
  });

  it('fits 16 bytes of half-words or giant words on a line', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('x/6xh 0xc0001000\r')).toContain(
      '\r\nc0001000: 0x0201 0x0403 0x0605 0x0807 0x0a09 0x0c0b\r\n',
    );
    expect(type('xp /3xg 0x1000\r')).toContain(
      '\r\n0000000000001000: 0x0807060504030201 0x100f0e0d0c0b0a09\r\n' +
        '0000000000001010: 0x1817161514131211\r\n',
    );
  });

  it('prints decimal, unsigned and octal items right-aligned to the widest value', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('xp /2dh 0x1000\r')).toContain('\r\n0000000000001000:   513  1027\r\n');
    expect(type('xp /2ub 0x1000\r')).toContain('\r\n0000000000001000:   1   2\r\n');
    expect(type('xp /2ob 0x1000\r')).toContain('\r\n0000000000001000:  01  02\r\n');
    expect(type('xp /1uw 0x1000\r')).toContain('\r\n0000000000001000:   67305985\r\n');
  });

  it('/c quotes characters as monitor_printc does', async () => {
    const { type, machine } = await monitorOnTerminal();
    machine.ram.set([0x48, 0x69, 0x0a, 0x00, 0x27, 0x5c, 0x7f, 0x0d], 0x2000);
    const line = "0000000000002000: 'H' 'i' '\\n' '\\x00' '\\'' '\\\\' '\\x7f' '\\r'\r\n";
    expect(type('xp /8cb 0x2000\r')).toContain(`\r\n${line}`);
    // As in QEMU, /c without a size reads the last size's worth of bytes per item: 2 x 4 = 8.
    const fresh = await monitorOnTerminal(fakeMachine());
    fresh.machine.ram.set([0x48, 0x69, 0x0a, 0x00, 0x27, 0x5c, 0x7f, 0x0d], 0x2000);
    expect(fresh.type('xp /2c 0x2000\r')).toContain(`\r\n${line}`);
  });

  it('has no /s format, as QEMU has none', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('xp /2s 0x2000\r')).toBe(
      'xp /2s 0x2000\r\n' +
        "invalid char in format: 's'\r\n" +
        'Try "help xp" for more information\r\n(qemu) ',
    );
  });

  it('reuses the last format and size when none is given', async () => {
    const { type } = await monitorOnTerminal();
    type('xp /2xb 0x1000\r');
    expect(type('xp 0x1001\r')).toBe('xp 0x1001\r\n0000000000001001: 0x02\r\n(qemu) ');
  });

  it('says where memory cannot be read', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('x /4xw 0x1000\r')).toBe(
      'x /4xw 0x1000\r\n00001000: Cannot access memory\r\n(qemu) ',
    );
    expect(type('xp /8xw 0xfff0\r')).toBe(
      'xp /8xw 0xfff0\r\n' +
        '000000000000fff0: 0x00000000 0x00000000 0x00000000 0x00000000\r\n' +
        '0000000000010000: Cannot access memory\r\n(qemu) ',
    );
  });

  it('takes expressions with registers, and disassembles with /i', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('x /2xw $eip + 0xc0000000\r')).toContain('\r\nc0001000: 0x04030201 0x08070605\r\n');
    expect(type('x /3i $eip\r')).toContain(
      '\r\n0x00001000:  nop\r\n0x00001001:  nop\r\n0x00001002:  nop\r\n(qemu) ',
    );
  });
});

describe('print', () => {
  it('evaluates expressions in the last format (hex at first)', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('p 0x10+2*3\r')).toBe('p 0x10+2*3\r\n0x16\r\n(qemu) ');
    expect(type('print 0\r')).toContain('\r\n0\r\n');
    expect(type('p /d -1\r')).toContain('\r\n-1\r\n');
    expect(type('p /x -1\r')).toContain('\r\n0xffffffffffffffff\r\n');
    expect(type('p /u $ebx\r')).toContain('\r\n4660\r\n');
    expect(type('p /c 65\r')).toContain("\r\n'A'\r\n");
    expect(type('p /o 8\r')).toContain('\r\n010\r\n');
  });

  it('sign-extends a 32-bit register as QEMU does for qemu-system-i386', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('p $eax\r')).toContain('\r\n0xffffffff80000000\r\n');
  });

  it('reports bad expressions', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('p $nope\r')).toBe(
      'p $nope\r\nunknown register\r\nTry "help p" for more information\r\n(qemu) ',
    );
    expect(type('p 1/0\r')).toContain('\r\ndivision by zero\r\n');
    expect(type('p (1\r')).toContain("\r\n')' expected\r\n");
    expect(type('p 1 +\r')).toContain('\r\nunexpected end of expression\r\n');
    expect(type('p 5 5\r')).toContain('\r\nprint|p: extraneous characters at the end of line\r\n');
  });
});

describe('info', () => {
  it('info registers prints the CPU dump under a CPU#0 header', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('info registers\r')).toBe(
      'info registers\r\n\r\nCPU#0\r\nEAX=80000000 EBX=00001234 (cpu 0)\r\nEIP=00001000\r\n(qemu) ',
    );
    expect(type('info registers 3\r')).toContain('\r\nCPU#3 not available\r\n');
    expect(type('info registers -z\r')).toContain(
      '\r\nregisters: unsupported option -z\r\nTry "help info registers" for more information\r\n',
    );
  });

  it('info registers -a dumps every CPU', async () => {
    const { type } = await monitorOnTerminal(fakeMachine({}, { cpuCount: 2 }));
    const output = type('info registers -a\r');
    expect(output).toContain('\r\nCPU#0\r\nEAX=80000000 EBX=00001234 (cpu 0)\r\n');
    expect(output).toContain('\r\nCPU#1\r\nEAX=80000000 EBX=00001234 (cpu 1)\r\n');
  });

  it("runs the machine's info commands with their arguments", async () => {
    const { type } = await monitorOnTerminal();
    expect(type('info mtree\r')).toContain('\r\naddress-space: memory\r\n');
    expect(type('info mtree -f\r')).toContain('\r\nFlatView #0\r\n');
    expect(type('info pic\r')).toContain('\r\npic0: irr=00 imr=ff isr=00\r\n');
    expect(type('info pic now\r')).toContain(
      '\r\npic: extraneous characters at the end of line\r\nTry "help info pic" for more information\r\n',
    );
  });

  it('info alone lists the sub-commands, sorted, the machine ones among them', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('info\r')).toBe(
      'info\r\n' +
        'info history  -- show the command line history\r\n' +
        'info mtree [-f] -- show memory tree\r\n' +
        'info pic  -- show PIC state\r\n' +
        'info registers [-a|vcpu] -- show the cpu registers (-a: show register info for all cpus; ' +
        "vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)\r\n" +
        'info status  -- show the current VM status (running|paused)\r\n' +
        'info version  -- show the version of tsemu\r\n' +
        '(qemu) ',
    );
  });

  it('info history lists the lines typed', async () => {
    const { type } = await monitorOnTerminal();
    type('info status\r');
    type('p 1\r');
    expect(type('info history\r')).toContain(
      "\r\n0: 'info status'\r\n1: 'p 1'\r\n2: 'info history'\r\n",
    );
  });

  it('says which sub-command is unknown', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('info foo\r')).toBe("info foo\r\nunknown command: 'info foo'\r\n(qemu) ");
  });
});

describe('help and errors', () => {
  it('help lists every command as QEMU does: name, parameters, help', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('help\r')).toBe(
      'help\r\n' +
        'cont|c  -- resume emulation\r\n' +
        'help|? [cmd] -- show the help\r\n' +
        'info [subcommand] -- show various information about the system state\r\n' +
        'print|p /fmt expr -- print expression value (use $reg for CPU register access)\r\n' +
        'quit|q  -- quit the emulator\r\n' +
        "screendump filename [-f format] [device [head]] -- save screen from head 'head' of display " +
        "device 'device' in specified format 'format' as image 'filename'. Currently only 'png' and " +
        "'ppm' formats are supported.\r\n" +
        'stop|s  -- stop emulation\r\n' +
        'system_powerdown  -- send system power down event\r\n' +
        'system_reset  -- reset the system\r\n' +
        "x /fmt addr -- virtual memory dump starting at 'addr'\r\n" +
        "xp /fmt addr -- physical memory dump starting at 'addr'\r\n" +
        '(qemu) ',
    );
  });

  it('help NAME shows one command, help info the sub-commands', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('? x\r')).toBe(
      "? x\r\nx /fmt addr -- virtual memory dump starting at 'addr'\r\n(qemu) ",
    );
    expect(type('help c\r')).toContain('\r\ncont|c  -- resume emulation\r\n');
    expect(type('help info status\r')).toContain(
      '\r\ninfo status  -- show the current VM status (running|paused)\r\n',
    );
    expect(type('help info\r')).toContain('\r\ninfo pic  -- show PIC state\r\n');
    expect(type('help foo\r')).toContain("\r\nunknown command: 'foo'\r\n");
    expect(type('help info foo\r')).toContain("\r\nunknown command: 'info foo'\r\n");
  });

  it("answers an unknown command with QEMU's line", async () => {
    const { type } = await monitorOnTerminal();
    expect(type('foo bar\r')).toBe("foo bar\r\nunknown command: 'foo'\r\n(qemu) ");
    expect(type('  frob\r')).toContain("\r\nunknown command: '  frob'\r\n");
  });

  it('refuses extra arguments', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('stop now\r')).toBe(
      'stop now\r\nstop|s: extraneous characters at the end of line\r\n' +
        'Try "help stop" for more information\r\n(qemu) ',
    );
  });
});

describe('screendump', () => {
  it('hands the file and format to the machine', async () => {
    const { type, machine } = await monitorOnTerminal();
    expect(type('screendump shot.ppm\r')).toBe('screendump shot.ppm\r\n(qemu) ');
    type('screendump "my shot.png" -f png\r');
    expect(machine.screendumps).toEqual([
      { file: 'shot.ppm', options: { format: 'ppm', device: undefined, head: 0 } },
      { file: 'my shot.png', options: { format: 'png', device: undefined, head: 0 } },
    ]);
  });

  it('reports a bad format, a missing file name and a machine without a display', async () => {
    const { type } = await monitorOnTerminal();
    expect(type('screendump a -f gif\r')).toContain('\r\nError: invalid parameter value: gif\r\n');
    expect(type('screendump\r')).toContain(
      '\r\nscreendump: filename expected\r\nTry "help screendump" for more information\r\n',
    );
    const headless = await monitorOnTerminal(fakeMachine({}, { screendump: undefined }));
    expect(headless.type('screendump a.ppm\r')).toContain(
      '\r\nError: There is no console to take a screendump from\r\n',
    );
  });

  it('waits for a screendump that takes time before reading the next line', async () => {
    let finish = () => {};
    const machine = fakeMachine(
      {},
      {
        screendump: () =>
          new Promise<void>((resolve) => {
            finish = resolve;
          }),
      },
    );
    const { type, terminal } = await monitorOnTerminal(machine);
    expect(type('screendump a.ppm\rinfo status\r')).toBe('screendump a.ppm\r\n');
    expect(terminal.pendingInput).toBe('info status\r'.length);
    finish();
    await settle();
    expect(terminal.takeText()).toBe(
      '(qemu) info status\r\nVM status: paused (prelaunch)\r\n(qemu) ',
    );
  });

  it('prints the error a failing screendump gives', async () => {
    const machine = fakeMachine(
      {},
      {
        screendump: async (file) => {
          throw new Error(`failed to open file '${file}': No such file or directory`);
        },
      },
    );
    const { type, terminal } = await monitorOnTerminal(machine);
    type('screendump /nope/a.ppm\r');
    await settle();
    expect(terminal.takeText()).toBe(
      "Error: failed to open file '/nope/a.ppm': No such file or directory\r\n(qemu) ",
    );
  });
});

describe('runCommand', () => {
  it('returns what a command prints without touching the terminal', async () => {
    const { monitor, terminal } = await monitorOnTerminal();
    expect(await monitor.runCommand('info status')).toBe('VM status: paused (prelaunch)\n');
    expect(terminal.takeText()).toBe('');
  });

  it('refuses an info command name that is taken', async () => {
    const { monitor } = await monitorOnTerminal();
    expect(() => monitor.addInfoCommand('status', { help: 'x', run: () => '' })).toThrow(
      "info command 'status' is already defined",
    );
    monitor.addInfoCommand('jit', {
      help: 'show dynamic compiler info',
      run: () => 'TB count 0\n',
    });
    expect(await monitor.runCommand('info jit')).toBe('TB count 0\n');
  });
});
