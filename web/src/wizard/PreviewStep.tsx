/** Step 4: the server's preview of the job (count, bytes, the first tasks, problems), before it is created. */
import type { JobPreviewJson } from "../api";
import { bytes, count } from "../format";

export function PreviewView({ preview }: { preview: JobPreviewJson }) {
  const copy = preview.sample.some((t) => t.targetKey !== undefined);
  // An incomplete preview that counted nothing stopped at a problem: there is no "at least 0 tasks".
  const unread = !preview.complete && preview.taskCount === 0 && preview.problems.length > 0;
  return (
    <section aria-labelledby="preview-title" className="step">
      <h2 id="preview-title">Preview</h2>
      <p className="preview-summary">
        {unread ? (
          "The job's objects could not be read: see the problems below."
        ) : (
          <>
            The job would run {preview.complete ? "" : "at least "}
            <strong>{count(preview.taskCount)}</strong> {preview.taskCount === 1 ? "task" : "tasks"}
            {preview.totalBytes !== undefined ? `, ${bytes(preview.totalBytes)}` : ""}
            {preview.complete
              ? "."
              : preview.problems.length > 0
                ? " (the manifest could not be read to its end: see the problems below)."
                : " (the manifest was not read to its end in time)."}
          </>
        )}
      </p>
      {preview.problems.length > 0 && (
        <div role="alert" className="problems">
          <h3>Problems ({count(preview.problems.length + preview.omittedProblems)})</h3>
          <ul>
            {preview.problems.map((p) => (
              <li key={`${p.code}:${p.line ?? ""}:${p.message}`}>
                <strong>{p.code}</strong>
                {p.line !== undefined ? ` (line ${p.line})` : ""}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview.sample.length > 0 && (
        <div className="table-wrap">
          <table className="sample">
            <caption className="hint">The first {preview.sample.length} tasks</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Exists</th>
                <th scope="col" className="num">
                  Size
                </th>
                {copy && <th scope="col">Copied to</th>}
              </tr>
            </thead>
            <tbody>
              {preview.sample.map((t) => (
                <tr key={`${t.bucket}/${t.key}/${t.versionId ?? ""}`}>
                  <td className="mono">
                    {t.bucket}/{t.key}
                  </td>
                  <td>{t.exists === null ? `unknown (${t.error ?? "?"})` : t.exists ? "yes" : "no"}</td>
                  <td className="num">{t.size === undefined ? "" : bytes(t.size)}</td>
                  {copy && (
                    <td className="mono">
                      {t.targetBucket}/{t.targetKey}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
