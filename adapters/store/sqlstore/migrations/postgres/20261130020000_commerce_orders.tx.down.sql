DROP TABLE commerce_orders;
