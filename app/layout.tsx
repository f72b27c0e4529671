// Every page — the root layout: fonts, title template, the site header with the signed-in user, then the page.
import type { Metadata } from "next";
import localFont from "next/font/local";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { Providers } from "@/components/providers";
import { getConfig } from "@/lib/config";
import { getViewer } from "./_shared/viewer";
import "./globals.css";

// Self-hosted: next/font/google would fetch from the network at build time.
const inter = localFont({
  src: "../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
  variable: "--font-inter",
  display: "swap",
});

const DESCRIPTION = "The ownership registry for generative art: signed claims the fediverse can follow and verify, anchored in Bitcoin.";

/**
 * Every page's title template, description and icons, and the Open Graph card a shared link shows
 * (public/og-image.png, made by `npm run make-images`): absolute URLs under this instance's public URL.
 */
export function generateMetadata(): Metadata {
  const base = getConfig().baseUrl;
  return {
    metadataBase: new URL(base),
    title: { default: "Art DAG L2", template: "%s · Art DAG L2" },
    description: DESCRIPTION,
    icons: {
      icon: [
        { url: "/icon.svg", type: "image/svg+xml" },
        { url: "/favicon.ico", sizes: "16x16 32x32" },
      ],
      apple: "/apple-touch-icon.png",
    },
    openGraph: {
      type: "website",
      siteName: `Art DAG L2 · ${new URL(base).host}`,
      description: DESCRIPTION,
      images: [{ url: "/og-image.png", width: 1200, height: 630, alt: "Art DAG L2: the ownership registry for generative art" }],
    },
    twitter: { card: "summary_large_image" },
  };
}

// Every page depends on the signed-in state.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The header must render even when the database is unreachable: the page below shows that error.
  const viewer = await getViewer().catch(() => null);
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen font-sans">
        {/* The first thing a keyboard reaches: past the header's links to the page itself. */}
        <a
          href="#content"
          className="sr-only focus:not-sr-only focus:fixed focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-accent focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:text-white"
        >
          Skip to content
        </a>
        <Providers>
          <SiteHeader username={viewer?.username ?? null} />
          <main id="content" tabIndex={-1} className="mx-auto max-w-5xl px-4 py-8 outline-none">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
