/** RFC 9457 problem details: every error of the JSON API is one of these, as `application/problem+json`. */
import { type Static, Type } from "typebox";

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "A URI naming the kind of problem (urn:objbatch:problem:<name>)." }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            pointer: Type.String({ description: "A JSON Pointer (RFC 6901) into the request, or the parameter." }),
            detail: Type.String(),
          },
          { additionalProperties: false },
        ),
        { description: "Each problem with the request's body or parameters." },
      ),
    ),
  },
  { title: "Problem" },
);
export type ProblemJson = Static<typeof ProblemSchema>;
