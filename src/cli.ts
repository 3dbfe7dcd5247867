#!/usr/bin/env node
/**
 * The `kubefluent` command (package.json `bin`). One subcommand today, `generate-crds`; the
 * library proper never imports this entry.
 */
import { generateCrdsCommand, GENERATE_CRDS_HELP } from './crdgen/cli.js';

const HELP = `Usage: kubefluent <command> [options]

Commands:
  generate-crds   TypeScript types, validators and resource specs from CustomResourceDefinitions

Run 'kubefluent <command> --help' for a command's options.

${GENERATE_CRDS_HELP.split('\n').slice(0, 3).join('\n')}
`;

const io = { out: (l: string) => process.stdout.write(`${l}\n`), err: (l: string) => process.stderr.write(`${l}\n`) };

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'generate-crds') return generateCrdsCommand(rest, io);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return 0;
  }
  io.err(`kubefluent: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  return 2;
}

// No top-level await: the entry is also built as CommonJS.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`kubefluent: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
