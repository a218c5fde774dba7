/**
 * A recorded host action in the words an operator would type (pure): argv as a shell line, a service action as
 * the `systemctl` command it stands for, file writes with where the old content was kept.
 */
import type { CommandRecord } from '../adapters/hosts/recording.ts';

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** argv for display: bare words where safe, else single-quoted (display only: nothing runs this string). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((w) => (w !== '' && PLAIN.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
}

export function describeCommand(c: CommandRecord): string {
  const kind = c.kind ?? (c.argv !== undefined ? 'run' : c.service !== undefined ? 'service' : undefined);
  switch (kind) {
    case 'run':
      return formatArgv(c.argv ?? []);
    case 'service':
      return `systemctl ${c.action ?? '?'} ${c.service ?? '?'}`;
    case 'write-file':
      return `write ${c.path ?? '?'}${c.backup !== undefined ? ` (backup ${c.backup})` : ''}${c.changed === false ? ' (already so: unchanged)' : ''}`;
    case 'rename':
      return `mv ${c.path ?? '?'} ${c.to ?? '?'}`;
    case 'mkdir':
      return `mkdir -p ${c.path ?? '?'}`;
    case 'reload-units':
      return 'systemctl daemon-reload';
    default:
      return c.path ?? '(unknown action)';
  }
}

/** Commands grouped by host, hosts in the order of their first command, each in time order. */
export function groupCommandsByHost(commands: readonly CommandRecord[]): { readonly host: string; readonly commands: readonly CommandRecord[] }[] {
  const byHost = new Map<string, CommandRecord[]>();
  for (const c of [...commands].sort((a, b) => a.t - b.t)) {
    const list = byHost.get(c.host);
    if (list === undefined) byHost.set(c.host, [c]);
    else list.push(c);
  }
  return [...byHost].map(([host, list]) => ({ host, commands: list }));
}
