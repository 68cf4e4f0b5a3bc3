CREATE TABLE commerce_items (
    company_id            TEXT NOT NULL,
    sku                   TEXT NOT NULL,
    name                  TEXT NOT NULL,
    search                TEXT NOT NULL DEFAULT '',
    kind                  TEXT NOT NULL,
    price_amount          BIGINT NOT NULL CHECK (price_amount >= 0),
    price_currency        TEXT NOT NULL,
    stock                 BIGINT CHECK (stock IS NULL OR stock >= 0),
    requires_prescription BOOLEAN NOT NULL DEFAULT FALSE,
    body                  TEXT NOT NULL,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, sku)
);
--bun:split
CREATE TABLE commerce_item_tags (
    company_id TEXT NOT NULL,
    sku        TEXT NOT NULL,
    tag        TEXT NOT NULL,
    PRIMARY KEY (company_id, sku, tag),
    FOREIGN KEY (company_id, sku) REFERENCES commerce_items (company_id, sku) ON DELETE CASCADE
);
--bun:split
CREATE INDEX commerce_item_tags_tag ON commerce_item_tags (tag, company_id);
--bun:split
CREATE INDEX commerce_items_kind ON commerce_items (company_id, kind, sku);
