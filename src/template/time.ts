// time.Time formatting with Go reference layouts ("2006-01-02T15:04:05Z07:00"). Times are UTC:
// the engine has no time zone database (Go's conformance run sets time.Local to UTC as well).
import type { GoTime } from './values.ts';

const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const longMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const tokens = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '06',
  '002',
  '01',
  '02',
  '_2',
  '__2',
  '15',
  '03',
  '04',
  '05',
  '1',
  '2',
  '3',
  '4',
  '5',
  'PM',
  'pm',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
];

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function formatTime(t: GoTime, layout: string): string {
  const d = new Date(t.ms);
  const nanos = (((t.ms % 1000) + 1000) % 1000) * 1e6 + t.nanos;
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const min = d.getUTCMinutes();
  const sec = d.getUTCSeconds();
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    // Fractional seconds: .000 / ,000 (fixed) or .999 / ,999 (trimmed) after a seconds field.
    const c = layout[i];
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const ch = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === ch) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        const n = j - i - 1;
        let frac = String(nanos).padStart(9, '0').slice(0, n);
        if (ch === '9') {
          frac = frac.replace(/0+$/, '');
          if (frac !== '') out += c + frac;
        } else out += c + frac;
        i = j;
        continue;
      }
    }
    for (const tok of tokens) {
      if (!layout.startsWith(tok, i)) continue;
      if ((tok === 'Jan' || tok === 'Mon') && /[a-z]/.test(layout[i + 3] ?? '') && !layout.startsWith(tok === 'Jan' ? 'January' : 'Monday', i)) {
        continue;
      }
      switch (tok) {
        case 'January':
          out += longMonths[month];
          break;
        case 'Jan':
          out += longMonths[month]!.slice(0, 3);
          break;
        case 'Monday':
          out += longDays[d.getUTCDay()];
          break;
        case 'Mon':
          out += longDays[d.getUTCDay()]!.slice(0, 3);
          break;
        case 'MST':
          out += 'UTC';
          break;
        case '2006':
          out += String(year).padStart(4, '0');
          break;
        case '06':
          out += p2(year % 100);
          break;
        case '002': {
          const doy = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000) + 1;
          out += String(doy).padStart(3, '0');
          break;
        }
        case '01':
          out += p2(month + 1);
          break;
        case '02':
          out += p2(day);
          break;
        case '_2':
          out += day < 10 ? ' ' + day : String(day);
          break;
        case '__2': {
          const doy = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000) + 1;
          out += String(doy).padStart(3, ' ');
          break;
        }
        case '15':
          out += p2(hour);
          break;
        case '03':
          out += p2(hour % 12 === 0 ? 12 : hour % 12);
          break;
        case '04':
          out += p2(min);
          break;
        case '05':
          out += p2(sec);
          break;
        case '1':
          out += month + 1;
          break;
        case '2':
          out += day;
          break;
        case '3':
          out += hour % 12 === 0 ? 12 : hour % 12;
          break;
        case '4':
          out += min;
          break;
        case '5':
          out += sec;
          break;
        case 'PM':
          out += hour >= 12 ? 'PM' : 'AM';
          break;
        case 'pm':
          out += hour >= 12 ? 'pm' : 'am';
          break;
        case 'Z07:00:00':
        case 'Z070000':
        case 'Z07:00':
        case 'Z0700':
        case 'Z07':
          out += 'Z';
          break;
        case '-07:00:00':
          out += '+00:00:00';
          break;
        case '-070000':
          out += '+000000';
          break;
        case '-07:00':
          out += '+00:00';
          break;
        case '-0700':
          out += '+0000';
          break;
        case '-07':
          out += '+00';
          break;
      }
      i += tok.length;
      continue outer;
    }
    out += layout[i];
    i++;
  }
  return out;
}

/** time.Time's RFC 3339 text with nanoseconds, as encoding/json writes it. */
export function timeJson(t: GoTime): string {
  return formatTime(t, '2006-01-02T15:04:05.999999999Z07:00');
}
