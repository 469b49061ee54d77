import { fileURLToPath } from 'node:url';

/** examples/ */
export const EXAMPLES = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** The repository root (the ./herald launcher, server/target/herald.jar). */
export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** Where screenshots go: examples/test-output/<example>/ (gitignored). */
export const TEST_OUTPUT = `${EXAMPLES}/test-output`;
