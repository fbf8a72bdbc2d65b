import fs from "node:fs";
import { copyFile, lstatBig, rename } from "/work/main/src/storage/local/fs-calls.js";
import { LocalStorage } from "/work/main/src/storage/local/index.js";

const N = 50000,
  C = 32;
const dataDir = fs.mkdtempSync("/dev/shm/v-");
const src = `${dataDir}/buckets/src`;
const keys: string[] = [];
for (let i = 0; i < N; i++) {
  const d = `d${Math.floor(i / 1000)}`;
  if (i % 1000 === 0) fs.mkdirSync(`${src}/${d}`, { recursive: true });
  const k = `${d}/o${i}.bin`;
  fs.writeFileSync(`${src}/${k}`, Buffer.alloc(1024));
  keys.push(k);
}
const st = new LocalStorage({ dataDir });
const db = (st as any).db;
let n = 0;
async function run(name: string, one: (k: string, dst: string) => Promise<unknown>) {
  const dst = `dst${n++}`;
  fs.mkdirSync(`${dataDir}/buckets/${dst}`);
  for (let d = 0; d < N / 1000; d++) fs.mkdirSync(`${dataDir}/buckets/${dst}/d${d}`);
  const t = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (i < N) {
        const k = keys[i++];
        await one(k, dst);
      }
    }),
  );
  console.log(name.padEnd(10), ((performance.now() - t) / 1000).toFixed(2));
  fs.rmSync(`${dataDir}/buckets/${dst}`, { recursive: true });
}
let tc = 0;
for (let r = 0; r < 3; r++) {
  await run("v2", async (k, dst) => {
    await lstatBig(`${src}/${k}`);
    db.get("src", k);
    fs.lstatSync(`${dataDir}/buckets/${dst}/${k}`, { throwIfNoEntry: false });
    const t = `${dataDir}/tmp/x${tc++}`;
    await copyFile(`${src}/${k}`, t);
    await rename(t, `${dataDir}/buckets/${dst}/${k}`);
    db.has(dst, k);
  });
  await run("full", (k, dst) =>
    st.copy({ bucket: "src", key: k }, { bucket: dst, key: k }, { aclDirective: "Replaced" }),
  );
}
await st.close();
fs.rmSync(dataDir, { recursive: true });
