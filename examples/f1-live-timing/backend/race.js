// @ts-check
/**
 * The race session: the backend's truth (what the REST standings return) and the events that
 * change it. Each change is applied here first, then published to Herald with the same data, so a
 * page that applies the events in order ends equal to this state. `seq` numbers the changes.
 */

/** @typedef {'scheduled' | 'live' | 'finished'} SessionStatus */
/** @typedef {'SOFT' | 'MEDIUM' | 'HARD' | 'INTER' | 'WET'} Compound */
/** @typedef {'TRACK' | 'PIT' | 'OUT'} DriverStatus */
/**
 * @typedef {{ code: string, name: string, team: string, position: number, lap: number,
 *   lastLap: number | null, bestLap: number | null, sectors: (number | null)[],
 *   tire: { compound: Compound, age: number }, status: DriverStatus, drs: boolean }} Driver
 * @typedef {{ id: string, name: string, status: SessionStatus, lap: number, totalLaps: number,
 *   seq: number, drivers: Driver[] }} Session
 * @typedef {{ type: 'lap_update', data: { seq: number, driver: string, lap: number, lapTime: number } }
 *   | { type: 'position_change', data: { seq: number, driver: string, position: number } }
 *   | { type: 'sector_update', data: { seq: number, driver: string, sector: number, time: number } }
 *   | { type: 'tire_change', data: { seq: number, driver: string, compound: Compound } }
 *   | { type: 'status_change', data: { seq: number, driver: string, status: DriverStatus } }
 *   | { type: 'drs_update', data: { seq: number, driver: string, enabled: boolean } }
 *   | { type: 'session_update', data: { seq: number, status: SessionStatus } }} RaceEvent
 */

const GRID = [
  ['VER', 'Max Verstappen', 'Red Bull'], ['NOR', 'Lando Norris', 'McLaren'], ['LEC', 'Charles Leclerc', 'Ferrari'],
  ['PIA', 'Oscar Piastri', 'McLaren'], ['HAM', 'Lewis Hamilton', 'Ferrari'], ['RUS', 'George Russell', 'Mercedes'],
  ['ANT', 'Kimi Antonelli', 'Mercedes'], ['ALO', 'Fernando Alonso', 'Aston Martin'], ['STR', 'Lance Stroll', 'Aston Martin'],
  ['GAS', 'Pierre Gasly', 'Alpine'], ['COL', 'Franco Colapinto', 'Alpine'], ['ALB', 'Alexander Albon', 'Williams'],
  ['SAI', 'Carlos Sainz', 'Williams'], ['TSU', 'Yuki Tsunoda', 'Red Bull'], ['HAD', 'Isack Hadjar', 'Racing Bulls'],
  ['LAW', 'Liam Lawson', 'Racing Bulls'], ['HUL', 'Nico Hülkenberg', 'Sauber'], ['BOR', 'Gabriel Bortoleto', 'Sauber'],
  ['OCO', 'Esteban Ocon', 'Haas'], ['BEA', 'Oliver Bearman', 'Haas'],
];

/** @returns {Session} */
export function newSession() {
  return {
    id: 'monza-2026',
    name: 'Italian Grand Prix · Race',
    status: 'scheduled',
    lap: 0,
    totalLaps: 53,
    seq: 0,
    drivers: GRID.map(([code, name, team], i) => ({
      code: code ?? '', name: name ?? '', team: team ?? '', position: i + 1, lap: 0, lastLap: null, bestLap: null,
      sectors: [null, null, null], tire: { compound: i % 2 ? 'HARD' : 'MEDIUM', age: 0 }, status: 'TRACK', drs: false,
    })),
  };
}

/** @param {Session} session @param {string} code */
function driver(session, code) {
  const found = session.drivers.find((d) => d.code === code);
  if (!found) throw new Error(`no driver ${code}`);
  return found;
}

/** Applies one event to the session in place (the same rules the page applies to its cache). @param {Session} session @param {RaceEvent} event */
export function apply(session, event) {
  session.seq = event.data.seq;
  switch (event.type) {
    case 'lap_update': {
      const d = driver(session, event.data.driver);
      d.lap = event.data.lap;
      d.lastLap = event.data.lapTime;
      d.bestLap = d.bestLap === null ? event.data.lapTime : Math.min(d.bestLap, event.data.lapTime);
      d.sectors = [null, null, null];
      d.tire.age += 1;
      session.lap = Math.max(session.lap, event.data.lap);
      return;
    }
    case 'position_change': {
      const order = [...session.drivers].sort((a, b) => a.position - b.position).filter((d) => d.code !== event.data.driver);
      order.splice(event.data.position - 1, 0, driver(session, event.data.driver));
      order.forEach((d, i) => (d.position = i + 1));
      return;
    }
    case 'sector_update':
      driver(session, event.data.driver).sectors[event.data.sector - 1] = event.data.time;
      return;
    case 'tire_change':
      driver(session, event.data.driver).tire = { compound: event.data.compound, age: 0 };
      return;
    case 'status_change':
      driver(session, event.data.driver).status = event.data.status;
      return;
    case 'drs_update':
      driver(session, event.data.driver).drs = event.data.enabled;
      return;
    case 'session_update':
      session.status = event.data.status;
      return;
  }
}

/** A small deterministic random source (mulberry32), so a run can be replayed. @param {number} seed */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPOUNDS = /** @type {const} */ (['SOFT', 'MEDIUM', 'HARD']);
const STATUSES = /** @type {const} */ (['TRACK', 'PIT', 'OUT']);

/** The next race event for the session (not applied yet). @param {Session} session @param {() => number} rnd @returns {RaceEvent} */
export function nextEvent(session, rnd) {
  const seq = session.seq + 1;
  const d = session.drivers[Math.floor(rnd() * session.drivers.length)] ?? session.drivers[0];
  if (!d) throw new Error('no drivers');
  const roll = rnd();
  if (roll < 0.3) return { type: 'sector_update', data: { seq, driver: d.code, sector: 1 + Math.floor(rnd() * 3), time: 26_000 + Math.floor(rnd() * 3_000) } };
  if (roll < 0.5) return { type: 'lap_update', data: { seq, driver: d.code, lap: Math.min(session.totalLaps, d.lap + 1), lapTime: 81_000 + Math.floor(rnd() * 4_000) } };
  if (roll < 0.7) {
    const position = Math.min(session.drivers.length, Math.max(1, d.position + (rnd() < 0.5 ? -1 : 1)));
    return { type: 'position_change', data: { seq, driver: d.code, position } };
  }
  if (roll < 0.82) return { type: 'drs_update', data: { seq, driver: d.code, enabled: !d.drs } };
  if (roll < 0.92) return { type: 'status_change', data: { seq, driver: d.code, status: STATUSES[Math.floor(rnd() * STATUSES.length)] ?? 'TRACK' } };
  return { type: 'tire_change', data: { seq, driver: d.code, compound: COMPOUNDS[Math.floor(rnd() * COMPOUNDS.length)] ?? 'MEDIUM' } };
}
