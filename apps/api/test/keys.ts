/**
 * Signing keys and tokens of our own, and a JWKS endpoint like Better Auth's
 * serving them: for the API tests (every bad token can be minted) and for the
 * benchmark. Nothing here needs the test runner or the app.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export const ISSUER = "http://localhost:3000";
export const AUDIENCE = "http://localhost:8000";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } };
}

/** A JWKS endpoint like Better Auth's, whose keys a test can rotate, and which counts its fetches. */
export class JwksServer {
  fetches = 0;
  /**
   * While set, every fetch fails: answered 500 (the web app is down or failing), 200 with a page
   * that is no key set (a proxy's error page), or 200 with a key set cut off halfway (the
   * connection lost).
   */
  failing: false | true | "page" | "cut" = false;
  keys: SigningKey[] = [];
  private server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(keys: SigningKey[]): Promise<JwksServer> {
    let instance: JwksServer | undefined;
    const server = createServer((_request, response) => {
      if (!instance) return response.end();
      instance.fetches++;
      if (instance.failing === "cut") {
        const whole = JSON.stringify({ keys: instance.keys.map((key) => key.publicJwk) });
        response.writeHead(200, { "content-type": "application/json", "content-length": whole.length });
        response.write(whole.slice(0, whole.length / 2));
        return setTimeout(() => response.destroy(), 20);
      }
      if (instance.failing === "page") {
        response.setHeader("content-type", "text/html");
        return response.end("<!doctype html><title>Bad gateway</title><p>The site is being updated.</p>");
      }
      if (instance.failing) {
        response.statusCode = 500;
        return response.end();
      }
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: instance.keys.map((key) => key.publicJwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    instance = new JwksServer(server);
    instance.keys = keys;
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/auth/jwks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface MintOptions {
  key: SigningKey;
  claims?: JWTPayload;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  header?: Record<string, unknown>;
}

/** A token like Better Auth's; `sid` is a fresh session id unless the claims name one (or `sid: undefined`). */
export async function mintToken({ key, claims = {}, expiresIn = 900, header = {} }: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + expiresIn, sid: randomUUID(), ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...header })
    .sign(key.privateKey);
}
