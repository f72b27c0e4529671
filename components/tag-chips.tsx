import Link from "next/link";

/**
 * An asset's tags as chips; each opens the asset browser filtered on that tag. Inside the browser
 * itself `onSelect` filters in place instead (a modified click still opens the link).
 */
export function TagChips({ tags, onSelect }: { tags: string[]; onSelect?: (tag: string) => void }) {
  if (tags.length === 0) return <span className="text-xs text-stone-500">no tags</span>;
  return (
    <ul className="flex flex-wrap gap-1.5">
      {tags.map((tag) => (
        <li key={tag} className="min-w-0">
          <Link
            href={`/assets?tag=${encodeURIComponent(tag)}`}
            prefetch={false}
            title={tag}
            data-testid="tag-chip"
            onClick={
              onSelect
                ? (e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
                    e.preventDefault();
                    onSelect(tag);
                  }
                : undefined
            }
            className="inline-block max-w-[16rem] truncate rounded-full border border-stone-200 bg-stone-100 px-2.5 py-0.5 text-xs text-stone-700 hover:border-accent hover:text-accent"
          >
            {tag}
          </Link>
        </li>
      ))}
    </ul>
  );
}
