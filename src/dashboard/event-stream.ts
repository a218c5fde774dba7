/**
 * A run's journal as server-sent events: every event from the start (`event: journal`, `id:` its seq, data the raw
 * event), then each new one as the journal grows (run/journal-follow.ts), and after each burst a fresh folded view
 * (`event: view`, data a DashboardView; it carries no id, so the stream's last id stays the last journal seq). A
 * reconnect with `Last-Event-ID: N` gets only the events after N, then a view folded over all of them. Comment
 * lines keep idle connections alive. The page is one more reader of the events the terminal view reads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FerryError, messageOf } from '../errors.ts';
import type { JournalEvent } from '../run/events.ts';
import { followJournal } from '../run/journal-follow.ts';
import { JOURNAL_FILE } from '../run/run-dir.ts';
import { join } from 'node:path';
import { buildDashboardView } from './build-view.ts';
import { readRunEvents, readWriterAlive, type DashboardRun } from './runs.ts';
import { renderProgress } from '../run/progress.ts';

export interface EventStreamOptions {
  /** A comment line is sent this often, in ms, so proxies and browsers keep the connection. Default 15000. */
  readonly heartbeatMs?: number;
  /** Views are folded at most this often, in ms (a burst of events gives one view). Default 200. */
  readonly viewIntervalMs?: number;
  /** How often the journal is re-read besides fs.watch, in ms. Default 500. */
  readonly pollIntervalMs?: number;
}

export interface EventStream {
  /** Highest seq delivered to this client. */
  readonly lastSeq: () => number;
  /** Sends what the journal holds that was not sent yet and a last view, then ends the response. Idempotent. */
  readonly close: () => void;
  readonly closed: Promise<void>;
}

/** The seq to resume after: the Last-Event-ID header (set by EventSource on a reconnect), else `?lastEventId=`. */
export function parseLastEventId(req: IncomingMessage, query: URLSearchParams): number {
  const raw = req.headers['last-event-id'] ?? query.get('lastEventId') ?? '0';
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

export function renderSseEvent(type: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function startEventStream(run: DashboardRun, res: ServerResponse, afterSeq: number, o: EventStreamOptions = {}): EventStream {
  const journalPath = join(run.runDir, JOURNAL_FILE);
  const events: JournalEvent[] = [];
  const abort = new AbortController();
  let sentSeq = afterSeq;
  let viewTimer: NodeJS.Timeout | undefined;
  let ended = false;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  const write = (text: string): void => {
    if (!ended) res.write(text);
  };
  const sendView = (): void => {
    viewTimer = undefined;
    const view = buildDashboardView(run.plan, events, { ...(run.inventory ? { inventory: run.inventory } : {}), writerAlive: readWriterAlive(events) });
    write(renderSseEvent('view', view));
  };
  const scheduleView = (): void => {
    if (viewTimer === undefined && !ended) viewTimer = setTimeout(sendView, o.viewIntervalMs ?? 200);
  };
  const deliver = (e: JournalEvent): void => {
    if (events.length > 0 && e.seq <= (events.at(-1)?.seq ?? 0)) return;
    events.push(e);
    if (e.seq > sentSeq) {
      sentSeq = e.seq;
      // A progress event carries its text (src/run/progress.ts), so the page shows what the terminal shows.
      write(renderSseEvent('journal', e.type === 'progress' ? { ...e, text: renderProgress(e) } : e, e.seq));
    }
    scheduleView();
  };
  const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), o.heartbeatMs ?? 15_000);

  const end = (): void => {
    if (ended) return;
    abort.abort();
    clearInterval(heartbeat);
    if (viewTimer !== undefined) clearTimeout(viewTimer);
    ended = true;
    res.end();
    resolveClosed();
  };
  res.on('close', end);

  const follow = followJournal(journalPath, deliver, abort.signal, { pollIntervalMs: o.pollIntervalMs ?? 500 });
  // The follower hands over what the journal already holds before it returns: the replay is complete here.
  write(renderSseEvent('replayed', { lastSeq: events.at(-1)?.seq ?? 0 }));
  sendView();
  follow.catch((err: unknown) => {
    const e = err instanceof FerryError ? { code: err.code, message: err.message, hint: err.hint } : { code: 'DASHBOARD_STREAM_FAILED', message: messageOf(err) };
    write(renderSseEvent('stream-error', e));
    end();
  });

  return {
    lastSeq: () => sentSeq,
    close: () => {
      if (ended) return;
      abort.abort();
      try {
        for (const e of readRunEvents(run.runDir)) deliver(e);
      } catch {
        // the journal became unreadable: the client keeps what it has
      }
      if (viewTimer !== undefined) clearTimeout(viewTimer);
      sendView();
      end();
    },
    closed,
  };
}
