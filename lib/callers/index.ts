// Who is calling a route, by credential: getCaller / requireCaller over the browser session, Bearer
// tokens and Moo-Auth-1 client signatures. Built on lib/accounts (session cookie), lib/tokens and
// lib/clients; lib/http below it knows nothing of users.
export {
  getCaller,
  requireCaller,
  type Caller,
  type CallerVia,
  type Credential,
  type GetCallerOptions,
  type KeyCaller,
  type RequireCallerOptions,
  type TokenCaller,
} from "./callers";
