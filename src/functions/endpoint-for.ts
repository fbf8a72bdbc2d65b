/**
 * The endpoint a job's FunctionArn calls (functions/endpoints.ts says how they are configured). Kept apart from
 * the config schema so the engine's runner threads, which look endpoints up for every InvokeFunction chunk, do
 * not load TypeBox (about 20 MB per thread).
 */
import type { FunctionEndpoint, FunctionEndpoints } from "./endpoints.js";

/** A Lambda function ARN: arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]. */
const QUALIFIED_ARN = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+):[^:]+$/;

/** The endpoint configured for a job's FunctionArn, or undefined. */
export function endpointFor(endpoints: FunctionEndpoints, functionArn: string): FunctionEndpoint | undefined {
  if (Object.hasOwn(endpoints, functionArn)) return endpoints[functionArn];
  const unqualified = QUALIFIED_ARN.exec(functionArn)?.[1];
  return unqualified !== undefined && Object.hasOwn(endpoints, unqualified) ? endpoints[unqualified] : undefined;
}
