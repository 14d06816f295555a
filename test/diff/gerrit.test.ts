import type { DiffInfo } from "../../src/diff/gerrit.js";
import { addedLinesOfDiffInfo, changedLinesOfDiffInfo, removedLinesOfDiffInfo } from "../../src/diff/gerrit.js";

const meta = (lines: number) => ({ name: "a.py", content_type: "text/x-python", lines });

describe("Gerrit DiffInfo → changed lines", () => {
  test("counts b lines after ab, a and skip chunks", () => {
    const diff = {
      meta_a: meta(7),
      meta_b: meta(8),
      change_type: "MODIFIED",
      intraline_status: "OK",
      content: [
        { ab: ["import eventlet", ""] }, // new 1-2
        { a: ["eventlet.monkey_patch()"], b: ["import logging", "eventlet.monkey_patch(thread=False)"] }, // new 3-4
        { skip: 2 }, // new 5-6
        { a: ["old"] }, // deletion moves nothing on the new side
        { ab: ["x = 1"] }, // new 7
        { b: ["y = 2"] }, // new 8
      ],
    } as unknown as DiffInfo;
    expect(addedLinesOfDiffInfo(diff)).toEqual([3, 4, 8]);
    expect(removedLinesOfDiffInfo(diff)).toEqual(["eventlet.monkey_patch()", "old"]);
    // Removed text is kept under the old name of a renamed file.
    expect(changedLinesOfDiffInfo("new/a.py", diff, undefined, "old/a.py").removedFrom("eventlet.monkey_patch()")).toEqual(["old/a.py"]);
  });

  test("a skip object counts its right side", () => {
    const diff = { meta_a: meta(10), meta_b: meta(12), content: [{ skip: { left: 10, right: 11 } }, { b: ["z"] }] } as unknown as DiffInfo;
    expect(addedLinesOfDiffInfo(diff)).toEqual([12]);
  });

  test("an added file is wholly new; a deleted or binary one adds nothing", () => {
    const added = { meta_b: meta(2), change_type: "ADDED", content: [{ b: ["a", "b"] }] } as unknown as DiffInfo;
    expect(changedLinesOfDiffInfo("n.py", added).has("n.py", 2)).toBe(true);
    const deleted = { meta_a: meta(2), change_type: "DELETED", content: [{ a: ["a", "b"] }] } as unknown as DiffInfo;
    expect(changedLinesOfDiffInfo("d.py", deleted).paths()).toEqual([]);
    const binary = { meta_a: meta(1), meta_b: meta(1), binary: true, content: [{ b: ["x"] }] } as unknown as DiffInfo;
    expect(addedLinesOfDiffInfo(binary)).toEqual([]);
  });
});
