/** The words of the DomeOS console steps (runbook phases 1, 8 and 9). Pure. */
import { buildApiField, buildEtcdField } from '../console/domeos-fields.ts';
import type { ConsoleStep, ConsoleTarget } from './types.ts';

interface Words {
  readonly title: string;
  readonly does: string[];
  readonly checks: string[];
  readonly undoes: string[];
}

type UpdateParams = Extract<ConsoleStep, { kind: 'console.update' }>['params'];

function stopWords(c: ConsoleTarget): string {
  return c.stopCommand !== undefined ? `run \`${c.stopCommand.join(' ')}\` on ${c.host}` : `stop the ${c.service} service on ${c.host} (systemctl stop ${c.service})`;
}

function startWords(c: ConsoleTarget): string {
  return c.startCommand !== undefined ? `run \`${c.startCommand.join(' ')}\` on ${c.host}` : `start the ${c.service} service on ${c.host} (systemctl start ${c.service})`;
}

/** The value as the console will store it; the URL as given when it does not parse (validation reports that). */
function field(build: () => string, raw: string): string {
  try {
    return build();
  } catch {
    return raw;
  }
}

export function describeConsoleStop(c: ConsoleTarget): Words {
  return {
    title: `Stop the DomeOS server on ${c.host}`,
    does: [stopWords(c), `wait until ${c.url}/health no longer answers: the console must not act on the cluster while it moves`],
    checks: [
      `before: while it answers, ${c.url} accepts the login and has a cluster named "${c.cluster}" (phase 9 needs both)`,
      `after: ${c.url}/health does not answer${c.stopCommand === undefined ? ` and ${c.service} is not active` : ''}`,
    ],
    undoes: [`${startWords(c)} again and wait until ${c.url}/health answers`],
  };
}

export function describeConsoleStart(c: ConsoleTarget): Words {
  return {
    title: `Start the DomeOS server on ${c.host}`,
    does: [startWords(c), `wait until ${c.url}/health answers`],
    checks: [`after: ${c.url}/health answers`],
    undoes: [`${stopWords(c)} again and wait until ${c.url}/health no longer answers`],
  };
}

export function describeConsoleUpdate(p: UpdateParams): Words {
  const c = p.console;
  const api = p.apiserver === undefined ? undefined : field(() => buildApiField(p.apiserver as string), p.apiserver);
  const etcd = p.etcd === undefined ? undefined : field(() => buildEtcdField(p.etcd as readonly string[]), p.etcd.join(','));
  const changes = [api !== undefined ? `api → ${api}` : '', etcd !== undefined ? `etcd → ${etcd}` : ''].filter((x) => x !== '');
  const seconds = Math.round(p.watcherTimeoutMs / 1000);
  return {
    title: `Tell the DomeOS console at ${c.url} where cluster "${c.cluster}" now is`,
    does: [
      `log in to ${c.url} with the login from ${c.credentialsFile ?? 'FERRY_DOMEOS_USERNAME / FERRY_DOMEOS_PASSWORD (in the lab, else the login file `ferry lab up` wrote)'} (read when the step runs, never journalled)`,
      `record cluster "${c.cluster}"'s api and etcd as they are now, and its watcher's configuration (运维管理→集群→集群设置, 监听器设置)`,
      changes.length > 0
        ? `PUT the cluster record back whole with ${changes.join(' and ')}${api === undefined ? ' (the apiserver does not move: api is kept)' : ''}${etcd === undefined ? ' (etcd does not move: etcd is kept)' : ''}`
        : 'leave the cluster record as it is (neither the apiserver nor etcd moves)',
      `replace the watcher, which cannot be updated: stop it and wait until STOP (at most ${seconds} s), delete it, re-create it with the same configuration, start it (a console without a watcher skips this)`,
    ],
    checks: [
      `before: ${c.url} accepts the login and has a cluster named "${c.cluster}"`,
      ...(changes.length > 0 ? [`after: the cluster record has ${changes.map((x) => x.replace(' → ', ' = ')).join(' and ')}`] : []),
      `after: the watcher is RUNNING against ${api ?? 'the cluster’s api'}`,
    ],
    undoes: [
      'PUT the cluster record back with the api and etcd recorded before the change',
      'replace the watcher again the same way, so that it runs against the old apiserver',
    ],
  };
}
