#!/bin/sh
# Run once by the postgres image on an empty data folder: one role and one
# database for multisaude and one for Keycloak, neither a superuser. The
# passwords come from the service's environment (deploy/onprem/.env).
# multisaude's migrations create the btree_gist extension, which PostgreSQL 13+
# lets a database's owner create (a trusted extension).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_pw="$APP_DB_PASSWORD" -v kc_pw="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE multisaude LOGIN PASSWORD :'app_pw';
CREATE DATABASE multisaude OWNER multisaude;
CREATE ROLE keycloak LOGIN PASSWORD :'kc_pw';
CREATE DATABASE keycloak OWNER keycloak;
SQL
