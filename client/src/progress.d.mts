// Types of progress.mjs, for the TypeScript tests that import it.
export declare function formatBytes(bytes: number): string;
export declare function progressLine(label: string, done: number, total: number, seconds: number): string;
export declare function startProgress(label: string, total: number, stream?: NodeJS.WriteStream): { update(done: number): void; finish(): void };
