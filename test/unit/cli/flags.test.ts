/**
 * The command table (src/cli/flags.ts) is what ferry parses and what shell completion offers; the help texts say
 * the same in prose. These tests keep the three in step: every command in the table is a command of `ferry`,
 * has help with an example naming its flags, and its usage line names no flag the table lacks; and a value outside
 * a flag's list, or a flag of another subcommand, is bad input.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import { HELP } from '../../../src/cli/help.ts';
import { COMMAND_SPECS, GLOBAL_FLAGS, flagsOf, type CommandSpec } from '../../../src/cli/flags.ts';
import { parseCommand } from '../../../src/cli/args.ts';
import { FerryError } from '../../../src/errors.ts';

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color: false, isTty: false, env: { ...process.env, FERRY_HOME: '/nonexistent/ferry-flags-test' } };
}

const specs = Object.entries(COMMAND_SPECS as Readonly<Record<string, CommandSpec>>);

/** The usage synopsis: the help text up to its first blank line. */
const synopsis = (help: string) => help.split('\n\n')[0] ?? '';

describe('the command table', () => {
  test('every command with help is in the table, and every command in the table has help with an Example', () => {
    const helped = Object.keys(HELP).filter((k) => k !== 'ferry').sort();
    assert.deepEqual(specs.map(([n]) => n).sort(), helped, 'HELP and COMMAND_SPECS must list the same commands (add the new command to src/cli/flags.ts)');
    for (const [name] of specs) assert.match(HELP[name] ?? '', /\nExample/, name);
  });

  test('every command in the table is one ferry runs, and the top-level help lists it', async () => {
    const top = HELP['ferry'] ?? '';
    for (const [name] of specs) {
      assert.match(top, new RegExp(`\\n  ${name} `), `ferry --help lists ${name}`);
      const o = io();
      await runCli([name, '--definitely-not-a-flag'], o);
      assert.doesNotMatch(o.stderr.join(''), /unknown command/, name);
    }
  });

  test("each command's help names every flag it takes", () => {
    for (const [name, spec] of specs) {
      const help = HELP[name] ?? '';
      for (const [flag, f] of Object.entries(spec.flags)) {
        const named = help.includes(`--${flag}`) || (f.short !== undefined && new RegExp(`(^|[\\s\\[(])-${f.short}[\\s,]`).test(help));
        assert.ok(named, `ferry ${name} --help does not mention --${flag}`);
      }
    }
  });

  test("each command's usage line names only flags the table has", () => {
    for (const [name, spec] of specs) {
      const known = new Set([...Object.keys(spec.flags), ...Object.keys(GLOBAL_FLAGS)]);
      const used = [...synopsis(HELP[name] ?? '').matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string);
      const unknown = used.filter((f) => !known.has(f));
      assert.deepEqual(unknown, [], `ferry ${name}: the usage line names --${unknown.join(', --')}, which src/cli/flags.ts does not list`);
    }
  });

  test('subcommands take only their own flags, named in the command', () => {
    for (const [name, spec] of specs) {
      for (const [sub, s] of Object.entries(spec.subcommands ?? {})) {
        for (const f of s.flags) assert.ok(f in spec.flags, `${name} ${sub}: ${f} is not a flag of ${name}`);
        assert.deepEqual(Object.keys(flagsOf(spec, sub)).sort(), [...s.flags, ...Object.keys(GLOBAL_FLAGS)].sort());
      }
    }
  });
});

describe('parseCommand', () => {
  const usage = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (err: unknown) => err instanceof FerryError && err.code === 'CLI_USAGE' && err.exitCode === 2 && pattern.test(err.message));

  test('parses the flags of the table, typed', () => {
    const { values, positionals } = parseCommand('apply', ['-f', 'x.yaml', '--dry-run', '-o', 'yaml', '--scope', 'etcd']);
    assert.equal(values.file, 'x.yaml');
    assert.equal(values['dry-run'], true);
    assert.equal(values.output, 'yaml');
    assert.equal(values.scope, 'etcd');
    assert.deepEqual(positionals, []);
    assert.deepEqual(parseCommand('node', ['--etcd', 'a', '--etcd', 'b'], 'update-config').values.etcd, ['a', 'b']);
  });

  test('a value outside the flag\'s list is bad input, for every command with -o', () => {
    for (const [name, spec] of specs) {
      if (!('output' in spec.flags)) continue;
      const sub = Object.keys(spec.subcommands ?? {}).find((s) => spec.subcommands?.[s]?.flags.includes('output'));
      usage(() => parseCommand(name as keyof typeof COMMAND_SPECS, ['-o', 'xml'], sub), /-o must be .*json.*, not "xml"/);
    }
    usage(() => parseCommand('plan', ['--scope', 'nodes']), /--scope must be all, etcd or master, not "nodes"/);
  });

  test('a flag of another subcommand, an unknown flag, or a positional where none is taken is bad input', () => {
    usage(() => parseCommand('lab', ['--nodes', '3'], 'down'), /--nodes is not an option of this subcommand \(it is one of ferry lab up\)/);
    usage(() => parseCommand('lab', ['--dry-run'], 'up'), /--dry-run is not an option/);
    usage(() => parseCommand('status', ['--frob']), /Unknown option '--frob'/);
    usage(() => parseCommand('status', ['extra']), /positional/);
    usage(() => parseCommand('completion', ['-o', 'json'], 'bash'), /Unknown option '-o'/);
  });
});
