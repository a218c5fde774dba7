/**
 * Every file a run changed, per host, with where its backup is — read from the journal: a step's action that
 * writes files returns `files: [{ path, backup? }]` in its result, on the host named by its detail's `host`
 * (no host: ferry's own machine, e.g. backups in the run folder). Pure.
 */
import type { RunView } from '../run/fold.ts';

export interface FileChange {
  readonly stepId: string;
  readonly host: string;
  readonly path: string;
  /** Where the original was kept; absent for a file that did not exist before. */
  readonly backup?: string;
}

function isFileList(x: unknown): x is { path: unknown; backup?: unknown }[] {
  return Array.isArray(x) && x.every((f) => typeof f === 'object' && f !== null && 'path' in f);
}

export function collectFileChanges(view: RunView): FileChange[] {
  const out: FileChange[] = [];
  const seen = new Set<string>();
  for (const stepId of view.stepOrder) {
    const step = view.steps.get(stepId);
    if (step === undefined) continue;
    for (const a of step.actions) {
      if (a.status !== 'finished' || a.result === undefined) continue;
      const files = a.result['files'];
      if (!isFileList(files)) continue;
      const host = typeof a.detail?.['host'] === 'string' ? a.detail['host'] : 'ferry (local)';
      for (const f of files) {
        if (typeof f.path !== 'string') continue;
        const key = `${host}\0${f.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ stepId, host, path: f.path, ...(typeof f.backup === 'string' ? { backup: f.backup } : {}) });
      }
    }
  }
  return out;
}
