// GET/POST /api/auth/* — next-auth's own endpoints (session cookie, CSRF token, sign-in callback).
import { handlers } from "@/auth";

export const { GET, POST } = handlers;
