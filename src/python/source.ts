/** Turns file bytes into Python source text, or says why it is not analyzable. */

export type DecodedSource =
  | { kind: "text"; text: string; encoding: "utf-8" | "latin-1" }
  | { kind: "skipped"; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Why a file of `size` bytes is not analyzed: a source that knows the size first says it without reading. */
export function oversizeReason(size: number, maxBytes: number): string {
  return `skipped: ${size} bytes is over the ${maxBytes}-byte limit (max_file_bytes)`;
}

export function decodeSource(bytes: Uint8Array, maxBytes: number): DecodedSource {
  if (bytes.length > maxBytes) return { kind: "skipped", reason: oversizeReason(bytes.length, maxBytes) };
  // A NUL byte in the first 8 KiB means binary, as git decides it.
  if (bytes.subarray(0, 8192).includes(0)) return { kind: "skipped", reason: "skipped: binary file" };
  try {
    let text = utf8.decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { kind: "text", text, encoding: "utf-8" };
  } catch {
    // Python 2-era files declare latin-1 and friends in a coding cookie; latin-1 maps every byte,
    // so positions stay right for the ASCII the rules look at.
    return { kind: "text", text: latin1.decode(bytes), encoding: "latin-1" };
  }
}
