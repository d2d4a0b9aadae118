// The service a sealing command talks to, the member's API key, and the public base URL pinned for it: QR links are
// built from that pin, never from what the service answers, so a service gone bad cannot make the paper point elsewhere.
import fs from "node:fs";
import { CliUsageError } from "./command";
import { readTrusted, trustedFor } from "./trust-store";

export interface ServiceAccess {
  url: string;
  apiKey: string;
  publicBaseUrl: string;
}

export function serviceAccess(options: { url?: string; "api-key-file"?: string }): ServiceAccess {
  const apiKey = options["api-key-file"] ? fs.readFileSync(options["api-key-file"], "utf8").trim() : process.env.SEALPROOF_API_KEY;
  if (!apiKey) throw new CliUsageError("give your API key in a file with --api-key-file, or in $SEALPROOF_API_KEY");
  const url = options.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
  const trusted = trustedFor(url, readTrusted());
  if (trusted === undefined) throw new CliUsageError(`${url} is not a trusted service: run 'sealproof trust add ${url}' first (the QR's link is built from its pinned public base URL)`);
  return { url, apiKey, publicBaseUrl: trusted.publicBaseUrl };
}
