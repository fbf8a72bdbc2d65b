/** A thread of this process's nice value, as the kernel reports it (field 19 of /proc/self/task/<tid>/stat). */
import { readFileSync } from "node:fs";

export function niceOfThread(tid: number | string): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}
