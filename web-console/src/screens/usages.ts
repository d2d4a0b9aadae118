// Usages and stamps: the company's seal.used and seal.stamped records (for those who read the evidence log), newest
// first, each with the link to its public verify page. Records appear once the sequencer has numbered them.
import type { EvidenceRecord, Seal } from "../api";
import type { ScreenContext } from "../screen";
import { badge, card, facts, h, hash, list, time, verifyLink } from "../ui";

/** Pages of 1000 records read at most; beyond, the console says the list stops there. */
const MAX_PAGES = 20;

export async function usagesScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const seals = await c.api.all<Seal>("/seals", "seals");
  const found: EvidenceRecord[] = [];
  let fromSeq: number | null = 0;
  let pages = 0;
  while (fromSeq !== null && pages < MAX_PAGES) {
    const page: { records: EvidenceRecord[]; nextFromSeq: number | null } = await c.api.get(`/records?fromSeq=${fromSeq}&limit=1000`);
    found.push(...page.records.filter((r) => r.type === "seal.used" || r.type === "seal.stamped"));
    fromSeq = page.nextFromSeq;
    pages++;
  }
  const sealName = (id: string) => seals.find((s) => s.id === id)?.name ?? id;
  const items = found.reverse().map((r) => {
    const receipt = typeof r.data.receipt === "string" ? r.data.receipt : null;
    const stamped = r.type === "seal.stamped";
    const authorized = !stamped || r.data.authorized === true;
    return h(
      "article",
      { class: "item", "data-receipt": receipt ?? "" },
      h("h2", { class: "item-title" }, stamped ? w.stampTitle : w.usageTitle, " ", badge(authorized ? w.authorized : w.unauthorized, authorized ? "ok" : "bad")),
      facts([
        [w.seal, sealName(r.subject)],
        [w.time, time(c.lang, r.at)],
        [w.documentHash, typeof r.data.documentHash === "string" ? hash(r.data.documentHash) : null],
        [w.receiptId, receipt ? verifyLink(receipt) : "—"],
      ]),
    );
  });
  return [card(null, h("p", { class: "hint" }, w.usagesNote), fromSeq !== null ? h("p", { class: "hint" }, w.usagesTruncated) : null), list(items, w.noUsages)];
}
