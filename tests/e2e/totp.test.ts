/** The tests' TOTP helper against RFC 6238's Appendix B vectors (and base32 against RFC 4648's). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { base32Decode, totp } from "./totp";

test("base32 decodes RFC 4648's examples", () => {
  assert.equal(base32Decode("MZXW6YTBOI======").toString(), "foobar");
  assert.equal(base32Decode("mzxw 6ytb oi").toString(), "foobar");
});

test("TOTP matches RFC 6238 Appendix B (8 digits, SHA-1, SHA-256, SHA-512)", () => {
  const keys = {
    sha1: Buffer.from("12345678901234567890"),
    sha256: Buffer.from("12345678901234567890123456789012"),
    sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
  };
  const vectors: [number, string, string, string][] = [
    [59, "94287082", "46119246", "90693936"],
    [1111111109, "07081804", "68084774", "25091201"],
    [1111111111, "14050471", "67062674", "99943326"],
    [1234567890, "89005924", "91819424", "93441116"],
    [2000000000, "69279037", "90698825", "38618901"],
    [20000000000, "65353130", "77737706", "47863826"],
  ];
  for (const [time, sha1, sha256, sha512] of vectors) {
    assert.equal(totp(keys.sha1, time, { digits: 8 }), sha1, `SHA-1 at ${time}`);
    assert.equal(totp(keys.sha256, time, { digits: 8, algorithm: "sha256" }), sha256, `SHA-256 at ${time}`);
    assert.equal(totp(keys.sha512, time, { digits: 8, algorithm: "sha512" }), sha512, `SHA-512 at ${time}`);
  }
});
