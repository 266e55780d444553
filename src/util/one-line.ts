/**
 * Make text from a file safe inside a one-line error message: line breaks, other control characters and
 * Unicode line separators become a space or "?", and very long text is shortened.
 */
export function oneLine(text: string, max = 300): string {
  const s = text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
