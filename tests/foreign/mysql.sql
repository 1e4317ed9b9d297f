-- The "foreign schema" of tests/test_foreign.c for MariaDB: made the way
-- a DBA writes it, not by orb, with the case- and accent-insensitive
-- utf8mb4_general_ci most MariaDB schemas use. Statements end with ';' at
-- the end of a line. fs_expect lists, per type, what orb must show and do.
SET SESSION sql_mode = '';
DROP TABLE IF EXISTS Fs_Note;
DROP VIEW IF EXISTS v_track;
DROP TABLE IF EXISTS fs_playlist_track, fs_track, fs_artist, fs_genre,
  fs_float, fs_number, fs_time, fs_choice, fs_misc, fs_generated, fs_expect;
CREATE TABLE fs_artist (
  artist_id INT NOT NULL,
  name VARCHAR(120) NOT NULL,
  country VARCHAR(40),
  code VARCHAR(10),
  PRIMARY KEY (artist_id),
  KEY fs_artist_name (name),
  UNIQUE KEY fs_artist_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_track (
  track_id INT NOT NULL PRIMARY KEY,
  artist_id INT NOT NULL,
  title VARCHAR(200) NOT NULL,
  seconds INT,
  CONSTRAINT fs_track_artist FOREIGN KEY (artist_id)
    REFERENCES fs_artist (artist_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_playlist_track (
  playlist_id INT NOT NULL,
  track_id INT NOT NULL,
  position INT NOT NULL,
  PRIMARY KEY (playlist_id, track_id),
  CONSTRAINT fs_pt_track FOREIGN KEY (track_id) REFERENCES fs_track (track_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_genre (
  genre_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(120) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE VIEW v_track AS
  SELECT t.track_id, t.title, a.name AS artist, t.seconds
  FROM fs_track t JOIN fs_artist a ON a.artist_id = t.artist_id;
CREATE TABLE fs_float (id INT PRIMARY KEY, f FLOAT, d DOUBLE)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_number (id INT PRIMARY KEY, n DECIMAL(30,3), p DECIMAL(10,2))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_time (id INT PRIMARY KEY, at_ts TIMESTAMP NULL, yr YEAR,
  day DATE, zero_day DATE, zero_at DATETIME)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_choice (id INT PRIMARY KEY,
  mood ENUM('fröhlich', 'Sad', 'ok'), tags SET('a', 'b c', 'Ü'),
  flag TINYINT(1), bits BIT(8))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_misc (id INT PRIMARY KEY, uid UUID, doc JSON,
  email VARCHAR(80), spot POINT)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_generated (id INT PRIMARY KEY, qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  total DECIMAL(12,2) AS (qty * price) STORED)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
-- A table named in mixed case, with a key into another table and a
-- two-column unique key.
CREATE TABLE Fs_Note (
  note_id INT PRIMARY KEY,
  artist_id INT NOT NULL,
  lang VARCHAR(5) NOT NULL,
  body TEXT COLLATE utf8mb4_bin,
  UNIQUE KEY fs_note_lang (artist_id, lang),
  CONSTRAINT fs_note_artist FOREIGN KEY (artist_id) REFERENCES fs_artist (artist_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE fs_expect (
  id INT PRIMARY KEY,
  tbl VARCHAR(40) NOT NULL,
  col VARCHAR(40) NOT NULL,
  shown TEXT,
  input TEXT,
  after TEXT,
  refused TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
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
INSERT INTO fs_number VALUES (1, 12345678901234567890.125, 7.5);
INSERT INTO fs_time VALUES (1, '2024-03-01 11:30:00', 1999, '2024-02-29',
  '0000-00-00', '0000-00-00 00:00:00');
INSERT INTO fs_choice VALUES (1, 'fröhlich', 'a,Ü', 1, b'10100101');
INSERT INTO fs_misc VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  '{"b": 1, "a": "ß"}', 'ä@example.org', ST_GeomFromText('POINT(1 2)'));
INSERT INTO fs_generated (id, qty, price) VALUES (1, 3, 2.50);
INSERT INTO fs_expect VALUES (1, 'fs_float', 'f', '0.1', '0.3', '0.3', NULL);
INSERT INTO fs_expect VALUES (2, 'fs_float', 'd', '0.1', '0.3', '0.3', NULL);
INSERT INTO fs_expect VALUES (3, 'fs_number', 'n', '12345678901234567890.125',
  '0.5', '0.500', NULL);
INSERT INTO fs_expect VALUES (4, 'fs_number', 'p', '7.50', '12.5', '12.50',
  NULL);
INSERT INTO fs_expect VALUES (5, 'fs_time', 'at_ts', '2024-03-01 11:30:00',
  '2025-12-31 23:59:59', '2025-12-31 23:59:59', NULL);
INSERT INTO fs_expect VALUES (6, 'fs_time', 'yr', '1999', '2024', '2024', NULL);
INSERT INTO fs_expect VALUES (7, 'fs_time', 'day', '2024-02-29', '2025-01-31',
  '2025-01-31', NULL);
INSERT INTO fs_expect VALUES (8, 'fs_time', 'zero_day', '0000-00-00',
  '2025-01-31', '2025-01-31', NULL);
INSERT INTO fs_expect VALUES (9, 'fs_time', 'zero_at', '0000-00-00 00:00:00',
  '2025-01-31 10:00:00', '2025-01-31 10:00:00', NULL);
INSERT INTO fs_expect VALUES (10, 'fs_choice', 'mood', 'fröhlich', 'Sad', 'Sad',
  'sad');
INSERT INTO fs_expect VALUES (11, 'fs_choice', 'tags', 'a,Ü', 'b c,Ü', 'b c,Ü',
  'a,u');
INSERT INTO fs_expect VALUES (12, 'fs_choice', 'flag', 'true', 'false', 'false',
  NULL);
INSERT INTO fs_expect VALUES (13, 'fs_choice', 'bits', '\\xa5', NULL, NULL,
  NULL);
INSERT INTO fs_expect VALUES (14, 'fs_misc', 'uid',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  'B1EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12',
  'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', NULL);
INSERT INTO fs_expect VALUES (15, 'fs_misc', 'doc', '{"b": 1, "a": "ß"}',
  '{"z": [1, 2], "é": null}', '{"z": [1, 2], "é": null}', NULL);
INSERT INTO fs_expect VALUES (16, 'fs_misc', 'email', 'ä@example.org',
  'Ö@example.org', 'Ö@example.org', NULL);
INSERT INTO fs_expect VALUES (17, 'fs_misc', 'spot',
  '\\x000000000101000000000000000000f03f0000000000000040', NULL, NULL,
  NULL);
INSERT INTO fs_expect VALUES (18, 'fs_generated', 'total', '7.50', NULL, NULL,
  NULL);
INSERT INTO fs_expect VALUES (19, 'fs_generated', 'qty', '3', '4', '4', NULL);
