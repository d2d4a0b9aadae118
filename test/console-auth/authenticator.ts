// A software WebAuthn authenticator for server tests: P-256 keys from node:crypto, 'none' attestation in CBOR, and the
// clientDataJSON a browser at `origin` would write. Its answers are genuine: the server verifies them as a browser's.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

/** The options the server sent, as far as an authenticator reads them. */
interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  private readonly credentials: Credential[] = [];

  /** `origin`: where the page runs (the browser writes it into clientDataJSON); `rpId`: what the authenticator scopes keys to. */
  constructor(
    readonly origin: string,
    readonly rpId = new URL(origin).hostname,
  ) {}

  /** navigator.credentials.create(), as JSON; `userVerified` false answers as a key touched without its PIN. */
  register(options: CreationOptions, answer: { userVerified?: boolean; origin?: string; type?: string } = {}) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const jwk = publicKey.export({ format: "jwk" });
    const credential: Credential = { id: randomBytes(16), privateKey, userHandle: options.user.id, counter: 0 };
    this.credentials.push(credential);
    const coseKey = cbor(new Map<number, CborValue>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x ?? "", "base64url")], [-3, Buffer.from(jwk.y ?? "", "base64url")]]));
    const attested = Buffer.concat([Buffer.alloc(16), u16(credential.id.length), credential.id, coseKey]);
    const authData = Buffer.concat([this.rpIdHash(), Buffer.from([flags(answer.userVerified ?? true) | 0x40]), u32(0), attested]);
    const attestationObject = cbor(new Map<string, CborValue>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
    const id = credential.id.toString("base64url");
    return {
      id, rawId: id, type: "public-key", clientExtensionResults: {}, authenticatorAttachment: "platform",
      response: { clientDataJSON: this.clientData(answer.type ?? "webauthn.create", options.challenge, answer.origin), attestationObject: attestationObject.toString("base64url"), transports: ["internal"] },
    };
  }

  /** navigator.credentials.get(), as JSON: with the credential the options allow, else (discoverable) `use` or the first. */
  assert(options: RequestOptions, answer: { use?: string; userVerified?: boolean; origin?: string; counter?: number } = {}) {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential = this.credentials.find((c) => (answer.use === undefined ? allowed.length === 0 || allowed.includes(c.id.toString("base64url")) : c.id.toString("base64url") === answer.use));
    if (credential === undefined) throw new Error("this authenticator holds no credential the options allow");
    credential.counter = answer.counter ?? credential.counter + 1;
    const authData = Buffer.concat([this.rpIdHash(), Buffer.from([flags(answer.userVerified ?? true)]), u32(credential.counter)]);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, answer.origin);
    const signature = sign("sha256", Buffer.concat([authData, createHash("sha256").update(Buffer.from(clientDataJSON, "base64url")).digest()]), credential.privateKey);
    const id = credential.id.toString("base64url");
    return {
      id, rawId: id, type: "public-key", clientExtensionResults: {}, authenticatorAttachment: "platform",
      response: { clientDataJSON, authenticatorData: authData.toString("base64url"), signature: signature.toString("base64url"), userHandle: credential.userHandle },
    };
  }

  /** The ids of the credentials it holds, base64url. */
  get credentialIds(): string[] {
    return this.credentials.map((c) => c.id.toString("base64url"));
  }

  private clientData(type: string, challenge: string, origin = this.origin): string {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString("base64url");
  }

  private rpIdHash(): Buffer {
    return createHash("sha256").update(this.rpId).digest();
  }
}

/** User present, and user verified unless told otherwise. */
const flags = (userVerified: boolean) => 0x01 | (userVerified ? 0x04 : 0);
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

type CborValue = number | string | Uint8Array | Map<number | string, CborValue>;

/** The CBOR (RFC 8949) an authenticator writes: integers, byte and text strings, maps. */
function cbor(value: CborValue): Buffer {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.concat([Buffer.from([(major << 5) | 25]), u16(n)]);
  return Buffer.concat([Buffer.from([(major << 5) | 26]), u32(n)]);
}
