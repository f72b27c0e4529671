// A Markdown document (the README, docs/*.md) as a page: headings carry GitHub's anchors so links
// like `#response-cache` land, tables scroll inside their card instead of widening the page, and
// raw HTML in the text is shown, never run (react-markdown renders to React elements only).
import type { ComponentProps, ReactNode } from "react";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { headingAnchor } from "@/lib/site";

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) return textOf((node.props as { children?: ReactNode }).children);
  return "";
}

function heading(Tag: "h1" | "h2" | "h3" | "h4") {
  function Heading({ children, node: _node, ...props }: ComponentProps<"h1"> & { node?: unknown }) {
    return (
      <Tag id={headingAnchor(textOf(children))} {...props}>
        {children}
      </Tag>
    );
  }
  return Heading;
}

export function MarkdownDoc({ text }: { text: string }) {
  return (
    <article className="prose-readme min-w-0">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        components={{
          h1: heading("h1"),
          h2: heading("h2"),
          h3: heading("h3"),
          h4: heading("h4"),
          // Focusable, so a keyboard can scroll a wide example.
          pre: ({ node: _node, ...props }) => <pre tabIndex={0} {...props} />,
          table: ({ node: _node, ...props }) => (
            <div className="my-3 overflow-x-auto" tabIndex={0} data-testid="doc-table">
              <table {...props} />
            </div>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </article>
  );
}
