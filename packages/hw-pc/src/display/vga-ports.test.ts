import { describe, expect, it } from 'vitest';
import { vgaRig } from './testing/vga-rig.js';

describe('VGA I/O ports', () => {
  it('attribute controller: index then data on 0x3c0, flip-flop reset by reading input status 1', () => {
    const rig = vgaRig();
    rig.outb(0x3c2, 0x01); // colour: status at 0x3da
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x05); // index 5
    rig.outb(0x3c0, 0x2a); // data
    rig.outb(0x3c0, 0x26); // index 6 with the screen-on bit (0x20)
    rig.outb(0x3c0, 0x15);
    expect(rig.inb(0x3c0)).toBe(0x26); // the index reads back
    rig.outb(0x3c0, 0x05);
    expect(rig.inb(0x3c1)).toBe(0x2a);
    // The flip-flop now expects data; reading 0x3da makes the next write an index again.
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x06);
    expect(rig.inb(0x3c1)).toBe(0x15);
    // Palette registers keep 6 bits; the mode control drops bit 4.
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x01);
    rig.outb(0x3c0, 0xff);
    rig.outb(0x3c0, 0x10);
    rig.outb(0x3c0, 0xff);
    rig.outb(0x3c0, 0x01);
    expect(rig.inb(0x3c1)).toBe(0x3f);
    rig.inb(0x3da);
    rig.outb(0x3c0, 0x10);
    expect(rig.inb(0x3c1)).toBe(0xef);
  });

  it('input status 1 toggles retrace so loops waiting for it end', () => {
    const rig = vgaRig();
    rig.outb(0x3c2, 0x01);
    const a = rig.inb(0x3da);
    const b = rig.inb(0x3da);
    expect((a ^ b) & 0x08).toBe(0x08);
    // A BIOS waiting for the start of a retrace, then its end, finishes in a few reads.
    let reads = 0;
    while (!(rig.inb(0x3da) & 0x08)) reads++;
    while (rig.inb(0x3da) & 0x08) reads++;
    expect(reads).toBeLessThan(4);
  });

  it('CRTC: CR11 bit 7 protects CR0-CR7 except line compare bit 8 in CR7', () => {
    const rig = vgaRig();
    rig.outb(0x3c2, 0x01);
    rig.outw(0x3d4, 0x5f00); // CR0 = 0x5f (word write: index then data)
    rig.outw(0x3d4, 0x0007);
    rig.outw(0x3d4, 0x8011); // lock
    rig.outw(0x3d4, 0x1200); // ignored
    rig.outw(0x3d4, 0xff07); // only bit 4 lands
    rig.outw(0x3d4, 0x3309); // CR9 is not protected
    const cr = (i: number) => {
      rig.outb(0x3d4, i);
      return rig.inb(0x3d5);
    };
    expect(cr(0x00)).toBe(0x5f);
    expect(cr(0x07)).toBe(0x10);
    expect(cr(0x09)).toBe(0x33);
    rig.outw(0x3d4, 0x0011); // unlock
    rig.outw(0x3d4, 0x1200);
    expect(cr(0x00)).toBe(0x12);
  });

  it('misc output bit 0 moves the CRTC and status ports between 0x3dx and 0x3bx', () => {
    const rig = vgaRig();
    rig.outb(0x3c2, 0x00); // monochrome
    rig.outb(0x3b4, 0x0e);
    rig.outb(0x3b5, 0x12);
    expect(rig.inb(0x3b5)).toBe(0x12);
    expect(rig.inb(0x3d5)).toBe(0xff); // the colour ports do not answer
    rig.outb(0x3d4, 0x0f); // ignored
    expect(rig.inb(0x3b4)).toBe(0x0e);
    rig.outb(0x3c2, 0x67); // colour
    expect(rig.inb(0x3cc)).toBe(0x67);
    expect(rig.inb(0x3b5)).toBe(0xff);
    expect(rig.inb(0x3d4)).toBe(0x0e); // one CRTC, now at 0x3d4
    expect(rig.inb(0x3d5)).toBe(0x12);
  });

  it('DAC: auto-incrementing read and write indexes, 6-bit channels, state and pel mask', () => {
    const rig = vgaRig();
    rig.outb(0x3c8, 0xfe);
    for (const v of [0x3f, 0x40, 0x01, 0x02, 0x03, 0x04, 0x05]) rig.outb(0x3c9, v);
    expect(rig.inb(0x3c8)).toBe(0x00); // 0xfe, 0xff written, wrapped to 0
    expect(rig.inb(0x3c7)).toBe(0x00); // last index given: a write index
    rig.outb(0x3c7, 0xfe);
    expect(rig.inb(0x3c7)).toBe(0x03);
    const read = Array.from({ length: 6 }, () => rig.inb(0x3c9));
    expect(read).toEqual([0x3f, 0x00, 0x01, 0x02, 0x03, 0x04]); // 0x40 kept its 6 bits
    // Entry 0 got red 0x05 only: green and blue have not arrived.
    rig.outb(0x3c7, 0x00);
    expect([rig.inb(0x3c9), rig.inb(0x3c9), rig.inb(0x3c9)]).toEqual([0, 0, 0]);
    expect(rig.inb(0x3c6)).toBe(0xff);
    rig.outb(0x3c6, 0x0f);
    expect(rig.inb(0x3c6)).toBe(0x0f);
  });

  it('sequencer and graphics registers keep only the bits that exist', () => {
    const rig = vgaRig();
    rig.outw(0x3c4, 0xff02);
    rig.outw(0x3c4, 0xff04);
    rig.outw(0x3ce, 0xff05);
    rig.outw(0x3ce, 0xff08);
    rig.outb(0x3c4, 0x02);
    expect(rig.inb(0x3c5)).toBe(0x0f);
    rig.outb(0x3c4, 0x04);
    expect(rig.inb(0x3c5)).toBe(0x0e);
    rig.outb(0x3ce, 0x05);
    expect(rig.inb(0x3cf)).toBe(0x7b);
    rig.outb(0x3ce, 0x08);
    expect(rig.inb(0x3cf)).toBe(0xff);
    rig.outb(0x3c4, 0xff); // index wraps to 3 bits
    expect(rig.inb(0x3c4)).toBe(0x07);
  });

  it('saves and restores its registers as plain data', () => {
    const rig = vgaRig();
    rig.outb(0x3c2, 0x67);
    rig.outw(0x3d4, 0x120e);
    rig.outb(0x3c8, 3);
    for (const v of [10, 20, 30]) rig.outb(0x3c9, v);
    const saved = rig.vga.core.state();
    rig.vga.reset();
    expect(rig.inb(0x3cc)).toBe(0);
    rig.vga.core.loadState(saved);
    expect(rig.inb(0x3cc)).toBe(0x67);
    rig.outb(0x3c7, 3);
    expect([rig.inb(0x3c9), rig.inb(0x3c9), rig.inb(0x3c9)]).toEqual([10, 20, 30]);
    rig.outb(0x3d4, 0x0e);
    expect(rig.inb(0x3d5)).toBe(0x12);
  });
});
