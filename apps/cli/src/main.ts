// The `tsemu` executable: parse the command line, run, exit with QEMU's status.
import { runCli } from './cli.js';

const status = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = status;
