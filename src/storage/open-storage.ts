/**
 * Storage as configuration: plain data that can cross to a worker thread, and the one function that opens
 * the storage it describes there.
 */
import { LocalStorage } from "./local/local-storage.js";
import type { ObjectStorage } from "./types.js";

export type StorageConfig = { readonly kind: "local"; readonly dataDir: string };

export function openStorage(config: StorageConfig, options: { now?: () => Date } = {}): ObjectStorage {
  switch (config.kind) {
    case "local":
      return new LocalStorage({ dataDir: config.dataDir, now: options.now });
  }
}
