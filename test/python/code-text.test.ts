import { codeText } from "../../src/python/code-text.js";

describe("codeText", () => {
  test("the code view blanks comments and string literals, keeping lines, f-strings and positions", () => {
    const source = "a = 'x#y' # c\nb = \"\"\"doc\nmore\"\"\"\nc = f'{eventlet}' + r\"\\\"q\" + 'open\nd = 1\n";
    const view = codeText(source);
    expect(view.length).toBe(source.length);
    expect(view.split("\n")).toEqual(["a =          ", "b =       ", "       ", "c = f'{eventlet}' + r      +      ", "d = 1", ""]);
  });

  test("a # inside a string is no comment, and an unterminated triple quote runs to the end", () => {
    expect(codeText("x = '#' ; y = 1\n")).toBe("x =     ; y = 1\n");
    expect(codeText('x = 1\n"""never closed\nimport eventlet\n')).toBe("x = 1\n" + " ".repeat(15) + "\n" + " ".repeat(15) + "\n");
  });
});
