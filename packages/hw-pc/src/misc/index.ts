export {
  DEBUG_EXIT_IOBASE,
  DEBUG_EXIT_IOSIZE,
  DebugExit,
  type DebugExitEnv,
} from './debug-exit.js';
export { DEBUGCON_IOBASE, DEBUGCON_READBACK, Debugcon, type DebugconEnv } from './debugcon.js';
export {
  ISA_DEBUG_EXIT,
  ISA_DEBUGCON,
  IsaDebugcon,
  IsaDebugExit,
  IsaPort92,
  PORT92,
} from './misc-qdev.js';
export {
  PORT92_A20,
  PORT92_FAST_RESET,
  PORT92_IOBASE,
  Port92,
  type Port92Env,
  type Port92State,
} from './port92.js';
export {
  POST_CODE_IOBASE,
  POST_CODE_LOG_ITEM,
  PostCodePort,
  type PostCodePortEnv,
  type PostCodePortState,
} from './post-code-port.js';
