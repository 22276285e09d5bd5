const etFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  month: "short",
  day: "2-digit",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
});

/** "Sun, Oct 20, 9:30 AM EDT" — how operators read kickoffs. */
export function formatEt(ms: number): string {
  return etFormat.format(new Date(ms));
}

/** "2024-10-20T13:30:00Z" — how operators type instants. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
