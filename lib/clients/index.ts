// Client keys (BIN-2, product.md §6): the Ed25519 did:keys a user authorizes for their actor, the
// database half of Moo-Auth-1 (registered-key lookup, replay refusal on moo_auth_seen, last use),
// and turning a C2S `Create` posted to an outbox into the fields of POST /assets. The signature
// checks themselves are lib/http-signatures'; registering the asset is lib/registry's.
export { addClientKeyInput, clientDidKeyDefect, listClientKeysQuery, parseAddClientKeyBody, type AddClientKeyInput, type ListClientKeysQuery } from "./schemas";
export { addClientKey, findClientKeyOwner, listClientKeys, removeClientKey, type ClientKeyView } from "./keys";
export { authenticateMooAuth, cleanupMooAuthSeen, type MooAuthCaller } from "./moo-auth";
export { assetFieldsFromCreate } from "./outbox";
