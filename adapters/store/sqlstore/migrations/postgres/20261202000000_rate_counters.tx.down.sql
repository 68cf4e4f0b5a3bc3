DROP TABLE identity_rate_counters;
