/**
 * api/json/sessions/sign-in-throttle.ts with an injected clock: a key or an address is refused once its
 * failures reach the limit within the window, for the rest of the window, with the seconds left; a success
 * forgets the key's failures but not the address's; the counters are bounded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignInThrottle } from "../../../../src/api/json/sessions/sign-in-throttle.js";

describe("SignInThrottle", () => {
  it("refuses a key at its limit until the window that began with its first failure ends", () => {
    let now = 1_000_000;
    const throttle = new SignInThrottle({ now: () => now, perKey: 3, perAddress: 100, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.1"), undefined);
      throttle.failed("AK", "10.0.0.1");
      now += 1_000;
    }
    assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.1"), 57);
    assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.2"), 57, "from any address");
    assert.equal(throttle.retryAfterSeconds("OTHER", "10.0.0.1"), undefined, "another key is not refused");
    now = 1_000_000 + 59_500;
    assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.1"), 1, "rounded up");
    now = 1_000_000 + 60_000;
    assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.1"), undefined, "the window is over");
    throttle.failed("AK", "10.0.0.1");
    assert.equal(throttle.retryAfterSeconds("AK", "10.0.0.1"), undefined, "a new window starts with one failure");
  });

  it("refuses an address at its limit whatever the key, and a success forgets the key's failures only", () => {
    const now = 5_000;
    const throttle = new SignInThrottle({ now: () => now, perKey: 3, perAddress: 4, windowMs: 60_000 });
    throttle.failed("AK1", "10.0.0.1");
    throttle.failed("AK1", "10.0.0.1");
    throttle.succeeded("AK1");
    throttle.failed("AK1", "10.0.0.1");
    throttle.failed("AK1", "10.0.0.9");
    assert.equal(throttle.retryAfterSeconds("AK1", "10.0.0.2"), undefined, "two since the success: under 3");
    throttle.failed("AK2", "10.0.0.1");
    assert.equal(throttle.retryAfterSeconds("AK3", "10.0.0.1"), 60, "the address's four failures count");
    assert.equal(throttle.retryAfterSeconds("AK3", "10.0.0.2"), undefined);
  });

  it("keeps at most maxEntries counters, dropping the oldest", () => {
    const throttle = new SignInThrottle({
      now: () => 0,
      perKey: 1,
      perAddress: 1_000,
      maxEntries: 4,
      windowMs: 60_000,
    });
    throttle.failed("AK1", "10.0.0.1");
    assert.equal(throttle.retryAfterSeconds("AK1", "10.0.0.5"), 60);
    throttle.failed("AK2", "10.0.0.1");
    throttle.failed("AK3", "10.0.0.1");
    throttle.failed("AK4", "10.0.0.1");
    assert.equal(throttle.retryAfterSeconds("AK1", "10.0.0.5"), undefined, "AK1's counter was the oldest");
    assert.equal(throttle.retryAfterSeconds("AK4", "10.0.0.5"), 60);
  });
});
