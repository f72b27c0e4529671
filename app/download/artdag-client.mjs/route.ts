// GET /download/artdag-client.mjs — the CLI client itself (product.md §6), one file to run with
// Node. lib/front also sends non-browser GETs of /download/client here, so `curl -o` gets the file.
import { handleRoute, methodNotAllowed } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { CLIENT_BUNDLE, readClientFile } from "@/lib/site";

export const GET = handleRoute(async () => {
  const file = await readClientFile();
  if (!file) throw new AppError("not_found", `This installation has no CLI client file (${CLIENT_BUNDLE}; npm start or npm run build:client builds it).`);
  const bytes = file.bytes;
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
