// Types of program.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
export declare const VERSION: string;
export declare const PROGRAM: string;
export declare class CliError extends Error {
  constructor(message: string, exitCode?: number);
  readonly exitCode: number;
}
export declare function print(line?: string): void;
export declare function note(line?: string): void;
