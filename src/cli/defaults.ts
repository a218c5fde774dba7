/** Paths the CLI defaults to, resolved from ferry's own install folder (not the current directory). */
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_LAB_INVENTORY = fileURLToPath(new URL('../../examples/lab-seed.yaml', import.meta.url));
