/**
 * A time as ISO-8601 UTC to the second, `2019-12-19T11:05:40Z` (D3), the form the COS and S3 Control documents
 * show for a job's own times. A ListJobs page writes up to 200 of them; built from the UTC fields this costs a
 * third of `toISOString()` followed by cutting its milliseconds off. Years outside 1000-9999 (which
 * `toISOString` writes as `+010000` or with fewer digits' padding of its own) take the slow way.
 */
export function isoSeconds(d: Date): string {
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9999) return d.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `${year}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
