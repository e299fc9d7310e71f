import { IANAZone, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from "luxon";

const QUARTER_HOUR = 15 * 60_000;
const MAX_REMEMBERED = 100_000;

/**
 * An IANA time zone that remembers its UTC offsets. Luxon asks Intl for the offset on every
 * conversion, several times each, and that is most of what reading "mardi 10h" costs. Every
 * offset in use is a whole number of quarter-hours and changes at a local :00 or :30, so it
 * is the same throughout each UTC quarter-hour: one answer per quarter-hour is exact.
 */
class RememberedZone extends Zone<true> {
  private readonly offsets = new Map<number, number>();

  constructor(private readonly zone: IANAZone<true>) {
    super();
  }

  override get type(): string {
    return this.zone.type;
  }

  override get name(): string {
    return this.zone.name;
  }

  override get isUniversal(): boolean {
    return false;
  }

  override get isValid(): true {
    return true;
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string {
    return this.zone.offsetName(ts, options);
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.zone.formatOffset(ts, format);
  }

  override offset(ts: number): number {
    const quarter = Math.floor(ts / QUARTER_HOUR);
    let minutes = this.offsets.get(quarter);
    if (minutes === undefined) {
      if (this.offsets.size >= MAX_REMEMBERED) this.offsets.clear();
      minutes = this.zone.offset(ts);
      this.offsets.set(quarter, minutes);
    }
    return minutes;
  }

  override equals(other: Zone): boolean {
    return other.type === this.type && other.name === this.name;
  }
}

const zones = new Map<string, Zone>();

/** The clinic's IANA zone for Luxon (`{ zone: clinicZone(tz) }`); an unknown name gives Luxon's invalid zone. */
export function clinicZone(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    const iana = IANAZone.create(name);
    zone = iana.isValid ? new RememberedZone(iana as IANAZone<true>) : iana;
    zones.set(name, zone);
  }
  return zone;
}
