/**
 * What discovery reaches the world through: the etcd admin over the given endpoints, hosts over SSH or in the lab
 * (opened on first use, one connection per address), the apiserver and the DomeOS console. Tests build their own
 * {@link DiscoverDeps} (e.g. SSH hosts whose paths they map into a folder).
 */
import { openConsole } from '../adapters/console/open.ts';
import { Etcd3Admin } from '../adapters/etcd/client.ts';
import { resolveLabDir, type Env } from '../home.ts';
import type { Host } from '../ports/host.ts';
import { openHost } from '../adapters/hosts/open.ts';
import { parseEndpointURL } from '../inventory/urls.ts';
import { openKube } from '../adapters/kube/client.ts';
import { openKubeWorkloads } from '../adapters/kube/workloads.ts';
import { buildLabConsoleCredentialsFile, openLabHost } from '../lab/face.ts';
import type { DiscoverAccess } from '../discover/types.ts';
import type { DiscoverDeps } from '../ports/discover-deps.ts';

export interface OwnedDiscoverDeps extends DiscoverDeps {
  close(): Promise<void>;
}

/** Bound on connecting to one host over SSH (TCP, handshake, authentication). */
const SSH_CONNECT_TIMEOUT_MS = 10_000;


/** The lab's console login file on the console URL's host (what `ferry lab up` writes). */
function labConsoleCredentials(access: DiscoverAccess, url: string, env: Env): string | undefined {
  if (access.mode !== 'lab') return undefined;
  const parsed = parseEndpointURL(url, 'any');
  if (!parsed.ok) return undefined;
  return buildLabConsoleCredentialsFile(resolveLabDir(access.labDir, env), parsed.url.host);
}

export function openDiscoverDeps(o: { readonly etcd: readonly string[]; readonly access: DiscoverAccess; readonly env: Env }): OwnedDiscoverDeps {
  const { access, env } = o;
  const etcd = new Etcd3Admin({ endpoints: o.etcd, callTimeoutMs: 5_000 });
  const hosts = new Map<string, Promise<Host>>();
  const open = (address: string): Promise<Host> => openHost(access, address, env, { connectTimeoutMs: SSH_CONNECT_TIMEOUT_MS, openLabHost });

  return {
    etcd,
    host(address) {
      let h = hosts.get(address);
      if (h === undefined) {
        h = open(address);
        hosts.set(address, h);
      }
      return h;
    },
    kube: (url) => openKube(url),
    workloads: (url) => openKubeWorkloads(url),
    console(url) {
      const labCredentialsFile = labConsoleCredentials(access, url, env);
      return openConsole(url, { env, ...(labCredentialsFile !== undefined ? { labCredentialsFile } : {}) });
    },
    async close() {
      await etcd.close();
      await Promise.all([...hosts.values()].map((h) => h.then((x) => x.close()).catch(() => undefined)));
    },
  };
}
