// The `tsemu` executable: parse the command line, run, exit with QEMU's status.
import { runCli } from './cli.js';

const status = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
// Chardevs and timers are closed by now; exit explicitly so a stray handle cannot hang us.
process.exit(status);
