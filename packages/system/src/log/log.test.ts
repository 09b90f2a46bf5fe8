import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Log, type LogSink, NULL_LOG_SINK } from './log.js';
import { LOG_ITEMS, LogItemError, logUsage, parseLogItems } from './log-items.js';
import { fileLogOutput, MemoryLogOutput } from './log-output.js';

describe('parseLogItems (-d)', () => {
  it('accepts a comma separated list of QEMU item names', () => {
    const selection = parseLogItems('in_asm,op,op_opt,out_asm,int,guest_errors');
    expect([...selection.items].sort()).toEqual(
      ['guest_errors', 'in_asm', 'int', 'op', 'op_opt', 'out_asm'].sort(),
    );
    expect(selection.help).toBe(false);
  });

  it('knows every item QEMU users type', () => {
    const names = LOG_ITEMS.map((item) => item.name);
    for (const name of [
      'in_asm',
      'op',
      'op_opt',
      'out_asm',
      'int',
      'exec',
      'cpu',
      'fpu',
      'mmu',
      'pcall',
      'cpu_reset',
      'unimp',
      'guest_errors',
      'page',
      'nochain',
      'plugin',
      'strace',
      'tid',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('expands all to every item', () => {
    expect(parseLogItems('all').items.size).toBe(LOG_ITEMS.length);
  });

  it('rejects an unknown item with a message that names it and points at -d help', () => {
    expect(() => parseLogItems('int,bogus')).toThrow(LogItemError);
    expect(() => parseLogItems('int,bogus')).toThrow(
      "unknown log item 'bogus' (use '-d help' to list the items)",
    );
    expect(() => parseLogItems('int,,cpu')).toThrow(/empty log item/);
  });

  it('reports help, and the usage text lists each item with its description', () => {
    expect(parseLogItems('help').help).toBe(true);
    const usage = logUsage();
    expect(usage.split('\n')[0]).toBe('Log items (comma separated):');
    expect(usage).toMatch(/^guest_errors {4}report invalid guest actions/m);
    expect(usage).toMatch(/^trace:PATTERN/m);
    for (const item of LOG_ITEMS) expect(usage).toContain(item.name);
  });

  it('collects trace:PATTERN items', () => {
    expect(parseLogItems('trace:pit_*,int').tracePatterns).toEqual(['pit_*']);
  });
});

describe('Log', () => {
  it('writes only the enabled items, adding a missing newline', () => {
    const output = new MemoryLogOutput();
    const log = new Log({ items: 'int,guest_errors', output });
    expect(log.enabled('int')).toBe(true);
    expect(log.enabled('exec')).toBe(false);
    log.write('int', 'INT 0x0e');
    log.write('exec', 'not shown\n');
    log.write('guest_errors', 'bad port\n');
    expect(output.text).toBe('INT 0x0e\nbad port\n');
  });

  it('matches trace: items against the enabled patterns', () => {
    const log = new Log({ items: 'trace:pit_*', output: new MemoryLogOutput() });
    expect(log.enabled('trace:pit_irq')).toBe(true);
    expect(log.enabled('trace:rtc_irq')).toBe(false);
  });

  it('can change its items at run time and rejects unknown ones', () => {
    const log = new Log({ output: new MemoryLogOutput() });
    expect(log.enabled('cpu')).toBe(false);
    log.setItems('cpu,fpu');
    expect([...log.enabledItems].sort()).toEqual(['cpu', 'fpu']);
    log.setItems(['mmu']);
    expect(log.enabledItems).toEqual(['mmu']);
    expect(() => log.setItems('nope')).toThrow(/unknown log item 'nope'/);
  });

  it('satisfies the structural LogSink contract other packages declare', () => {
    const sinks: LogSink[] = [new Log({ output: new MemoryLogOutput() }), NULL_LOG_SINK];
    for (const sink of sinks) {
      expect(sink.enabled('int')).toBe(false);
      sink.write('int', 'ignored');
    }
  });

  describe('-D FILE', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('writes to the file, truncating it, with %d replaced by the pid', () => {
      dir = mkdtempSync(join(tmpdir(), 'tsemu-log-'));
      const log = Log.fromCommandLine({ d: 'unimp', D: join(dir, 'log-%d.txt') });
      log.write('unimp', 'port 0x3f8 register 7');
      log.close();
      expect(readFileSync(join(dir, `log-${process.pid}.txt`), 'utf8')).toBe(
        'port 0x3f8 register 7\n',
      );
    });

    it('fails with a message naming a file it cannot open', () => {
      expect(() => fileLogOutput('/nonexistent-dir/x.log')).toThrow(
        /cannot open log file '\/nonexistent-dir\/x.log'/,
      );
    });
  });

  it('leaves -d help to the caller', () => {
    expect(() => Log.fromCommandLine({ d: 'help' })).toThrow(/-d help/);
  });
});
