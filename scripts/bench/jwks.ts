/**
 * The bench's stand-in for Better Auth: a JWKS endpoint serving one fresh
 * Ed25519 public key, and the matching private key to mint each bench user's
 * token. Both servers fetch the key from here, so they verify the same tokens.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface JwksServer {
  /** Where the servers fetch the key (AUTH_JWKS_URL). */
  url: string;
  /** A token for this user id, valid for four hours: longer than any bench run. */
  mintToken: (sub: string) => Promise<string>;
  close: () => Promise<void>;
}

export async function startJwksServer(claims: { issuer: string; audience: string }): Promise<JwksServer> {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }] });
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`;
  const mintToken = (sub: string) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      sub,
      email: `${sub}@bench.test`,
      iss: claims.issuer,
      aud: claims.audience,
      iat: now,
      exp: now + 4 * 3600,
    })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .sign(privateKey);
  };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, mintToken, close };
}
