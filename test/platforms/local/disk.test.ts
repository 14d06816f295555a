/** The local tree is read size first: a FIFO or an oversized file is never read into memory. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:net";
import { DiskProjectFiles, readCapped, readFileCappedSync } from "../../../src/platforms/local/disk.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "disk-"));
  writeFileSync(join(dir, "small.txt"), "eventlet>=0.36\n");
  writeFileSync(join(dir, "big.txt"), "x".repeat(4096));
  // A named pipe with no writer: reading it would block forever.
  execFileSync("mkfifo", [join(dir, "requirements.txt")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("files over the limit, FIFOs and missing files read as absent; others whole", async () => {
  const files = new DiskProjectFiles(dir, 1024);
  expect(await files.readText("small.txt")).toBe("eventlet>=0.36\n");
  expect(await files.readText("big.txt")).toBeUndefined();
  expect(await files.readText("requirements.txt")).toBeUndefined();
  expect(await files.readText("missing.txt")).toBeUndefined();
});

test("readCapped says why it did not read", async () => {
  expect(await readCapped(join(dir, "big.txt"), 1024)).toEqual({ skipped: "skipped: 4096 bytes is over the 1024-byte limit (max_file_bytes)" });
  expect(await readCapped(join(dir, "requirements.txt"), 1024)).toEqual({ skipped: "skipped: not a regular file" });
  expect(await readCapped(join(dir, "big.txt"), 4096)).toEqual(Buffer.from("x".repeat(4096)));
});

test("readFileCappedSync reads in one open, never blocks on a FIFO, and says why it did not read", async () => {
  // A unix socket in the tree: it cannot even be opened.
  const socket = join(dir, "agent.sock");
  const server: Server = await new Promise((resolve) => {
    const s = createServer().listen(socket, () => resolve(s));
  });
  try {
    expect(readFileCappedSync(join(dir, "requirements.txt"), 1024)).toEqual({ skipped: "skipped: not a regular file" });
    expect(readFileCappedSync(socket, 1024)).toEqual({ skipped: "skipped: not a regular file" });
    expect(readFileCappedSync(dir, 1024)).toEqual({ skipped: "skipped: not a regular file" });
    expect(readFileCappedSync(join(dir, "big.txt"), 1024)).toEqual({ skipped: "skipped: 4096 bytes is over the 1024-byte limit (max_file_bytes)" });
    expect(readFileCappedSync(join(dir, "missing.txt"), 1024)).toEqual({ skipped: "skipped: cannot read (ENOENT)", code: "ENOENT" });
    expect(readFileCappedSync(join(dir, "small.txt"), 1024)).toEqual(Buffer.from("eventlet>=0.36\n"));
    expect(readFileCappedSync(join(dir, "big.txt"), 4096)).toEqual(Buffer.from("x".repeat(4096)));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a file longer than fstat said (grown while read; /proc reports 0 bytes) is read on to its end, within the limit", () => {
  const read = readFileCappedSync("/proc/self/status", 1 << 20);
  expect(Buffer.isBuffer(read) && read.toString("latin1")).toMatch(/^Name:[\s\S]*\nPid:[\s\S]*\n$/);
  expect(readFileCappedSync("/proc/self/status", 16)).toEqual({ skipped: "skipped: more than the 16-byte limit (max_file_bytes)" });
});
