/**
 * Assertion helpers shared by the API tests.
 */
import assert from "node:assert/strict";
import { type DomainErrorKind, isDomainError } from "../../src/domain/errors.js";

/** Asserts that `fn` throws a DomainError of `kind` whose message matches `message` (when given). */
export function assertDomainError(fn: () => unknown, kind: DomainErrorKind, message?: RegExp | string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected a ${kind} DomainError, but nothing was thrown`);
  assert.ok(isDomainError(thrown), `expected a DomainError, got ${String(thrown)}`);
  assert.equal(thrown.kind, kind, `wrong kind (message: ${thrown.message})`);
  if (typeof message === "string") assert.equal(thrown.message, message);
  else if (message !== undefined) assert.match(thrown.message, message);
}
