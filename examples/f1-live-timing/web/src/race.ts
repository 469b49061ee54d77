/** The race session as the REST API returns it, and the events of its Herald channel. */
export type SessionStatus = 'scheduled' | 'live' | 'finished';
export type Compound = 'SOFT' | 'MEDIUM' | 'HARD' | 'INTER' | 'WET';
export type DriverStatus = 'TRACK' | 'PIT' | 'OUT';

export interface Driver {
  readonly code: string;
  readonly name: string;
  readonly team: string;
  readonly position: number;
  readonly lap: number;
  readonly lastLap: number | null;
  readonly bestLap: number | null;
  readonly sectors: readonly (number | null)[];
  readonly tire: { readonly compound: Compound; readonly age: number };
  readonly status: DriverStatus;
  readonly drs: boolean;
}

export interface Session {
  readonly id: string;
  readonly name: string;
  readonly status: SessionStatus;
  readonly lap: number;
  readonly totalLaps: number;
  /** The number of the last change this state includes; every event carries the next one. */
  readonly seq: number;
  readonly drivers: readonly Driver[];
}

/** What the backend publishes on `race:<id>` (a type, not an interface: it must fit ChannelEvents). */
export type RaceEvents = {
  lap_update: { seq: number; driver: string; lap: number; lapTime: number };
  position_change: { seq: number; driver: string; position: number };
  sector_update: { seq: number; driver: string; sector: number; time: number };
  tire_change: { seq: number; driver: string; compound: Compound };
  status_change: { seq: number; driver: string; status: DriverStatus };
  drs_update: { seq: number; driver: string; enabled: boolean };
  session_update: { seq: number; status: SessionStatus };
};
export type RaceEventType = keyof RaceEvents;

const withDriver = (s: Session, code: string, update: (d: Driver) => Driver): Session => ({
  ...s,
  drivers: s.drivers.map((d) => (d.code === code ? update(d) : d)),
});

/** What each event does to the standings: one small pure function per event type. */
export const reducers: { [K in RaceEventType]: (s: Session, e: RaceEvents[K]) => Session } = {
  lap_update: (s, e) => ({
    ...withDriver(s, e.driver, (d) => ({
      ...d,
      lap: e.lap,
      lastLap: e.lapTime,
      bestLap: d.bestLap === null ? e.lapTime : Math.min(d.bestLap, e.lapTime),
      sectors: [null, null, null],
      tire: { ...d.tire, age: d.tire.age + 1 },
    })),
    lap: Math.max(s.lap, e.lap),
  }),
  position_change: (s, e) => {
    const order = [...s.drivers].sort((a, b) => a.position - b.position).filter((d) => d.code !== e.driver);
    const moved = s.drivers.find((d) => d.code === e.driver);
    if (moved) order.splice(e.position - 1, 0, moved);
    return { ...s, drivers: order.map((d, i) => ({ ...d, position: i + 1 })) };
  },
  sector_update: (s, e) => withDriver(s, e.driver, (d) => ({ ...d, sectors: d.sectors.map((t, i) => (i === e.sector - 1 ? e.time : t)) })),
  tire_change: (s, e) => withDriver(s, e.driver, (d) => ({ ...d, tire: { compound: e.compound, age: 0 } })),
  status_change: (s, e) => withDriver(s, e.driver, (d) => ({ ...d, status: e.status })),
  drs_update: (s, e) => withDriver(s, e.driver, (d) => ({ ...d, drs: e.enabled })),
  session_update: (s, e) => ({ ...s, status: e.status }),
};

export const EVENT_TYPES = Object.keys(reducers) as RaceEventType[];

/** 81234 → "1:21.234" */
export function lapTime(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return minutes > 0 ? `${minutes}:${seconds}` : seconds;
}
