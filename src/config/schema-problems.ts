/**
 * Says what is wrong with a value, in words, from the JSON Schema it failed: each problem names the field as a
 * path (`accounts[0].buckets`) and what the field should hold (`expected an array of non-empty strings, got
 * "src"`). TypeBox decides whether a value is valid; this module only walks the schema to explain why not, so
 * a union (a storage route is an S3 or a local one) is explained by the branch the value meant, and unknown
 * fields come with the nearest known name.
 *
 * Values are shown only when they are scalars and not secrets: a schema marked `writeOnly` (keys, passwords)
 * never has its value repeated, and objects and arrays are shown by their kind alone.
 */
import type { TSchema } from "typebox";
import Value from "typebox/value";

export interface SchemaProblem {
  /** The field, as a path from the checked value: `engine.chunkSize`, `accounts[0].buckets`; "" for the whole. */
  readonly path: string;
  readonly message: string;
}

/** The JSON Schema keywords the explanations read (TypeBox schemas are plain JSON Schema). */
interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly title?: string;
  readonly writeOnly?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly patternProperties?: Readonly<Record<string, JsonSchema>>;
}

/** Every problem of `value` against `schema`; empty when it is valid. `path` prefixes the paths. */
export function schemaProblems(schema: TSchema, value: unknown, path = ""): SchemaProblem[] {
  return explain(schema as JsonSchema, value, path);
}

/** TypeBox's verdict (a plain boolean: its type guard would narrow `value` to nothing on failure). */
const valid = (schema: JsonSchema, value: unknown): boolean => Value.Check(schema as TSchema, value);

function explain(schema: JsonSchema, value: unknown, path: string): SchemaProblem[] {
  if (valid(schema, value)) return [];
  if (schema.anyOf) return explainUnion(schema, value, path);
  if (schema.type === "object" && isPlainObject(value)) return explainObject(schema, value, path);
  if (schema.type === "array" && Array.isArray(value) && fitsLength(schema, value)) {
    return value.flatMap((item, i) => (schema.items ? explain(schema.items, item, `${path}[${i}]`) : []));
  }
  return [{ path, message: `expected ${expected(schema)}, got ${shown(schema, value)}` }];
}

function explainObject(schema: JsonSchema, value: Record<string, unknown>, path: string): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const properties = schema.properties ?? {};
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) {
      problems.push({ path: join(path, key), message: `required (${expected(properties[key] ?? {})})` });
    }
  }
  for (const [key, field] of Object.entries(value)) {
    const fieldSchema = properties[key] ?? patternSchema(schema, key);
    if (fieldSchema) {
      problems.push(...explain(fieldSchema, field, join(path, key)));
    } else if (schema.additionalProperties === false) {
      problems.push({ path: join(path, key), message: unknownField(key, Object.keys(properties)) });
    } else if (typeof schema.additionalProperties === "object") {
      problems.push(...explain(schema.additionalProperties, field, join(path, key)));
    }
  }
  return problems.length > 0 ? problems : [{ path, message: `expected ${expected(schema)}` }];
}

/**
 * A union is explained by the branch the value meant: the object branch whose discriminating constant
 * (`"kind": "s3"`) the value carries, or the only branch of the value's JSON type.
 */
function explainUnion(schema: JsonSchema, value: unknown, path: string): SchemaProblem[] {
  const branches = schema.anyOf ?? [];
  const discriminator = isPlainObject(value) ? discriminatorOf(branches) : undefined;
  if (discriminator !== undefined && isPlainObject(value)) {
    const tag = value[discriminator];
    const branch = branches.find((b) => b.properties?.[discriminator]?.const === tag);
    if (branch) return explain(branch, value, path);
    const tags = branches.map((b) => b.properties?.[discriminator] ?? {});
    const union: JsonSchema = { anyOf: tags };
    return [
      tag === undefined
        ? { path: join(path, discriminator), message: `required (${expected(union)})` }
        : { path: join(path, discriminator), message: `expected ${expected(union)}, got ${shown(union, tag)}` },
    ];
  }
  const sameType = branches.filter((b) => typeAccepts(b, value));
  if (sameType.length === 1) return explain(sameType[0], value, path);
  return [{ path, message: `expected ${expected(schema)}, got ${shown(schema, value)}` }];
}

/** The property every object branch fixes to a constant, if there is one. */
function discriminatorOf(branches: readonly JsonSchema[]): string | undefined {
  if (!branches.every((b) => b.type === "object" && b.properties)) return undefined;
  const [first, ...rest] = branches;
  return Object.keys(first.properties ?? {}).find(
    (key) =>
      first.properties?.[key]?.const !== undefined && rest.every((b) => b.properties?.[key]?.const !== undefined),
  );
}

function typeAccepts(schema: JsonSchema, value: unknown): boolean {
  if (schema.const !== undefined) return typeof schema.const === typeof value;
  switch (schema.type) {
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "integer":
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

function patternSchema(schema: JsonSchema, key: string): JsonSchema | undefined {
  for (const [pattern, s] of Object.entries(schema.patternProperties ?? {})) {
    if (new RegExp(pattern).test(key)) return s;
  }
  return undefined;
}

function fitsLength(schema: JsonSchema, value: readonly unknown[]): boolean {
  return value.length >= (schema.minItems ?? 0) && value.length <= (schema.maxItems ?? Number.POSITIVE_INFINITY);
}

function unknownField(key: string, known: readonly string[]): string {
  const near = nearest(key, known);
  if (near !== undefined) return `unknown field, did you mean "${near}"?`;
  return `unknown field; known fields: ${known.join(", ")}`;
}

/** The known name a typo most likely meant: the same but for case, or at most two edits away. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameButCase = known.find((k) => k.toLowerCase() === lower);
  if (sameButCase) return sameButCase;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** What a schema accepts, in words: "an integer from 1 to 10", "an array of non-empty strings". */
export function expected(schema: TSchema | JsonSchema): string {
  return phrase(schema as JsonSchema).one;
}

/** A schema's `title` names what it holds ("storage route"); titles are written to take a plural "s". */
function phrase(schema: JsonSchema): { one: string; many: string } {
  if (schema.const !== undefined) return same(JSON.stringify(schema.const));
  if (schema.enum) return same(orList(schema.enum.map((v) => JSON.stringify(v))));
  if (schema.title) return titled(schema.title);
  if (schema.anyOf) {
    const parts = schema.anyOf.map(phrase);
    return { one: orList(parts.map((p) => p.one)), many: orList(parts.map((p) => p.many)) };
  }
  switch (schema.type) {
    case "string":
      return (schema.minLength ?? 0) >= 1
        ? { one: "a non-empty string", many: "non-empty strings" }
        : { one: "a string", many: "strings" };
    case "integer":
      return { one: `an integer${range(schema)}`, many: `integers${range(schema)}` };
    case "number":
      return { one: `a number${range(schema)}`, many: `numbers${range(schema)}` };
    case "boolean":
      return { one: "true or false", many: "booleans" };
    case "array": {
      const items = schema.items ? phrase(schema.items).many : "values";
      const kind = (schema.minItems ?? 0) >= 1 ? "non-empty array" : "array";
      return { one: `${article(kind)} ${kind} of ${items}`, many: `${kind}s of ${items}` };
    }
    case "object":
      return { one: "an object", many: "objects" };
    default:
      return { one: "a value", many: "values" };
  }
}

function range(schema: JsonSchema): string {
  const { minimum, maximum, exclusiveMinimum } = schema;
  if (minimum !== undefined && maximum !== undefined) return ` from ${minimum} to ${maximum}`;
  if (minimum !== undefined) return ` >= ${minimum}`;
  if (exclusiveMinimum !== undefined) return ` > ${exclusiveMinimum}`;
  if (maximum !== undefined) return ` <= ${maximum}`;
  return "";
}

const same = (text: string) => ({ one: text, many: text });
const titled = (title: string) => ({ one: `${article(title)} ${title}`, many: `${title}s` });
const article = (word: string) => (/^(S3\b|[aeio]|u(?!rl|ni|se))/i.test(word) ? "an" : "a");

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The value as the message shows it: scalars as JSON, objects and arrays by kind, secrets never. */
function shown(schema: JsonSchema, value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) {
    return value.length === 0 ? "an empty array" : `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  }
  if (typeof value === "object") return "an object";
  if (schema.writeOnly) return typeof value === "string" ? "a string" : `a ${typeof value}`;
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `a.b`, `a[0]`, `a["arn:aws:..."]`. */
function join(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
