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
const IO_MODULES = ['fs', 'fs/promises', 'http', 'https', 'net', 'child_process', 'dns', 'dgram', 'tls']
  .flatMap((m) => [`node:${m}`, m])
  .map((name) => ({ name, message: 'pure code does no I/O: reach the world through deps (docs/architecture.md)', allowTypeImports: true }));
const CLIENTS = ['etcd3', 'ssh2', '@kubernetes/client-node'].map((name) => ({ name, message: 'client libraries live in src/adapters (docs/architecture.md)', allowTypeImports: true }));

/** A zone: `target` may not import `from` (a path under src/, or a top-level file of it). */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const at = (entry) => `./src/${entry}`;
const within = (entry) => (entry.endsWith('.ts') ? at(entry) : `${at(entry)}/**/*`);

/** Every layer may not be imported by the layers below it. */
const LAYER_ZONES = LAYERS.flatMap((layer, i) =>
  i === 0 ? [] : [zone(LAYERS.slice(0, i).flat().map(within), layer.map(at), `a lower layer does not import ${layer.join(', ')} (docs/architecture.md)`)],
);
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
      'import-x/no-restricted-paths': ['error', { zones: [...LAYER_ZONES, ...LAB_ZONES] }],
    },
  },
  {
    files: PURE,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [...IO_MODULES, ...CLIENTS] }] },
  },
);
