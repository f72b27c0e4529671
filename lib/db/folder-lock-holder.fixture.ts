// Test fixture: a separate process that takes a folder's lock and keeps it until it is killed
// (prints "held <pid>"), or with `release` takes it, releases it and ends by itself (prints
// "released"). A refused opener prints the refusal line and exits 3.
import { DatabaseLockedError, lockDatabaseFolder } from "./folder-lock";

const [folder, mode] = process.argv.slice(2);
try {
  const lock = await lockDatabaseFolder(folder);
  console.log(`held ${process.pid}`);
  if (mode === "release") {
    await lock.release();
    console.log("released");
  } else {
    setInterval(() => {}, 1 << 30);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(err instanceof DatabaseLockedError ? 3 : 1);
}
