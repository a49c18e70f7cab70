import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Shared by the CLIs: `--name value` options, unknown ones refused with a clear message. */
export function cliArgs<T extends ParseArgsOptionsConfig>(options: T, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
}

/**
 * Runs a CLI's main and ends the process with its exit code. Exiting explicitly matters: the
 * embedded server's module registers async-exit-hook on `beforeExit`, which ends the process with
 * status 0 whatever `process.exitCode` says (a FAILED bench metric used to exit 0 that way).
 */
export function runMain(main: () => Promise<void>, onError: (e: unknown) => void) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      onError(e);
      process.exit(1);
    },
  );
}
