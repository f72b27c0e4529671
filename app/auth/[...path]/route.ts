// Any other path under /auth is an API path too: a JSON 404, not the HTML not-found page.
import { handleRoute } from "@/lib/http";
import { AppError } from "@/lib/errors";

const notFound = handleRoute<{ path: string[] }>(async (req) => {
  throw new AppError("not_found", `There is no endpoint at ${new URL(req.url).pathname}.`);
});

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
