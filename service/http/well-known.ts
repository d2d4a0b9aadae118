// GET /.well-known/sealproof.json: the deployment a verifier pins once (`sealproof trust add`), after comparing
// it with what the operator publishes through other channels, and checks every receipt against afterwards.
import type { Express } from "express";
import { errorBody } from "./errors";
import { ownBaseUrl } from "./routes/receipt-qr";
import { WELL_KNOWN_FORMAT, WELL_KNOWN_PATH, type Deployment, type PublishedDeployment } from "../evidence";

export interface WellKnownSource {
  /** The deployment, or null while the chain has not been reached yet. */
  deployment(): Deployment | null;
  deploymentBlock(): Promise<number | null>;
  commandPublicKey: string | null;
  /** Where devices reach the MQTT broker; absent or null without MQTT. */
  mqttUrl?: string | null;
}

/** `publicBaseUrl` undefined: the address each request came in on, as for the QR links. */
export function mountWellKnown(app: Express, source: WellKnownSource, publicBaseUrl: string | undefined): void {
  app.get(WELL_KNOWN_PATH, async (req, res) => {
    const deployment = source.deployment();
    if (deployment === null) {
      res.status(503).json(errorBody("CHAIN_NOT_READY", "the service has not reached its chain yet; retry shortly"));
      return;
    }
    const body: PublishedDeployment = {
      format: WELL_KNOWN_FORMAT,
      chainId: deployment.chainId,
      contract: deployment.contract.toLowerCase(),
      deploymentBlock: await source.deploymentBlock().catch(() => null),
      commandPublicKey: source.commandPublicKey,
      mqttUrl: source.mqttUrl ?? null,
      publicBaseUrl: publicBaseUrl ?? ownBaseUrl(req),
    };
    res.set("Cache-Control", "public, max-age=300").json(body);
  });
}
