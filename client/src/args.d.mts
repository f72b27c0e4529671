// Types of args.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
export declare function normalizeServer(text: string): string;
export declare function parseTags(text: string): string[];
export declare function parseFlags(args: string[], known: string[]): { positionals: string[]; flags: Record<string, string> };
export declare function parseCommandLine(
  args: string[],
  options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>,
): { positionals: string[]; flags: Record<string, string | boolean | string[]> };
export declare function hasScheme(text: string): boolean;
