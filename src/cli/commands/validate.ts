import { readInventory, renderProblems } from '../../inventory/load.ts';
import { inputError } from '../../errors.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { green, renderData, yellow, type Io } from '../io.ts';

export async function cmdValidate(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('validate', argv);
  const file = values.file;
  if (file === undefined) throw inputError('CLI_USAGE', 'ferry validate: -f INVENTORY is required', { hint: 'ferry validate -f examples/seed.yaml' });
  const fmt = outputFormat('validate', values.output);
  const { inventory, warnings, sha256 } = await readInventory(file);
  if (fmt !== 'text') {
    const data = { ok: true, file, sha256, warnings, inventory };
    io.out(renderData(fmt, data));
    return 0;
  }
  if (warnings.length > 0) io.out(yellow(io, renderProblems(warnings)) + '\n');
  io.out(green(io, `${file}: valid`) + ` (${inventory.etcd.old.length} old → ${inventory.etcd.new.length} new etcd members, access ${inventory.access.mode})\n`);
  return 0;
}
