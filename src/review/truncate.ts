/**
 * Cutting text to a limit in UTF-8 bytes, which is how GitHub (check-run output: 65,535 bytes) and
 * Gerrit (`commentSizeLimit`) measure it. Counting UTF-16 units instead lets multi-byte text through
 * that the server then refuses whole.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * `text` when it fits in `maxBytes`; else its longest prefix that fits with a note saying how much was
 * cut, ending on a whole character (never half of a multi-byte sequence).
 */
export function truncateUtf8(text: string, maxBytes: number, what = "text"): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  // The note's length depends on the numbers in it: size it for the largest cut it could report.
  const note = (cut: number) => `\n\n… (${cut.toLocaleString("en-US")} of ${bytes.length.toLocaleString("en-US")} bytes of ${what} cut at the limit of ${maxBytes.toLocaleString("en-US")} bytes)`;
  let end = Math.max(0, maxBytes - utf8Length(note(bytes.length)));
  // Back up to the start of a character: UTF-8 continuation bytes look like 10xxxxxx.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end)) + note(bytes.length - end);
}
