// GET /download/artdag-client.mjs — the CLI client itself (product.md §6), one file to run with
// Node. proxy.ts also sends non-browser GETs of /download/client here, so `curl -o` gets the file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AppError, handleRoute, methodNotAllowed } from "@/lib/http";

/** Read at run time from the project root (like the README the home page shows), never bundled. */
const CLIENT_FILE = path.join(process.cwd(), "client", "artdag-client.mjs");

export const GET = handleRoute(async () => {
  const bytes = await readFile(CLIENT_FILE).catch(() => {
    throw new AppError("not_found", "This installation has no CLI client file (client/artdag-client.mjs).");
  });
  return new Response(new Uint8Array(bytes), {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "content-disposition": 'attachment; filename="artdag-client.mjs"',
      "content-length": String(bytes.byteLength),
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
