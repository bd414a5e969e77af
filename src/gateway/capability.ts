/**
 * Capability tokens: what an approval turns into. A short-lived JWT signed with the agent's Ed25519
 * key, bound to one approval and to a digest of exactly what was approved (action, parameters,
 * target). The gateway refuses an approve-tier run without one, and each token is good once (its id
 * is recorded when spent), so a token cannot be replayed, stretched past its expiry or reused for
 * other parameters.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from "node:crypto";
import path from "node:path";
import { canonicalJson } from "../core/canonical.ts";
import { readPrivate, writePrivate } from "../core/safe-file.ts";

const alg = "EdDSA";
const issuer = "vigil";
export const capabilityKeyFile = (dataDir: string) => path.join(dataDir, "capability.key");

/** What a capability authorises: the approved action, its parameters and target, digested. */
export function actionDigest(action: string, params: Record<string, string>, target: string | null): string {
  return createHash("sha256").update(canonicalJson({ action, params, target })).digest("base64url");
}

export interface CapabilityClaims {
  approvalId: string;
  digest: string;
}

export type CapabilityCheck = { ok: true; jti: string } | { ok: false; reason: string };

export class Capabilities {
  readonly #private: KeyObject;
  readonly #public: KeyObject;
  readonly #now: () => number;

  private constructor(privateKey: KeyObject, now: () => number) {
    this.#private = privateKey;
    this.#public = createPublicKey(privateKey);
    this.#now = now;
  }

  /**
   * Loads the agent's key from `data_dir`, generating it (mode 0600) at first start. A link planted
   * under the key's name is refused (core/safe-file.ts): it could hand the agent a key someone knows.
   */
  static open(dataDir: string, now: () => number = Date.now): Capabilities {
    const file = capabilityKeyFile(dataDir);
    let pem = readPrivate(file);
    if (pem === undefined) {
      pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      // Written atomically: a crash never leaves half a key behind.
      writePrivate(file, pem);
    }
    return new Capabilities(createPrivateKey(pem), now);
  }

  /** Mints a token for one approval, good for `ttlMs`. */
  async mint(claims: CapabilityClaims, ttlMs: number): Promise<string> {
    const now = this.#now();
    // jose loads with the first approval: an agent that never asks a person never carries it.
    const { SignJWT } = await import("jose");
    return new SignJWT({ act: claims.digest })
      .setProtectedHeader({ alg })
      .setIssuer(issuer)
      .setSubject(claims.approvalId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor((now + ttlMs) / 1000))
      .sign(this.#private);
  }

  /** Checks signature, expiry and binding. Spending the id is the caller's (it needs the store). */
  async check(token: string, expected: CapabilityClaims): Promise<CapabilityCheck> {
    const { jwtVerify } = await import("jose");
    try {
      const { payload } = await jwtVerify(token, this.#public, {
        algorithms: [alg],
        issuer,
        currentDate: new Date(this.#now()),
        requiredClaims: ["exp", "jti", "sub"],
      });
      if (payload.sub !== expected.approvalId) return { ok: false, reason: "issued for another approval" };
      if (payload.act !== expected.digest)
        return { ok: false, reason: "issued for another action, parameters or target" };
      return { ok: true, jti: payload.jti! };
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (code === "ERR_JWT_EXPIRED") return { ok: false, reason: "expired" };
      if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return { ok: false, reason: "bad signature" };
      return { ok: false, reason: `not a valid capability token (${code || "malformed"})` };
    }
  }
}
