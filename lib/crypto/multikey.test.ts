import { generateKeyPairSync, KeyObject } from "node:crypto";
import { preloadedContexts, type DocumentLoader } from "@fedify/fedify";
import { Multikey, Person } from "@fedify/vocab";
import { describe, expect, it } from "vitest";
import { importEd25519Seed } from "./ed25519-keys";
import { actorMultikey, actorMultikeyId } from "./multikey";

const ACTOR = "https://l2.example/users/giles";
const VECTOR = importEd25519Seed(Buffer.from("802672f95f67c43ffb05b06696563cf37b103a0820ab52840ef174a21eaac2b2559b", "hex").subarray(2));

const contextLoader: DocumentLoader = async (url) => {
  if (Object.hasOwn(preloadedContexts, url)) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  throw new Error(`offline: no context ${url}`);
};

describe("actorMultikey", () => {
  it("is the FEP-521a Multikey of the actor's Ed25519 key", () => {
    expect(actorMultikey(ACTOR, VECTOR.publicKey)).toEqual({
      id: `${ACTOR}#ed25519-key`,
      type: "Multikey",
      controller: ACTOR,
      publicKeyMultibase: "z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5",
    });
    expect(actorMultikeyId(ACTOR)).toBe(`${ACTOR}#ed25519-key`);
    expect(actorMultikey(ACTOR, VECTOR.privateKey)).toEqual(actorMultikey(ACTOR, VECTOR.publicKey));
  });

  it("refuses a key that is not Ed25519", () => {
    expect(() => actorMultikey(ACTOR, generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey)).toThrow(TypeError);
  });

  it("is read by Fedify alone and inside an actor's assertionMethod, as the same key", async () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const multikey = actorMultikey(ACTOR, publicKey);
    const alone = await Multikey.fromJsonLd(
      { "@context": "https://w3id.org/security/multikey/v1", ...multikey },
      { contextLoader, documentLoader: contextLoader },
    );
    expect(alone.id?.href).toBe(multikey.id);
    expect(alone.controllerId?.href).toBe(ACTOR);
    expect(KeyObject.from(alone.publicKey!).equals(publicKey)).toBe(true);

    const actor = await Person.fromJsonLd(
      {
        "@context": [
          "https://www.w3.org/ns/activitystreams",
          "https://w3id.org/security/v1",
          "https://w3id.org/security/data-integrity/v1",
          "https://www.w3.org/ns/did/v1",
          "https://w3id.org/security/multikey/v1",
        ],
        id: ACTOR,
        type: "Person",
        assertionMethod: [multikey],
      },
      { contextLoader, documentLoader: contextLoader },
    );
    const keys: Multikey[] = [];
    for await (const key of actor.getAssertionMethods({ contextLoader, documentLoader: contextLoader })) keys.push(key);
    expect(keys.map((k) => k.id?.href)).toEqual([multikey.id]);
    expect(KeyObject.from(keys[0].publicKey!).equals(publicKey)).toBe(true);
  });
});
