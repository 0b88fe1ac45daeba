// A subcommand of hebb: its help, its options (node:util parseArgs) and what it does.

import type { ParseArgsConfig } from 'node:util';

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments: names for the usage line, min and max count. */
  positionals: [min: number, max: number];
  run(args: { positionals: string[]; values: Record<string, unknown> }): Promise<number> | number;
}
