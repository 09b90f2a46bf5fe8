/**
 * A peer is one emulator the harness compares: it installs itself (into a folder git
 * ignores) and turns the guest to boot into a command line.
 */

/** The guest every peer boots: the same files, command line and memory size. */
export interface GuestSpec {
  kernel: string;
  initrd: string;
  /** The kernel command line. */
  append: string;
  memoryMiB: number;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** What the harness needs from an installed peer. */
export interface PeerSetup {
  /** Its version, as the report shows it ("QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"). */
  version: string;
  launch(guest: GuestSpec): LaunchCommand;
}

export interface PrepareContext {
  repoRoot: string;
  /** Where peers install themselves: `.cache/peers`. */
  peersDir: string;
  /** The guest images folder (firmware, kernel, initramfs). */
  imagesDir: string;
  log: (line: string) => void;
}

export interface Peer {
  /** The name `--peers` selects it by. */
  name: string;
  /** Its name in tables. */
  label: string;
  /** Installs what is missing and checks that the emulator starts; throws when it cannot. */
  prepare(context: PrepareContext): Promise<PeerSetup>;
}

/** The QEMU options every peer that speaks them gets: tsemu takes the same ones. */
export function qemuStyleArgs(guest: GuestSpec): string[] {
  return [
    '-m',
    String(guest.memoryMiB),
    '-kernel',
    guest.kernel,
    '-initrd',
    guest.initrd,
    '-append',
    guest.append,
    '-nographic',
  ];
}
