// Lint rules: typescript-eslint's recommended set, the project's own bans (docs/design/style.md §10), and the
// layers of docs/architecture.md: which folder may import which, the lab behind its one door, no import cycles.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

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

/** `from` folder may not be imported by `target` (each zone: a layer must not reach up, or sideways into a face). */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const LAYER_ZONES = [
  // The lab: only the CLI and the composition roots, and those through the one door.
  zone(['./src/!(lab|cli|app)/**/*', './src/*.ts'], './src/lab', 'the product does not import the lab (docs/architecture.md, "The lab")'),
  zone(['./src/cli/**/*', './src/app/**/*'], './src/lab', 'the lab is reached through src/lab/face.ts only', ['./face.ts']),
  // Faces and the application shell sit on top: nothing below imports them.
  zone(['./src/!(cli)/**/*', './src/*.ts'], './src/cli', 'only bin/ imports the CLI'),
  zone(['./src/!(cli|app|dashboard|demo|lab)/**/*', './src/*.ts'], './src/app', 'the application shell is imported by the faces only'),
  zone(['./src/!(cli|app|dashboard|demo|report)/**/*', './src/*.ts'], './src/report', 'the report is a face over the run folder'),
  zone(['./src/!(cli|app|dashboard|demo)/**/*', './src/*.ts'], './src/dashboard', 'the dashboard is a face over the run folder'),
  // The engine knows no step kind; steps are handed to it by the application.
  zone(['./src/!(cli|app|steps)/**/*', './src/*.ts'], './src/steps', 'the step registry is handed to the engine by src/app'),
  zone(['./src/!(cli|app|steps|report|dashboard|demo|discover|lab|run)/**/*', './src/*.ts'], './src/run', 'the engine is used by the steps, the application and the faces'),
  // Observation feeds the planner; the planner imports what was observed (types), never the readers.
  zone(['./src/plan/**/*'], './src/observe', 'the planner takes what was observed as data (src/observe/types.ts)', ['./types.ts']),
  zone(['./src/!(cli|app|steps|report|dashboard|demo|discover|run|plan|observe|lab)/**/*', './src/*.ts'], './src/observe', 'observation is read by the shell and the steps'),
  // Adapters implement the ports; nothing above the composition roots (and the CLI's few direct uses) opens them.
  zone(['./src/ports/**/*', ...PURE.filter((p) => !p.startsWith('src/ports'))].map((p) => (p.startsWith('./') ? p : `./${p}`)), './src/adapters', 'pure code and ports import no adapter'),
  zone(['./src/adapters/**/*'], ['./src/plan', './src/run', './src/steps', './src/observe', './src/discover', './src/repoint'], 'adapters sit below the layers that use them'),
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
      'import-x/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
    },
  },
  {
    files: PURE,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [...IO_MODULES, ...CLIENTS] }] },
  },
);
