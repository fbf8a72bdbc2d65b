/**
 * The `<Operation>` element of a CreateJob request, read the same way in every dialect: it must hold exactly
 * one operation element, which the dialect's own reader turns into a canonical operation. missingElement is
 * the error for a required child the generic reader cannot require (one that is required only in some cases).
 */
import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type { Operation } from "../../../domain/job.js";
import type { XmlReader } from "../../xml/read.js";

export function parseSingleOperation(r: XmlReader, parseOne: (o: XmlReader) => Operation): Operation {
  r.requireNoText();
  const names = r.childNames();
  if (names.length !== 1) {
    throw malformedXml(
      names.length === 0
        ? `${r.path} must contain exactly one operation; it contains none.`
        : `${r.path} must contain exactly one operation; it contains ${names.join(", ")}.`,
    );
  }
  const [op] = r.eachChild(parseOne);
  return op!;
}

/** InvalidArgument naming a required child element of `o` that is missing. */
export function missingElement(o: XmlReader, name: string): never {
  throw invalidArgument(`Missing required element ${o.path}/${name}.`);
}
