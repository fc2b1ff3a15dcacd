import type { Logger } from '@mealwise/logging';
import type { RotationEvent } from './types.ts';

export function describeEvent(e: RotationEvent): string {
  const who = e.model ? `project ${e.project} / ${e.model}` : `key ${e.fingerprint} (project ${e.project})`;
  const until = e.until === undefined ? '' : ` until ${new Date(e.until).toISOString()}`;
  return `${who} ${e.event} (${e.reason})${until}`;
}

/** Each transition reaches exactly one process (the one whose script call made it): logged once. */
export function logEvent(logger: Logger, e: RotationEvent): void {
  if (e.event === 'available') logger.info(`key pool: ${describeEvent(e)}`, { ...e });
  else logger.warn(`key pool: ${describeEvent(e)}`, { ...e });
}
