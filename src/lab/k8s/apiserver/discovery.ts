/**
 * /version, /api, /apis and /api/v1: what kubectl and client libraries read before anything else. Only core/v1 is
 * served; /apis lists no groups (kubectl then knows every other group is absent). Pure.
 */
import type { JsonObject } from './json.ts';
import { RESOURCES } from './resources.ts';

/** /version for Kubernetes `version` (e.g. 1.4.7), in the shape of a 1.4 build. */
export function buildVersionInfo(version: string): JsonObject {
  const [major = '1', minor = '4'] = version.split('.');
  return {
    major,
    minor,
    gitVersion: `v${version}`,
    gitCommit: '92b4f971662de9d8770f8dcd2ee01ec226a6f6c0',
    gitTreeState: 'clean',
    buildDate: '2016-12-10T04:43:42Z',
    goVersion: 'go1.6.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function buildApiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function buildApiGroupList(): JsonObject {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [] };
}

export function buildApiResourceList(): JsonObject {
  const resources: JsonObject[] = [];
  for (const r of RESOURCES) {
    resources.push({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    });
    for (const sub of r.subresources) {
      resources.push({
        name: `${r.name}/${sub.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
        kind: sub.kind,
        verbs: sub.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}
