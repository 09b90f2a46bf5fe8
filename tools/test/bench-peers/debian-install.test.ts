import { describe, expect, it } from 'vitest';
import { parseSimulatedInstall } from '../../bench-peers/peers/debian-install.js';

describe('parseSimulatedInstall', () => {
  it('lists the packages apt would newly install (not upgrades), without the native architecture', () => {
    const output = `Reading package lists...
Building dependency tree...
The following NEW packages will be installed:
  libslirp0 qemu-system-x86
0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.
Inst libslirp0 (4.7.0-1 Debian:12.15/oldstable [amd64])
Inst libfoo:amd64 (1.0-1 Debian:12.15/oldstable [amd64])
Inst libc6 [2.36-9+deb12u9] (2.36-9+deb12u13 Debian:12.15/oldstable [amd64])
Inst qemu-system-x86 (1:7.2+dfsg-7+deb12u18+b3 Debian:12.15/oldstable [amd64])
Conf libslirp0 (4.7.0-1 Debian:12.15/oldstable [amd64])
Conf qemu-system-x86 (1:7.2+dfsg-7+deb12u18+b3 Debian:12.15/oldstable [amd64])
`;
    expect(parseSimulatedInstall(output, 'amd64')).toEqual([
      'libslirp0',
      'libfoo',
      'qemu-system-x86',
    ]);
  });

  it('lists nothing when everything is installed', () => {
    expect(
      parseSimulatedInstall(
        'qemu-system-x86 is already the newest version (1:7.2+dfsg-7+deb12u18+b3).\n',
        'amd64',
      ),
    ).toEqual([]);
  });
});
