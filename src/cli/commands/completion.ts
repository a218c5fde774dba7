/** `ferry completion bash|zsh`: print the shell completion script, generated from the command table (flags.ts). */
import { inputError } from '../../errors.ts';
import { parseCommand } from '../args.ts';
import { renderBashCompletion, renderZshCompletion } from '../completion.ts';
import { COMMAND_SPECS } from '../flags.ts';
import type { Io } from '../io.ts';

export async function cmdCompletion(argv: readonly string[], io: Io): Promise<number> {
  const [shell, ...rest] = argv;
  if (shell !== 'bash' && shell !== 'zsh') {
    throw inputError('CLI_USAGE', `ferry completion: ${shell === undefined ? 'which shell?' : `no completion for ${JSON.stringify(shell)}`} (bash or zsh)`, {
      hint: 'source <(ferry completion bash)   or   source <(ferry completion zsh)',
    });
  }
  parseCommand('completion', rest, shell);
  io.out(shell === 'bash' ? renderBashCompletion(COMMAND_SPECS) : renderZshCompletion(COMMAND_SPECS));
  return 0;
}
