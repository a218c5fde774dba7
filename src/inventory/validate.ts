/**
 * Validation of an inventory (docs/design/style.md §7): every problem at once, each with its path in the file, what is wrong
 * (showing the value found) and a hint. Pure: it reads no files and touches no hosts.
 *
 * Two passes, both always run: the whole-file zod parse reports shape problems (types, unknown keys, formats);
 * the cross-field checks run on a lenient per-section view (draft.ts), so one misspelt key does not hide a
 * duplicate host three sections away.
 */
import { homedir } from 'node:os';
import { checkEtcd } from './check-etcd.ts';
import { checkHostsAndAccess } from './check-hosts.ts';
import { checkURLs } from './check-urls.ts';
import { buildDraft } from './draft.ts';
import { findingsFromIssues } from './issues.ts';
import { buildInventory } from './normalize.ts';
import { toProblems } from './problems.ts';
import { InventoryFileSchema } from './schema.ts';
import type { Inventory, InventoryProblem } from './types.ts';

export interface ValidateOptions {
  /** What `~` in local paths (keyFile, knownHosts, tls files, …) expands to. Default `$HOME`, else `os.homedir()`. */
  readonly homeDir?: string;
}

export interface ValidationResult {
  /** The normalized inventory; present only when no problem is an error (warnings allowed). */
  readonly inventory?: Inventory;
  /** Errors and warnings, sorted by path. */
  readonly problems: InventoryProblem[];
}

export function validateInventory(raw: unknown, options: ValidateOptions = {}): ValidationResult {
  const parsed = InventoryFileSchema.safeParse(raw, { reportInput: true });
  const draft = buildDraft(raw);
  const problems = toProblems([
    ...(parsed.success ? [] : findingsFromIssues(parsed.error.issues, InventoryFileSchema)),
    ...checkEtcd(draft),
    ...checkURLs(draft),
    ...checkHostsAndAccess(draft),
  ]);
  if (!parsed.success || problems.some((p) => p.severity === 'error')) return { problems };
  const homeDir = options.homeDir ?? process.env.HOME ?? homedir();
  return { inventory: buildInventory(parsed.data, homeDir), problems };
}
