DROP TABLE commerce_item_tags;
--bun:split
DROP TABLE commerce_items;
