// Boots the real HTTP app on a real SQLite file in a temp dir, on an ephemeral loopback port, and gives
// tests a small JSON client plus shortcuts to set up a company.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import express, { type RequestHandler } from "express";
import pino from "pino";
import { createApp, type AppOptions } from "../../service/http/app";
import { createHttpServer } from "../../service/http/server";
import { fileBlobStore } from "../../service/blobs/files";
import { sealedBlobStore } from "../../service/blobs/sealed";
import type { BlobStore } from "../../service/blobs/port";
import { DEFAULT_PHOTO_MAX_BYTES } from "../../service/devices/photos";
import { openStore } from "../../service/store/open";
import { formatRegistryCheck } from "../../service/domain/registry-check";
import { createSm2Pool } from "../../service/workers/sm2-pool";
import { withSealedFields } from "../../service/domain/sealed-fields";
import { sm4GcmCipher } from "../../service/crypto/field-cipher";
import type { DomainContext } from "../../service/domain/context";
import type { DeviceContext } from "../../service/devices/context";
import { generateSm2KeyPair, type Sm2KeyPair } from "../../service/evidence";
import { SERVICE_SCHEMA, type ServiceStore as Store } from "../../service/schema";

export const OPERATOR_TOKEN = "op_test_token_0123456789";

// Response bodies are whatever JSON the server sent; tests read fields freely and assert on them.
export interface Reply<T = any> {
  status: number;
  body: T;
}

export interface TestService {
  url: string;
  /** The store as the domain sees it: personal fields decrypted (on disk they are SM4-encrypted with `dataKey`). */
  store: Store;
  dataKey: Buffer;
  ctx: DomainContext;
  /** The device routes' context; its command key is the service's (devices obey commands signed with it). */
  devices: DeviceContext;
  dataDir: string;
  /** Where stamp photos are kept: files under dataDir sealed with `dataKey`, unless the test gave its own. */
  blobs: BlobStore;
  /** Every line the service logged, as written (JSON). */
  logs: string[];
  call<T = any>(method: string, route: string, options?: { token?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> }): Promise<Reply<T>>;
  stop(): Promise<void>;
}

export type Call = TestService["call"];

/** A small JSON client for the API at `url`: what tests use to talk to an in-process or child-process service. */
export function jsonClient(url: string): { call: Call } {
  return {
    async call(method, route, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | Uint8Array | undefined = options.raw;
      if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${url}${route}`, { method, headers, body: body as BodyInit | undefined });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Non-JSON bodies stay text, so a test can show what came back.
      }
      return { status: res.status, body: parsed as any };
    },
  };
}

export interface AppOverrides extends Partial<Pick<AppOptions, "publicRateLimit" | "bodyLimit" | "publicBaseUrl" | "verifyPage" | "rpcProxy" | "wellKnown" | "health" | "batcher" | "webhookTargets" | "photos">> {
  /** Runs before the app on every request: lets a test change what the real routes answer (a server gone bad). */
  intercept?: RequestHandler;
}

export async function startService(overrides: Partial<DomainContext> = {}, appOverrides: AppOverrides = {}, commandKey: Sm2KeyPair = generateSm2KeyPair()): Promise<TestService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-test-"));
  const dataKey = randomBytes(16);
  const store = withSealedFields(await openStore({ dataDir, schema: SERVICE_SCHEMA }), sm4GcmCipher(dataKey));
  const pool = createSm2Pool(0);
  const ctx: DomainContext = { store, now: () => new Date(), registryCheck: formatRegistryCheck, reservationTtlMs: 3_600_000, verifyUsage: pool.verify, ...overrides };
  const devices: DeviceContext = { ...ctx, store, commandKey, verifyMessage: pool.verifyMessage };
  const { intercept, ...options } = appOverrides;
  // Every answer is checked against its route's response schema: a route answering what it does not declare fails its test.
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const log = (msg: string, err?: unknown) => logger.error({ err }, msg);
  const photos = options.photos ?? { blobs: sealedBlobStore(fileBlobStore(path.join(dataDir, "blobs")), dataKey), maxBytes: DEFAULT_PHOTO_MAX_BYTES };
  const consoleAuth = { store, now: () => ctx.now() };
  const { app } = createApp({ ctx, devices, photos, consoleAuth, operatorToken: OPERATOR_TOKEN, version: "test", bodyLimit: "64kb", publicRateLimit: 10_000, log, logger, checkResponses: true, ...options });
  const root = intercept ? express().use(intercept, app) : app;
  const server: Server = await new Promise((resolve) => {
    // The service's own server (see server.ts), so every HTTP test runs through it.
    const s = createHttpServer(root).listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    dataKey,
    ctx,
    devices,
    dataDir,
    blobs: photos.blobs,
    logs,
    call: jsonClient(url).call,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.close();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
