// GET /download/client — the CLI client's page: install line, checksum, commands; curl and scripts get
// the file itself (lib/front, app/download/artdag-client.mjs/route.ts).
import type { Metadata } from "next";
import Link from "next/link";
import { Fragment, type ReactNode } from "react";
import { CopyButton } from "@/components/copy-button";
import { Card } from "@/components/ui/card";
import { SectionCard } from "@/components/ui/section-card";
import { getContext } from "@/lib/runtime";
import { readClientFile } from "@/lib/site";

export const metadata: Metadata = { title: "CLI client" };

const FILE_URL = "/download/artdag-client.mjs";

const COMMANDS: { usage: string; what: ReactNode }[] = [
  {
    usage: "login <server>",
    what: (
      <>
        Makes this client&apos;s Ed25519 key (or reuses the one it made for that server), prints its did:key and a <code>/registerPublicKey</code> link, waits
        for you to confirm the key in the browser and press Enter, then finds your actor through WebFinger.
      </>
    ),
  },
  { usage: "whoami", what: "The user, actor, server and did:key this client acts as." },
  {
    usage: "register <file> --name <name> [--type <type>] [--tag <tag>]… [--url <url>] [--metadata <json>]",
    what: (
      <>
        Hashes the file with SHA3-256 on your machine (the file itself is never sent; a progress line shows while a large file is hashed) and registers the hash
        as your asset through your outbox. <code>upload</code> is the same command.
      </>
    ),
  },
  { usage: "list [--json]", what: "Your assets, newest first: name, type, hash prefix and when it was registered; --json for scripts." },
  { usage: "record-run <run_id> --l1 <url> --name <output>", what: "Records a completed run of an L1 renderer as your asset, with its provenance." },
  { usage: "logout", what: "Removes this client's key from your account on the server (it stops working at once) and forgets the login here." },
  { usage: "help [<command>]", what: "All commands, or one command's options." },
];

export default async function DownloadClientPage() {
  const base = (await getContext()).config.baseUrl;
  const install = `curl -o artdag-client.mjs ${base}/download/client && node artdag-client.mjs login ${base}`;
  const sha256 = (await readClientFile())?.sha256 ?? null;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">The Art DAG CLI client</h1>
        <p className="max-w-3xl text-stone-600">
          One JavaScript file that registers your work from a terminal: it hashes files locally, registers them as your assets and records renderer runs. It
          signs in with a key of its own (BIN-2 and Moo-Auth-1), which you confirm once in the browser and can remove any time under{" "}
          <Link href="/settings/clients" className="text-accent underline">
            Client keys
          </Link>
          . Nothing to install but <strong>Node.js 20 or later</strong>.
        </p>
      </header>

      <Card className="flex flex-wrap items-center justify-between gap-4">
        <div className="space-y-1">
          <p className="font-medium">artdag-client.mjs</p>
          {sha256 ? (
            <p className="break-all font-mono text-xs text-stone-500" data-testid="client-sha256">
              SHA-256 {sha256}
            </p>
          ) : (
            <p className="text-sm text-red-700">This installation is missing the file.</p>
          )}
        </div>
        <a
          href={FILE_URL}
          download="artdag-client.mjs"
          className="inline-flex items-center rounded-md bg-accent px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-accent-dark"
          data-testid="download-client"
        >
          Download artdag-client.mjs
        </a>
      </Card>

      <SectionCard title="Get started">
        <p className="text-sm text-stone-600">Download and log in, in one line (you confirm the key in this browser):</p>
        <div className="flex items-start gap-2">
          <pre
            tabIndex={0}
            className="min-w-0 flex-1 overflow-x-auto rounded-lg bg-stone-900 p-4 font-mono text-xs text-stone-100"
            data-testid="install-command"
          >
            {install}
          </pre>
          <CopyButton value={install} />
        </div>
        <p className="text-sm text-stone-600">Then, for example:</p>
        <pre tabIndex={0} className="overflow-x-auto rounded-lg bg-stone-900 p-4 font-mono text-xs text-stone-100">
          {`node artdag-client.mjs register sunset.png --name sunset-001 --tag sky --tag evening
node artdag-client.mjs list`}
        </pre>
      </SectionCard>

      <SectionCard title="Commands">
        <dl className="divide-y divide-stone-200 text-sm">
          {COMMANDS.map((c) => (
            <div key={c.usage} className="grid gap-1 py-3 sm:grid-cols-[minmax(0,20rem)_1fr] sm:gap-4">
              <dt>
                {/* Each word unbroken, so `--l1` never wraps after its first hyphen. */}
                <code className="font-mono text-xs">
                  {`node artdag-client.mjs ${c.usage}`.split(" ").map((word, i) => (
                    // The space sits outside the unbreakable span: it is where a line may wrap.
                    <Fragment key={i}>
                      {i ? " " : ""}
                      <span className="whitespace-nowrap">{word}</span>
                    </Fragment>
                  ))}
                </code>
              </dt>
              <dd className="text-stone-600">{c.what}</dd>
            </div>
          ))}
        </dl>
        <p className="text-sm text-stone-600">
          Types: image, video, audio, effect, recipe, infrastructure, unknown (register guesses image, video or audio from the extension). The key (mode 600)
          and the login live in <code>$ARTDAG_CLIENT_HOME</code>, else <code>$XDG_CONFIG_HOME/artdag</code>, else <code>~/.config/artdag</code>. Every failure
          is one line on stderr and exit code 1; a mistyped command line says what is wrong and exits 2.
        </p>
      </SectionCard>
    </div>
  );
}
