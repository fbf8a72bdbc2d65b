/**
 * The `schedules` section of the config (D43): whether this process runs a scheduler, how often it looks for due
 * schedules, how long a claim holds, how many due schedules one look reads, and how many schedules an account may
 * have. Described once here, checked by config/schema.ts with the rest of the file.
 */
import { type Static, Type } from "typebox";

export const SCHEDULE_OPTIONS_SCHEMA = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({
        description:
          "Run a scheduler in this process (default true): `objbatch serve` and `objbatch worker` each run one; " +
          "any number share the work through the store.",
      }),
    ),
    pollMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 60_000,
        description: "How often the scheduler looks for due schedules, in ms (default 1000): one indexed read each.",
      }),
    ),
    claimTtlMs: Type.Optional(
      Type.Integer({
        minimum: 1_000,
        maximum: 3_600_000,
        description:
          "How long a scheduler's claim on a due schedule holds, in ms (default 60000): after a crash, another " +
          "scheduler makes that due time's job once it ends.",
      }),
    ),
    maxPerTick: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000, description: "Due schedules read per look (default 32)." }),
    ),
    maxPerAccount: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100_000, description: "Schedules an account may have (default 100)." }),
    ),
  },
  {
    additionalProperties: false,
    description: "Recurring jobs (D43): this process's scheduler and the schedules an account may have.",
  },
);

export type ScheduleOptions = Required<Static<typeof SCHEDULE_OPTIONS_SCHEMA>>;

export const DEFAULT_SCHEDULE_OPTIONS: ScheduleOptions = {
  enabled: true,
  pollMs: 1_000,
  claimTtlMs: 60_000,
  maxPerTick: 32,
  maxPerAccount: 100,
};

export function scheduleOptionsOf(partial: Partial<ScheduleOptions> = {}): ScheduleOptions {
  return { ...DEFAULT_SCHEDULE_OPTIONS, ...partial };
}
