// One document hash sealed again and again in a period.
import { finding, groupBy, inPeriod, type Rule } from "../anomalies";

export const repeatedDocument: Rule = {
  name: "repeated-document",
  thresholds: (s) => ({ repeatedDocumentCount: s.repeatedDocumentCount }),
  evaluate: ({ log, period, settings }) => {
    const usages = log.filter((e) => e.type === "seal.used" && inPeriod(e, period) && typeof e.data.documentHash === "string");
    return [...groupBy(usages, (e) => String(e.data.documentHash))]
      .filter(([, sealed]) => sealed.length >= settings.repeatedDocumentCount)
      .map(([hash, sealed]) => finding("repeated-document", "warning", `${hash}:${sealed[0].ref.id}`, hash, `document ${hash} was sealed ${sealed.length} times`, sealed));
  },
};
