/**
 * bin/objbatch.js, the `objbatch` command npm installs, run as an executable: its `#!/usr/bin/env -S node ...`
 * line must start node with flags node accepts (a wrong flag would break every installed command), and the
 * process it starts must run with them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/objbatch.js", import.meta.url));

describe("bin/objbatch.js", () => {
  it("runs as an executable and prints the commands", () => {
    const help = execFileSync(BIN, ["--help"], { encoding: "utf8" });
    assert.match(help, /^Usage: objbatch/);
    assert.match(help, /\bserve\b/);
    assert.match(help, /\bworker\b/);
  });

  it("starts node with the flags of its first line, a small young generation and a slowly growing heap among them", () => {
    const shebang = readFileSync(BIN, "utf8").split("\n", 1)[0] ?? "";
    const flags = shebang.split(/\s+/).filter((w) => w.startsWith("--"));
    assert.ok(flags.includes("--max-semi-space-size=2"), shebang);
    assert.ok(flags.includes("--heap-growing-percent=20"), shebang);
    // The same interpreter line, running a probe instead of objbatch: node reports the flags it was started with.
    const [interpreter, ...args] = shebang.slice(2).trim().split(/\s+/);
    const probe = "process.stdout.write(JSON.stringify(process.execArgv))";
    const execArgv = JSON.parse(
      execFileSync(interpreter as string, [...args, "--input-type=module", "-e", probe], { encoding: "utf8" }),
    ) as string[];
    for (const flag of flags) assert.ok(execArgv.includes(flag), `${flag} in ${execArgv.join(" ")}`);
  });
});
