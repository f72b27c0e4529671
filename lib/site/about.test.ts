import { describe, expect, it } from "vitest";
import { headingAnchor, markdownForAbout, readDoc } from "./index";

const instance = { baseUrl: "https://l2.example", domain: "l2.example" };

describe("markdownForAbout: the README and docs as this instance serves them", () => {
  it("points the commands, links and handles at this instance: full URLs for commands' targets, the domain in handles", () => {
    const text = [
      "Open <http://localhost:8200> and see [your work](http://localhost:8200/asset/x).",
      "Your handle is `@alice@localhost:8200`.",
      "```bash",
      "curl -s -X POST localhost:8200/auth/login -H 'content-type: application/json'",
      "curl -o artdag-client.mjs http://localhost:8200/download/client",
      'TOKEN=$(curl -s "localhost:8200/auth/me")',
      "echo @bob@localhost:8200 on localhost:8200",
      "```",
    ].join("\n");
    expect(markdownForAbout(text, instance, "readme").split("\n")).toEqual([
      "Open <https://l2.example> and see [your work](https://l2.example/asset/x).",
      "Your handle is `@alice@l2.example`.",
      "```bash",
      "curl -s -X POST https://l2.example/auth/login -H 'content-type: application/json'",
      "curl -o artdag-client.mjs https://l2.example/download/client",
      'TOKEN=$(curl -s "https://l2.example/auth/me")',
      "echo @bob@l2.example on l2.example",
      "```",
    ]);
  });

  it("leaves prose and inline code that state a default as written", () => {
    const text = [
      "| `ARTDAG_DOMAIN` | `localhost:8200` | Public host[:port] in every URL and handle. |",
      "runs a complete instance on `http://localhost:8200` and prints `ready: http://localhost:8200`.",
      "It listens on localhost:8200 by default.",
    ].join("\n");
    expect(markdownForAbout(text, instance, "docs")).toBe(text);
  });

  it("turns links between the documents into /about pages, anchors kept", () => {
    expect(markdownForAbout("[docs/api.md](docs/api.md) and [proxy](docs/configuration.md#behind-a-reverse-proxy)", instance, "readme")).toBe(
      "[docs/api.md](/about/docs/api) and [proxy](/about/docs/configuration#behind-a-reverse-proxy)",
    );
    expect(markdownForAbout("[arch](architecture.md), [cache](./configuration.md#response-cache), [start](../README.md#quick-start)", instance, "docs")).toBe(
      "[arch](/about/docs/architecture), [cache](/about/docs/configuration#response-cache), [start](/about#quick-start)",
    );
    // Other links are left as they are.
    expect(markdownForAbout("[x](https://example.com/a.md) [y](#local)", instance, "readme")).toBe("[x](https://example.com/a.md) [y](#local)");
  });

  it("every link from the README and the documents to a document names one that exists", async () => {
    const { readFile, readdir } = await import("node:fs/promises");
    const texts = [
      markdownForAbout(await readFile("README.md", "utf8"), instance, "readme"),
      ...(await Promise.all((await readdir("docs")).map(async (f) => markdownForAbout(await readFile(`docs/${f}`, "utf8"), instance, "docs")))),
    ];
    const targets = new Set(texts.flatMap((t) => [...t.matchAll(/\]\(\/about\/docs\/([a-z0-9-]+)/g)].map((m) => m[1])));
    expect(targets.size).toBeGreaterThanOrEqual(5);
    for (const name of targets) expect(await readDoc(name), name).not.toBeNull();
  });
});

describe("readDoc", () => {
  it("reads docs/{name}.md and nothing outside docs/", async () => {
    expect(await readDoc("api")).toMatch(/^# /);
    for (const name of ["../README", "..%2FREADME", "API", "api.md", "", "nope", "a".repeat(65)]) expect(await readDoc(name), name).toBeNull();
  });
});

describe("headingAnchor", () => {
  it("makes GitHub's anchors", () => {
    expect(headingAnchor("Behind a reverse proxy")).toBe("behind-a-reverse-proxy");
    expect(headingAnchor("Renderers (L1 attach, verify, revoke)")).toBe("renderers-l1-attach-verify-revoke");
    expect(headingAnchor("`POST /auth/verify`: positive answers")).toBe("post-authverify-positive-answers");
    expect(headingAnchor("Client keys and Moo-Auth-1")).toBe("client-keys-and-moo-auth-1");
  });
});
