/**
 * Runs the writer (writer.ts) in a worker thread, so that its timing is independent of the main thread, where
 * ferry runs in-process: the journal's synchronous write+fsync and other blocking work there would otherwise delay
 * the writer's acknowledgements and show up as write stalls that the cluster never had.
 *
 * Clocks: `performance.timeOrigin + performance.now()` is the same wall-clock-based time in every thread.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startWriter, type WriteRecord, type WriterOptions } from './writer.ts';

export type ThreadWriterOptions = Omit<WriterOptions, 'now'>;

export interface ThreadWriterResult {
  readonly records: WriteRecord[];
  /** Longest delay of the writer thread's own event loop, in ms (should stay small). */
  readonly maxEventLoopDelayMs: number;
}

export interface ThreadWriter {
  stop(): Promise<ThreadWriterResult>;
}

const KIND = 'ferry-bench-writer';

/** Starts the writer in a worker thread; resolves once its first write has been scheduled. */
export async function startWriterThread(options: ThreadWriterOptions): Promise<ThreadWriter> {
  // A worker does not inherit tsx's loader hooks on Node 20: register them first, then load this file.
  const api = import.meta.resolve('tsx/esm/api');
  const self = import.meta.url;
  const worker = new Worker(`import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(self)}))`, {
    eval: true,
    workerData: { kind: KIND, options },
  });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the writer thread exited (code ${code})`)));
  });
  failed.catch(() => undefined);
  await Promise.race([new Promise<void>((resolve) => worker.once('message', () => resolve())), failed]);
  return {
    async stop() {
      const done = new Promise<ThreadWriterResult>((resolve) => worker.once('message', (m: ThreadWriterResult) => resolve(m)));
      worker.postMessage('stop');
      try {
        return await Promise.race([done, failed]);
      } finally {
        await worker.terminate();
      }
    },
  };
}

function runWorkerSide(options: ThreadWriterOptions): void {
  const port = parentPort;
  if (port === null) return;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const writer = startWriter(options);
  port.postMessage('started');
  port.once('message', () => {
    void writer.stop().then((records) => {
      loop.disable();
      const result: ThreadWriterResult = { records: [...records], maxEventLoopDelayMs: loop.max / 1e6 };
      port.postMessage(result);
    });
  });
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === KIND) {
  runWorkerSide((workerData as { options: ThreadWriterOptions }).options);
}
