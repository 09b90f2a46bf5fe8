/**
 * bench:peers: tsemu against QEMU's TCG and v86 on the same guest, side by side (issue 12).
 *
 *   pnpm bench:peers [--peers qemu,v86,tsemu] [--runs 3] [--profile]   (see --help)
 *
 * That is `node --import tsx bench-peers/run.ts` in tools/. See docs/bench-peers.md.
 */
import { runCli } from '../src/util/cli.js';
import { main } from './harness.js';

runCli('bench:peers', () => main(process.argv.slice(2)));
