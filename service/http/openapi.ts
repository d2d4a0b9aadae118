// OpenAPI 3.1 description built from the route table (api.ts), served at /api/v1/openapi.json.
import { z } from "zod";
import type { RefusedMethod, RouteSpec } from "./api";

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string", description: "machine-readable error code" }, message: { type: "string" }, details: {} },
    },
  },
};

export function openApiDocument(routes: RouteSpec[], refused: RefusedMethod[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of [...routes, ...refused]) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, "{$1}")}`;
    paths[path] ??= {};
    paths[path][route.method] = "allow" in route ? refusal(route) : operation(route);
  }
  paths["/healthz"] = {
    get: {
      tags: ["health"], summary: "Liveness: { status: ok | degraded, version, anchoring: ok | degraded }; degraded while anchoring is behind (dev chain down, batcher retrying or halted, a record waiting over two batch intervals); with the operator token also reasons [{ code, message }], the store, record count, chain, batcher and dev chain",
      security: [{}, { operatorToken: [] }], responses: { "200": { description: "the service is up and takes records, status ok or degraded" }, "401": { description: "a token was sent and is not the operator token" } },
    },
  };
  paths["/metrics"] = {
    get: {
      tags: ["health"], summary: "Prometheus metrics (operator token): requests by route and status, usages accepted and refused by code, records waiting, batches unanchored, batcher state, anchor time and failures, alerts raised by code",
      security: [{ operatorToken: [] }], responses: { "200": { description: "Prometheus text format 0.0.4", content: { "text/plain": { schema: { type: "string" } } } }, "401": { description: "no operator token" } },
    },
  };
  paths["/.well-known/sealproof.json"] = {
    get: {
      tags: ["deployment"], summary: "The deployment verifiers pin: { format: sealproof-deployment/1, chainId, contract, deploymentBlock, commandPublicKey, mqttUrl, publicBaseUrl }",
      security: [], responses: { "200": { description: "the published deployment" }, "503": { description: "the chain has not been reached yet (CHAIN_NOT_READY)" } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "sealproof API", version, description: "Evidence service for company seals. Errors are {error:{code,message,details}}; POSTs and DELETEs answering JSON accept an Idempotency-Key header, but for those that set the console session cookie. Members authenticate with an API key, or with the console session cookie (state changes then carry X-CSRF-Token)." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "a member's API key" },
        operatorToken: { type: "http", scheme: "bearer", description: "the operator token" },
        deviceCredential: { type: "http", scheme: "bearer", description: "a smart-seal device's credential, shown once at enrolment" },
        consoleSession: {
          type: "apiKey", in: "cookie", name: "sealproof-session",
          description: "the console's session cookie (__Host-sealproof-session behind TLS), set by passkey sign-in; state changes also carry X-CSRF-Token, and acts marked step-up a passkey assertion younger than five minutes",
        },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}

const SECURITY: Record<RouteSpec["auth"], object[]> = { member: [{ apiKey: [] }, { consoleSession: [] }], operator: [{ operatorToken: [] }], device: [{ deviceCredential: [] }], public: [], session: [{ consoleSession: [] }] };

function operation(route: RouteSpec): object {
  const security = SECURITY[route.auth];
  const errorResponse = { description: "refused; see error.code", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  const op: Record<string, unknown> = {
    tags: [route.tag],
    summary: route.stepUp ? `${route.summary} (with a console session: after a step-up)` : route.summary,
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    security,
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query"), ...(route.method !== "get" && route.method !== "put" && route.produces === undefined && !route.setsSession ? [idempotencyHeader] : [])],
    responses: { [String(route.status)]: { description: "success", content: successContent(route) }, "4XX": errorResponse },
  };
  if (route.consumes) op.requestBody = { required: true, content: mediaContent(route.consumes) };
  else if (route.body) op.requestBody = { required: !route.body.safeParse({}).success, content: { "application/json": { schema: jsonSchema(route.body, "input") } } };
  return op;
}

/** A method the path does not serve: it only ever answers 405, naming the one that does. */
function refusal(refused: RefusedMethod): object {
  const allow = refused.allow.toUpperCase();
  return {
    tags: [refused.tag],
    summary: `Not served: ${refused.reason}; use ${allow}`,
    operationId: `${refused.method}${refused.path.replace(/[^A-Za-z0-9]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    security: [],
    responses: {
      "405": { description: `METHOD_NOT_ALLOWED, with Allow: ${allow}`, headers: { Allow: { schema: { type: "string", const: allow } } }, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    },
  };
}

function successContent(route: RouteSpec): object {
  if (route.produces) return mediaContent(route.produces);
  return { "application/json": { schema: jsonSchema(route.response, "output") } };
}

/** Bodies of the given media types, each a string of that type's bytes. */
function mediaContent(media: NonNullable<RouteSpec["produces"]>): object {
  const types: readonly string[] = typeof media === "string" ? [media] : media;
  return Object.fromEntries(types.map((type) => [type, { schema: { type: "string", contentMediaType: type } }]));
}

const idempotencyHeader = { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 128 }, description: "a retry with the same key and body returns the first response and writes nothing new" };

function parameters(schema: z.ZodType | undefined, location: "path" | "query"): object[] {
  if (!schema) return [];
  const json = jsonSchema(schema, "input") as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: location, required: location === "path" || (json.required ?? []).includes(name), schema: s }));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): object {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
