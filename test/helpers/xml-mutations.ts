/**
 * fast-check generators that damage a valid XML request body, for the dialects' codec property tests: insert
 * a fragment (markup, an element of the dialect, odd characters), delete or duplicate a span, rename one
 * element to another everywhere, replace an element's text, cut the body short. Each dialect passes its own
 * element names and fragment list; the copy span and grapheme strings are per-test tuning.
 */
import assert from "node:assert/strict";
import fc from "fast-check";

export type Mutation = (body: string) => string;

export interface FragmentOptions {
  /** Also insert random grapheme strings (multi-code-point characters). */
  readonly graphemes?: boolean;
}

/** A piece of text to insert: one of `fragments`, an open/close/empty tag of `names`, or a random string. */
export function xmlFragment(
  names: readonly string[],
  fragments: readonly string[],
  options: FragmentOptions = {},
): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...fragments),
    fc.constantFrom(...names).map((n) => `<${n}>`),
    fc.constantFrom(...names).map((n) => `</${n}>`),
    fc.constantFrom(...names).map((n) => `<${n}/>`),
    fc.string({ maxLength: 20 }),
    ...(options.graphemes ? [fc.string({ unit: "grapheme", maxLength: 10 })] : []),
    fc.string({ unit: "binary", maxLength: 10 }),
  );
}

/** One damaging edit of a body; `maxCopyLength` bounds the span a duplication copies. */
export function xmlMutation(
  names: readonly string[],
  fragment: fc.Arbitrary<string>,
  maxCopyLength: number,
): fc.Arbitrary<Mutation> {
  const position = fc.nat();
  return fc.oneof(
    fc.tuple(position, fragment).map(([p, f]) => (s: string) => {
      const i = p % (s.length + 1);
      return s.slice(0, i) + f + s.slice(i);
    }),
    fc.tuple(position, fc.nat({ max: 40 })).map(([p, n]) => (s: string) => {
      const i = p % (s.length + 1);
      return s.slice(0, i) + s.slice(i + n);
    }),
    fc.tuple(position, fc.nat({ max: maxCopyLength }), position).map(([p, n, q]) => (s: string) => {
      const i = p % (s.length + 1);
      const j = q % (s.length + 1);
      return s.slice(0, j) + s.slice(i, i + n) + s.slice(j);
    }),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...names)).map(
      ([a, b]) =>
        (s: string) =>
          s.split(a).join(b),
    ),
    // A replacer function, so `$&` and friends in the new text are inserted literally.
    fc.tuple(fc.constantFrom(...names), fragment).map(
      ([n, v]) =>
        (s: string) =>
          s.replace(new RegExp(`<${n}>[^<]*</${n}>`), () => `<${n}>${v}</${n}>`),
    ),
    position.map((p) => (s: string) => s.slice(0, p % (s.length + 1))),
  );
}

/** One of `validBodies` with 1 to `maxMutations` mutations applied in turn. */
export function mutatedBody(
  validBodies: readonly string[],
  mutation: fc.Arbitrary<Mutation>,
  maxMutations: number,
): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...validBodies), fc.array(mutation, { minLength: 1, maxLength: maxMutations }))
    .map(([body, ms]) => ms.reduce((s, m) => m(s), body));
}

/** A random element of `names` holding a fragment or up to `maxChildren` such elements, small depth. */
export function xmlElementTree(
  names: readonly string[],
  fragment: fc.Arbitrary<string>,
  maxChildren: number,
): fc.Arbitrary<string> {
  const { node } = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      fc.tuple(fc.constantFrom(...names), fragment).map(([n, t]) => `<${n}>${t}</${n}>`),
      fc
        .tuple(fc.constantFrom(...names), fc.array(tie("node"), { maxLength: maxChildren }))
        .map(([n, kids]) => `<${n}>${kids.join("")}</${n}>`),
    ),
  }));
  return node;
}

/**
 * Bodies a CreateJob route must refuse cleanly: arbitrary bytes, arbitrary binary strings, or a
 * CreateJobRequest holding up to six random element trees.
 */
export function noiseCreateJobBody(tree: fc.Arbitrary<string>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.array(tree, { maxLength: 6 }).map((kids) => `<CreateJobRequest>${kids.join("")}</CreateJobRequest>`),
  );
}

export type RouteOutcome = "created" | "rejected";

/**
 * Sends 1500 mutated valid bodies through a dialect's CreateJob route. `send` asserts the answer (a job that
 * describes, or a 4xx in the dialect's error format) and says which it was; both must occur often enough, or
 * the property says little.
 */
export async function checkCreateJobRouteUnderMutation(
  bodies: fc.Arbitrary<string>,
  send: (body: string) => Promise<RouteOutcome>,
): Promise<void> {
  const seen: Record<RouteOutcome, number> = { created: 0, rejected: 0 };
  await fc.assert(
    fc.asyncProperty(bodies, async (body) => {
      seen[await send(body)]++;
    }),
    { numRuns: 1500 },
  );
  assert.ok(seen.created > 50, `too few accepted bodies: ${seen.created}`);
  assert.ok(seen.rejected > 500, `too few rejected bodies: ${seen.rejected}`);
}
