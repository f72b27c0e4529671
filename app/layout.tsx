// Every page — the root layout: fonts, title template, the site header with the signed-in user, then the page.
import type { Metadata } from "next";
import localFont from "next/font/local";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { Providers } from "@/components/providers";
import { getViewer } from "./_shared/viewer";
import "./globals.css";

// Self-hosted: next/font/google would fetch from the network at build time.
const inter = localFont({
  src: "../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
  variable: "--font-inter",
  display: "swap",
});

export const metadata: Metadata = {
  title: { default: "Art DAG L2", template: "%s · Art DAG L2" },
  description: "Ownership registry and ActivityPub federation for Art DAG.",
};

// Every page depends on the signed-in state.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The header must render even when the database is unreachable: the page below shows that error.
  const viewer = await getViewer().catch(() => null);
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen font-sans">
        <Providers>
          <SiteHeader username={viewer?.username ?? null} />
          <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
