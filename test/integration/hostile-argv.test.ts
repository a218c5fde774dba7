/**
 * Issue 6 §5: commands on hosts are argv, never shell strings. Hostile words — command separators, command
 * substitution, backquotes, quotes, newlines, globs, `~`, leading dashes, Unicode, the empty word, a very long
 * word — go through a real OpenSSH sshd (SshHost: one command line for the login shell, built by shell-quote.ts),
 * the lab host (LabHost) and the local host (LocalHost), and must arrive byte for byte (`printf %s WORD`), with no
 * canary file appearing. File paths with spaces, quotes and newlines go through readFile/writeFile/rename; service
 * names with metacharacters are refused or reach systemctl as one word. Last, inventories whose free-text fields
 * (cluster token, data dir, config file, binary path, DNS names, host keys) hold shell syntax: `ferry validate`
 * refuses each (exit 2, naming the field) or the lab is made from it and `ferry plan` / `apply --dry-run` run on
 * it: either way no canary.
 *
 * Addresses: sshd 127.47.9.1:22471; the lab 127.47.2.x.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isFerryError } from '../../src/errors.ts';
import type { Host } from '../../src/ports/host.ts';
import { LabHost } from '../../src/lab/host.ts';
import { LocalHost } from '../../src/adapters/hosts/local.ts';
import { SshHost } from '../../src/adapters/hosts/ssh.ts';
import { readInventory } from '../../src/inventory/load.ts';
import { stopLab } from '../../src/lab/setup/down.ts';
import { startLab } from '../../src/lab/setup/up.ts';
import { processesOf, REPO_ROOT, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';
import { prepareSshdFolder, startSshd, stopSshd } from '../helpers/sshd.ts';

const SSH_ADDRESS = '127.47.9.1';
const SSH_PORT = 22471;
const LAB_ADDRESS = '127.47.2.31';

const dir = mkdtempSync(join(tmpdir(), 'ferry-hostile-'));
const file = (name: string): string => join(dir, name);
/** Every hostile word tries to create a file here; the folder must stay empty. */
const canaryDir = file('canary');
const labDir = file('lab');
let sshd: ChildProcess | undefined;
const opened: Host[] = [];

function canaries(): string[] {
  return existsSync(canaryDir) ? readdirSync(canaryDir) : [];
}

function touch(n: string): string {
  return `touch ${canaryDir}/PWNED-${n}`;
}

/** Words a shell would act on; each must reach the program unchanged. */
function hostileWords(): string[] {
  return [
    `; ${touch('semicolon')}`,
    `$(${touch('dollar-paren')})`,
    `\`${touch('backquote')}\``,
    `'; ${touch('single-quote')}; '`,
    `"; ${touch('double-quote')}; "`,
    `'\\''; ${touch('escaped-quote')}; '\\''`,
    `x\n${touch('newline')}\n`,
    `x\r\n${touch('crlf')}`,
    `&& ${touch('and')}`,
    `|| ${touch('or')} || true`,
    `| ${touch('pipe')}`,
    `& ${touch('background')}`,
    `> ${canaryDir}/PWNED-redirect`,
    `>> ${canaryDir}/PWNED-append`,
    `< /etc/passwd`,
    `$(${touch('nested')} $(${touch('nested2')}))`,
    '${IFS}$HOME${PATH}$0$$$?$!',
    `$'\\x3b' ${touch('ansi-c')}`,
    '*',
    '.*',
    '?',
    '[a-z]*',
    '{a,b}',
    '~',
    '~root',
    '~/x',
    '-n',
    '-e',
    '--help',
    '-',
    '--',
    '!!',
    '!$',
    '#not-a-comment',
    'a # b',
    '%s%n%d',
    '\\',
    '\\\\n',
    '\t\t',
    ' leading and trailing spaces ',
    'if',
    'A=b',
    '=cmd',
    'é中文😀 \u200b\u202e',
    '',
    `long ${'$(x)`;|&<>\'"\\* '.repeat(4000)} ${touch('long')}`,
  ];
}

before(async () => {
  mkdirSync(canaryDir);
  prepareSshdFolder(dir, { address: SSH_ADDRESS, port: SSH_PORT });
  // A fake systemctl that logs each argv word on a line of its own (NUL-separated), for the service checks.
  writeFileSync(file('bin/systemctl'), `#!/bin/sh\nprintf '%s\\0' "$@" >> '${file('systemctl.calls')}'\nprintf '\\n' >> '${file('systemctl.calls')}'\n[ "$1" = is-active ] && echo active\nexit 0\n`, { mode: 0o755 });
  sshd = await startSshd(file('sshd_config'));
  // The lab host: one folder under the lab, as `ferry lab up` makes them.
  mkdirSync(join(labDir, 'hosts', LAB_ADDRESS), { recursive: true });
});

after(async () => {
  await Promise.allSettled(opened.map((h) => h.close()));
  await stopSshd(sshd);
  rmSync(dir, { recursive: true, force: true });
});

async function openHosts(): Promise<{ name: string; host: Host; tmp: string }[]> {
  const ssh = await SshHost.connect({ address: SSH_ADDRESS, port: SSH_PORT, user: 'root', keyFile: file('client'), knownHostsFile: file('known_hosts'), connectTimeoutMs: 10_000 });
  const lab = new LabHost(labDir, LAB_ADDRESS);
  const local = new LocalHost('local');
  opened.push(ssh, lab, local);
  mkdirSync(file('ssh-files'));
  mkdirSync(file('local-files'));
  return [
    { name: 'ssh', host: ssh, tmp: file('ssh-files') },
    { name: 'lab', host: lab, tmp: '/tmp/hostile' },
    { name: 'local', host: local, tmp: file('local-files') },
  ];
}

let hosts: { name: string; host: Host; tmp: string }[] = [];
let wordsChecked = 0;

describe('hostile argv words', () => {
  before(async () => {
    hosts = await openHosts();
  });

  test('arrive byte for byte as one argument each, on every host, and run nothing', async () => {
    const words = hostileWords();
    for (const { name, host } of hosts) {
      for (const word of words) {
        const r = await host.run(['printf', '%s', word]);
        assert.equal(r.stdout, word, `${name}: ${JSON.stringify(word.slice(0, 80))} arrives intact`);
        wordsChecked++;
      }
      // All of them at once, as separate arguments: the count and each one survive.
      const all = await host.run(['sh', '-c', 'printf "%s\\0" "$#" "$@"', 'sh', ...words.filter((w) => w.length < 1000)]);
      const got = all.stdout.split('\0').slice(0, -1);
      const short = words.filter((w) => w.length < 1000);
      assert.deepEqual(got, [String(short.length), ...short], `${name}: every word is one argument`);
      // Through stdin, too.
      assert.equal((await host.run(['cat'], { stdin: words.join('\n') })).stdout, words.join('\n'), `${name}: stdin intact`);
    }
    assert.deepEqual(canaries(), [], 'no canary file appeared');
  });

  test('a hostile program name is not found (exit 127), and runs nothing', async () => {
    for (const { name, host } of hosts) {
      for (const word of [`true; ${touch(`prog-${name}`)}`, `$(${touch(`prog2-${name}`)})`, `printf x > ${canaryDir}/PWNED-prog3-${name}`]) {
        const r = await host.run([word], { check: false });
        assert.equal(r.exitCode, 127, `${name}: ${word} is no program: ${r.stderr}`);
      }
    }
    assert.deepEqual(canaries(), []);
  });

  test('file paths with spaces, quotes, newlines and shell syntax are used as given', async () => {
    const names = ["a b", "it's", 'say "hi"', 'line\nbreak', '$(touch PWNED-path)', '`touch PWNED-bq`;&|*?', 'é 中', ' -rf ~'];
    for (const { name, host, tmp } of hosts) {
      await host.mkdir(`${tmp}/dir $(x) 'q'`);
      for (const [i, n] of names.entries()) {
        const path = `${tmp}/dir $(x) 'q'/${n}`;
        assert.equal(await host.exists(path), false);
        assert.deepEqual(await host.writeFile(path, `v1 ${n}`), { changed: true }, `${name}: write ${JSON.stringify(n)}`);
        const backup = `${tmp}/dir $(x) 'q'/${n}.bak ${i}`;
        assert.deepEqual(await host.writeFile(path, `v2 ${n}`, { backupPath: backup }), { changed: true, backupPath: backup });
        assert.equal((await host.readFile(path))?.toString(), `v2 ${n}`, `${name}: read ${JSON.stringify(n)}`);
        assert.equal((await host.readFile(backup))?.toString(), `v1 ${n}`);
        await host.rename(path, `${path} renamed`);
        assert.equal((await host.readFile(`${path} renamed`))?.toString(), `v2 ${n}`);
      }
    }
    for (const local of [file('ssh-files'), file('local-files'), join(labDir, 'hosts', LAB_ADDRESS, 'tmp', 'hostile')]) {
      const listed = readdirSync(join(local, "dir $(x) 'q'")).sort();
      assert.deepEqual(listed, names.flatMap((n, i) => [`${n} renamed`, `${n}.bak ${i}`]).sort(), `the files exist under exactly those names in ${local}`);
    }
    assert.deepEqual(canaries(), []);
  });

  test('service names with metacharacters are refused, or reach systemctl as one word', async () => {
    process.env['PATH'] = `${file('bin')}:${process.env['PATH'] ?? ''}`;
    const refusedEverywhere = ['', '-H evil', '--host=evil', `x; ${touch('unit-space')}`, 'a\nb'];
    // No whitespace (refused above), so touch gets its argument through ${IFS}.
    const oneWord = [`$(touch\${IFS}${canaryDir}/PWNED-unit-dollar)`, `\`touch\${IFS}${canaryDir}/PWNED-unit-bq\``, "it's", 'a|b&c;d', '*', '~root'];
    for (const { name, host } of hosts) {
      for (const unit of refusedEverywhere) {
        const err = await host.service(unit, 'restart').then(() => undefined, (e: unknown) => e);
        assert.ok(isFerryError(err), `${name}: ${JSON.stringify(unit)} is refused (${String(err)})`);
      }
      for (const unit of oneWord) {
        if (name === 'lab') {
          // The lab's supervisor accepts only [A-Za-z0-9:_.@-] unit names.
          const err = await host.service(unit, 'restart').then(() => undefined, (e: unknown) => e);
          assert.ok(isFerryError(err), `lab: ${JSON.stringify(unit)} is refused`);
          continue;
        }
        rmSync(file('systemctl.calls'), { force: true });
        await host.service(unit, 'restart');
        assert.equal(await host.serviceState(unit), 'active');
        const calls = readFileSync(file('systemctl.calls'), 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\0').slice(0, -1));
        assert.deepEqual(calls, [['restart', unit], ['is-active', unit]], `${name}: ${JSON.stringify(unit)} is one argument`);
      }
    }
    assert.deepEqual(canaries(), []);
    recordReliability('security', { case: 'hostile argv', outcome: canaries().length === 0 ? 'every word arrived intact, nothing ran' : 'a canary appeared', words: wordsChecked, hosts: 'ssh, lab, local', canaries: canaries().length });
  });
});

test('an inventory whose free-text fields hold shell syntax: validate refuses or plans it as data, nothing runs', { timeout: 600_000 }, async (t) => {
  const e2e = mkdtempSync(join(tmpdir(), 'ferry-hostile-lab-'));
  const lab = join(e2e, 'lab');
  const home = join(e2e, 'home');
  const env = { ...process.env, FERRY_HOME: home };
  const base = {
    apiVersion: 'ferry/v1',
    name: 'hostile',
    access: { mode: 'lab', labDir: lab },
    etcd: { old: [{ name: 'old-0.a_b', host: '127.47.2.31' }], new: [{ name: 'new-0.a_b', host: '127.47.2.21' }] },
  };
  // Every free-text field, each with shell syntax, one inventory per field. Paths get no `/` past the first (it
  // would name folders), so a command there would touch in its cwd; etcd's unit takes no whitespace in them, so
  // $IFS stands in for the space.
  const fields: Record<string, Record<string, unknown>> = {
    'etcd.clusterToken': { etcd: { ...base.etcd, clusterToken: `tok'$(${touch('token')})\`${touch('token2')}\`;${touch('token3')}` } },
    'etcd.defaults.configFile': { etcd: { ...base.etcd, defaults: { configFile: '/etc/sysconfig/etcd;touch${IFS}PWNED-config&$(touch${IFS}PWNED-config2)' } } },
    'etcd.new[0].dataDir': { etcd: { ...base.etcd, new: [{ ...base.etcd.new[0], dataDir: '/var/lib/etcd$(touch${IFS}PWNED-datadir)`touch${IFS}PWNED-bq`|x>y' }] } },
    'etcd.defaults.binary': { etcd: { ...base.etcd, defaults: { binary: '/usr/bin/etcd;touch${IFS}PWNED-binary' } } },
    'dns.namespace': { dns: { namespace: `$(${touch('ns')})` } },
    'dns.service': { dns: { service: `;${touch('svc')}` } },
    'dns.controllers': { dns: { controllers: [`\`${touch('rc')}\``] } },
    'dns.domain': { dns: { domain: `|${touch('domain')}` } },
    'hosts key': { hosts: { [`127.47.2.31;${touch('hostkey')}`]: { port: 22 } } },
  };
  const refused: string[] = [];
  const planned: string[] = [];
  try {
    const accepted: Record<string, unknown>[] = [];
    const acceptedNames: string[] = [];
    for (const [field, extra] of Object.entries(fields)) {
      const inventoryPath = join(e2e, `inventory-${field.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
      writeFileSync(inventoryPath, stringify({ ...base, ...extra }));
      const validate = await runFerryCli(['validate', '-f', inventoryPath], env);
      assert.ok(validate.code === 0 || validate.code === 2, `${field}: validate exits 0 or 2, not ${validate.code}:\n${validate.stderr}`);
      if (validate.code === 2) {
        assert.match(validate.stdout + validate.stderr, new RegExp(field.split(/[.[ ]/)[0] ?? field), `${field}: the refusal names the field`);
        refused.push(field);
      } else if (field !== 'etcd.defaults.binary') {
        accepted.push(extra);
        acceptedNames.push(field);
      } else planned.push(`${field} (validated only: the lab cannot run a binary that is not there)`);
    }
    // Every accepted value at once: the lab is made from it, and ferry plans it and dry-runs it.
    if (accepted.length > 0) {
      const etcd = { ...base.etcd, ...Object.assign({}, ...accepted.map((a) => a['etcd'] ?? {})) as object };
      const inventoryPath = join(e2e, 'inventory-accepted.yaml');
      writeFileSync(inventoryPath, stringify({ ...base, etcd }));
      const { inventory } = await readInventory(inventoryPath);
      await startLab({ inventory, inventoryPath, labDir: lab, dns: false, log: () => undefined });
      const plan = await runFerryCli(['plan', '-f', inventoryPath, '-o', 'json'], env);
      assert.equal(plan.code, 0, `ferry plan:\n${plan.stderr}`);
      const dry = await runFerryCli(['apply', '-f', inventoryPath, '--dry-run'], env);
      assert.equal(dry.code, 0, `ferry apply --dry-run:\n${dry.stderr}`);
      planned.push(...acceptedNames);
    }
    t.diagnostic(`refused: ${refused.join(', ')}; planned: ${planned.join(', ')}`);
    assert.deepEqual(canaries(), [], 'no canary file appeared');
    const found = spawnSync('find', [e2e, REPO_ROOT, '-maxdepth', '8', '-name', 'PWNED*', '-not', '-path', '*/node_modules/*'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(found, '', 'no canary file anywhere in the lab, ferry home or ferry cwd');
    recordReliability('security', {
      case: 'hostile inventory values (validate, lab up, plan, dry run)',
      outcome: `${refused.length} refused, ${planned.length} planned as data; nothing ran`,
      fields: Object.keys(fields).length,
      refused: refused.length,
      planned: planned.length,
      canaries: canaries().length,
    });
  } finally {
    await stopLab(lab).catch(() => undefined);
    assert.deepEqual(processesOf(e2e), [], 'no process left behind');
    rmSync(e2e, { recursive: true, force: true });
  }
});
