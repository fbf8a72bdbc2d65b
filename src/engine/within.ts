/**
 * Waiting for something at most so long, as a graceful stop does: true when `work` settled in time, false when
 * `ms` passed first. The timer is cleared either way, so a stop that finished early keeps no process alive.
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
