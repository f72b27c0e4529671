// Keys and signatures: the actors' RSA key files now; canonical JSON, the Art DAG signature,
// FEP-8b32 proofs and did:key join here as the registry and federation land.
export { actorKeyPaths, ensureActorKeyPair, readActorPrivateKey, readActorPublicKey } from "./keys";
