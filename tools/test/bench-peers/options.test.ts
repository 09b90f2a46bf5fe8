import { describe, expect, it } from 'vitest';
import { commandLine, parseBenchOptions } from '../../bench-peers/options.js';

describe('parseBenchOptions', () => {
  it('runs QEMU, v86 and tsemu, both workloads, 3 runs by default', () => {
    const options = parseBenchOptions([]);
    expect(options.peers).toEqual(['qemu', 'v86', 'tsemu']);
    expect(options.workloads).toEqual(['boot', 'cpu']);
    expect(options.runs).toBe(3);
    expect(options.timeoutSeconds).toEqual({ boot: 300, cpu: 900 });
    expect(options.idleMaxBusy).toBe(0.25);
    expect(options.profile).toBe(false);
  });

  it('takes a peer list, a run count and limits', () => {
    const options = parseBenchOptions([
      '--peers',
      'qemu,v86',
      '--runs',
      '1',
      '--workloads',
      'boot',
      '--idle-max-busy',
      '40',
      '--timeout-boot',
      '60',
    ]);
    expect(options.peers).toEqual(['qemu', 'v86']);
    expect(options.runs).toBe(1);
    expect(options.workloads).toEqual(['boot']);
    expect(options.idleMaxBusy).toBe(0.4);
    expect(options.timeoutSeconds.boot).toBe(60);
  });

  it('refuses unknown peers, bad numbers and unknown options in one line', () => {
    expect(() => parseBenchOptions(['--peers', 'qemu,bochs'])).toThrow(
      /--peers: unknown "bochs" \(known: qemu, v86, tsemu, tsemu-direct\)/,
    );
    expect(() => parseBenchOptions(['--runs', 'three'])).toThrow(/--runs wants a whole number/);
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(/only makes sense with --profile/);
    expect(parseBenchOptions(['--runs', '0', '--profile']).runs).toBe(0);
    expect(() => parseBenchOptions(['--fast'])).toThrow(/--fast.*see --help/);
  });
});

describe('commandLine', () => {
  it('writes the command again, quoting what a shell would split', () => {
    expect(commandLine(['--peers', 'qemu,v86', '--runs', '1'])).toBe(
      'pnpm bench:peers --peers qemu,v86 --runs 1',
    );
    expect(commandLine(['--qemu', '/opt/my qemu'])).toBe("pnpm bench:peers --qemu '/opt/my qemu'");
  });
});
