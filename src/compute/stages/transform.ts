// The built-in transforms of process rules: align a time to the minute (or second/hour/day),
// unify timestamp spellings to one format, public IP -> country/region/city (geoip-lite's bundled
// data), and stamp the receive time. Each is a step on the event being built.

import { createRequire } from 'node:module';
import type { ProcessStep } from '../rules/index.js';
import { bump, type StageCounts } from './counters.js';
import type { StepFn } from './enrich.js';
import { alignMs, formatTime, resolveTimeZone, toEpochMs, UTC, type TimeFormat } from './time.js';
import { asText, fieldGetter, fieldSetter } from './types.js';

type Geo = typeof import('geoip-lite');
let geo: Geo | undefined;

/** geoip-lite reads its whole database on load, so it is loaded only by a rule that needs it. */
function geoip(): Geo {
  geo ??= createRequire(import.meta.url)('geoip-lite') as Geo;
  return geo;
}

/** `1.2.3.4:8080` and `[::1]:80` carry a port; geoip wants the bare address. */
export function bareIp(text: string): string {
  const t = text.trim();
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    return end === -1 ? t : t.slice(1, end);
  }
  const colon = t.indexOf(':');
  return colon !== -1 && colon === t.lastIndexOf(':') ? t.slice(0, colon) : t;
}

export interface IpPlace {
  country: string;
  region?: string;
  city?: string;
}

/** Country, region and city of a public address; undefined for private, reserved or unknown ones. */
export function lookupIp(ip: string): IpPlace | undefined {
  const hit = geoip().lookup(bareIp(ip));
  if (!hit || !hit.country) return undefined;
  return { country: hit.country, region: hit.region || undefined, city: hit.city || undefined };
}

/** Keeps the kind of the input when no format is named: seconds stay seconds, strings stay strings. */
function sameKind(value: unknown): TimeFormat {
  if (typeof value === 'number') return Math.abs(value) < 1e11 ? 'epochS' : 'epochMs';
  return 'yyyy-MM-dd HH:mm:ss';
}

export function compileTransform(step: Exclude<ProcessStep, { op: 'enrich' }>, counts: StageCounts): StepFn {
  switch (step.op) {
    case 'alignTime': {
      const zone = resolveTimeZone(step.timeZone) ?? UTC;
      const to = step.to ?? step.field;
      const [read, write] = [fieldGetter(step.field), fieldSetter(to)];
      return (event) => {
        const value = read(event);
        const ms = toEpochMs(value, zone);
        if (ms === undefined) {
          bump(counts, 'timeUnreadable');
          return true;
        }
        write(event, formatTime(alignMs(ms, step.unit, zone), step.format ?? (to === 'ts' ? 'epochMs' : sameKind(value)), zone));
        return true;
      };
    }
    case 'unifyTime': {
      const zone = resolveTimeZone(step.timeZone) ?? UTC;
      const [read, write] = [fieldGetter(step.field), fieldSetter(step.to ?? step.field)];
      return (event) => {
        const ms = toEpochMs(read(event), zone);
        if (ms === undefined) bump(counts, 'timeUnreadable');
        else write(event, formatTime(ms, step.format, zone));
        return true;
      };
    }
    case 'ipRegion': {
      geoip();
      const read = fieldGetter(step.field);
      const country = fieldSetter(step.to);
      const region = step.regionTo ? fieldSetter(step.regionTo) : undefined;
      const city = step.cityTo ? fieldSetter(step.cityTo) : undefined;
      return (event) => {
        const ip = asText(read(event));
        const place = ip === undefined ? undefined : lookupIp(ip);
        if (place === undefined) {
          bump(counts, 'ipUnknown');
          return true;
        }
        country(event, place.country);
        if (region && place.region) region(event, place.region);
        if (city && place.city) city(event, place.city);
        return true;
      };
    }
    case 'receiveTime': {
      const zone = resolveTimeZone(step.timeZone) ?? UTC;
      const write = fieldSetter(step.to);
      return (event, now) => {
        write(event, formatTime(now, step.format, zone));
        return true;
      };
    }
  }
}
