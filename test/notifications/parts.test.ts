/**
 * The pure parts of webhooks (D42): the signature is Standard Webhooks' (their published test vector), a
 * receiver's check refuses a changed body, another secret and an old timestamp; the allow-list's hosts,
 * wildcards and ports; the backoff doubles up to its cap with jitter in [d/2, d].
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AllowedHosts } from "../../src/notifications/allowed-hosts.js";
import { backoffDelay } from "../../src/notifications/backoff.js";
import { newWebhookSecret, signature, verifySignature } from "../../src/notifications/signature.js";

describe("webhook signatures", () => {
  it("match Standard Webhooks' test vector", () => {
    assert.equal(
      signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("verify only the body, secret and recent timestamp they were made for", () => {
    const secret = newWebhookSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const body = '{"id":"1"}';
    const headers = { id: "1", timestamp: "1000", signature: signature(secret, "1", 1000, body) };
    assert.ok(verifySignature(secret, headers, body, 1000));
    assert.ok(verifySignature(secret, { ...headers, signature: `v1,bm90IGl0 ${headers.signature}` }, body, 1200));
    assert.ok(!verifySignature(secret, headers, '{"id":"2"}', 1000), "another body");
    assert.ok(!verifySignature(newWebhookSecret(), headers, body, 1000), "another secret");
    assert.ok(!verifySignature(secret, headers, body, 1000 + 301), "a replay after the tolerance");
    assert.ok(!verifySignature(secret, { ...headers, timestamp: undefined }, body, 1000));
  });
});

describe("the allow-list", () => {
  it("allows only the hosts, wildcards and ports the operator named", () => {
    const allowed = new AllowedHosts(["hooks.example.com", "*.internal.example", "10.0.0.7:8443", "[::1]"]);
    assert.equal(allowed.refusal("https://hooks.example.com/x"), undefined);
    assert.equal(allowed.refusal("http://HOOKS.example.com:9000/x"), undefined, "any port when none is named");
    assert.equal(allowed.refusal("https://a.b.internal.example/"), undefined);
    assert.match(allowed.refusal("https://internal.example/") ?? "", /not in notifications\.allowedHosts/);
    assert.equal(allowed.refusal("https://10.0.0.7:8443/"), undefined);
    assert.match(allowed.refusal("https://10.0.0.7/") ?? "", /10\.0\.0\.7 is not in/);
    assert.equal(allowed.refusal("http://[::1]:8080/"), undefined);
    assert.match(allowed.refusal("http://hooks.example.com.evil.test/") ?? "", /not in/);
    assert.match(allowed.refusal("ftp://hooks.example.com/") ?? "", /only http and https/);
    assert.match(allowed.refusal("https://u:p@hooks.example.com/") ?? "", /user info/);
    assert.match(allowed.refusal("not a url") ?? "", /not an absolute URL/);
    assert.match(new AllowedHosts([]).refusal("https://hooks.example.com/") ?? "", /webhooks are off.*allowedHosts/);
  });
});

describe("the backoff", () => {
  it("doubles from the base to the cap, each wait in [d/2, d]", () => {
    const policy = { baseMs: 1_000, maxMs: 10_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 1)),
      [1_000, 2_000, 4_000, 8_000, 10_000, 10_000],
    );
    assert.deepEqual(
      [1, 2, 5].map((n) => backoffDelay(policy, n, () => 0)),
      [500, 1_000, 5_000],
    );
  });
});
