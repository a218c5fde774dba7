/**
 * The command line's one description of itself: every command, its subcommands and its flags. args.ts parses each
 * command's arguments with these specs and completion.ts generates the bash and zsh completion scripts from them,
 * so what the shell offers is what ferry accepts. help.ts says the same in prose; test/unit/cli/flags.test.ts checks
 * that every command's help names exactly the flags listed here.
 */

/** What a value (or a positional argument) completes to: files, folders, run ids, or one of a fixed list. */
export type Completion = 'file' | 'dir' | 'run' | readonly string[];

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The flag may be given more than once (values collected in order). */
  readonly multiple?: boolean;
  readonly complete?: Completion;
  /** A few words for the zsh completion menu. */
  readonly description: string;
}

export interface SubcommandSpec {
  readonly description: string;
  /** The names (keys of the command's `flags`) this subcommand accepts. */
  readonly flags: readonly string[];
}

export interface CommandSpec {
  readonly description: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  readonly subcommands?: Readonly<Record<string, SubcommandSpec>>;
  /** The command takes one positional argument, completed as this. */
  readonly positional?: { readonly name: string; readonly complete: Completion };
}

/** Accepted by every command (and handled before it runs, for --help). */
export const GLOBAL_FLAGS = {
  help: { type: 'boolean', short: 'h', description: 'help for this command' },
  'no-color': { type: 'boolean', description: 'no ANSI colour (also NO_COLOR=1)' },
} as const satisfies Readonly<Record<string, FlagSpec>>;

export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export const SCOPES = ['all', 'etcd', 'master'] as const;

const output = { type: 'string', short: 'o', complete: OUTPUT_FORMATS, description: 'output format: text, json or yaml' } as const;
const inventory = { type: 'string', short: 'f', complete: 'file', description: 'the inventory file' } as const;
const run = { type: 'string', complete: 'run', description: 'the run (default: the newest)' } as const;
const yes = { type: 'boolean', description: 'do not ask before changing the cluster' } as const;
const scope = { type: 'string', complete: SCOPES, description: 'all, etcd (members only) or master (master and nodes)' } as const;
const allowVoterAdd = { type: 'boolean', description: 'etcd before 3.4: let new members join as voters (no learners there)' } as const;
const labEtcd = { type: 'string', description: 'the etcd the lab runs: 3.4 (this machine), 3.3 (Debian bullseye) or a folder' } as const;
const labDir = { type: 'string', complete: 'dir', description: 'the lab folder (default $FERRY_HOME/lab)' } as const;
/** The dashboard's: `ferry serve`, and `--ui` of apply and resume. */
const port = { type: 'string', description: "the dashboard's port (default: a free one)" } as const;
const address = { type: 'string', description: 'listen there instead of 127.0.0.1' } as const;
const ui = { type: 'boolean', description: 'also serve the dashboard of this run' } as const;

export const COMMAND_SPECS = {
  validate: {
    description: 'check an inventory file and report every problem at once',
    flags: { file: inventory, output },
  },
  plan: {
    description: 'read the live cluster and print the ordered plan (touches nothing)',
    flags: { file: inventory, output, out: { type: 'string', complete: 'file', description: 'write the plan to this file' }, scope, 'allow-voter-add': allowVoterAdd },
  },
  apply: {
    description: 'run a plan (asks before the first change unless --yes)',
    flags: {
      file: inventory,
      yes,
      scope,
      'allow-voter-add': allowVoterAdd,
      'dry-run': { type: 'boolean', description: 'print the plan it would run and stop (touches nothing)' },
      output,
      ui,
      port,
      address,
    },
    positional: { name: 'PLAN.json', complete: 'file' },
  },
  resume: {
    description: 'continue a run that was stopped or killed',
    flags: { run, file: { ...inventory, description: 'the inventory the run was planned from (checked, optional)' }, yes, output, ui, port, address },
  },
  rollback: {
    description: 'walk a run back to the old members and master',
    flags: { run, yes, 'dry-run': { type: 'boolean', description: 'print the walk-back plan and stop (touches nothing)' }, 'allow-voter-add': allowVoterAdd, output },
  },
  status: {
    description: 'show where a run stands',
    flags: { run, all: { type: 'boolean', description: 'list every run' }, output },
  },
  lab: {
    description: "the runbook's example environment on this machine",
    flags: {
      file: { ...inventory, description: 'a lab inventory (default examples/lab-seed.yaml)' },
      'lab-dir': labDir,
      nodes: { type: 'string', description: 'how many nodes in all (up)' },
      'no-dns': { type: 'boolean', description: 'without the DNS add-on (up)' },
      etcd: labEtcd,
      'dry-run': { type: 'boolean', description: 'say what would be stopped and removed (down)' },
      output,
    },
    subcommands: {
      up: { description: 'start the old side of the inventory, prepare the new hosts', flags: ['file', 'lab-dir', 'nodes', 'no-dns', 'etcd', 'output'] },
      down: { description: "stop every lab process and remove the lab's state", flags: ['file', 'lab-dir', 'dry-run', 'output'] },
      status: { description: "show the lab's hosts, services and etcd members", flags: ['file', 'lab-dir', 'output'] },
      etcd: { description: 'the etcd the lab would run (--etcd): its version and folder, fetched once if need be', flags: ['etcd', 'output'] },
    },
  },
  node: {
    description: 'repoint this node at the new master and etcd, rolling back on failure',
    flags: {
      master: { type: 'string', description: 'the new kube-apiserver URL' },
      etcd: { type: 'string', multiple: true, description: 'the whole new etcd cluster, comma-separated' },
      'lab-host': { type: 'string', description: 'change this lab host instead of this machine' },
      'lab-dir': { ...labDir, description: 'the lab folder (with --lab-host)' },
      'backup-dir': { type: 'string', complete: 'dir', description: 'where the backups go on the node' },
      timeout: { type: 'string', description: 'seconds to wait for Ready (default 60)' },
      'dry-run': { type: 'boolean', description: 'print the changes and touch nothing' },
      output,
    },
    subcommands: {
      'update-config': {
        description: 'rewrite the node config files, restart its services, wait for Ready',
        flags: ['master', 'etcd', 'lab-host', 'lab-dir', 'backup-dir', 'timeout', 'dry-run', 'output'],
      },
    },
  },
  demo: {
    description: 'lab up, the whole runbook, and a before/after report',
    flags: {
      scope,
      file: { ...inventory, description: 'a lab inventory (default examples/lab-seed.yaml)' },
      keep: { type: 'boolean', description: 'leave the lab up afterwards' },
      etcd: labEtcd,
      'allow-voter-add': allowVoterAdd,
      output,
    },
  },
  discover: {
    description: 'build an inventory from the live cluster: you add only the new hosts',
    flags: {
      etcd: { type: 'string', description: 'client URL(s) of the live etcd cluster, comma-separated' },
      master: { type: 'string', description: 'the master host (reached over SSH, or in the lab)' },
      apiserver: { type: 'string', description: "the apiserver URL (default: from the master's sysconfig)" },
      lab: { type: 'boolean', description: 'the hosts are lab hosts on this machine' },
      'lab-dir': { ...labDir, description: 'the lab folder (with --lab)' },
      'ssh-user': { type: 'string', description: 'SSH login user (default root)' },
      'ssh-key': { type: 'string', complete: 'file', description: 'SSH private key file' },
      'ssh-port': { type: 'string', description: 'SSH port (default 22)' },
      'known-hosts': { type: 'string', complete: 'file', description: 'known_hosts file (default ~/.ssh/known_hosts)' },
      sudo: { type: 'boolean', description: 'run commands through sudo -n' },
      console: { type: 'string', description: 'the DomeOS console URL' },
      'console-cluster': { type: 'string', description: 'the cluster name in the DomeOS console' },
      'console-credentials': { type: 'string', complete: 'file', description: 'YAML file with the console username and password' },
      name: { type: 'string', description: 'the inventory name' },
      output: { ...output, complete: ['yaml', 'json'], description: 'output format: yaml (with comments) or json' },
      out: { type: 'string', complete: 'file', description: 'write the inventory to this file' },
      force: { type: 'boolean', description: 'replace an existing --out file' },
    },
  },
  serve: {
    description: 'the dashboard: a live web page of the runs, on 127.0.0.1, behind a token',
    flags: { run: { ...run, description: 'the run to open first (default: the newest)' }, port, address },
  },
  report: {
    description: "make a run's report: report.html (or its data) for the change ticket",
    flags: {
      run,
      output: { ...output, complete: ['html', 'json', 'yaml', 'text'], description: 'html (default; text is the same), json or yaml' },
      out: { type: 'string', complete: 'file', description: 'write the report here instead' },
    },
    positional: { name: 'RUN', complete: 'run' },
  },
  'restore-check': {
    description: 'restore a backup into a scratch member and compare it with the live cluster',
    flags: {
      run,
      file: { ...inventory, description: 'the inventory of the live cluster to compare with (default: the run’s)' },
      'v2-dump': { type: 'string', complete: 'file', description: 'the v2 dump beside the snapshot (default: the run’s)' },
      'bin-dir': { type: 'string', complete: 'dir', description: 'where etcd and etcdctl are (default /usr/bin)' },
      output,
    },
    positional: { name: 'SNAPSHOT.db', complete: 'file' },
  },
  completion: {
    description: 'print a shell completion script (bash or zsh)',
    flags: {},
    subcommands: {
      bash: { description: 'the bash completion script', flags: [] },
      zsh: { description: 'the zsh completion script', flags: [] },
    },
  },
} as const satisfies Readonly<Record<string, CommandSpec>>;

export type CommandName = keyof typeof COMMAND_SPECS;

/** The flags a command (or one of its subcommands) accepts, its own and the global ones. */
export function flagsOf(spec: CommandSpec, subcommand?: string): Readonly<Record<string, FlagSpec>> {
  const names = subcommand === undefined ? undefined : spec.subcommands?.[subcommand]?.flags;
  const own = names === undefined ? spec.flags : Object.fromEntries(Object.entries(spec.flags).filter(([k]) => names.includes(k)));
  return { ...own, ...GLOBAL_FLAGS };
}
