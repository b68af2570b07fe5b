/**
 * ENS's timestamp format, `yyyy-MM-ddTHH:mm:ssZ` in UTC: how ENS reports `CreationTime`, and how
 * this project reports `rotatesAt`.
 */
export function ensTimestamp(date: Date = new Date()): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** What {@link ensTimestamp} writes. */
export const ensTimestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
