/**
 * ENS's timestamp format, `yyyy-MM-ddTHH:mm:ssZ` in UTC: how ENS reports `CreationTime`, and how
 * this project reports `rotatesAt`.
 */
export function ensTimestamp(date: Date = new Date()): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
