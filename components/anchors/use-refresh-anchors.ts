"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";

/** The React Query key every anchor query sits under, so one invalidation reloads them all. */
export const ANCHOR_LIST_KEY = ["anchors"] as const;

/** After a write: reload the list and the server-rendered counts (and anchor states elsewhere). */
export function useRefreshAnchors() {
  const queryClient = useQueryClient();
  const router = useRouter();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ANCHOR_LIST_KEY });
    router.refresh();
  };
}
