/** End-to-end: Debian's SeaBIOS boots on the pc machine and says what it finds. */
import { afterEach, describe, expect, it } from 'vitest';
import { image, TsemuProcess } from './tsemu-process.js';

let running: TsemuProcess | undefined;
afterEach(() => running?.kill());

describe('SeaBIOS on the pc machine', () => {
  it('prints its banner on the serial console and reports no bootable device', async () => {
    image('bios-256k.bin');
    const tsemu = new TsemuProcess(['-nographic', '-m', '64']);
    running = tsemu;
    const banner = await tsemu.waitFor(/SeaBIOS \(version [^)]+\)/, 60_000);
    await tsemu.waitFor('No bootable device', 60_000, banner);
    expect(tsemu.stdout).toMatch(/Booting from Hard Disk/);
    console.log(`SeaBIOS: no bootable device after ${tsemu.elapsed.toFixed(1)} s`);
  }, 90_000);

  for (const options of [
    ['-icount', 'shift=3,sleep=off'],
    ['-accel', 'tcg,backend=interpreter'],
  ]) {
    it(`boots the same way with ${options.join(' ')}`, async () => {
      const tsemu = new TsemuProcess(['-nographic', '-m', '64', ...options]);
      running = tsemu;
      await tsemu.waitFor('No bootable device', 120_000);
      console.log(
        `SeaBIOS with ${options.join(' ')}: no bootable device after ${tsemu.elapsed.toFixed(1)} s`,
      );
    }, 150_000);
  }
});
