/**
 * The Google Cloud Storage batch operations dialect (storagebatchoperations v1, D46) under /v1, as gcloud's
 * `storage batch-operations jobs` commands and Google's client libraries call it:
 *
 *   POST   /v1/projects/{p}/locations/global/jobs?jobId=&requestId=   CreateJob -> Operation
 *   GET    /v1/projects/{p}/locations/global/jobs                     ListJobs (filter, pageSize, pageToken, orderBy)
 *   GET    /v1/projects/{p}/locations/global/jobs/{job}               GetJob
 *   DELETE /v1/projects/{p}/locations/global/jobs/{job}               DeleteJob (finished jobs only)
 *   POST   /v1/projects/{p}/locations/global/jobs/{job}:cancel        CancelJob (unfinished jobs only)
 *   GET    /v1/projects/{p}/locations/global/jobs/{job}/bucketOperations[/{bucket}]
 *   GET    /v1/projects/{p}/locations/global/operations[/{op}]        operations list and get
 *   POST   /v1/projects/{p}/locations/global/operations/{op}:cancel   cancels the job
 *   DELETE /v1/projects/{p}/locations/global/operations/{op}          deletes the finished job it created
 *   GET    /v1/projects/{p}/locations[/global]                        locations
 *
 * Authentication is a bearer token objbatch issued (authentication.ts); the project must name its account.
 * Bodies are read raw up to maxBodyBytes and parsed here; every error is Google's JSON error (errors.ts), any
 * other path or method under /v1 is NOT_FOUND in that format. Standard query parameters: alt=json, prettyPrint,
 * $.xgafv and fields are accepted (fields is not applied: the whole resource is sent).
 */
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { AccessTokenVerifier } from "../../../accounts/access-tokens.js";
import type { AccountRegistry } from "../../../accounts/types.js";
import { isDomainError } from "../../../domain/errors.js";
import type { Job, JobSpec, JobSummary } from "../../../domain/job.js";
import { isTerminal } from "../../../domain/status.js";
import { requestFingerprint } from "../../../service/request-fingerprint.js";
import type { JobServiceApi } from "../../../service/types.js";
import { fastifyRejectionOf } from "../../http/fastify-rejections.js";
import { acceptRawBodies, bodyOf } from "../../http/raw-body.js";
import { authenticateBearer, requireProject, WWW_AUTHENTICATE } from "./authentication.js";
import { parseCreateJobRequest } from "./create-job-request.js";
import {
  badField,
  GoogleApiError,
  googleErrorOf,
  googleErrorOfRejection,
  INTERNAL_ERROR,
  notFound,
  renderGoogleError,
} from "./errors.js";
import { renderJob, STATE_OF_STATUS } from "./job-resource.js";
import { readObject } from "./json-fields.js";
import { type ListQuery, MAX_SORTED_JOBS, pageToken, parseListQuery } from "./list-query.js";
import {
  checkJobId,
  checkRequestId,
  isPlausibleJobId,
  jobResourceName,
  LOCATION,
  nameToken,
  parentName,
  requestToken,
} from "./names.js";
import { renderBucketOperation, renderOperation } from "./operation-resource.js";

export interface GcsRoutesOptions {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  /** Checks bearer tokens; without one, every request is UNAUTHENTICATED. */
  readonly accessTokens?: AccessTokenVerifier;
  readonly now?: () => Date;
  /** Largest request body accepted (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export const GCS_PREFIX = "/v1";
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Query parameters every method accepts (Google's standard ones objbatch honours or may ignore). */
const STANDARD_PARAMS = ["alt", "prettyPrint", "$.xgafv", "fields"];
/** Jobs described at once while a page is filled. */
const DESCRIBE_BATCH = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Params = { project: string; location: string };
type JobParams = Params & { job: string };

export function gcsRoutes(options: GcsRoutesOptions): FastifyPluginAsync {
  const { service, accounts } = options;
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const plugin: FastifyPluginAsync = async (app) => {
    const accountOf = new WeakMap<FastifyRequest, string>();
    acceptRawBodies(app, maxBodyBytes);

    app.setErrorHandler((error, request, reply) => {
      let answer: GoogleApiError;
      if (error instanceof GoogleApiError) answer = error;
      else if (isDomainError(error)) answer = googleErrorOf(error);
      else {
        const rejection = fastifyRejectionOf(error);
        if (rejection !== undefined) answer = googleErrorOfRejection(rejection, maxBodyBytes);
        else {
          request.log.error({ err: error }, "Google batch operations API request failed unexpectedly");
          answer = INTERNAL_ERROR;
        }
      }
      if (answer.status === "UNAUTHENTICATED") reply.header("www-authenticate", WWW_AUTHENTICATE);
      reply
        .code(answer.httpStatus)
        .header("content-type", "application/json; charset=UTF-8")
        .send(renderGoogleError(answer));
    });

    app.addHook("onRequest", async (request) => {
      checkStandardParams(request);
      accountOf.set(request, await authenticateBearer(request.headers.authorization, options.accessTokens, now()));
    });

    /** The request's account, once its project and location are checked. */
    const accountFor = (request: FastifyRequest<{ Params: Params }>, listing = false): string => {
      const accountId = accountOf.get(request)!;
      requireProject(accounts, request.params.project, accountId);
      const { location } = request.params;
      if (location !== LOCATION && !(listing && location === "-")) {
        throw badField(
          "location",
          `storage batch operations run in locations/global, not locations/${location.slice(0, 64)}.`,
        );
      }
      return accountId;
    };

    const send = (request: FastifyRequest, reply: FastifyReply, body: unknown) => {
      const q = request.query as Record<string, unknown>;
      const pretty = q.prettyPrint !== "false";
      reply
        .code(200)
        .header("content-type", "application/json; charset=UTF-8")
        .send(pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body));
    };

    /** The account's job a Google job id names: by its name, or by its objbatch id when it was given none. */
    const resolveJob = async (accountId: string, project: string, googleJobId: string): Promise<Job> => {
      const missing = () => notFound(`Job ${jobResourceName(project, googleJobId.slice(0, 128))} was not found.`);
      if (!isPlausibleJobId(googleJobId)) throw missing();
      const named = await service.findJobByName(accountId, googleJobId);
      if (named !== undefined) return named;
      if (!UUID.test(googleJobId)) throw missing();
      const job = await describeOrUndefined(accountId, googleJobId);
      if (job === undefined || job.jobName !== undefined) throw missing();
      return job;
    };

    const describeOrUndefined = async (accountId: string, jobId: string): Promise<Job | undefined> => {
      try {
        return await service.describeJob(accountId, jobId);
      } catch (e) {
        if (isDomainError(e) && e.kind === "NoSuchJob") return undefined;
        throw e;
      }
    };

    const causesOf = async (accountId: string, job: Job) =>
      job.progress.failed > 0 ? (await service.jobFailures(accountId, job.jobId)).causes : [];

    /** One page of the account's jobs, whole, in the order and under the filter asked. */
    const listPage = async (accountId: string, q: ListQuery): Promise<{ jobs: Job[]; next?: string }> => {
      if (q.search.statuses !== undefined && q.search.statuses.length === 0) return { jobs: [] };
      let summaries: readonly JobSummary[];
      let next: string | undefined;
      if (!q.ascending) {
        const page = await service.searchJobs(accountId, { ...q.search, limit: q.pageSize, after: q.after });
        summaries = page.jobs;
        next = page.next === undefined ? undefined : pageToken(q.key, { after: page.next });
      } else {
        const all: JobSummary[] = [];
        let after = undefined as ListQuery["after"];
        for (;;) {
          const page = await service.searchJobs(accountId, { ...q.search, limit: 1000, after });
          all.push(...page.jobs);
          if (all.length > MAX_SORTED_JOBS) {
            throw new GoogleApiError(
              "FAILED_PRECONDITION",
              `More than ${MAX_SORTED_JOBS} jobs match: list them newest first (order_by "create_time desc"), or narrow the filter.`,
              { reason: "TOO_MANY_TO_SORT" },
            );
          }
          if (page.next === undefined) break;
          after = page.next;
        }
        all.reverse();
        const offset = q.offset ?? 0;
        summaries = all.slice(offset, offset + q.pageSize);
        next = offset + q.pageSize < all.length ? pageToken(q.key, { offset: offset + q.pageSize }) : undefined;
      }
      const jobs: Job[] = [];
      for (let i = 0; i < summaries.length; i += DESCRIBE_BATCH) {
        const batch = await Promise.all(
          summaries.slice(i, i + DESCRIBE_BATCH).map((s) => describeOrUndefined(accountId, s.jobId)),
        );
        // A job deleted since the page was read is left out.
        for (const job of batch) if (job !== undefined) jobs.push(job);
      }
      return { jobs, ...(next !== undefined ? { next } : {}) };
    };

    const base = "/projects/:project/locations/:location";

    // ---- jobs ----------------------------------------------------------------------------------------------

    app.post<{ Params: Params }>(`${base}/jobs`, async (request, reply) => {
      const accountId = accountFor(request);
      const { project } = request.params;
      const q = queryOf(request, ["jobId", "requestId"]);
      const jobName = q.jobId !== undefined && q.jobId !== "" ? checkJobId(q.jobId) : undefined;
      const requestId = q.requestId !== undefined && q.requestId !== "" ? checkRequestId(q.requestId) : undefined;
      const parsed = parseCreateJobRequest(bodyOf(request), accountId, jobName);
      const exists = () =>
        new GoogleApiError("ALREADY_EXISTS", `Job ${jobResourceName(project, jobName!)} already exists.`, {
          reason: "JOB_ALREADY_EXISTS",
        });
      // A name that is another job's objbatch id would name two jobs.
      if (jobName !== undefined && UUID.test(jobName) && (await describeOrUndefined(accountId, jobName))) {
        throw exists();
      }
      const token =
        jobName !== undefined ? nameToken(jobName) : requestId !== undefined ? requestToken(requestId) : randomUUID();
      const spec: JobSpec = { ...parsed, clientRequestToken: token };
      let outcome: Awaited<ReturnType<JobServiceApi["createJob"]>>;
      try {
        // With a requestId, a retry of the same request (same body, same requestId) is answered with the same
        // operation; without one, a name used before is ALREADY_EXISTS whatever the body.
        outcome =
          requestId !== undefined
            ? await service.createJob(spec, "reuse", requestFingerprint({ spec, requestId }))
            : await service.createJob(spec, "reject");
      } catch (e) {
        if (isDomainError(e) && e.kind === "Idempotency") {
          if (jobName !== undefined) throw exists();
          throw new GoogleApiError(
            "ALREADY_EXISTS",
            `The requestId ${requestId} was already used by a different CreateJob request.`,
            { reason: "REQUEST_ID_REUSED" },
          );
        }
        throw e;
      }
      const job = await service.describeJob(accountId, outcome.jobId);
      send(request, reply, renderOperation(project, job, await causesOf(accountId, job)));
    });

    app.get<{ Params: Params }>(`${base}/jobs`, async (request, reply) => {
      const accountId = accountFor(request, true);
      const q = parseListQuery(queryOf(request, ["filter", "pageSize", "pageToken", "orderBy"]));
      const page = await listPage(accountId, q);
      const jobs = [];
      for (const job of page.jobs) jobs.push(renderJob(request.params.project, job, await causesOf(accountId, job)));
      send(request, reply, {
        ...(jobs.length > 0 ? { jobs } : {}),
        ...(page.next !== undefined ? { nextPageToken: page.next } : {}),
      });
    });

    app.get<{ Params: JobParams }>(`${base}/jobs/:job`, async (request, reply) => {
      const accountId = accountFor(request);
      queryOf(request, []);
      const job = await resolveJob(accountId, request.params.project, request.params.job);
      send(request, reply, renderJob(request.params.project, job, await causesOf(accountId, job)));
    });

    app.delete<{ Params: JobParams }>(`${base}/jobs/:job`, async (request, reply) => {
      const accountId = accountFor(request);
      const q = queryOf(request, ["requestId"]);
      if (q.requestId !== undefined && q.requestId !== "") checkRequestId(q.requestId);
      const { project } = request.params;
      const job = await resolveJob(accountId, project, request.params.job);
      if (!isTerminal(job.status)) {
        throw new GoogleApiError(
          "FAILED_PRECONDITION",
          `Job ${jobResourceName(project, request.params.job)} is ${STATE_OF_STATUS[job.status]}: only a finished job (SUCCEEDED, CANCELED or FAILED) can be deleted; cancel it first.`,
          { reason: "JOB_NOT_FINISHED" },
        );
      }
      await service.deleteJob(accountId, job.jobId);
      send(request, reply, {});
    });

    app.post<{ Params: Params & { jobAction: string } }>(`${base}/jobs/:jobAction`, async (request, reply) => {
      const accountId = accountFor(request);
      const { project } = request.params;
      const [googleJobId, verb] = splitCustomMethod(request.params.jobAction);
      if (verb !== "cancel") throw methodNotFound();
      queryOf(request, []);
      readCancelBody(bodyOf(request), "CancelJobRequest", ["requestId"]);
      const job = await resolveJob(accountId, project, googleJobId);
      await cancel(accountId, job, jobResourceName(project, googleJobId));
      send(request, reply, {});
    });

    const cancel = async (accountId: string, job: Job, name: string) => {
      if (isTerminal(job.status)) {
        throw new GoogleApiError(
          "FAILED_PRECONDITION",
          `Job ${name} has already finished (${STATE_OF_STATUS[job.status]}) and can't be cancelled.`,
          { reason: "JOB_FINISHED" },
        );
      }
      if (job.status === "Cancelling") return;
      await service.updateJobStatus(accountId, job.jobId, "Cancelled", "Cancelled through the Google API");
    };

    app.get<{ Params: JobParams }>(`${base}/jobs/:job/bucketOperations`, async (request, reply) => {
      const accountId = accountFor(request);
      const q = queryOf(request, ["filter", "pageSize", "pageToken", "orderBy"]);
      if ((q.filter ?? "").trim() !== "") throw badField("filter", "bucket operations can't be filtered here.");
      if ((q.pageToken ?? "") !== "") throw badField("page_token", "is not a page token this service made.");
      const job = await resolveJob(accountId, request.params.project, request.params.job);
      const operation = renderBucketOperation(request.params.project, job, await causesOf(accountId, job));
      send(request, reply, operation === undefined ? {} : { bucketOperations: [operation] });
    });

    app.get<{ Params: JobParams & { bucketOperation: string } }>(
      `${base}/jobs/:job/bucketOperations/:bucketOperation`,
      async (request, reply) => {
        const accountId = accountFor(request);
        queryOf(request, []);
        const { project } = request.params;
        const job = await resolveJob(accountId, project, request.params.job);
        const operation = renderBucketOperation(project, job, await causesOf(accountId, job));
        if (operation === undefined || operation.bucketName !== request.params.bucketOperation) {
          throw notFound(
            `Bucket operation ${jobResourceName(project, request.params.job)}/bucketOperations/${request.params.bucketOperation.slice(0, 64)} was not found.`,
          );
        }
        send(request, reply, operation);
      },
    );

    // ---- operations ----------------------------------------------------------------------------------------

    const resolveOperation = async (accountId: string, project: string, operationId: string): Promise<Job> => {
      const job = UUID.test(operationId) ? await describeOrUndefined(accountId, operationId) : undefined;
      if (job === undefined)
        throw notFound(`Operation ${parentName(project)}/operations/${operationId.slice(0, 64)} was not found.`);
      return job;
    };

    app.get<{ Params: Params }>(`${base}/operations`, async (request, reply) => {
      const accountId = accountFor(request, true);
      const q = parseListQuery(queryOf(request, ["filter", "pageSize", "pageToken"]), false);
      const page = await listPage(accountId, q);
      const operations = [];
      for (const job of page.jobs) {
        operations.push(renderOperation(request.params.project, job, await causesOf(accountId, job)));
      }
      send(request, reply, {
        ...(operations.length > 0 ? { operations } : {}),
        ...(page.next !== undefined ? { nextPageToken: page.next } : {}),
      });
    });

    app.get<{ Params: Params & { operation: string } }>(`${base}/operations/:operation`, async (request, reply) => {
      const accountId = accountFor(request);
      queryOf(request, []);
      const job = await resolveOperation(accountId, request.params.project, request.params.operation);
      send(request, reply, renderOperation(request.params.project, job, await causesOf(accountId, job)));
    });

    app.delete<{ Params: Params & { operation: string } }>(`${base}/operations/:operation`, async (request, reply) => {
      const accountId = accountFor(request);
      queryOf(request, []);
      const job = await resolveOperation(accountId, request.params.project, request.params.operation);
      if (!isTerminal(job.status)) {
        throw new GoogleApiError(
          "FAILED_PRECONDITION",
          "The operation is not done: cancel it and wait until it is, then delete it (that deletes its job).",
          { reason: "OPERATION_NOT_DONE" },
        );
      }
      await service.deleteJob(accountId, job.jobId);
      send(request, reply, {});
    });

    app.post<{ Params: Params & { opAction: string } }>(`${base}/operations/:opAction`, async (request, reply) => {
      const accountId = accountFor(request);
      const [operationId, verb] = splitCustomMethod(request.params.opAction);
      if (verb !== "cancel") throw methodNotFound();
      queryOf(request, []);
      readCancelBody(bodyOf(request), "CancelOperationRequest", []);
      const { project } = request.params;
      const job = await resolveOperation(accountId, project, operationId);
      await cancel(accountId, job, jobResourceName(project, job.jobName ?? job.jobId));
      send(request, reply, {});
    });

    // ---- locations -----------------------------------------------------------------------------------------

    const location = (project: string) => ({
      name: parentName(project),
      locationId: LOCATION,
      displayName: "Global",
    });

    app.get<{ Params: { project: string } }>("/projects/:project/locations", async (request, reply) => {
      requireProject(accounts, request.params.project, accountOf.get(request)!);
      queryOf(request, ["filter", "pageSize", "pageToken", "extraLocationTypes"]);
      send(request, reply, { locations: [location(request.params.project)] });
    });

    app.get<{ Params: Params }>(base, async (request, reply) => {
      requireProject(accounts, request.params.project, accountOf.get(request)!);
      queryOf(request, []);
      if (request.params.location !== LOCATION) {
        throw notFound(
          `Location projects/${request.params.project}/locations/${request.params.location.slice(0, 64)} was not found.`,
        );
      }
      send(request, reply, location(request.params.project));
    });

    app.setNotFoundHandler(async () => {
      throw methodNotFound();
    });
  };
  return plugin;
}

function methodNotFound(): GoogleApiError {
  return new GoogleApiError("NOT_FOUND", "Method not found.", { reason: "METHOD_NOT_FOUND" });
}

/** `{id}:{verb}` (AIP-136 custom methods). */
function splitCustomMethod(segment: string): [string, string] {
  const colon = segment.lastIndexOf(":");
  return colon === -1 ? [segment, ""] : [segment.slice(0, colon), segment.slice(colon + 1)];
}

/** The standard parameters must have values objbatch can honour. */
function checkStandardParams(request: FastifyRequest): void {
  const q = request.query as Record<string, unknown>;
  if (q.alt !== undefined && q.alt !== "json") throw badField("alt", "objbatch answers alt=json only.");
  if (q.prettyPrint !== undefined && q.prettyPrint !== "true" && q.prettyPrint !== "false") {
    throw badField("prettyPrint", "must be true or false.");
  }
}

/** The method's query parameters, each at most once; any other than the standard ones is INVALID_ARGUMENT. */
function queryOf(request: FastifyRequest, names: readonly string[]): Record<string, string | undefined> {
  const q = request.query as Record<string, unknown>;
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(q)) {
    if (!names.includes(name) && !STANDARD_PARAMS.includes(name)) {
      throw new GoogleApiError(
        "INVALID_ARGUMENT",
        `Invalid JSON payload received. Unknown name "${name.slice(0, 64)}": Cannot bind query parameter.`,
        { reason: "BAD_REQUEST", fieldViolations: [{ field: name.slice(0, 64), description: "unknown parameter" }] },
      );
    }
    if (typeof value !== "string") throw badField(name, "may be given once.");
    out[name] = value;
  }
  return out;
}

/** A cancel's body: empty, or the request message's JSON. */
function readCancelBody(body: Buffer | undefined, message: string, fields: readonly string[]): void {
  if (body === undefined || body.length === 0) return;
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new GoogleApiError("INVALID_ARGUMENT", "Invalid JSON payload received: the body is not valid JSON.", {
      reason: "BAD_REQUEST",
    });
  }
  const o = readObject(value, message, fields);
  if (typeof o.requestId === "string") checkRequestId(o.requestId);
  else if (o.requestId !== undefined) throw badField(`${message}.requestId`, "must be a string.");
}
