/**
 * Entry point of the lab's DomeOS server stand-in (lab-bin/domeos-server): the console's REST API for clusters
 * and the watcher (docs/design/domeos.md §3), its state in a JSON file (`--state-file`, seeded when missing). See flags.ts.
 * SIGTERM/SIGINT: stop listening, exit 0.
 */
import { parseDomeosServerFlags } from './flags.ts';
import { buildSeedState } from './model.ts';
import { startDomeosHttp } from './server.ts';
import { readStateFile, writeStateFile } from './state-file.ts';
import { DomeosStore } from './store.ts';

const stamp = (): string => new Date().toISOString();

async function main(): Promise<void> {
  const parsed = parseDomeosServerFlags(process.argv.slice(2));
  const options = parsed.options;
  if (options === undefined) {
    for (const error of parsed.errors) process.stderr.write(`${stamp()} error: ${error}\n`);
    process.exit(2);
  }
  let state = readStateFile(options.stateFile);
  if (state === undefined) {
    state = buildSeedState({ ...options, now: Date.now() });
    writeStateFile(options.stateFile, state);
  }
  const store = new DomeosStore(state, options.stateFile, options.watcherStopMs);
  const server = await startDomeosHttp(store, {
    host: options.host,
    port: options.port,
    sessionTtlMs: options.sessionTtlMs,
    log: (line) => process.stdout.write(`${stamp()} ${line}\n`),
  });
  process.stdout.write(`${stamp()} domeos-server stand-in serving http://${options.host}:${options.port} state ${options.stateFile}\n`);
  const shutdown = (signal: string): void => {
    process.stdout.write(`${stamp()} received ${signal}, shutting down\n`);
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${stamp()} domeos-server failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
