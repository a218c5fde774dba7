/**
 * What `ferry plan` and `ferry apply` check before they read the cluster or change anything, so that a refusal is
 * exit code 2 with nothing touched (docs/design/style.md §6): FERRY_HOME must not lie inside the lab folder (runs would be
 * written among the lab's hosts), every etcd and master host must answer, and a failure to read the live cluster
 * is a refused preflight, not a failed run.
 */
import { relative, isAbsolute } from 'node:path';
import { ExitCode, FerryError, inputError, messageOf } from '../../errors.ts';
import { resolveFerryHome, resolveLabDir, type Env } from '../../home.ts';
import type { Inventory } from '../../inventory/types.ts';
import type { Deps } from '../../ports/deps.ts';

/** How long a host may take to answer the preflight's one read. */
export const HOST_PREFLIGHT_TIMEOUT_MS = 20_000;

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** FERRY_HOME_IN_LAB when ferry's own state would be written into the lab folder. */
export function checkFerryHomeOutsideLab(inventory: Inventory, env: Env): void {
  if (inventory.access.mode !== 'lab') return;
  const home = resolveFerryHome(env);
  const labDir = resolveLabDir(inventory.access.labDir, env);
  if (!isInside(home, labDir)) return;
  throw inputError('FERRY_HOME_IN_LAB', `FERRY_HOME ${home} is inside the lab folder ${labDir}`, {
    hint: 'point FERRY_HOME at a folder of its own (runs are written there), e.g. FERRY_HOME=~/.ferry',
    subjects: { file: home },
  });
}

/** Every host a plan's first steps reach, with where the inventory names it. */
export function buildPreflightHosts(inventory: Inventory): { address: string; where: string }[] {
  const out = new Map<string, string>();
  for (const side of ['old', 'new'] as const) {
    inventory.etcd[side].forEach((m, i) => out.has(m.host) || out.set(m.host, `etcd.${side}[${i}].host`));
    const master = inventory.master?.[side];
    if (master !== undefined && !out.has(master.host)) out.set(master.host, `master.${side}.host`);
  }
  return [...out.entries()].map(([address, where]) => ({ address, where }));
}

/** PLAN_HOST_UNREACHABLE (exit 2) naming every etcd or master host that does not answer a read of `/`. */
export async function checkHostsAnswer(inventory: Inventory, deps: Deps, timeoutMs = HOST_PREFLIGHT_TIMEOUT_MS): Promise<void> {
  const failed: string[] = [];
  await Promise.all(
    buildPreflightHosts(inventory).map(async ({ address, where }) => {
      const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref());
      try {
        await Promise.race([deps.host(address).then((h) => h.exists('/')), timeout]);
      } catch (err) {
        failed.push(`${address} (${where}): ${messageOf(err)}`);
      }
    }),
  );
  if (failed.length === 0) return;
  throw inputError('PLAN_HOST_UNREACHABLE', `${failed.length} host(s) of the inventory do not answer, so nothing was planned or changed: ${failed.sort().join('; ')}`, {
    hint: 'check the addresses in the inventory and that each host is up and reachable (over SSH, or in the lab: `ferry lab status`)',
    subjects: { host: failed.map((f) => f.split(' ')[0]).join(', ') },
  });
}

/**
 * Reading the live cluster changes nothing, so a failure there (no etcd member answers, an apiserver at another
 * version) is a refused preflight: exit code 2, with the code and words of the failure kept.
 */
export function asPreflightRefusal(err: unknown): unknown {
  if (!(err instanceof FerryError) || err.exitCode === ExitCode.badInput) return err;
  return new FerryError(err.code, `${err.message} (read-only preflight: nothing was changed)`, {
    ...(err.hint !== undefined ? { hint: err.hint } : {}),
    retryable: err.retryable,
    subjects: err.subjects,
    exitCode: ExitCode.badInput,
    cause: err,
  });
}
