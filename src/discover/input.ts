/**
 * `ferry discover`'s options, checked before anything is touched (pure): every bad value is an input error
 * (exit 2) with a DISCOVER_ code, so nothing is read and nothing written.
 */
import { inputError } from '../errors.ts';
import { isHostAddress } from '../inventory/schema.ts';
import { parseEndpointURL } from '../inventory/urls.ts';
import { splitList } from './argv-flags.ts';
import type { DiscoverFormat } from './document.ts';
import type { DiscoverAccess } from './types.ts';

export interface DiscoverOptionValues {
  readonly etcd?: string;
  readonly master?: string;
  readonly apiserver?: string;
  readonly lab?: boolean;
  readonly labDir?: string;
  readonly sshUser?: string;
  readonly sshKey?: string;
  readonly sshPort?: string;
  readonly knownHosts?: string;
  readonly sudo?: boolean;
  readonly console?: string;
  readonly consoleCluster?: string;
  readonly consoleCredentials?: string;
  readonly name?: string;
  readonly output?: string;
  readonly out?: string;
  readonly force?: boolean;
}

export interface DiscoverInput {
  /** etcd client URLs to read the member list through. */
  readonly etcd: readonly string[];
  /** The master host, as the access reaches it. */
  readonly master: string;
  readonly apiserver?: string;
  /** Recorded as the inventory's access; paths as the operator wrote them (`~` kept). */
  readonly access: DiscoverAccess;
  readonly console?: { readonly url: string; readonly cluster: string; readonly credentialsFile?: string };
  /** The inventory's name; undefined: from the console's cluster name, else `discovered`. */
  readonly name?: string;
  readonly format: DiscoverFormat;
  readonly out?: string;
  readonly force: boolean;
}

const NAME = /^[a-z0-9-]{1,63}$/;
const SSH_OPTIONS = ['sshUser', 'sshKey', 'sshPort', 'knownHosts', 'sudo'] as const;
const FLAG_OF: Record<(typeof SSH_OPTIONS)[number], string> = {
  sshUser: '--ssh-user',
  sshKey: '--ssh-key',
  sshPort: '--ssh-port',
  knownHosts: '--known-hosts',
  sudo: '--sudo',
};

function checkURL(code: string, raw: string, what: string, example: string, rule: 'none' | 'slash' | 'any'): string {
  const url = raw.replace(/\/+$/, '');
  const r = parseEndpointURL(url, rule, example);
  if (!r.ok) throw inputError(code, `${what} ${JSON.stringify(raw)} ${r.reason}`, { hint: r.hint, subjects: { url: raw } });
  return url;
}

function buildAccess(v: DiscoverOptionValues): DiscoverAccess {
  const sshGiven = SSH_OPTIONS.filter((k) => v[k] !== undefined && v[k] !== false);
  if (v.lab === true) {
    const first = sshGiven[0];
    if (first !== undefined) {
      throw inputError('DISCOVER_ACCESS_CONFLICT', `--lab and ${FLAG_OF[first]} do not go together: the lab reaches its hosts without SSH`, {
        hint: 'drop the --ssh-* options for a lab, or drop --lab for real hosts',
      });
    }
    return { mode: 'lab', ...(v.labDir !== undefined ? { labDir: v.labDir } : {}) };
  }
  if (v.labDir !== undefined) throw inputError('DISCOVER_ACCESS_CONFLICT', '--lab-dir is only used with --lab', { hint: 'add --lab, or drop --lab-dir' });
  if (v.sshKey === undefined || v.sshKey === '') {
    throw inputError('DISCOVER_SSH_KEY_REQUIRED', 'reaching real hosts over SSH needs --ssh-key, the private key ferry logs in with', {
      hint: 'add --ssh-key ~/.ssh/id_ed25519 (the path of the key; its contents never leave this machine), or --lab for the lab',
    });
  }
  const port = v.sshPort === undefined ? 22 : Number(v.sshPort);
  if (!/^\d{1,5}$/.test(v.sshPort ?? '22') || port < 1 || port > 65535) {
    throw inputError('DISCOVER_SSH_PORT_INVALID', `--ssh-port ${JSON.stringify(v.sshPort)} is not a TCP port`, { hint: 'give a number from 1 to 65535, e.g. --ssh-port 22' });
  }
  const user = v.sshUser ?? 'root';
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(user)) throw inputError('DISCOVER_SSH_USER_INVALID', `--ssh-user ${JSON.stringify(user)} is not a user name`, { hint: 'e.g. --ssh-user root' });
  return { mode: 'ssh', user, port, keyFile: v.sshKey, knownHosts: v.knownHosts ?? '~/.ssh/known_hosts', sudo: v.sudo === true };
}

function buildConsole(v: DiscoverOptionValues): DiscoverInput['console'] {
  if (v.console === undefined) {
    if (v.consoleCluster !== undefined || v.consoleCredentials !== undefined) {
      throw inputError('DISCOVER_CONSOLE_INCOMPLETE', `${v.consoleCluster !== undefined ? '--console-cluster' : '--console-credentials'} needs --console URL`, {
        hint: 'add --console http://DOMEOS:8080, or drop the --console-* options',
      });
    }
    return undefined;
  }
  const url = checkURL('DISCOVER_CONSOLE_URL_INVALID', v.console, '--console', 'http://10.17.33.10:8080', 'any');
  if (v.consoleCluster === undefined || v.consoleCluster === '') {
    throw inputError('DISCOVER_CONSOLE_INCOMPLETE', '--console needs --console-cluster NAME, the cluster as the DomeOS console names it', {
      hint: 'add --console-cluster NAME (运维管理 → 集群 lists the names)',
    });
  }
  return { url, cluster: v.consoleCluster, ...(v.consoleCredentials !== undefined ? { credentialsFile: v.consoleCredentials } : {}) };
}

export function buildDiscoverInput(v: DiscoverOptionValues): DiscoverInput {
  if (v.etcd === undefined || splitList(v.etcd).length === 0) {
    throw inputError('DISCOVER_ETCD_REQUIRED', 'ferry discover needs --etcd URL: a client URL of the live etcd cluster', { hint: 'e.g. --etcd http://10.17.33.31:4012 (any member will do)' });
  }
  const etcd = splitList(v.etcd).map((u) => checkURL('DISCOVER_ETCD_URL_INVALID', u, '--etcd', 'http://10.17.33.31:4012', 'none'));
  if (v.master === undefined || v.master === '') {
    throw inputError('DISCOVER_MASTER_REQUIRED', 'ferry discover needs --master HOST: the address of the Kubernetes master', { hint: 'e.g. --master 10.17.33.30' });
  }
  if (!isHostAddress(v.master)) {
    throw inputError('DISCOVER_MASTER_INVALID', `--master ${JSON.stringify(v.master)} is not an IP address or host name`, { hint: 'give the host only, without scheme or port: e.g. --master 10.17.33.30' });
  }
  const apiserver = v.apiserver === undefined ? undefined : checkURL('DISCOVER_APISERVER_URL_INVALID', v.apiserver, '--apiserver', 'http://10.17.33.30:8080', 'slash');
  if (v.name !== undefined && !NAME.test(v.name)) {
    throw inputError('DISCOVER_NAME_INVALID', `--name ${JSON.stringify(v.name)} may only hold lowercase letters, digits and dashes (at most 63)`, { hint: 'e.g. --name domeos-prod' });
  }
  const format = v.output ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    throw inputError('CLI_USAGE', `ferry discover: -o must be yaml or json, not ${JSON.stringify(format)}`, { hint: 'ferry discover writes an inventory: -o yaml (with comments) or -o json' });
  }
  const consoleTarget = buildConsole(v);
  return {
    etcd,
    master: v.master,
    ...(apiserver !== undefined ? { apiserver } : {}),
    access: buildAccess(v),
    ...(consoleTarget !== undefined ? { console: consoleTarget } : {}),
    ...(v.name !== undefined ? { name: v.name } : {}),
    format,
    ...(v.out !== undefined ? { out: v.out } : {}),
    force: v.force === true,
  };
}

/** The inventory name for a console cluster name: lowercase, other characters as dashes; `discovered` if none left. */
export function buildInventoryName(input: Pick<DiscoverInput, 'name'>, consoleCluster: string | undefined): string {
  if (input.name !== undefined) return input.name;
  const fromCluster = (consoleCluster ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return fromCluster !== '' ? fromCluster : 'discovered';
}
