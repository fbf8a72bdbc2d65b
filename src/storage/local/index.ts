export { LocalStorage, type LocalStorageOptions, type RestoreTier } from "./local-storage.js";
