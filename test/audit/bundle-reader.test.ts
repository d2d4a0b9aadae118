// The bundle's lines as bytes must be readline's lines: \n, \r\n and a lone \r end a line, a last line may lack its
// break, and lines run across the reader's 4 MB chunks (and a \r\n across two of them).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { expect } from "chai";
import { bundleLines, linesStartingWith } from "../../service/audit/bundle-reader";

async function both(text: Buffer, prefix = '{"registration"'): Promise<{ ours: string[]; theirs: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bundle-reader-"));
  try {
    const file = path.join(dir, "bundle.jsonl");
    fs.writeFileSync(file, text);
    const ours: string[] = [];
    for await (const lines of bundleLines(file)) for (const line of lines) ours.push(line.toString("utf8"));
    const theirs: string[] = [];
    for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) theirs.push(line);
    const found: string[] = [];
    for await (const line of linesStartingWith(file, prefix)) found.push(line.toString("utf8"));
    expect(found).to.deep.equal(theirs.filter((l) => l.startsWith(prefix)));
    return { ours, theirs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("audit: bundle lines", function () {
  // 15 MB through readline and the reader: about 2 s on a loaded machine, mocha's default limit when run alone.
  this.timeout(30_000);
  it("splits as readline does: \\n, \\r\\n, a lone \\r, empty lines, no break at the end", async () => {
    const text = '{"registration":0}\n{"a":1}\n{"b":"合同"}\r\n{"registration":1}\r\n\r\n{"c":3}\r{"registration":2}\r{"d":4}\n\n{"e":5}\n{"registration":3}';
    const { ours, theirs } = await both(Buffer.from(text));
    expect(ours).to.deep.equal(theirs);
    expect(ours).to.have.length(11);
  });

  it("reads lines across chunks, a \\r\\n split between two of them, and a line longer than a chunk", async () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 9.5 * 2 ** 20; i++) {
      const text = `{"${i % 7 === 0 ? "registration" : "n"}":${i},"pad":"${"x".repeat(i % 3000)}"}${i % 5 === 0 ? "\r\n" : "\n"}`;
      parts.push(text);
      size += text.length;
    }
    parts.push(`{"long":"${"y".repeat(5 * 2 ** 20)}"}\n`, "tail");
    const text = parts.join("");
    const { ours, theirs } = await both(Buffer.from(text));
    expect(ours.length).to.equal(theirs.length);
    expect(ours).to.deep.equal(theirs);
    const crlf = Buffer.from(`${"z".repeat(4 * 2 ** 20 - 1)}\r\nafter\n`);
    const split = await both(crlf);
    expect(split.ours).to.deep.equal(split.theirs);
  });
});
