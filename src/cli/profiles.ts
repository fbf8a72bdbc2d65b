/**
 * The CLI's named profiles: an endpoint and a key pair under a name, written by `objbatch login` and read by
 * every command that talks to a server (connection.ts). One JSON file, `objbatch/profiles.json` under the user's
 * configuration directory ($XDG_CONFIG_HOME, else ~/.config; %APPDATA% on Windows), readable by its owner only:
 * it is written to a temporary file created with mode 0600 in the same directory, flushed, and renamed over the
 * old one, so a reader sees the old file or the new one, never half of one, and never a moment of wider mode.
 *
 *   { "profiles": { "default": { "endpoint": "http://...", "accessKey": "...", "secretKey": "..." } } }
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { CliError, EXIT } from "./exit-codes.js";

export const DEFAULT_PROFILE = "default";

export interface Profile {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where the profiles file is for this user and environment. */
export function profilesFile(env: Env = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base =
    xdg !== undefined && isAbsolute(xdg)
      ? xdg
      : process.platform === "win32" && env.APPDATA
        ? env.APPDATA
        : join(homedir(), ".config");
  return join(base, "objbatch", "profiles.json");
}

/** Every profile in the file; none when there is no file yet. A file that is not a profiles file is an error. */
export async function readProfiles(file: string): Promise<Record<string, Profile>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new CliError(`cannot read the profiles file ${file}: ${(e as Error).message}`);
  }
  const broken = (why: string) =>
    new CliError(`the profiles file ${file} is not valid (${why}); fix it, or remove it and run objbatch login`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw broken("not JSON");
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== "object" || profiles === null || Array.isArray(profiles)) throw broken("no profiles object");
  const out: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(profiles)) {
    const p = value as Partial<Record<keyof Profile, unknown>> | null;
    if (typeof p?.endpoint !== "string" || typeof p.accessKey !== "string" || typeof p.secretKey !== "string") {
      throw broken(`profile "${name}" needs endpoint, accessKey and secretKey`);
    }
    out[name] = { endpoint: p.endpoint, accessKey: p.accessKey, secretKey: p.secretKey };
  }
  return out;
}

/** Adds or replaces one profile, keeping the others; the file is replaced atomically with mode 0600. */
export async function saveProfile(file: string, name: string, profile: Profile): Promise<void> {
  const profiles = { ...(await readProfiles(file)), [name]: profile };
  const dir = join(file, "..");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.profiles.json.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.chmod(0o600); // whatever the umask
      await handle.writeFile(`${JSON.stringify({ profiles }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (e) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write the profiles file ${file}: ${(e as Error).message}`, EXIT.usage);
  }
}
