/**
 * config/schema-problems.ts: what is wrong with a value, in words, from the JSON Schema it failed. Each problem
 * names its field as a path (`a.b`, `a[0]`, `a["arn:..."]`) and what the field should hold; a union is
 * explained by the branch the value meant (its discriminating constant, or its JSON type); an unknown field
 * comes with the name a typo most likely meant; values are shown only when they are scalars, never for a
 * writeOnly (secret) field, and long ones are cut. The schemas here are small TypeBox ones of the test's own;
 * the config file's own messages are in config-schema.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type TSchema, Type } from "typebox";
import { expected, schemaProblems } from "../../src/config/schema-problems.js";

const messages = (schema: TSchema, value: unknown, path?: string) =>
  schemaProblems(schema, value, path).map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`));

describe("schemaProblems", () => {
  const SERVER = Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
      limits: Type.Optional(
        Type.Object({ maxConnections: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false, title: "server" },
  );

  it("finds nothing wrong with a valid value", () => {
    assert.deepEqual(schemaProblems(SERVER, { name: "a", port: 80, tags: ["x"], limits: { maxConnections: 2 } }), []);
  });

  it("names each field as a path from the value, with what it should hold and what it got", () => {
    assert.deepEqual(messages(SERVER, { name: "", port: 80.5, tags: ["ok", "", 3], limits: { maxConnections: 0 } }), [
      'name: expected a non-empty string, got ""',
      "port: expected an integer from 0 to 65535, got 80.5",
      'tags[1]: expected a non-empty string, got ""',
      "tags[2]: expected a non-empty string, got 3",
      "limits.maxConnections: expected an integer >= 1, got 0",
    ]);
  });

  it("prefixes every path with the one it is given", () => {
    assert.deepEqual(messages(SERVER, { name: "a", port: -1 }, "servers[2]"), [
      "servers[2].port: expected an integer from 0 to 65535, got -1",
    ]);
  });

  it("says which required fields are missing and what they take", () => {
    assert.deepEqual(messages(SERVER, {}), [
      "name: required (a non-empty string)",
      "port: required (an integer from 0 to 65535)",
    ]);
  });

  it("explains a value of the wrong kind as a whole, showing objects and arrays by their kind", () => {
    assert.deepEqual(messages(SERVER, []), ["expected a server, got an empty array"]);
    assert.deepEqual(messages(SERVER, ["a", "b"]), ["expected a server, got an array of 2 items"]);
    assert.deepEqual(messages(SERVER, null), ["expected a server, got null"]);
    assert.deepEqual(messages(SERVER, undefined), ["expected a server, got nothing"]);
    assert.deepEqual(messages(SERVER, { name: "a", port: 1, limits: [1] }), [
      "limits: expected an object, got an array of 1 item",
    ]);
    assert.deepEqual(messages(Type.String(), { a: 1 }), ["expected a string, got an object"]);
  });

  it("names the known field an unknown one most likely meant, or lists the known ones", () => {
    assert.deepEqual(messages(SERVER, { name: "a", port: 1, Port: 2 }), ['Port: unknown field, did you mean "port"?']);
    assert.deepEqual(messages(SERVER, { name: "a", port: 1, tgas: [] }), ['tgas: unknown field, did you mean "tags"?']);
    assert.deepEqual(messages(SERVER, { name: "a", port: 1, nmae: "b" }), [
      'nmae: unknown field, did you mean "name"?',
    ]);
    assert.deepEqual(messages(SERVER, { name: "a", port: 1, colour: "red" }), [
      "colour: unknown field; known fields: name, port, tags, limits",
    ]);
  });

  it("checks the fields of a record against its value schema, naming odd keys in brackets", () => {
    const RECORD = Type.Record(Type.String(), Type.Integer({ minimum: 1 }), { title: "map of names to counts" });
    assert.deepEqual(messages(RECORD, { plain: 1, "arn:aws:x": 0, "with space": "2" }), [
      '["arn:aws:x"]: expected an integer >= 1, got 0',
      '["with space"]: expected an integer >= 1, got "2"',
    ]);
    const nested = Type.Object({ functions: RECORD });
    assert.deepEqual(messages(nested, { functions: { "arn:aws:lambda": 0 } }), [
      'functions["arn:aws:lambda"]: expected an integer >= 1, got 0',
    ]);
  });

  it("explains a union of objects by the branch its discriminating constant names", () => {
    const ROUTE = Type.Union([
      Type.Object({ kind: Type.Literal("s3"), region: Type.String() }, { additionalProperties: false }),
      Type.Object(
        { kind: Type.Literal("local"), dataDir: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ]);
    assert.deepEqual(messages(ROUTE, { kind: "s3", region: 5 }), ["region: expected a string, got 5"]);
    assert.deepEqual(messages(ROUTE, { kind: "local", region: "r" }), [
      "region: unknown field; known fields: kind, dataDir",
    ]);
    assert.deepEqual(messages(ROUTE, { kind: "gcs" }), ['kind: expected "s3" or "local", got "gcs"']);
    assert.deepEqual(messages(ROUTE, { region: "r" }), ['kind: required ("s3" or "local")']);
  });

  it("explains a union of other kinds by the only branch of the value's JSON type, or as a whole", () => {
    const ENDPOINT = Type.Union([
      Type.String({ minLength: 1, title: "URL" }),
      Type.Object({ url: Type.String({ minLength: 1 }), timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })) }),
    ]);
    assert.deepEqual(messages(ENDPOINT, ""), ['expected a URL, got ""']);
    assert.deepEqual(messages(ENDPOINT, { url: "http://x", timeoutMs: "10" }), [
      'timeoutMs: expected an integer >= 1, got "10"',
    ]);
    assert.deepEqual(messages(ENDPOINT, 5), ["expected a URL or an object, got 5"]);
  });

  it("explains an array of the wrong length as a whole, and an object it cannot pin down by its kind", () => {
    const PAIR = Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 });
    assert.deepEqual(messages(PAIR, [1]), ["expected a non-empty array of integers, got an array of 1 item"]);
    assert.deepEqual(messages(PAIR, [1, 2, 3]), ["expected a non-empty array of integers, got an array of 3 items"]);
    const SOME = Type.Object({}, { minProperties: 1 });
    assert.deepEqual(messages(SOME, {}), ["expected an object"]);
  });

  it("never repeats the value of a secret, and cuts long values", () => {
    const SECRETS = Type.Object({
      password: Type.String({ minLength: 8, writeOnly: true }),
      pin: Type.Optional(Type.String({ writeOnly: true })),
      note: Type.Optional(Type.Integer()),
    });
    const problems = messages(SECRETS, { password: "hunter2", pin: 1234, note: "x".repeat(200) });
    assert.deepEqual(problems, [
      "password: expected a non-empty string, got a string",
      "pin: expected a string, got a number",
      `note: expected an integer, got "${"x".repeat(76)}...`,
    ]);
    assert.ok(!problems.join("\n").includes("hunter2") && !problems.join("\n").includes("1234"));
  });
});

describe("expected", () => {
  it("says what a schema accepts, in words", () => {
    const cases: [TSchema, string][] = [
      [Type.String(), "a string"],
      [Type.String({ minLength: 1 }), "a non-empty string"],
      [Type.Integer(), "an integer"],
      [Type.Integer({ minimum: 1, maximum: 10 }), "an integer from 1 to 10"],
      [Type.Integer({ minimum: 0 }), "an integer >= 0"],
      [Type.Number({ exclusiveMinimum: 0 }), "a number > 0"],
      [Type.Number({ maximum: 1 }), "a number <= 1"],
      [Type.Boolean(), "true or false"],
      [Type.Literal("s3"), '"s3"'],
      [Type.Enum(["allow", "refuse"]), '"allow" or "refuse"'],
      [Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]), "1, 2 or 3"],
      [Type.Array(Type.String({ minLength: 1 })), "an array of non-empty strings"],
      [Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }), "a non-empty array of integers >= 1"],
      [Type.Array(Type.Array(Type.Boolean())), "an array of arrays of booleans"],
      [Type.Object({}), "an object"],
      [Type.Unknown(), "a value"],
    ];
    for (const [schema, words] of cases) assert.equal(expected(schema), words);
  });

  it("names a titled schema by its title, with the article it takes", () => {
    const titled = (title: string) => expected(Type.Object({}, { title }));
    assert.equal(titled("account"), "an account");
    assert.equal(titled("storage route"), "a storage route");
    assert.equal(titled("S3 route"), "an S3 route");
    assert.equal(titled("URL"), "a URL");
    assert.equal(titled("union"), "a union");
    assert.equal(titled("user"), "a user");
    assert.equal(titled("umbrella"), "an umbrella");
    assert.equal(expected(Type.Array(Type.Object({}, { title: "account" }))), "an array of accounts");
  });
});
