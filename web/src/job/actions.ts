/** The changes a user makes to a job, as mutations that read the job (and the list) again when done. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, type JobJson, jobPath } from "../api";

export type StatusAction = "confirm" | "pause" | "resume" | "cancel";

export function useJobMutations(jobId: string) {
  const queries = useQueryClient();
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ["job", jobId] });
    void queries.invalidateQueries({ queryKey: ["jobs"] });
  };
  const status = useMutation({
    mutationFn: (action: StatusAction) => call<JobJson>("POST", jobPath(jobId, action)),
    onSuccess: (job) => {
      queries.setQueryData(["job", jobId], job);
      refresh();
    },
  });
  const priority = useMutation({
    mutationFn: (value: number) => call<JobJson>("PATCH", jobPath(jobId), { priority: value }),
    onSuccess: (job) => {
      queries.setQueryData(["job", jobId], job);
      refresh();
    },
  });
  const tags = useMutation({
    mutationFn: (value: { key: string; value: string }[]) =>
      value.length === 0
        ? call<void>("DELETE", jobPath(jobId, "tags"))
        : call<unknown>("PUT", jobPath(jobId, "tags"), { tags: value }),
    onSuccess: refresh,
  });
  const rerun = useMutation({
    mutationFn: (body: { scope: "failed" | "notSucceeded"; errorCodes?: string[] }) =>
      call<JobJson>("POST", jobPath(jobId, "rerun"), body),
    onSuccess: refresh,
  });
  const clone = useMutation({
    mutationFn: () => call<JobJson>("POST", jobPath(jobId, "clone"), {}),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => call<void>("DELETE", jobPath(jobId)),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["jobs"] }),
  });
  return { status, priority, tags, rerun, clone, remove };
}
