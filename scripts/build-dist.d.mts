/** Types of build-dist.mjs, for the tests that use it. */
export declare const ROOT: string;
/** True when dist/ was built, without errors, from the sources as they are now. */
export declare function distIsCurrent(root?: string): boolean;
/** Runs tsc; returns its exit status (0: built without errors). */
export declare function buildDist(root?: string): number;
