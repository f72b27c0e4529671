// GET /about/docs/{doc} — one of the documents in docs/ (configuration, api, operations, …), linked from /about.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MarkdownDoc } from "@/components/markdown-doc";
import { Card } from "@/components/ui/card";
import { markdownForAbout, readDoc } from "@/lib/site";
import { getContext } from "@/lib/runtime";

type Params = { doc: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const text = await readDoc((await params).doc);
  const title = text ? /^# (.+)$/m.exec(text)?.[1] : undefined;
  return { title: title ?? "Not found" };
}

export default async function DocPage({ params }: { params: Promise<Params> }) {
  const text = await readDoc((await params).doc);
  if (text === null) notFound();
  const { config } = await getContext();
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link href="/about" className="text-accent underline">
          ← About Art DAG L2
        </Link>
      </p>
      <Card>
        <MarkdownDoc text={markdownForAbout(text, config, "docs")} />
      </Card>
    </div>
  );
}
