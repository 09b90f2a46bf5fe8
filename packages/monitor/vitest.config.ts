import { tsemuVitestConfig } from '../../vitest.shared.mjs';

export default tsemuVitestConfig();
