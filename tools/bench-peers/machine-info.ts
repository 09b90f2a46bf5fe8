/** What the report says about where and with what the figures were measured. */
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { runProgram } from './run-program.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** The checked-out commit, "abc1234" or "abc1234 with uncommitted changes". */
  tsemuCommit: string;
  loadAverage: string;
}

export async function machineInfo(repoRoot: string): Promise<MachineInfo> {
  return {
    cpuModel: await cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    tsemuCommit: await commit(repoRoot),
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

async function cpuModel(): Promise<string> {
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(text);
    if (model) return model[1].trim();
  } catch {
    // not Linux: fall back on what Node says
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}

/** Read-only questions to git: the commit, and whether tracked files differ from it. */
async function commit(repoRoot: string): Promise<string> {
  const head = await runProgram('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
  if (head.code !== 0) return 'unknown (not a git checkout)';
  const diff = await runProgram('git', ['diff', '--quiet', 'HEAD', '--'], { cwd: repoRoot });
  const hash = head.stdout.trim();
  return diff.code === 0 ? hash : `${hash} with uncommitted changes`;
}
