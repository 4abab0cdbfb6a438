-- The database the "Database Operations" example of async-await.md queries.
-- mdverify runs this file with psql before the article and drops mydb afterwards.
CREATE DATABASE mydb;
\connect mydb

CREATE TABLE users (
    id    serial PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);

INSERT INTO users (name, email) VALUES
    ('Ada Lovelace', 'ada@example.com'),
    ('Grace Hopper', 'grace@example.com'),
    ('Alan Turing', 'alan@example.com');
