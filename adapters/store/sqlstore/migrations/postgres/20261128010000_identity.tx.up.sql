CREATE TABLE identity_companies (
    id               TEXT PRIMARY KEY,
    legal_name       TEXT NOT NULL,
    trade_name       TEXT NOT NULL,
    cnpj             TEXT NOT NULL,
    type             TEXT NOT NULL,
    cep              TEXT NOT NULL,
    street           TEXT NOT NULL,
    number           TEXT NOT NULL,
    complement       TEXT NOT NULL DEFAULT '',
    district         TEXT NOT NULL,
    city             TEXT NOT NULL,
    uf               TEXT NOT NULL,
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    phone            TEXT NOT NULL,
    email            TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    rejection_reason TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT identity_companies_cnpj_key UNIQUE (cnpj)
);
--bun:split
CREATE INDEX identity_companies_status ON identity_companies (status, created_at);
--bun:split
CREATE TABLE identity_accounts (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    company_id    TEXT REFERENCES identity_companies (id),
    role          TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE UNIQUE INDEX identity_accounts_kind_email_key ON identity_accounts (kind, email) WHERE NOT disabled;
--bun:split
CREATE INDEX identity_accounts_email ON identity_accounts (email);
--bun:split
CREATE INDEX identity_accounts_company ON identity_accounts (company_id, created_at);
--bun:split
CREATE TABLE identity_patients (
    id          TEXT PRIMARY KEY REFERENCES identity_accounts (id),
    social_name TEXT NOT NULL DEFAULT '',
    cpf         TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    cep         TEXT NOT NULL,
    street      TEXT NOT NULL,
    number      TEXT NOT NULL,
    complement  TEXT NOT NULL DEFAULT '',
    district    TEXT NOT NULL,
    city        TEXT NOT NULL,
    uf          TEXT NOT NULL,
    lat         DOUBLE PRECISION,
    lng         DOUBLE PRECISION,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT identity_patients_cpf_key UNIQUE (cpf)
);
--bun:split
CREATE TABLE identity_professionals (
    id               TEXT PRIMARY KEY REFERENCES identity_accounts (id),
    cpf              TEXT NOT NULL,
    profession       TEXT NOT NULL,
    council_type     TEXT NOT NULL,
    council_number   TEXT NOT NULL,
    council_uf       TEXT NOT NULL,
    specialties      TEXT NOT NULL,
    bio              TEXT NOT NULL DEFAULT '',
    price_amount     BIGINT NOT NULL,
    price_currency   TEXT NOT NULL,
    modes            TEXT NOT NULL,
    cep              TEXT NOT NULL DEFAULT '',
    street           TEXT NOT NULL DEFAULT '',
    number           TEXT NOT NULL DEFAULT '',
    complement       TEXT NOT NULL DEFAULT '',
    district         TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    uf               TEXT NOT NULL DEFAULT '',
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    status           TEXT NOT NULL,
    rejection_reason TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT identity_professionals_cpf_key UNIQUE (cpf),
    CONSTRAINT identity_professionals_council_key UNIQUE (council_type, council_number, council_uf)
);
--bun:split
CREATE INDEX identity_professionals_status ON identity_professionals (status, profession, uf, city);
--bun:split
CREATE TABLE identity_refresh_tokens (
    id         TEXT PRIMARY KEY,
    family     TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES identity_accounts (id),
    hash       TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT identity_refresh_tokens_hash_key UNIQUE (hash)
);
--bun:split
CREATE INDEX identity_refresh_tokens_family ON identity_refresh_tokens (family);
--bun:split
CREATE INDEX identity_refresh_tokens_account ON identity_refresh_tokens (account_id);
--bun:split
CREATE TABLE identity_reset_tokens (
    hash       TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES identity_accounts (id),
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
--bun:split
CREATE TABLE identity_api_keys (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES identity_companies (id),
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    CONSTRAINT identity_api_keys_prefix_key UNIQUE (prefix)
);
--bun:split
CREATE INDEX identity_api_keys_company ON identity_api_keys (company_id, created_at);
