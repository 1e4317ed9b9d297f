-- The sample database of tests/test_sample.c, in this dialect's own SQL
-- (not created by orb). Generated data is deterministic: 46 names
-- (German, French, Greek, CJK, names that differ only in case or accent,
-- LIKE wildcards, a trailing space, a NULL) times 60 people each, a city
-- that is NULL for every fifth, a foreign key to the countries (NULL for
-- some), a view joining both. Statements end with ';' at the end of a line.
DROP VIEW IF EXISTS smp_v_person;
DROP TABLE IF EXISTS smp_person_latin;
DROP TABLE IF EXISTS smp_person;
DROP TABLE IF EXISTS smp_name;
DROP TABLE IF EXISTS smp_country;
CREATE TABLE smp_country (code CHAR(2) PRIMARY KEY, label VARCHAR(60) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO smp_country (code, label) VALUES
  ('DE', 'Deutschland'), ('FR', 'France'), ('GR', 'Ελλάδα'),
  ('JP', '日本'), ('CN', '中国'), ('KR', '한국');
CREATE TABLE smp_name (k INTEGER PRIMARY KEY, name VARCHAR(60), country CHAR(2)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO smp_name (k, name, country) VALUES
  (1, 'Müller', 'DE'),
  (2, 'MÜLLER', 'DE'),
  (3, 'müller', 'DE'),
  (4, 'Mueller', 'DE'),
  (5, 'Muller', 'DE'),
  (6, 'Jürgen', 'DE'),
  (7, 'Jurgen', 'DE'),
  (8, 'JÜRGEN', 'DE'),
  (9, 'Straße', 'DE'),
  (10, 'Strasse', 'DE'),
  (11, 'Groß', 'DE'),
  (12, 'Öztürk', 'DE'),
  (13, 'Émilie', 'FR'),
  (14, 'Emilie', 'FR'),
  (15, 'émilie', 'FR'),
  (16, 'François', 'FR'),
  (17, 'Francois', 'FR'),
  (18, 'Hélène', 'FR'),
  (19, 'HÉLÈNE', 'FR'),
  (20, 'Chloé', 'FR'),
  (21, 'Chloe', 'FR'),
  (22, 'Love', NULL),
  (23, 'LOVE', NULL),
  (24, 'love', NULL),
  (25, 'a', NULL),
  (26, 'A', NULL),
  (27, 'á', NULL),
  (28, 'Á', NULL),
  (29, '100%', 'FR'),
  (30, 'a_b', 'FR'),
  (31, 'Σοφία', 'GR'),
  (32, 'ΣΟΦΊΑ', 'GR'),
  (33, 'σοφία', 'GR'),
  (34, 'Αλέξανδρος', 'GR'),
  (35, 'ΑΛΈΞΑΝΔΡΟΣ', 'GR'),
  (36, 'Ελένη', 'GR'),
  (37, '東京', 'JP'),
  (38, '山田太郎', 'JP'),
  (39, '北京', 'CN'),
  (40, '李小龍', 'CN'),
  (41, '김민준', 'KR'),
  (42, 'İstanbul', NULL),
  (43, 'Œuvre', 'FR'),
  (44, NULL, 'DE'),
  (45, 'Ærøskøbing', 'DE'),
  (46, 'a ', NULL);
-- Collations as most existing MySQL/MariaDB schemas have them.
CREATE TABLE smp_person (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) COLLATE utf8mb4_general_ci,
  city VARCHAR(100) COLLATE utf8mb4_unicode_ci,
  country_code CHAR(2),
  CONSTRAINT smp_person_country FOREIGN KEY (country_code)
    REFERENCES smp_country (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE INDEX smp_person_name ON smp_person (name);
INSERT INTO smp_person (id, name, city, country_code)
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 59)
SELECT s.n * 100 + nm.k, nm.name,
  CASE s.n % 5 WHEN 0 THEN NULL WHEN 1 THEN 'München' WHEN 2 THEN 'MÜNCHEN' WHEN 3 THEN 'Paris' ELSE 'Αθήνα' END,
  nm.country
FROM s CROSS JOIN smp_name nm;
-- Latin-1 names only (the first 30).
CREATE TABLE smp_person_latin (id INTEGER PRIMARY KEY, name VARCHAR(100))
  ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
CREATE INDEX smp_person_latin_name ON smp_person_latin (name);
INSERT INTO smp_person_latin (id, name)
  SELECT id, name FROM smp_person WHERE id % 100 BETWEEN 1 AND 30;
CREATE VIEW smp_v_person AS
  SELECT p.id, p.name, c.label AS country
  FROM smp_person p JOIN smp_country c ON c.code = p.country_code;
