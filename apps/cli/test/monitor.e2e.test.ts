/**
 * End-to-end: the human monitor of a running pc machine, on the terminal shared with the
 * serial console (-nographic, Ctrl-A c) and on its own -monitor stdio.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { image, TsemuProcess } from './tsemu-process.js';

let running: TsemuProcess | undefined;
afterEach(() => running?.kill());

/** Sends a command and waits for the prompt that follows its output. */
async function command(tsemu: TsemuProcess, line: string): Promise<string> {
  const from = tsemu.stdout.length;
  tsemu.send(`${line}\r`);
  const end = await tsemu.waitFor(/\(qemu\) $/m, 20_000, from + line.length + 1);
  return tsemu.stdout.slice(from, end);
}

describe('the monitor of a pc machine', () => {
  it('answers through Ctrl-A c on -nographic, stops and resumes the VM, and quits with status 0', async () => {
    image('bios-256k.bin');
    const tsemu = new TsemuProcess(['-nographic', '-m', '64']);
    running = tsemu;
    // The monitor shares the terminal with the serial console, whose output is not held
    // back while the monitor has the keyboard (as in QEMU). Wait until SeaBIOS has given up
    // booting (it retries after 60 s) so that its lines cannot land inside an answer.
    await tsemu.waitFor('No bootable device', 60_000);
    tsemu.send('\x01c');
    await tsemu.waitFor(/tsemu [\d.]+ monitor - type 'help' for more information/, 20_000);
    await tsemu.waitFor('(qemu) ', 20_000);
    expect(await command(tsemu, 'info status')).toContain('VM status: running');
    await command(tsemu, 'stop');
    expect(await command(tsemu, 'info status')).toContain('VM status: paused');
    await command(tsemu, 'cont');
    expect(await command(tsemu, 'info status')).toContain('VM status: running');
    // The reset vector: SeaBIOS's far jump at 0xffff0 (ea xx xx 00 f0), read physically.
    expect(await command(tsemu, 'xp /1xb 0xffff0')).toMatch(/00000000000ffff0: 0xea/);
    const registers = await command(tsemu, 'info registers');
    expect(registers).toMatch(/EAX=[0-9a-f]{8} EBX=/);
    expect(registers).toMatch(/CR0=/);
    // As QEMU's: the x87 and SSE registers too (CPU_DUMP_FPU).
    expect(registers).toMatch(/FCW=037f FSW=0000/);
    expect(registers).toMatch(/XMM00=/);
    expect(await command(tsemu, 'info pci')).toContain('PCI device 8086:7010');
    expect(await command(tsemu, 'info qom-tree')).toContain('/machine');
    expect(await command(tsemu, 'info mtree')).toContain('pc.ram');
    expect(await command(tsemu, 'info pic')).toMatch(/pic|irr|IRR/i);
    expect(await command(tsemu, 'info jit')).toContain('Translation buffer state');
    tsemu.send('quit\r');
    expect(await tsemu.exited).toBe(0);
  }, 120_000);
});
