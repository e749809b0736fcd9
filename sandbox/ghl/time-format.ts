/**
 * Appointment times as GHL prints them: zone-less local `YYYY-MM-DD HH:mm:ss` on the contact's
 * appointments, ISO with the location's offset (`2023-09-25T16:00:00+05:30`) on calendar events.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

interface LocalParts {
  date: string;
  time: string;
  offset: string;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) parts[part.type] = part.value;
  const offsetText = (parts['timeZoneName'] ?? 'GMT').replace('GMT', '');
  return {
    date: `${parts['year']}-${parts['month']}-${parts['day']}`,
    time: `${parts['hour']}:${parts['minute']}:${parts['second']}`,
    offset: offsetText === '' ? '+00:00' : offsetText,
  };
}

/** `2021-07-16 11:00:00` in the location's time zone, without a zone. */
export function zonelessLocal(ms: number, timeZone: string): string {
  const { date, time } = localParts(ms, timeZone);
  return `${date} ${time}`;
}

/** `2021-07-16T11:00:00-05:00`: local time with the location's offset. */
export function isoWithOffset(ms: number, timeZone: string): string {
  const { date, time, offset } = localParts(ms, timeZone);
  return `${date}T${time}${offset}`;
}

/** ISO 8601 in UTC with milliseconds, GHL's `dateAdded` format. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
