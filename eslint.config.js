// Lint rules: typescript-eslint's recommended set, the project's own bans (docs/design/style.md §10), and the
// layers of docs/architecture.md: which folder may import which, the lab behind its one door, no import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { LAYERS } from './scripts/layers.mjs';

/** Folders whose code is pure: no I/O module, no client library, no adapter (docs/architecture.md, "Pure"). */
const PURE = [
  'src/plan/**',
  'src/observe/types.ts',
  'src/etcd/**',
  'src/dns/**',
  'src/master/**',
  'src/console/**',
  'src/kube/**',
  'src/sysconfig/**',
  'src/fleet/**',
  'src/ports/**',
  'src/gate-check.ts',
  'src/run/walk-back.ts',
  'src/run/states.ts',
  'src/run/fold.ts',
];
const IO_MODULES = ['fs', 'fs/promises', 'http', 'https', 'http2', 'net', 'child_process', 'dns', 'dns/promises', 'dgram', 'tls', 'worker_threads', 'os', 'module']
  .flatMap((m) => [`node:${m}`, m])
  .map((name) => ({ name, message: 'pure code does no I/O: reach the world through deps (docs/architecture.md)', allowTypeImports: true }));
const CLIENT_LIBRARIES = ['etcd3', 'ssh2', '@kubernetes/client-node'];
const CLIENTS = CLIENT_LIBRARIES.map((name) => ({ name, message: 'client libraries live in src/adapters (docs/architecture.md)', allowTypeImports: true }));
const CLIENT_PATTERNS = [{ group: CLIENT_LIBRARIES.map((l) => `${l}/*`), message: 'client libraries live in src/adapters (docs/architecture.md)', allowTypeImports: true }];
/** Where a client library may be used: the adapters, the write load (an etcd client of its own), the lab, the latency probe. */
const CLIENT_USERS = ['src/adapters/**', 'src/write-load/**', 'src/lab/**', 'src/app/latency-probe.ts'];
/** Every relative import names its `.ts` file: a `.js` name would hide the import from the layer rules. */
const TS_ONLY = [{ group: ['./**/*.js', '../**/*.js'], message: 'import the .ts file (the layer rules cannot see a .js name)' }];

/** A zone: `target` may not import `from` (a path under src/, or a top-level file of it). */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const at = (entry) => `./src/${entry}`;
const within = (entry) => (entry.endsWith('.ts') ? at(entry) : `${at(entry)}/**/*`);

/** Every layer may not be imported by the layers below it. */
const LAYER_ZONES = LAYERS.flatMap((layer, i) =>
  i === 0 ? [] : [zone(LAYERS.slice(0, i).flat().map(within), layer.map(at), `a lower layer does not import ${layer.join(', ')} (docs/architecture.md)`)],
);
const PURE_ZONES = [
  // Pure code reaches the world through nothing: no adapter, no composition root, no lab.
  zone(PURE.map((p) => `./${p.endsWith('/**') ? `${p}/*` : p}`), ['./src/adapters', './src/app', './src/lab', './src/write-load', './src/repoint'], 'pure code imports no adapter (docs/architecture.md)'),
];
const LAB_ZONES = [
  // The lab: only the CLI and the composition roots, and those through the one door.
  zone(['./src/!(lab|cli|app)/**/*', './src/*.ts'], './src/lab', 'the product does not import the lab (docs/architecture.md, "The lab")'),
  zone(['./src/cli/**/*', './src/app/**/*'], './src/lab', 'the lab is reached through src/lab/face.ts only', ['./face.ts']),
  // The lab is a client of the product's lower layers, never of the engine, the steps or the faces.
  zone(['./src/lab/**/*'], ['./src/observe', './src/plan', './src/run', './src/steps', './src/discover', './src/report', './src/app', './src/dashboard', './src/demo', './src/cli'], 'the lab uses the lower layers only'),
  // The planner takes what was observed as data.
  zone(['./src/plan/**/*'], './src/observe', 'the planner takes what was observed as data (src/observe/types.ts)', ['./types.ts']),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.ferry/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', structuredClone: 'readonly', setImmediate: 'readonly' } },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type (docs/design/style.md §10).' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces (docs/design/style.md §10).' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.mjs'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js', '.mjs'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...LAYER_ZONES, ...PURE_ZONES, ...LAB_ZONES] }],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: CLIENTS, patterns: [...CLIENT_PATTERNS, ...TS_ONLY] }],
    },
  },
  {
    files: CLIENT_USERS,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: TS_ONLY }] },
  },
  {
    files: PURE,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [...IO_MODULES, ...CLIENTS], patterns: [...CLIENT_PATTERNS, ...TS_ONLY] }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type (docs/design/style.md §10).' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces (docs/design/style.md §10).' },
        { selector: 'ImportExpression', message: 'pure code loads no module at run time (docs/architecture.md)' },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'pure code does no I/O: reach the world through deps' }],
    },
  },
);
