import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bench-peers/harness.js';

afterEach(() => vi.restoreAllMocks());

describe('bench:peers', () => {
  it('explains itself with --help, before touching images or peers', async () => {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    await main(['--help']);
    expect(printed).toMatch(/^usage: bench:peers \[--peers qemu,v86,tsemu\]/);
    expect(printed).toContain('--profile');
  });
});
