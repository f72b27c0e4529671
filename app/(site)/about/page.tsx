// GET /about — the README, with its examples and links pointing at this instance (lib/site markdownForAbout).
import type { Metadata } from "next";
import { MarkdownDoc } from "@/components/markdown-doc";
import { Card } from "@/components/ui/card";
import { markdownForAbout, readReadme } from "@/lib/site";
import { getContext } from "@/lib/runtime";

export const metadata: Metadata = { title: "About" };

export default async function AboutPage() {
  const { config } = await getContext();
  return (
    <Card>
      <MarkdownDoc text={markdownForAbout(await readReadme(), config, "readme")} />
    </Card>
  );
}
