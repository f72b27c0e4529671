/** A small turning ring, in the text colour, before a busy button's label. */
export function Spinner() {
  return <span aria-hidden className="mr-2 inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}
