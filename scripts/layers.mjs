// The layers of src/ (docs/architecture.md), bottom first: a folder imports only from its own layer or those below.
// Read by eslint.config.js (which enforces them) and scripts/structure-figures.mjs (which measures them).
export const LAYERS = [
  ['errors.ts', 'home.ts', 'version.ts', 'gate-check.ts'],
  ['util', 'inventory'],
  ['kube', 'sysconfig', 'etcd', 'dns', 'master', 'console', 'fleet'],
  ['ports'],
  ['adapters', 'repoint', 'write-load'],
  ['observe', 'lab'],
  ['plan'],
  ['run'],
  ['steps', 'discover'],
  ['report'],
  ['app'],
  ['dashboard', 'demo'],
  ['cli'],
];
