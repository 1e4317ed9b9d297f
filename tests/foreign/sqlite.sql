-- The "foreign schema" of tests/test_foreign.c for SQLite: made the way
-- people write SQLite schemas, not by orb: INT keys that are not the
-- rowid, declared types of free text or none at all. Statements end with
-- ';' at the end of a line. fs_expect lists, per type, what orb must show
-- and do.
DROP TABLE IF EXISTS Fs_Note;
DROP VIEW IF EXISTS v_track;
DROP TABLE IF EXISTS fs_playlist_track;
DROP TABLE IF EXISTS fs_track;
DROP TABLE IF EXISTS fs_artist;
DROP TABLE IF EXISTS fs_genre;
DROP TABLE IF EXISTS fs_float;
DROP TABLE IF EXISTS fs_number;
DROP TABLE IF EXISTS fs_time;
DROP TABLE IF EXISTS fs_choice;
DROP TABLE IF EXISTS fs_misc;
DROP TABLE IF EXISTS fs_generated;
DROP TABLE IF EXISTS fs_expect;
CREATE TABLE fs_artist (
  artist_id INT NOT NULL PRIMARY KEY,
  name NVARCHAR(120) NOT NULL,
  country VARCHAR(40),
  code VARCHAR(10)
);
CREATE INDEX fs_artist_name ON fs_artist (name);
CREATE UNIQUE INDEX fs_artist_code ON fs_artist (code);
CREATE TABLE fs_track (
  track_id INT PRIMARY KEY,
  artist_id INT NOT NULL REFERENCES fs_artist (artist_id),
  title VARCHAR(200) NOT NULL,
  seconds INT
);
CREATE TABLE fs_playlist_track (
  playlist_id INT NOT NULL,
  track_id INT NOT NULL REFERENCES fs_track (track_id),
  position INT NOT NULL,
  PRIMARY KEY (playlist_id, track_id)
) WITHOUT ROWID;
CREATE TABLE fs_genre (
  genre_id INTEGER PRIMARY KEY,
  name VARCHAR(120) NOT NULL
);
CREATE VIEW v_track AS
  SELECT t.track_id, t.title, a.name AS artist, t.seconds
  FROM fs_track t JOIN fs_artist a ON a.artist_id = t.artist_id;
CREATE TABLE fs_float (id INT PRIMARY KEY, f FLOAT, d DOUBLE);
CREATE TABLE fs_number (id INT PRIMARY KEY, n NUMERIC, p DECIMAL(10,2));
CREATE TABLE fs_time (id INT PRIMARY KEY, at_ts DATETIME, day DATE);
CREATE TABLE fs_choice (id INT PRIMARY KEY, flag BOOLEAN);
CREATE TABLE fs_misc (id INT PRIMARY KEY, anything, note STRING,
  label "character varying with a story", doc JSON);
CREATE TABLE fs_generated (id INT PRIMARY KEY, qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  total DECIMAL(12,2) GENERATED ALWAYS AS (qty * price) STORED);
-- A table named in mixed case, with a key into another table and a
-- two-column unique key.
CREATE TABLE Fs_Note (
  note_id INT NOT NULL PRIMARY KEY,
  artist_id INT NOT NULL REFERENCES fs_artist (artist_id),
  lang VARCHAR(5) NOT NULL,
  body TEXT COLLATE NOCASE,
  UNIQUE (artist_id, lang)
);
CREATE TABLE fs_expect (
  id INT PRIMARY KEY,
  tbl VARCHAR(40) NOT NULL,
  col VARCHAR(40) NOT NULL,
  shown TEXT,
  input TEXT,
  after TEXT,
  refused TEXT
);
INSERT INTO fs_artist VALUES (1, 'Die Ärzte', 'DE', 'AE');
INSERT INTO fs_artist VALUES (2, 'Łona', 'PL', 'LO');
INSERT INTO fs_artist VALUES (3, 'björk', 'IS', 'BJ');
INSERT INTO fs_artist VALUES (4, 'BJÖRK Tribute', 'IS', 'BT');
INSERT INTO fs_artist VALUES (5, 'Ελπίδα', 'GR', 'EL');
INSERT INTO fs_artist VALUES (6, '東京事変', NULL, NULL);
INSERT INTO fs_track VALUES (10, 1, 'Schrei nach Liebe', 245);
INSERT INTO fs_track VALUES (11, 1, 'Männer sind Schweine', 268);
INSERT INTO fs_track VALUES (12, 3, 'Jóga', 305);
INSERT INTO fs_track VALUES (13, 5, 'Σ''αγαπώ', NULL);
INSERT INTO fs_track VALUES (14, 6, '群青日和', 224);
INSERT INTO fs_playlist_track VALUES (1, 10, 1);
INSERT INTO fs_playlist_track VALUES (1, 12, 2);
INSERT INTO fs_playlist_track VALUES (2, 10, 1);
INSERT INTO fs_genre (name) VALUES ('Rock');
INSERT INTO fs_float VALUES (1, 0.1, 0.1);
INSERT INTO fs_number VALUES (1, 1234567.125, 7.5);
INSERT INTO fs_time VALUES (1, '2024-03-01 11:30:00', '2024-02-29');
INSERT INTO fs_choice VALUES (1, 1);
INSERT INTO fs_misc VALUES (1, 42, 'Straße', 'ÉTÉ', '{"b": 1, "a": "ß"}');
INSERT INTO fs_generated (id, qty, price) VALUES (1, 3, 2.50);
INSERT INTO fs_expect VALUES (1, 'fs_float', 'f', '0.1', '0.3', '0.3', NULL);
INSERT INTO fs_expect VALUES (2, 'fs_float', 'd', '0.1', '0.3', '0.3', NULL);
INSERT INTO fs_expect VALUES (3, 'fs_number', 'n', '1234567.125',
  '0.5', '0.5', NULL);
INSERT INTO fs_expect VALUES (4, 'fs_number', 'p', '7.50', '12.5', '12.50',
  NULL);
INSERT INTO fs_expect VALUES (5, 'fs_time', 'at_ts', '2024-03-01 11:30:00',
  '2025-12-31 23:59:59', '2025-12-31 23:59:59', NULL);
INSERT INTO fs_expect VALUES (6, 'fs_time', 'day', '2024-02-29', '2025-01-31',
  '2025-01-31', NULL);
INSERT INTO fs_expect VALUES (7, 'fs_choice', 'flag', 'true', 'false', 'false',
  NULL);
INSERT INTO fs_expect VALUES (8, 'fs_misc', 'anything', '42', 'Ünïcode', 'Ünïcode',
  NULL);
INSERT INTO fs_expect VALUES (9, 'fs_misc', 'note', 'Straße', 'ÖL 0123', 'ÖL 0123',
  NULL);
INSERT INTO fs_expect VALUES (10, 'fs_misc', 'label', 'ÉTÉ', 'été', 'été', NULL);
INSERT INTO fs_expect VALUES (11, 'fs_misc', 'doc', '{"b": 1, "a": "ß"}',
  '{"z": [1, 2], "é": null}', '{"z": [1, 2], "é": null}', NULL);
INSERT INTO fs_expect VALUES (12, 'fs_generated', 'total', '7.50', NULL, NULL,
  NULL);
INSERT INTO fs_expect VALUES (13, 'fs_generated', 'qty', '3', '4', '4', NULL);
