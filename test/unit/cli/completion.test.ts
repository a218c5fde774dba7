/**
 * `ferry completion bash|zsh`: the scripts parse (`bash -n`, `zsh -n`), and completing in a real bash (and, when zsh
 * is installed, a real interactive zsh on a pseudo-terminal) offers the commands, subcommands, flags and values
 * of the command table.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import { renderBashCompletion, renderZshCompletion } from '../../../src/cli/completion.ts';
import { COMMAND_SPECS } from '../../../src/cli/flags.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color: false, isTty: false, env: { ...process.env, FERRY_HOME: join(dir, 'home') } };
}

const hasZsh = spawnSync('zsh', ['-c', 'exit 0']).status === 0;

describe('ferry completion', () => {
  const bashFile = join(dir, 'ferry.bash');
  const zshDir = join(dir, 'zfunc');

  before(async () => {
    const b = io();
    assert.equal(await runCli(['completion', 'bash'], b), 0);
    writeFileSync(bashFile, b.stdout.join(''));
    const z = io();
    assert.equal(await runCli(['completion', 'zsh'], z), 0);
    mkdirSync(zshDir);
    writeFileSync(join(zshDir, '_ferry'), z.stdout.join(''));
    // Runs for --run completion, and files for -f.
    mkdirSync(join(dir, 'home', 'runs', '20260101-000000-aaaa'), { recursive: true });
    mkdirSync(join(dir, 'home', 'runs', '20260102-000000-bbbb'));
    mkdirSync(join(dir, 'work', 'inv dir'), { recursive: true });
    writeFileSync(join(dir, 'work', 'inv dir', 'seed.yaml'), '');
    writeFileSync(join(dir, 'work', 'plan.json'), '');
  });

  test('prints the scripts generated from the command table', () => {
    assert.equal(readFileSync(bashFile, 'utf8'), renderBashCompletion(COMMAND_SPECS));
    assert.equal(readFileSync(join(zshDir, '_ferry'), 'utf8'), renderZshCompletion(COMMAND_SPECS));
  });

  test('an unknown or missing shell, or a flag, is bad input', async () => {
    for (const argv of [['completion'], ['completion', 'fish'], ['completion', 'bash', '-o', 'json'], ['completion', 'bash', '--frob']]) {
      const o = io();
      assert.equal(await runCli(argv, o), 2, argv.join(' '));
      assert.match(o.stderr.join(''), /error CLI_USAGE/);
    }
  });

  test('bash -n accepts the bash script', () => {
    execFileSync('bash', ['-n', bashFile]);
  });

  /** What a real bash offers: COMP_WORDS as typed, the cursor on the last word. */
  function bashComplete(words: readonly string[]): string[] {
    const quoted = words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ');
    const script = `source '${bashFile}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _ferry; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync('bash', ['-c', script], { cwd: join(dir, 'work'), env: { ...process.env, FERRY_HOME: join(dir, 'home') }, encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '');
  }

  test('bash completes commands, subcommands, flags and their values', () => {
    assert.deepEqual(bashComplete(['ferry', 'pl']), ['plan']);
    assert.deepEqual(bashComplete(['ferry', 'co']), ['completion']);
    assert.deepEqual(bashComplete(['ferry', 'lab', '']), ['up', 'down', 'status', 'etcd', '-h', '--help']);
    assert.deepEqual(bashComplete(['ferry', 'node', '']), ['update-config', '-h', '--help']);
    assert.deepEqual(bashComplete(['ferry', 'completion', '']), ['bash', 'zsh', '-h', '--help']);
    assert.deepEqual(bashComplete(['ferry', 'plan', '-o', '']), ['text', 'json', 'yaml']);
    assert.deepEqual(bashComplete(['ferry', 'plan', '--output', '=', 'y']), ['yaml']);
    assert.deepEqual(bashComplete(['ferry', 'apply', '--scope', '']), ['all', 'etcd', 'master']);
    assert.deepEqual(bashComplete(['ferry', 'apply', '--d']), ['--dry-run']);
    assert.deepEqual(bashComplete(['ferry', 'status', '--run', '']), ['20260101-000000-aaaa', '20260102-000000-bbbb']);
    // Subcommands have their own flags: --nodes only for up, --dry-run only for down.
    assert.ok(bashComplete(['ferry', 'lab', 'up', '--']).includes('--nodes'));
    assert.ok(!bashComplete(['ferry', 'lab', 'down', '--']).includes('--nodes'));
    assert.deepEqual(bashComplete(['ferry', 'lab', 'down', '--dr']), ['--dry-run']);
    // A flag's value is not taken for a subcommand: after `--master URL`, update-config's flags are still offered.
    assert.deepEqual(bashComplete(['ferry', 'node', 'update-config', '--master', 'http://x', '--ba']), ['--backup-dir']);
  });

  test('bash completes files for -f and the plan file of apply, names with spaces intact', () => {
    assert.deepEqual(bashComplete(['ferry', 'validate', '-f', 'inv']), ['inv dir']);
    assert.deepEqual(bashComplete(['ferry', 'validate', '-f', 'inv dir/']), ['inv dir/seed.yaml']);
    assert.deepEqual(bashComplete(['ferry', 'apply', 'pl']), ['plan.json']);
    assert.deepEqual(bashComplete(['ferry', 'help', 'st']), ['status']);
  });

  test('zsh -n accepts the zsh script (skipped when zsh is not installed)', { skip: hasZsh ? false : 'zsh is not installed' }, () => {
    execFileSync('zsh', ['-n', join(zshDir, '_ferry')]);
  });

  /**
   * What a real interactive zsh offers after TAB: zsh on a pseudo-terminal (zsh/zpty), the script autoloaded from
   * fpath by compinit, every candidate compadd adds written to a file, then a marker once completion is over.
   */
  function zshComplete(line: string): string[] {
    const out = join(dir, `zsh-${Math.random().toString(16).slice(2)}.out`);
    const rc = join(dir, 'zshrc');
    writeFileSync(
      rc,
      [
        `fpath=('${zshDir}' $fpath)`,
        // -D: no dump file. (`-d /dev/null` made compdump write a temp file and `mv` it over /dev/null, as root.)
        'autoload -U compinit; compinit -u -D',
        "bindkey '^I' complete-word",
        "zstyle ':completion:*' list-grouped false",
        'compadd () {',
        "  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"$@\"; return $?; fi",
        '  typeset -a __hits; builtin compadd -A __hits "$@"',
        '  print -rl -- "${__hits[@]}" >> "$FERRY_ZOUT"; builtin compadd "$@"',
        '}',
        'ferry_done () { print -r -- "--done--" >> "$FERRY_ZOUT" }',
        'comppostfuncs=(ferry_done)',
        'ferry () { }',
      ].join('\n'),
    );
    const script = [
      'zmodload zsh/zpty',
      'zpty z zsh -f -i',
      `zpty -w z "source '${rc}'"`,
      `zpty -n -w z ${JSON.stringify(line)}$'\\t'`,
      // Bounded wait for the marker (no timing assertion: only a cap on how long to wait).
      `for i in {1..400}; do [[ -f "$FERRY_ZOUT" ]] && grep -q -- --done-- "$FERRY_ZOUT" && break; sleep 0.05; done`,
      'zpty -d z',
    ].join('\n');
    execFileSync('zsh', ['-f', '-c', script], { cwd: join(dir, 'work'), env: { ...process.env, FERRY_HOME: join(dir, 'home'), FERRY_ZOUT: out }, timeout: 60_000 });
    const hits = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : [];
    return [...new Set(hits.filter((l) => l !== '' && l !== '--done--'))].sort();
  }

  test('zsh completes commands, subcommands, flags and their values (skipped when zsh is not installed)', { skip: hasZsh ? false : 'zsh is not installed' }, () => {
    assert.deepEqual(zshComplete('ferry pl'), ['plan']);
    assert.deepEqual(zshComplete('ferry lab '), ['down', 'etcd', 'status', 'up']);
    assert.deepEqual(zshComplete('ferry plan -o '), ['json', 'text', 'yaml']);
    assert.deepEqual(zshComplete('ferry apply --scope '), ['all', 'etcd', 'master']);
    assert.deepEqual(zshComplete('ferry status --run '), ['20260101-000000-aaaa', '20260102-000000-bbbb']);
    assert.deepEqual(zshComplete('ferry node update-config --d'), ['--dry-run']);
    assert.ok(zshComplete('ferry lab up --').includes('--nodes'));
    assert.ok(!zshComplete('ferry lab down --').includes('--nodes'));
    assert.ok(statSync('/dev/null').isCharacterDevice(), 'zsh left /dev/null as it was (compinit writes no dump file)');
  });
});
