// What a browser's console may say that is no fault of our pages.
import { MAIN } from "./servers";

/**
 * The browser's note that a resource of another origin failed to load: a work is shown from the URL
 * its owner registered, and that site may be down or unknown here (the suite runs offline).
 */
export function isForeignLoadFailure(text: string, url: string): boolean {
  return /^Failed to load resource\b/.test(text) && !!url && new URL(url).origin !== new URL(MAIN.url).origin;
}
