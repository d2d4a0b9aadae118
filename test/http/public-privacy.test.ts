// No public answer carries personal data. A company is seeded with named members, its legal representative's ID
// number, physical seals in smart-seal devices, stamps at exact locations with photos (one scenario publishing its
// photos, one not), an unauthorized stamp, an electronic usage and a linked scan, all anchored. Then every public route
// is called for every receipt id: the API routes declared `auth: "public"` and every route the app mounts outside the
// API router, both read from the app itself, so a route added later is scanned without editing this test. Each answer
// (status, headers, body, the QR codes in its images, the assets its pages load) is searched for the seeded data.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { OPERATOR_TOKEN } from "../helpers/service";
import { documentHash, enrolDevice, grantBody, ok, useSeal, type Person, type TestDevice } from "../helpers/company";
import { recordsOf, stampMessage } from "../devices/helpers";
import { createApp } from "../../service/http/app";
import { generateSm2KeyPair, sm3, toHex } from "../../service/evidence";
import { isValidResidentIdNumber, randomCreditCode } from "../../service/domain/registry-check";
import type { StampLocation } from "../../service/evidence/stamp";

/** A resident ID number with its GB 11643 check character, other than the one the test helpers use. */
function residentIdNumber(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

const ID_NUMBER = residentIdNumber("44030619850317211");
const NAMES = { legalRep: "欧阳明远", admin: "司马清扬", custodian: "上官若水", reviewer: "诸葛静远", clerk: "东方晓月", auditor: "慕容雪晴" };
const OFFICE = { lat: 31.2304, lng: 121.4737, radiusM: 300 };
/** Where the stamps were made: inside the fence for the private and the published scenario, and 1.9 km away. */
const PLACES: Record<"private" | "published" | "outside", StampLocation> = {
  private: { lat: 31.231187, lng: 121.474962, accuracyM: 8 },
  published: { lat: 31.229346, lng: 121.472518, accuracyM: 6 },
  outside: { lat: 31.241853, lng: 121.488274, accuracyM: 9 },
};

/** A real PNG, different each time. */
function photo(): Buffer {
  const image = new PNG({ width: 8, height: 8 });
  randomBytes(8 * 8 * 4).copy(image.data);
  return PNG.sync.write(image);
}

interface Answer {
  route: string;
  status: number;
  /** Everything a visitor receives, as text: status line, headers, body, and the text of any QR code in it. */
  text: string;
  body: Buffer;
}

describe("http: no public route answers with personal data", function () {
  this.timeout(240_000);
  let env: AnchoredService;
  /** Receipt ids every parameterised public route is called with. */
  const receipts: Record<string, string> = {};
  const photos: Record<"private" | "published" | "outside", Buffer> = { private: photo(), published: photo(), outside: photo() };
  /** What the scan's own check reads as a member: the legal representative, and the device of the private stamps. */
  const insider: { legalRep: Person; device: string } = { legalRep: { id: "", token: "" }, device: "" };

  before(async () => {
    env = await startAnchoredService();
    const { svc } = env;
    const created = await ok(svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body: { name: "Privacy Check Trading Co.", creditCode: randomCreditCode(), legalRep: { name: NAMES.legalRep, idNumber: ID_NUMBER } } }));
    const rep: Person = { id: created.legalRep.id, token: created.apiKey.secret };
    const member = async (name: string, role: string): Promise<Person> => {
      const added = await ok(svc.call("POST", "/api/v1/members", { token: rep.token, body: { name, roles: [role], department: "sales" } }));
      return { id: added.member.id, token: added.apiKey.secret };
    };
    const admin = await member(NAMES.admin, "seal_admin");
    const custodian = await member(NAMES.custodian, "custodian");
    const reviewer = await member(NAMES.reviewer, "reviewer");
    const clerk = await member(NAMES.clerk, "employee");
    await member(NAMES.auditor, "auditor");
    const scenario = async (code: string, publicPhotos: boolean) =>
      (await ok(svc.call("POST", "/api/v1/scenarios", { token: admin.token, body: { code, name: code, sealKinds: ["physical", "electronic"], sealTypes: ["official"], approval: "legal_rep", publicPhotos } }))).id as string;

    /** A device with a physical seal fenced around the office, unlocked for the clerk under `scenarioId`. */
    const unlocked = async (scenarioId: string, copies: number): Promise<{ device: TestDevice; authorization: string; receipts: string[] }> => {
      const device = await enrolDevice(svc, admin);
      const seal = (await ok(svc.call("POST", "/api/v1/seals", { token: admin.token, body: { kind: "physical", type: "official", name: "公章", device: device.id, custodian: custodian.id, reviewer: reviewer.id, geofence: OFFICE } }))).id;
      await ok(svc.call("POST", "/api/v1/grants", { token: rep.token, body: grantBody(clerk.id, seal, [scenarioId]) }));
      const request = await ok(svc.call("POST", "/api/v1/requests", { token: clerk.token, body: { seal, scenario: scenarioId, documentHash: documentHash(`letter ${copies}`), title: "Letter", reason: "filing", copies } }));
      await ok(svc.call("POST", `/api/v1/requests/${request.id}/approve`, { token: rep.token }));
      await ok(svc.call("POST", `/api/v1/requests/${request.id}/confirm-custody`, { token: reviewer.token }));
      const confirmed = await ok(svc.call("POST", `/api/v1/requests/${request.id}/confirm-custody`, { token: custodian.token }));
      const authorization = await ok(svc.call("GET", `/api/v1/authorizations/${confirmed.authorization}`, { token: clerk.token }));
      return { device, authorization: authorization.id, receipts: authorization.receipts };
    };
    /** The device stamps copy `receipt` at `place` and uploads its photo; resolves the stamp's record data. */
    const stamp = async (unlockedDevice: { device: TestDevice; authorization: string }, n: number, receipt: string, place: keyof typeof PLACES) => {
      const { device } = unlockedDevice;
      const message = stampMessage(device, n, n + 1, { authorization: unlockedDevice.authorization, receipt, location: PLACES[place], photoHash: toHex(sm3(photos[place])) });
      const taken = await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [message] } }));
      expect(taken.results[0].status, JSON.stringify(taken)).to.equal("accepted");
      await ok(svc.call("PUT", `/api/v1/devices/${device.id}/photos/${toHex(sm3(photos[place]))}`, { token: device.credential, raw: photos[place], headers: { "content-type": "image/png" } }));
      return (await recordsOf(svc, created.company.id, "seal.stamped")).find((r) => r.data.device === device.id && r.data.n === n)?.data;
    };

    const quiet = await unlocked(await scenario("private-photos", false), 2);
    Object.assign(insider, { legalRep: rep, device: quiet.device.id });
    const published = await unlocked(await scenario("published-photos", true), 2);
    expect((await stamp(quiet, 0, quiet.receipts[0], "private"))?.authorized).to.equal(true);
    expect((await stamp(published, 0, published.receipts[0], "published"))?.authorized).to.equal(true);
    expect((await stamp(quiet, 1, quiet.receipts[1], "outside"))?.reasons).to.deep.equal(["OUTSIDE_GEOFENCE"]);
    receipts.privatePhoto = quiet.receipts[0];
    receipts.publishedPhoto = published.receipts[0];
    receipts.unauthorized = quiet.receipts[1];
    receipts.reservedUnused = published.receipts[1];

    const keys = generateSm2KeyPair();
    const electronic = await ok(svc.call("POST", "/api/v1/seals", { token: admin.token, body: { kind: "electronic", type: "official", name: "电子公章", publicKey: keys.publicKey } }));
    const routine = (await ok(svc.call("POST", "/api/v1/scenarios", { token: admin.token, body: { code: "routine", name: "routine", sealKinds: ["electronic"], sealTypes: ["official"], approval: "none" } }))).id;
    await ok(svc.call("POST", "/api/v1/grants", { token: rep.token, body: grantBody(clerk.id, electronic.id, [routine]) }));
    receipts.electronic = (await ok(useSeal(svc, clerk, { id: electronic.id, privateKey: keys.privateKey }, routine))).receipt;
    await ok(svc.call("POST", `/api/v1/usages/${receipts.privatePhoto}/documents`, { token: clerk.token, body: { role: "scan", hash: documentHash("scan of the stamped letter") } }));
    receipts.unknown = "7Jq3v9PzX2mKc4TnR8wYbD";
    await env.anchorAll();
  });
  after(() => env.stop());

  /** Every public route as "METHOD /path": the API's public routes and the app's own routes, read from a twin of the app. */
  function publicRoutes(): string[] {
    const { app, api } = createApp({
      ctx: env.svc.ctx, devices: env.svc.devices, operatorToken: OPERATOR_TOKEN, version: "test", bodyLimit: "64kb", publicRateLimit: 10_000, log: () => undefined,
      wellKnown: { deployment: () => env.deployment, deploymentBlock: async () => null, commandPublicKey: null }, verifyPage: { rpcUrl: null, deployment: () => env.deployment },
    });
    const declared = api.routes.map((r) => ({ route: `${r.method.toUpperCase()} /api/v1${r.path}`, auth: r.auth }));
    const mounted = (app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack.flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path}`) : [],
    );
    // A route the app mounts itself for one the API declares (a raw upload's body parser) keeps the API's auth.
    const appOwn = mounted.filter((r) => !declared.some((d) => d.route === r));
    return [...declared.filter((d) => d.auth === "public").map((d) => d.route), ...appOwn];
  }

  /** The paths to call for a route: one per receipt id for `:receiptId`; a parameter of another name is this test's to learn. */
  function pathsOf(route: string): string[] {
    const path = route.slice(route.indexOf(" ") + 1);
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const unknown = params.filter((p) => p !== "receiptId");
    if (unknown.length > 0) throw new Error(`public route ${route} takes :${unknown.join(", :")}: give this test values for it`);
    return params.length === 0 ? [path] : Object.values(receipts).map((r) => path.replace(":receiptId", r));
  }

  /** A visitor's call (no credentials; `token` only for the scan's own check on members' routes). */
  async function answer(method: string, path: string, token?: string): Promise<Answer> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(`${env.svc.url}${path}`, method === "GET" ? { headers } : { method, headers: { ...headers, "content-type": "application/json" }, body: "{}" });
    const body = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    const lines: string[] = [];
    res.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
    const parts = [`${res.status}`, ...lines, body.toString("utf8")];
    if (type.startsWith("image/png")) parts.push(qrText(body));
    return { route: `${method} ${path}`, status: res.status, text: parts.join("\n"), body };
  }

  function qrText(png: Buffer): string {
    const image = PNG.sync.read(png);
    return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? "";
  }

  /** The same-origin scripts, styles and images an HTML page loads. */
  function assetsOf(html: string): string[] {
    return [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]);
  }

  /** What must never be in a public answer, by what it is. */
  function secrets(): Array<[string, string | Buffer]> {
    const places = Object.entries(PLACES).flatMap(([name, p]): Array<[string, string]> => [
      [`${name} stamp's latitude`, String(p.lat)], [`${name} stamp's longitude`, String(p.lng)],
      // Four decimals is about ten metres: a rounded or cut copy of the place is still the place.
      [`${name} stamp's latitude, rounded`, p.lat.toFixed(4)], [`${name} stamp's longitude, rounded`, p.lng.toFixed(4)],
      [`${name} stamp's latitude, cut`, String(Math.trunc(p.lat * 1e4) / 1e4)], [`${name} stamp's longitude, cut`, String(Math.trunc(p.lng * 1e4) / 1e4)],
    ]);
    const private_ = (["private", "outside"] as const).flatMap((name): Array<[string, string | Buffer]> => [
      [`${name} photo's bytes`, photos[name]], [`${name} photo in base64`, photos[name].toString("base64")], [`${name} photo in hex`, photos[name].toString("hex")],
    ]);
    return [
      ...Object.entries(NAMES).map(([who, name]): [string, string] => [`${who}'s name`, name]),
      ["the legal representative's ID number", ID_NUMBER], ["the legal representative's ID number without its check character", ID_NUMBER.slice(0, 17)],
      ...places,
      ...private_,
    ];
  }

  /** What of `secrets()` an answer holds, by what it is. */
  const leaksIn = (a: Answer): string[] => secrets().filter(([, secret]) => (typeof secret === "string" ? a.text.includes(secret) : a.body.includes(secret))).map(([what]) => `${a.route}: ${what}`);

  it("the scan finds the seeded data where members may see it: names, a stamp's location, a private photo", async () => {
    const found = [
      ...leaksIn(await answer("GET", "/api/v1/members", insider.legalRep.token)),
      ...leaksIn(await answer("GET", `/api/v1/devices/${insider.device}/stamps/0/location`, insider.legalRep.token)),
      ...leaksIn(await answer("GET", `/api/v1/devices/${insider.device}/photos/${toHex(sm3(photos.private))}`, insider.legalRep.token)),
    ].map((leak) => leak.slice(leak.indexOf(": ") + 2));
    expect(found).to.include.members([...Object.keys(NAMES).map((who) => `${who}'s name`), "private stamp's latitude", "private stamp's longitude", "private stamp's longitude, cut", "private photo's bytes"]);
  });

  it("the seed is what the scan looks for: the ID number is valid and held, the names held, the published photo served", async () => {
    expect(isValidResidentIdNumber(ID_NUMBER)).to.equal(true);
    const company = (await env.svc.store.records.getByReceipt(receipts.privatePhoto))?.record.company ?? "";
    expect((await env.svc.store.companies.get(company))?.legalRepIdNumber).to.equal(ID_NUMBER);
    expect((await env.svc.store.members.list(company)).map((m) => m.name)).to.include.members(Object.values(NAMES));
    const published = await answer("GET", `/api/v1/receipts/${receipts.publishedPhoto}/photo`);
    expect([published.status, published.body.equals(photos.published)]).to.deep.equal([200, true]);
  });

  it("every public route, for every receipt id, answers without a name, an ID number, an exact location or a private photo", async () => {
    const routes = publicRoutes();
    // The registry is read, not written here: the routes this test was written against are among those it found.
    expect(routes).to.include.members(["GET /api/v1/receipts/:receiptId", "GET /api/v1/receipts/:receiptId/qr.png", "GET /v/:receiptId", "GET /.well-known/sealproof.json", "GET /healthz"]);
    const answers: Answer[] = [];
    for (const route of routes) {
      const method = route.slice(0, route.indexOf(" "));
      for (const path of pathsOf(route)) {
        const got = await answer(method, path);
        answers.push(got);
        if (got.body.toString("utf8").trimStart().startsWith("<!")) for (const asset of assetsOf(got.body.toString("utf8"))) answers.push(await answer("GET", asset));
      }
    }
    // Each route was reached (no answer is the app's "no such route"), the verify page's assets were read, and the
    // stamps' public receipts were found.
    expect(answers.filter((a) => a.route.startsWith("GET /assets/") && a.status === 200)).to.have.length.greaterThan(0);
    expect(answers.filter((a) => a.text.includes("ROUTE_NOT_FOUND")).map((a) => a.route)).to.deep.equal([]);
    for (const id of [receipts.privatePhoto, receipts.publishedPhoto, receipts.unauthorized, receipts.electronic]) {
      expect(answers.find((a) => a.route === `GET /api/v1/receipts/${id}`)?.status, id).to.equal(200);
    }
    // The QR codes were read: the image's code is its receipt's verify link.
    expect(answers.find((a) => a.route === `GET /api/v1/receipts/${receipts.privatePhoto}/qr.png`)?.text).to.match(new RegExp(`/v/${receipts.privatePhoto}$`));
    expect(answers.flatMap(leaksIn)).to.deep.equal([]);
  });

  it("the published photo is served for its own receipt id only", async () => {
    const photoRoutes = publicRoutes().filter((r) => r.endsWith("/photo"));
    expect(photoRoutes.length, "a public photo route").to.be.greaterThan(0);
    for (const id of Object.values(receipts)) {
      const got = await answer("GET", `/api/v1/receipts/${id}/photo`);
      expect([id, got.body.equals(photos.published)]).to.deep.equal([id, id === receipts.publishedPhoto]);
    }
  });
});
