-- The auction's own tables. Every statement can run again (migrate.js applies all files at each start).
BEGIN;
CREATE TABLE IF NOT EXISTS teams (
    id text PRIMARY KEY,
    name text NOT NULL,
    -- the user ids that manage the team: the team's Herald channel is limited to them (team:<id>#<managers>)
    managers text[] NOT NULL,
    budget integer NOT NULL CHECK (budget >= 0)
);
CREATE TABLE IF NOT EXISTS players (
    id text PRIMARY KEY,
    name text NOT NULL,
    position text NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    id serial PRIMARY KEY,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finalized', 'cancelled'))
);
CREATE TABLE IF NOT EXISTS round_players (
    round_id integer NOT NULL REFERENCES rounds,
    player_id text NOT NULL REFERENCES players,
    PRIMARY KEY (round_id, player_id)
);
CREATE TABLE IF NOT EXISTS bids (
    round_id integer NOT NULL REFERENCES rounds,
    player_id text NOT NULL REFERENCES players,
    team_id text NOT NULL REFERENCES teams,
    amount integer NOT NULL CHECK (amount > 0),
    PRIMARY KEY (round_id, player_id, team_id)
);
CREATE TABLE IF NOT EXISTS squad (
    player_id text PRIMARY KEY REFERENCES players,
    team_id text NOT NULL REFERENCES teams,
    round_id integer NOT NULL REFERENCES rounds,
    price integer NOT NULL
);
CREATE TABLE IF NOT EXISTS tiebreakers (
    id serial PRIMARY KEY,
    round_id integer NOT NULL REFERENCES rounds,
    player_id text NOT NULL REFERENCES players,
    -- the tied highest bid of the round; a tiebreaker bid must be at least this
    amount integer NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    winner text NULL REFERENCES teams
);
CREATE TABLE IF NOT EXISTS tiebreaker_bids (
    tiebreaker_id integer NOT NULL REFERENCES tiebreakers,
    team_id text NOT NULL REFERENCES teams,
    amount integer NULL,
    submitted_at timestamptz NULL,
    PRIMARY KEY (tiebreaker_id, team_id)
);
-- What each team was told, in order: the page's activity feed, written with the outbox row.
CREATE TABLE IF NOT EXISTS activity (
    id bigserial PRIMARY KEY,
    team_id text NOT NULL REFERENCES teams,
    type text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS activity_team ON activity (team_id, id);

INSERT INTO teams (id, name, managers, budget) VALUES
    ('T1', 'Red Lions', '{u1}', 1000),
    ('T2', 'Blue Sharks', '{u2}', 1000),
    ('T3', 'Green Owls', '{u3,u4}', 1000)
ON CONFLICT (id) DO NOTHING;
INSERT INTO players (id, name, position) VALUES
    ('P01', 'Aaron Hale', 'GK'), ('P02', 'Bruno Sá', 'DEF'), ('P03', 'Carl Maddox', 'DEF'),
    ('P04', 'Dario Venti', 'MID'), ('P05', 'Emil Sorensen', 'MID'), ('P06', 'Femi Adeyemi', 'MID'),
    ('P07', 'Goran Petrak', 'FWD'), ('P08', 'Hugo Lambert', 'FWD'), ('P09', 'Ivan Kolar', 'DEF'),
    ('P10', 'Jonas Berg', 'GK'), ('P11', 'Kenji Mori', 'MID'), ('P12', 'Luca Ferri', 'FWD')
ON CONFLICT (id) DO NOTHING;
COMMIT;
