import { describe, expect, it } from 'vitest';
import { aptName, withoutAddresses } from './apt.js';

describe('apt messages', () => {
  it('name the failed index by suite, component and architecture, never by host', () => {
    const line =
      'Failed to fetch http://mirror.example/debian-security/dists/bookworm-security/main/binary-i386/Packages.xz  File has unexpected size (346968 != 365336). Mirror sync in progress? [IP: 192.0.2.80 80]';
    expect(withoutAddresses(line)).toBe(
      'Failed to fetch the bookworm-security/main i386 index  File has unexpected size (346968 != 365336). Mirror sync in progress?',
    );
    expect(withoutAddresses('Unable to connect to https://mirror.example/debian/')).toBe(
      'Unable to connect to <archive>',
    );
  });

  it('qualify foreign-architecture packages and leave architecture-independent ones bare', () => {
    expect(aptName('busybox-static', 'i386')).toBe('busybox-static:i386');
    expect(aptName('seabios', 'all')).toBe('seabios');
  });
});
