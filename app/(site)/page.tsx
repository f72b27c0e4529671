// GET / — the home page: live counts and the README (API clients get app/api/stats/route.ts).
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { SiteStats } from "@/components/site-stats";
import { Card } from "@/components/ui/card";
import { getContext } from "@/lib/runtime";
import { getSiteStats, readReadme } from "@/lib/site";

export default async function HomePage() {
  const ctx = await getContext();
  const [stats, readme] = await Promise.all([getSiteStats(ctx), readReadme()]);
  return (
    <div className="space-y-8">
      <section className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">Art DAG L2</h1>
        <p className="text-stone-600">The ownership registry and ActivityPub face of Art DAG: signed ownership claims the fediverse can follow and verify.</p>
      </section>
      <SiteStats initial={stats} />
      <Card>
        {/* react-markdown renders to React elements and ignores raw HTML: README text is shown, never run. */}
        <article className="prose-readme">
          <ReactMarkdown remarkPlugins={[remarkGfm]}>{readme}</ReactMarkdown>
        </article>
      </Card>
    </div>
  );
}
