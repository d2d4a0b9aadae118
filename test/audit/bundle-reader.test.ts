// The bundle's lines as bytes must be readline's lines: \n, \r\n and a lone \r end a line, a last line may lack its
// break, and lines run across the reader's chunks (and a \r\n across two of them). The closing run of
// registration lines, read backwards from the end, must be the one readline's lines end with.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { expect } from "chai";
import { bundleLines, CHUNK, closingLines, closingRun, TAIL_BLOCK } from "../../service/audit/bundle-reader";

async function both(text: Buffer, prefix = '{"registration"'): Promise<{ ours: string[]; theirs: string[]; run: { count: number; after: number } }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bundle-reader-"));
  try {
    const file = path.join(dir, "bundle.jsonl");
    fs.writeFileSync(file, text);
    const ours: string[] = [];
    for await (const lines of bundleLines(file)) for (const line of lines) ours.push(line.toString("utf8"));
    const theirs: string[] = [];
    for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) theirs.push(line);
    const after = theirs.length > 0 && !theirs[theirs.length - 1].startsWith(prefix) ? 1 : 0;
    let first = theirs.length - after;
    while (first > 0 && theirs[first - 1].startsWith(prefix)) first--;
    const run = await closingRun(file, prefix);
    expect([run.count, run.after]).to.deep.equal([theirs.length - after - first, after]);
    const found: string[] = [];
    for await (const line of closingLines(file, run)) found.push(line.toString("utf8"));
    expect(found).to.deep.equal(theirs.slice(first, theirs.length - after));
    if (run.count > 0) expect(text.subarray(run.start).toString("utf8").startsWith(found[0])).to.equal(true);
    return { ours, theirs, run };
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
    const crlf = Buffer.from(`${"z".repeat(CHUNK - 1)}\r\nafter\n`);
    const split = await both(crlf);
    expect(split.ours).to.deep.equal(split.theirs);
  });

  it("finds the closing run of registrations across the backward reader's blocks, with or without an end line after it", async () => {
    let seed = 15;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const breaks = ["\n", "\r\n", "\r"];
    for (let round = 0; round < 24; round++) {
      const lines = ['{"format":"sealproof-audit/1"}'];
      for (let i = random(40); i > 0; i--) lines.push(`{"format":"sealproof-receipt/1","i":${i},"pad":"${"r".repeat(random(20_000))}"}`);
      // Some rounds hide a registration among the receipts: it is not part of the closing run.
      if (round % 3 === 0 && lines.length > 1) lines.splice(1 + random(lines.length - 1), 0, '{"registration":"early"}');
      const registrations = round % 4 === 1 ? 0 : 1 + random(round % 2 === 0 ? 8 : 120);
      for (let i = 0; i < registrations; i++) lines.push(`{"registration":${i},"pad":"${"g".repeat(random(round % 2 === 0 ? 200_000 : 9_000))}"}`);
      if (round % 5 !== 4) lines.push('{"end":{"receipts":0,"pending":0,"registrations":0}}');
      const text = lines.map((l, i) => l + (i < lines.length - 1 || round % 2 === 0 ? breaks[random(3)] : "")).join("");
      const { run } = await both(Buffer.from(text));
      expect(run.count).to.equal(registrations);
    }
  });

  it("joins a \\r\\n that straddles a backward block, and a registration line longer than a block", async () => {
    const end = '\r\n{"end":{}}\r\n';
    for (const cut of [-1, 0, 1, 2]) {
      // The block boundary falls `cut` bytes from the \r of the \r\n that ends the first registration line.
      const second = `{"registration":1,"pad":"${"p".repeat(TAIL_BLOCK - end.length - 2 + cut - 27)}"}`;
      const text = `{"format":"sealproof-audit/1"}\r\n{"a":1}\r\n{"registration":0}\r\n${second}${end}`;
      const { run } = await both(Buffer.from(text));
      expect(run).to.include({ count: 2, after: 1 });
    }
    const long = `{"format":"sealproof-audit/1"}\n{"a":1}\n{"registration":"${"x".repeat(3 * TAIL_BLOCK)}"}\n{"registration":2}\n{"end":{}}\n`;
    expect((await both(Buffer.from(long))).run).to.include({ count: 2, after: 1 });
  });
});
