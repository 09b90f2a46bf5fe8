export { type CliIo, helpText, OPTION_SPECS, runCli, versionText } from './cli.js';
export {
  formatHelp,
  type OptionSpec,
  type ParsedOption,
  parseOptions,
  UsageError,
} from './options.js';
export { TSEMU_VERSION } from './version.js';
