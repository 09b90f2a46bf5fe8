import { describe, expect, it } from 'vitest';
import { GUEST_PACKAGES, newestFirst } from './recipe.js';

describe('the guest package recipe', () => {
  it('picks the newest kernel ABI, comparing numbers as numbers', () => {
    const names = [
      'linux-image-6.1.0-9-686-unsigned',
      'linux-image-6.1.0-50-686-unsigned',
      'linux-image-6.1.0-47-686-unsigned',
    ];
    expect(names.sort(newestFirst)[0]).toBe('linux-image-6.1.0-50-686-unsigned');
  });

  it('matches only the 686 unsigned kernel packages of 6.1', () => {
    const kernel = GUEST_PACKAGES.find((p) => typeof p.name !== 'string');
    const pattern = kernel && typeof kernel.name !== 'string' ? kernel.name.pattern : /$^/;
    expect(pattern.test('linux-image-6.1.0-50-686-unsigned')).toBe(true);
    expect(pattern.test('linux-image-6.1.0-50-686-pae-unsigned')).toBe(false);
    expect(pattern.test('linux-image-6.1.0-50-686')).toBe(false);
    expect(pattern.test('linux-image-6.10.0-1-686-unsigned')).toBe(false);
  });

  it('gives every file a distinct name in the images folder', () => {
    const names = GUEST_PACKAGES.flatMap((p) => p.files.map((f) => f.to));
    expect(new Set(names).size).toBe(names.length);
  });
});
