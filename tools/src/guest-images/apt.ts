/**
 * The few apt and dpkg commands the guest-image tool needs, run as child processes. Packages
 * are always named, never fetched by URL; failures become one-line ToolErrors.
 */
import { spawn } from 'node:child_process';
import { access, constants, mkdir, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ToolError } from '../util/tool-error.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program and collects its output; a program that cannot be started is a ToolError. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new ToolError(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      }),
    );
  });
}

/** The programs the tool runs; all come with apt and dpkg on Debian and Ubuntu. */
const REQUIRED_PROGRAMS = ['apt-get', 'apt-cache', 'dpkg', 'dpkg-deb'] as const;

async function isOnPath(program: string): Promise<boolean> {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    try {
      await access(join(directory, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The last "E: ..." line apt printed, without any address in it, for a one-line error. */
function aptErrorLine(result: CommandResult): string {
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.startsWith('E: '));
  const last = lines.at(-1)?.slice(3) ?? `exit status ${result.code}`;
  return withoutAddresses(last);
}

/** Replaces URLs and bracketed IP notes in apt's messages, which must not name any host. */
export function withoutAddresses(text: string): string {
  return text
    .replace(/\w+:\/\/\S+/g, (url) => describeIndexUrl(url) ?? '<archive>')
    .replace(/\s*\[IP:[^\]]*\]/g, '');
}

/** ".../dists/bookworm-security/main/binary-i386/Packages.xz" becomes "bookworm-security/main i386". */
function describeIndexUrl(url: string): string | undefined {
  const match = /\/dists\/([^/]+)\/([^/]+)\/binary-([^/]+)\//.exec(url);
  return match ? `the ${match[1]}/${match[2]} ${match[3]} index` : undefined;
}

/** A package as apt is asked about it. */
export interface PackageRef {
  name: string;
  /** 'all' or a Debian architecture such as i386. */
  architecture: string;
  version?: string;
}

export interface PackageControl {
  package: string;
  version: string;
  architecture: string;
}

/** apt and dpkg, as this tool uses them. `log` receives the lines a person should see. */
export class Apt {
  constructor(private readonly log: (line: string) => void) {}

  /** Fails with one line when apt or dpkg is missing. */
  async requireTools(): Promise<void> {
    for (const program of REQUIRED_PROGRAMS) {
      if (!(await isOnPath(program))) {
        throw new ToolError(
          `${program} not found: fetching guest images needs Debian's apt and dpkg (run it on a Debian or Ubuntu host)`,
        );
      }
    }
  }

  /** The architectures dpkg installs for: the native one and any foreign ones. */
  async architectures(): Promise<string[]> {
    const native = await this.checked('dpkg', ['--print-architecture']);
    const foreign = await this.checked('dpkg', ['--print-foreign-architectures']);
    return [native, foreign]
      .join('\n')
      .split('\n')
      .map((a) => a.trim())
      .filter((a) => a !== '');
  }

  /** `dpkg --add-architecture`: needs root. */
  async addArchitecture(architecture: string): Promise<void> {
    const result = await runCommand('dpkg', ['--add-architecture', architecture]);
    if (result.code !== 0) {
      throw new ToolError(
        `dpkg --add-architecture ${architecture} failed (${result.stderr.trim() || `exit ${result.code}`}); ${architecture} packages need it, run as root`,
      );
    }
    this.log(`added the ${architecture} architecture to dpkg`);
  }

  /**
   * `apt-get update`. An index that fails to download while others succeed is tolerated:
   * on some machines one i386 security index is out of sync while the main archive, which
   * has every package we need, is fine. Whether that holds is seen when packages resolve.
   */
  async update(): Promise<void> {
    this.log('apt-get update...');
    const result = await runCommand('apt-get', ['update']);
    if (result.code === 0) return;
    const failed = [...`${result.stdout}\n${result.stderr}`.matchAll(/Failed to fetch (\S+)/g)]
      .map((m) => describeIndexUrl(m[1]) ?? 'one index')
      .filter((d, i, all) => all.indexOf(d) === i);
    if (failed.length === 0) throw new ToolError(`apt-get update failed: ${aptErrorLine(result)}`);
    this.log(
      `apt-get update could not fetch ${failed.join(', ')}; going on with the indexes it has`,
    );
  }

  /**
   * The versions apt would install, by apt name ("seabios", "busybox-static:i386"); names apt
   * does not know, or has no installable version of, are absent. One apt-cache run for all:
   * each run re-reads every index, which takes about a second.
   */
  async candidates(packages: readonly PackageRef[]): Promise<Map<string, string>> {
    const versions = new Map<string, string>();
    if (packages.length === 0) return versions;
    const result = await runCommand('apt-cache', [
      'policy',
      ...packages.map((p) => aptName(p.name, p.architecture)),
    ]);
    let current: string | undefined;
    for (const line of result.stdout.split('\n')) {
      const header = /^(\S+):$/.exec(line);
      if (header) current = header[1];
      const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
      if (candidate && current !== undefined && candidate[1] !== '(none)')
        versions.set(current, candidate[1]);
    }
    return versions;
  }

  /** Package names apt knows that start with `prefix`. */
  async packageNames(prefix: string): Promise<string[]> {
    const out = await this.checked('apt-cache', ['pkgnames', prefix]);
    return out
      .split('\n')
      .map((n) => n.trim())
      .filter((n) => n !== '');
  }

  /**
   * `apt-get download NAME[:ARCH]=VERSION...` into `directory` (which it creates), all in one
   * run; returns each package's .deb by apt name, or throws a ToolError with apt's reason.
   */
  async download(packages: readonly PackageRef[], directory: string): Promise<Map<string, string>> {
    await mkdir(directory, { recursive: true });
    const specs = packages.map((p) => `${aptName(p.name, p.architecture)}=${p.version}`);
    const result = await runCommand('apt-get', ['download', ...specs], { cwd: directory });
    if (result.code !== 0) {
      throw new ToolError(`apt-get download failed: ${aptErrorLine(result)}`);
    }
    const files = (await readdir(directory)).filter((f) => f.endsWith('.deb'));
    const debs = new Map<string, string>();
    for (const p of packages) {
      // apt names the file NAME_VERSION_ARCH.deb, with the version's ":" written "%3a".
      const file = files.find((f) => f.startsWith(`${p.name}_`));
      if (file === undefined)
        throw new ToolError(`apt-get download did not produce a .deb for ${p.name}`);
      debs.set(aptName(p.name, p.architecture), join(directory, file));
    }
    return debs;
  }

  /** The Package, Version and Architecture fields of a .deb. */
  async control(deb: string): Promise<PackageControl> {
    const out = await this.checked('dpkg-deb', [
      '--show',
      // dpkg-deb's own ${Field} syntax, not a template placeholder.
      `--showformat=\${Package}\n\${Version}\n\${Architecture}`,
      deb,
    ]);
    const [pkg, version, architecture] = out.split('\n');
    return { package: pkg, version, architecture };
  }

  /** `dpkg-deb -x`: unpacks the package's files under `directory`. */
  async extract(deb: string, directory: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    await this.checked('dpkg-deb', ['-x', deb, directory]);
  }

  private async checked(command: string, args: string[]): Promise<string> {
    const result = await runCommand(command, args);
    if (result.code !== 0) {
      const reason = withoutAddresses(
        result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`,
      );
      throw new ToolError(`${command} ${args[0]} failed: ${reason}`);
    }
    return result.stdout.trim();
  }
}

/** apt's spelling: an arch-qualified name for a foreign architecture, the bare name for 'all'. */
export function aptName(name: string, architecture: string): string {
  return architecture === 'all' ? name : `${name}:${architecture}`;
}
