/**
 * A child process for metadata-db.test.ts: tags the objects d<i%4>/k<i> of bucket `crash`, 32 at a time, and
 * prints each key once its putTagging has resolved (stdout to a pipe is synchronous: a printed key was
 * reported before any later crash). The test kills it with SIGKILL part way through.
 *
 *   node --import tsx test/storage/local/tagging-child.ts <dataDir> <objects>
 */
import { LocalStorage } from "../../../src/storage/local/index.js";

const [dataDir, objects] = process.argv.slice(2);
const storage = new LocalStorage({ dataDir });
let next = 0;
async function lane(): Promise<void> {
  while (next < Number(objects)) {
    const i = next++;
    const key = `d${i % 4}/k${i}`;
    await storage.putTagging("crash", key, [{ key: "job", value: "crash" }]);
    process.stdout.write(`${key}\n`);
  }
}
await Promise.all(Array.from({ length: 32 }, lane));
await storage.close();
