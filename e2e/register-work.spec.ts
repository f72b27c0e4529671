// Register a work in the browser (issue #15 item 3): the file is hashed in the page with SHA3-256, a
// chunk at a time with a progress bar (never uploaded), name and type are proposed from the file,
// tags, metadata and a URL are optional, and POST /assets (the session) signs the claim. Mistakes
// are shown next to their field and register nothing.
import { createHash, randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD } from "./support/api";
import { createAsset, newUser, type User } from "./support/registry";
import { MAIN } from "./support/servers";

async function signIn(page: Page, user: User) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(user.username);
}

const sha3 = (bytes: Buffer) => createHash("sha3-256").update(bytes).digest("hex");

test("anonymous visitors are sent to log in, and come back to the page", async ({ page, request }) => {
  await page.goto("/register-work");
  await expect(page).toHaveURL(`${MAIN.url}/login?next=/register-work`);
  const user = await newUser(request, "work_anon");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${MAIN.url}/register-work`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register a work");
});

test("a file is hashed in the page with a progress bar, name and type are proposed, and the claim is registered with tags, metadata and URL", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const user = await newUser(request, "work_browser");
  await signIn(page, user);
  await page.getByRole("link", { name: "Register a work" }).first().click();
  await expect(page).toHaveURL(`${MAIN.url}/register-work`);

  // 24 MiB: six chunks, so the hash is built up piece by piece.
  const bytes = randomBytes(24 * 1024 * 1024);
  const name = `sunset-${randomBytes(3).toString("hex")}`;
  const register = page.getByRole("button", { name: "Register this work" });
  await expect(register, "nothing to register before a file is chosen").toBeDisabled();
  await page.getByLabel("File to register").setInputFiles({ name: `${name}.png`, mimeType: "image/png", buffer: bytes });
  await expect(page.getByTestId("work-drop")).toContainText(`${name}.png`);
  await expect(page.getByTestId("work-drop")).toContainText("24.0 MiB");
  await expect(page.getByTestId("work-hash")).toHaveText(sha3(bytes), { timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Hashing progress" })).toHaveAttribute("value", String(bytes.length));
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Type")).toHaveValue("image");

  await page.getByLabel("Tags (optional)").fill("sky, evening, sky");
  await page.getByLabel("URL (optional)").fill("https://example.com/sunset.png");
  await page.getByLabel("Metadata (optional)").fill('{"medium": "oil", "year": 2026}');
  await register.click();
  await expect(page.getByTestId("register-work-done")).toContainText(`Registered ${name}.`);

  const res = await request.get(`/assets/${name}`, { headers: { accept: "application/json" } });
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({
    name,
    content_hash: sha3(bytes),
    owner: user.username,
    asset_type: "image",
    tags: ["sky", "evening"],
    url: "https://example.com/sunset.png",
    metadata: { medium: "oil", year: 2026 },
  });
  await page.getByRole("link", { name: `See ${name}` }).click();
  await expect(page).toHaveURL(`${MAIN.url}/asset/${name}`);
});

test("mistakes are shown next to their field, and a hash already claimed names its owner; nothing is registered", async ({ page, request }) => {
  const owner = await newUser(request, "work_first");
  const user = await newUser(request, "work_second");
  const claimed = randomBytes(1000);
  const taken = await createAsset(request, owner, { content_hash: sha3(claimed) });
  await signIn(page, user);
  await page.goto("/register-work");
  const countBefore = (
    (await (await request.get(`/assets?owner=${user.username}`, { headers: { accept: "application/json" } })).json()) as { items: unknown[] }
  ).items.length;

  const fresh = randomBytes(2000);
  await page.getByLabel("File to register").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: fresh });
  await expect(page.getByTestId("work-hash")).toHaveText(sha3(fresh));
  await expect(page.getByLabel("Type")).toHaveValue("unknown");
  const register = page.getByRole("button", { name: "Register this work" });

  await page.getByLabel("Metadata (optional)").fill("[1, 2]");
  await register.click();
  await expect(page.getByText("Metadata must be a JSON object")).toBeVisible();

  await page.getByLabel("Metadata (optional)").fill("");
  await page.getByLabel("Name").fill("no spaces allowed");
  await register.click();
  await expect(page.locator("#work-name-error")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Name").fill(taken.asset.name);
  await register.click();
  await expect(page.locator("#work-name-error")).toHaveText("This name is already taken.");

  // The file whose hash another person claimed first.
  await page.getByLabel("File to register").setInputFiles({ name: "copy.bin", mimeType: "application/octet-stream", buffer: claimed });
  await expect(page.getByTestId("work-hash")).toHaveText(sha3(claimed));
  await page.getByLabel("Name").fill(`copy-${randomBytes(3).toString("hex")}`);
  await register.click();
  await expect(page.getByTestId("form-error")).toContainText(owner.username);

  const after = ((await (await request.get(`/assets?owner=${user.username}`, { headers: { accept: "application/json" } })).json()) as { items: unknown[] })
    .items;
  expect(after.length, "nothing was registered").toBe(countBefore);
});

test("a file dropped on the page is hashed the same way", async ({ page, request }) => {
  const user = await newUser(request, "work_drop");
  await signIn(page, user);
  await page.goto("/register-work");
  const text = `dropped ${randomBytes(8).toString("hex")}`;
  const dataTransfer = await page.evaluateHandle((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], "evening song.mp3", { type: "audio/mpeg" }));
    return transfer;
  }, text);
  await page.getByTestId("work-drop").dispatchEvent("drop", { dataTransfer });
  await expect(page.getByTestId("work-hash")).toHaveText(sha3(Buffer.from(text)));
  await expect(page.getByLabel("Name")).toHaveValue("evening-song");
  await expect(page.getByLabel("Type")).toHaveValue("audio");
});
