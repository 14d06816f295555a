import { truncateUtf8, utf8Length } from "../../src/review/truncate.js";

describe("truncateUtf8", () => {
  test("a 70,000-byte summary of multi-byte text is cut under 65,535 bytes on a whole character, with a note", () => {
    const text = "é".repeat(20_000) + "😀".repeat(7_500); // 40,000 + 30,000 bytes, 35,000 UTF-16 units
    expect(utf8Length(text)).toBe(70_000);
    expect(text.length).toBeLessThan(65_535); // a cut by characters would let it through
    const cut = truncateUtf8(text, 65_535, "the summary");
    expect(utf8Length(cut)).toBeLessThanOrEqual(65_535);
    expect(utf8Length(cut)).toBeGreaterThan(65_535 - 200);
    expect(cut).not.toContain("\uFFFD");
    expect(cut).toMatch(/… \([\d,]+ of 70,000 bytes of the summary cut at the limit of 65,535 bytes\)$/);
    const kept = cut.slice(0, cut.indexOf("\n\n…"));
    expect(text.startsWith(kept)).toBe(true);
    const reported = Number(/\(([\d,]+) of/.exec(cut)![1].replace(/,/g, ""));
    expect(reported).toBe(70_000 - utf8Length(kept));
  });

  test("text within the limit is returned as it is", () => {
    expect(truncateUtf8("ééé", 6)).toBe("ééé");
  });

  test("cuts in the middle of a four-byte character back up to its start", () => {
    const cut = truncateUtf8("a".repeat(100) + "😀".repeat(100), 200);
    expect(utf8Length(cut)).toBeLessThanOrEqual(200);
    expect(cut).not.toContain("\uFFFD");
  });
});
