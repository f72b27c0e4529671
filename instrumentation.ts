// Starts the runtime (database, migrations, keys, job queue) when the Node.js server starts, before
// it answers requests. A failure stops start-up with one line naming the problem.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startRuntimeOrExit } = await import("@/lib/runtime");
  await startRuntimeOrExit();
}
