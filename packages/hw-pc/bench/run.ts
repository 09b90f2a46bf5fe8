// hw-pc benchmarks: `pnpm --filter @tsemu/hw-pc bench`. Each script prints its own table.
await import('./interrupts-timers.js');
await import('./char-input.js');
await import('./chipset.js');
await import('./ide.js');
await import('./vga.js');
