/**
 * Stopping and starting the DomeOS server (phases 1 and 8): its `stopCommand`/`startCommand` argv run on its host
 * (DomeOS often runs as a container), else its service unit stopped or started; then a bounded wait until `/health`
 * stops answering or answers. Each change is journalled; what is already so is skipped.
 */
import { FerryError } from '../../errors.ts';
import type { Host } from '../../ports/host.ts';
import type { ConsoleTarget } from '../../plan/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';

/** Bound on one /health probe while waiting, in ms. */
const HEALTH_PROBE_MS = 1_000;
const HEALTH_POLL_MS = 250;
/** How much of a failed command's stderr goes into the error. */
const STDERR_TAIL_CHARS = 400;

/** Run a stop/start command on the console's host; a non-zero exit is CONSOLE_COMMAND_FAILED. */
export async function runConsoleCommand(host: Host, argv: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<{ exitCode: number }> {
  const r = await host.run(argv, { check: false, timeoutMs, signal });
  if (r.exitCode !== 0) {
    const tail = r.stderr.trim().slice(-STDERR_TAIL_CHARS);
    throw new FerryError('CONSOLE_COMMAND_FAILED', `\`${argv.join(' ')}\` on ${host.address} exited ${r.exitCode}${tail !== '' ? `: ${tail}` : ''}`, {
      hint: `run it by hand on ${host.address} to see why; fix domeos.stopCommand / domeos.startCommand in the inventory if it is wrong`,
      subjects: { host: host.address },
    });
  }
  return { exitCode: r.exitCode };
}

/** Wait until `url`/health answers (want = true) or no longer answers (want = false). */
export async function waitConsoleHealth(ctx: StepContext, url: string, want: boolean, timeoutMs: number): Promise<void> {
  const api = ctx.deps.console(url);
  await pollUntil(async () => ((await api.health(HEALTH_PROBE_MS)) === want ? true : undefined), {
    timeoutMs,
    intervalMs: HEALTH_POLL_MS,
    sleep: ctx.deps.sleep,
    now: ctx.deps.now,
    signal: ctx.signal,
    onTimeout: () =>
      want
        ? new FerryError('CONSOLE_NOT_HEALTHY', `the DomeOS server at ${url} did not answer /health within ${timeoutMs} ms of being started`, {
            retryable: true,
            subjects: { console: url },
            hint: 'read its log on its host (the container’s or the unit’s); is its database reachable? `ferry resume` waits again',
          })
        : new FerryError('CONSOLE_STILL_ANSWERS', `the DomeOS server at ${url} still answers /health ${timeoutMs} ms after it was stopped`, {
            subjects: { console: url },
            hint: 'something else serves that address (another container or unit?): stop it, or set domeos.stopCommand to what stops it',
          }),
  });
}

/**
 * Whether an earlier process of this same attempt already ran `label` (a resume): a command is then not run twice
 * (a custom start command may not be idempotent); the wait that follows adopts whatever it did.
 */
function ranBefore(ctx: StepContext, label: string): boolean {
  return ctx.resumed && ctx.finishedActions().has(label);
}

export async function stopConsoleServer(ctx: StepContext, c: ConsoleTarget, label: string, timeoutMs: number): Promise<void> {
  const host = await ctx.deps.host(c.host);
  if (c.stopCommand !== undefined) {
    const answers = await ctx.deps.console(c.url).health(HEALTH_PROBE_MS);
    if (!answers && ranBefore(ctx, label)) ctx.skip(label, `\`${c.stopCommand.join(' ')}\` ran before and ${c.url}/health does not answer`);
    else await ctx.action(label, { host: c.host, command: c.stopCommand.join(' ') }, () => runConsoleCommand(host, c.stopCommand ?? [], timeoutMs, ctx.signal), (r) => ({ ...r }));
  } else {
    const state = await host.serviceState(c.service);
    if (state === 'inactive' || state === 'failed' || state === 'unknown') ctx.skip(label, `${c.service} on ${c.host} is ${state}`);
    else await ctx.action(label, { host: c.host, unit: c.service }, () => host.service(c.service, 'stop'));
  }
  await waitConsoleHealth(ctx, c.url, false, timeoutMs);
}

export async function startConsoleServer(ctx: StepContext, c: ConsoleTarget, label: string, timeoutMs: number): Promise<void> {
  const host = await ctx.deps.host(c.host);
  if (await ctx.deps.console(c.url).health(HEALTH_PROBE_MS)) {
    ctx.skip(label, `${c.url}/health answers already`);
    return;
  }
  if (c.startCommand !== undefined) {
    if (ranBefore(ctx, label)) ctx.skip(label, `\`${c.startCommand.join(' ')}\` ran before: waiting for /health`);
    else await ctx.action(label, { host: c.host, command: c.startCommand.join(' ') }, () => runConsoleCommand(host, c.startCommand ?? [], timeoutMs, ctx.signal), (r) => ({ ...r }));
  } else {
    const state = await host.serviceState(c.service);
    if (state === 'active' || state === 'activating') ctx.skip(label, `${c.service} on ${c.host} is ${state}: waiting for /health`);
    else {
      if (state === 'failed') await ctx.action(`${label}:reset-failed`, { host: c.host, unit: c.service }, () => host.service(c.service, 'reset-failed'));
      await ctx.action(label, { host: c.host, unit: c.service }, () => host.service(c.service, 'start'));
    }
  }
  await waitConsoleHealth(ctx, c.url, true, timeoutMs);
}

/** The stop gate: /health silent, and the unit (when ferry manages one) not active. */
export async function checkConsoleStopped(ctx: StepContext, c: ConsoleTarget): Promise<void> {
  const answers = await ctx.deps.console(c.url).health(HEALTH_PROBE_MS);
  const checks = [{ name: 'DomeOS server silent', ok: !answers, detail: `${c.url}/health ${answers ? 'answers' : 'does not answer'}` }];
  if (c.stopCommand === undefined) {
    const state = await (await ctx.deps.host(c.host)).serviceState(c.service);
    checks.push({ name: `${c.service} stopped`, ok: state !== 'active' && state !== 'activating', detail: `${c.service} on ${c.host} is ${state}` });
  }
  const ok = checks.every((x) => x.ok);
  ctx.gate(ok, checks);
  if (!ok) {
    throw new FerryError('CONSOLE_STOP_INCOMPLETE', `the DomeOS server on ${c.host} is not stopped: ${checks.filter((x) => !x.ok).map((x) => x.detail).join('; ')}`, {
      subjects: { host: c.host, console: c.url },
      hint: 'something started it again (a restart policy, another operator?): stop it, then `ferry resume`',
    });
  }
}

/** The start gate: /health answers. */
export async function checkConsoleAnswers(ctx: StepContext, c: ConsoleTarget): Promise<void> {
  const answers = await ctx.deps.console(c.url).health(HEALTH_PROBE_MS);
  ctx.gate(answers, [{ name: 'DomeOS server answers', ok: answers, detail: `${c.url}/health ${answers ? 'answers' : 'does not answer'}` }]);
  if (!answers) {
    throw new FerryError('CONSOLE_NOT_HEALTHY', `the DomeOS server at ${c.url} does not answer /health`, {
      retryable: true,
      subjects: { console: c.url },
      hint: 'read its log on its host; `ferry resume` checks again',
    });
  }
}
