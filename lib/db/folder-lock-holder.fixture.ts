// Test fixture: a separate process that takes a folder's lock and keeps it until it is killed.
// Prints "held <pid>" once it holds the lock; a refused opener prints the refusal line and exits 3.
import { DatabaseLockedError, lockDatabaseFolder } from "./folder-lock";

const folder = process.argv[2];
try {
  await lockDatabaseFolder(folder);
  console.log(`held ${process.pid}`);
  setInterval(() => {}, 1 << 30);
} catch (err) {
  console.error((err as Error).message);
  process.exit(err instanceof DatabaseLockedError ? 3 : 1);
}
