-- Run once by the postgres image on an empty data folder: Keycloak keeps its
-- realm in its own database of the same server (owned by POSTGRES_USER).
CREATE DATABASE keycloak;
