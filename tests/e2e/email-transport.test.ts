/**
 * Account emails do not go in the clear to a mail server elsewhere: `smtp://` to any host but this
 * machine's loopback must upgrade with STARTTLS, so a server (or whoever stands between) that
 * offers none gets nothing, where nodemailer would have sent the SMTP password and every link in
 * the clear. (Every other test's mail server is on loopback, where plain SMTP is taken.)
 */
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { test } from "node:test";
import { mailedTo, startMailbox } from "./mailbox";
import { newPerson, postAuth, startTestProduct } from "./product";

/** An IPv4 address of this machine that is not loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === "IPv4" && !entry.internal)?.address;

test("a mail server elsewhere that offers no STARTTLS gets no email, and the failure is logged", {
  skip: outsideAddress ? false : "this machine has no address but loopback",
}, async () => {
  const mailbox = await startMailbox(outsideAddress);
  const product = await startTestProduct(mailedTo(mailbox), process.env.DATABASE_URL, { keepOutput: true });
  const person = newPerson("Tess");
  assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
  for (let tries = 0; !/\[email\] could not send "Confirm your email address/.test(product.output()); tries++) {
    assert.ok(tries < 300, `no failure logged:\n${product.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(product.output(), /STARTTLS/i);
  assert.equal(mailbox.to(person.email).length, 0, "nothing reached the server in the clear");
});
