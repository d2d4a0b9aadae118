// The verify page: fetch the receipt, then check it here in the browser against the chain with the same
// evidence code the service uses; the server's word is taken for nothing but the names it shows.
import { readReceiptView, verifyReceiptView, type ViewReport } from "../../service/evidence";
import { bytesSm3Hex, fileSm3Hex } from "./document-check";
import { saveLang, savedLang, WORDS } from "./i18n";
import { createJsonRpcReader } from "./json-rpc-reader";
import { readPageConfig } from "./page-config";
import { fetchReceipt } from "./receipt-api";
import { render, type Anchored, type Handlers, type Model } from "./view";

const config = readPageConfig(document);
const root = document.getElementById("app") as HTMLElement;
const model: Model = { lang: savedLang(), config, rpcUrl: absoluteUrl(config.rpcUrl ?? ""), phase: { kind: "loading" }, document: { kind: "none" }, photo: { kind: "none" } };
// Each run bumps its counter; an answer that arrives after a newer run started is dropped.
let verifyRun = 0;
let documentRun = 0;

const handlers: Handlers = {
  switchLang() {
    model.lang = model.lang === "zh" ? "en" : "zh";
    saveLang(model.lang);
    update();
  },
  retry: () => void load(),
  rerun(rpcUrl) {
    model.rpcUrl = absoluteUrl(rpcUrl);
    if (model.phase.kind === "verified" || model.phase.kind === "verifying") void check(model.phase.anchored);
    else void load();
  },
  checkFile: (file) => void checkDocument(file),
};

function update(): void {
  document.documentElement.lang = model.lang === "zh" ? "zh-CN" : "en";
  document.title = WORDS[model.lang].title;
  const focused = document.activeElement instanceof HTMLInputElement ? document.activeElement.id : "";
  render(root, model, handlers);
  if (focused) document.getElementById(focused)?.focus();
}

async function load(): Promise<void> {
  const run = ++verifyRun;
  model.phase = { kind: "loading" };
  update();
  const fetched = await fetchReceipt(config.apiBase, config.receiptId);
  if (run !== verifyRun) return;
  if (fetched.kind === "anchored") return check(fetched);
  model.phase = fetched.kind === "pending" ? { kind: "pending", seal: fetched.seal } : fetched.kind === "not-found" ? { kind: "not-found" } : { kind: "unavailable", rateLimited: fetched.rateLimited };
  update();
}

async function check(anchored: Anchored): Promise<void> {
  const run = ++verifyRun;
  model.phase = { kind: "verifying", anchored };
  update();
  const deployment = config.deployment;
  if (deployment === null) {
    model.phase = { kind: "unconfigured" };
    update();
    return;
  }
  if (anchored.photoUrl !== null && model.photo.kind === "none") void loadPhoto(anchored.photoUrl);
  let report: ViewReport;
  try {
    report = await verifyReceiptView(readReceiptView(anchored.view), createJsonRpcReader(model.rpcUrl, deployment.contract), { deployment, receiptId: config.receiptId });
  } catch {
    // verifyReceipt reports chain failures as steps; a throw means data it cannot even judge.
    if (run === verifyRun) {
      model.phase = { kind: "unavailable", rateLimited: false };
      update();
    }
    return;
  }
  if (run !== verifyRun) return;
  model.phase = { kind: "verified", anchored, report };
  update();
}

/** The file's SM3; which of the receipt's hashes it matches is judged when the page renders, against the latest report. */
async function checkDocument(file: File): Promise<void> {
  const { phase } = model;
  if (phase.kind !== "verified" && phase.kind !== "verifying") return;
  const run = ++documentRun;
  model.document = { kind: "hashing", name: file.name, size: file.size };
  update();
  // Let the "computing" state paint before hashing a large file blocks the page.
  await new Promise((resolve) => setTimeout(resolve, 16));
  const hash = await fileSm3Hex(file);
  if (run !== documentRun) return;
  model.document = { kind: "done", name: file.name, size: file.size, hash };
  update();
}

/** Fetches a published stamp photo and hashes its bytes here; whether they are the anchored photo is judged on render. */
async function loadPhoto(url: string): Promise<void> {
  model.photo = { kind: "loading" };
  update();
  try {
    const res = await fetch(url, { cache: "no-store" });
    if (!res.ok) throw new Error(String(res.status));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    model.photo = { kind: "loaded", src: URL.createObjectURL(new Blob([bytes], { type: /^image\/(jpeg|png)$/.test(type) ? type : "application/octet-stream" })), hash: bytesSm3Hex(bytes) };
  } catch {
    model.photo = { kind: "unavailable" };
  }
  update();
}

/** The endpoint as a full URL, so the visitor sees where their browser reads the chain ("/rpc" is on this origin). */
function absoluteUrl(url: string): string {
  if (url === "") return "";
  try {
    return new URL(url, location.href).href;
  } catch {
    return url;
  }
}

// A file dropped beside the drop zone would make the browser leave the page and open it.
for (const type of ["dragover", "drop"] as const) window.addEventListener(type, (event) => event.preventDefault());

void load();
