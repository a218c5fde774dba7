/**
 * `ferry report [RUN] [-o html|json|yaml] [--out FILE]`: (re)makes a run's report from its folder. With html (the
 * default) it writes `<runDir>/report.html` (or FILE) and prints its path; json/yaml print the report's data (or
 * write it to FILE and print the path).
 */
import { stringify } from 'yaml';
import { inputError } from '../../errors.ts';
import { readRunReport, writeReportFile, writeRunReport, type RunReportResult } from '../../report/run-report-file.ts';
import { loadRun } from '../../app/session.ts';
import { parseCommand } from '../args.ts';
import { dim, type Io } from '../io.ts';

export async function cmdReport(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('report', argv);
  if (positionals.length > 1 || (positionals.length === 1 && values.run !== undefined)) {
    throw inputError('CLI_USAGE', 'ferry report: name at most one run', { hint: 'ferry report 20261127-054500-ab12' });
  }
  const fmt = values.output ?? 'html';
  if (fmt !== 'html' && fmt !== 'text' && fmt !== 'json' && fmt !== 'yaml') {
    throw inputError('CLI_USAGE', `ferry report: -o must be html, json or yaml, not ${JSON.stringify(fmt)}`, { hint: 'ferry report -o json' });
  }
  const run = loadRun(positionals[0] ?? values.run, io.env);
  if (fmt === 'html' || fmt === 'text') {
    const { path } = writeRunReport(run.runDir, values.out);
    io.out(`${path}\n`);
    return 0;
  }
  const report = readRunReport(run.runDir);
  const text = fmt === 'json' ? JSON.stringify(report, null, 2) + '\n' : stringify(report);
  if (values.out !== undefined) {
    writeReportFile(values.out, text);
    io.out(`${values.out}\n`);
  } else io.out(text);
  return 0;
}

/** The line every run ends with (stderr: it never mixes into `-o json` output on stdout). */
export function printReportPath(io: Io, r: RunReportResult): void {
  if (r.reportPath !== undefined) io.err(`${dim(io, 'report:')} ${r.reportPath}\n`);
  else if (r.reportError !== undefined) io.err(`${dim(io, 'report not written:')} ${r.reportError}\n`);
}
