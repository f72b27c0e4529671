// Types of config.mjs's pure exports, for the TypeScript tests that import them (the client itself
// is plain JavaScript; its file readers and writers are tested through the program).
export declare function configDir(env?: Record<string, string | undefined>, home?: string): string;
export declare function keyFileName(server: string): string;
