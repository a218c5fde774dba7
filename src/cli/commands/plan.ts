import { writeFileSync } from 'node:fs';
import { inputError } from '../../errors.ts';
import { readInventory, renderProblems } from '../../inventory/load.ts';
import { renderPlanText } from '../../plan/render.ts';
import { buildDeps } from '../../app/deps.ts';
import { observeAndPlan } from '../../app/session.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { renderData, yellow, type Io } from '../io.ts';
import type { Scope } from '../../plan/build-input.ts';
import type { Inventory } from '../../inventory/types.ts';
import type { Plan } from '../../plan/types.ts';
import type { Deps } from '../../ports/deps.ts';
import { withVoterAddConsent } from '../voter-add.ts';
import { asPreflightRefusal, checkFerryHomeOutsideLab, checkHostsAnswer } from './preflight.ts';

export async function cmdPlan(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('plan', argv);
  if (values.file === undefined) throw inputError('CLI_USAGE', 'ferry plan: -f INVENTORY is required', { hint: 'ferry plan -f examples/lab-seed.yaml' });
  const fmt = outputFormat('plan', values.output);
  const loaded = await readInventory(values.file);
  const { warnings, sha256 } = loaded;
  const inventory = withVoterAddConsent(loaded.inventory, values['allow-voter-add']);
  if (warnings.length > 0) io.err(yellow(io, renderProblems(warnings)) + '\n');
  const scope = checkScope(values.scope);
  checkFerryHomeOutsideLab(inventory, io.env);
  const deps = buildDeps(inventory, io.env);
  try {
    const plan = await readPreflightPlan(inventory, values.file, sha256, deps, scope);
    const text = fmt === 'text' ? renderPlanText(plan, { color: io.color && values.out === undefined }) : renderData(fmt, plan);
    if (values.out !== undefined) {
      writeFileSync(values.out, fmt === 'text' ? renderPlanText(plan) : text);
      io.err(`plan written to ${values.out}\n`);
    } else io.out(text);
    return 0;
  } finally {
    await deps.close();
  }
}

/** The preflight (preflight.ts), then the plan from the live cluster: any failure is exit 2, nothing touched. */
export async function readPreflightPlan(inventory: Inventory, inventoryPath: string, sha256: string, deps: Deps, scope: Scope): Promise<Plan> {
  try {
    await checkHostsAnswer(inventory, deps);
    return await observeAndPlan(inventory, inventoryPath, sha256, deps, scope);
  } catch (err) {
    throw asPreflightRefusal(err);
  }
}

export function checkScope(scope: string | undefined): Scope {
  if (scope === undefined) return 'all';
  if (scope !== 'etcd' && scope !== 'master' && scope !== 'all') {
    throw inputError('CLI_USAGE', `--scope ${scope}: the scopes are all, etcd (etcd members only) and master (master and nodes, etcd unchanged)`, { hint: 'use --scope etcd' });
  }
  return scope;
}
