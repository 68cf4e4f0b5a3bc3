-- Fills a migrated PostgreSQL database with :n verified professionals (default 20000) in 500
-- cities, each with a weekly availability, for the directory benchmarks (bench_test.go).
-- psql -v n=20000 -f seed_postgres.sql DB. Cities and professionals are skewed like a country:
-- city k gets about 1/k of the weight (São Paulo-like first cities, long tail of small ones).
\if :{?n}
\else
\set n 20000
\endif
BEGIN;
SELECT setseed(0.17);
CREATE TEMP TABLE bench_cities AS
SELECT k, CASE WHEN k <= 27 THEN (ARRAY['São Paulo','Rio de Janeiro','Brasília','Salvador','Fortaleza','Belo Horizonte','Manaus',
        'Curitiba','Recife','Goiânia','Belém','Porto Alegre','Guarulhos','Campinas','São Luís','Maceió','Campo Grande',
        'Teresina','João Pessoa','Natal','Cuiabá','Aracaju','Florianópolis','Porto Velho','Macapá','Rio Branco','Boa Vista'])[k]
       ELSE 'Cidade ' || k END AS name,
       (ARRAY['SP','RJ','DF','BA','CE','MG','AM','PR','PE','GO','PA','RS','SP','SP','MA','AL','MS','PI','PB','RN','MT','SE','SC','RO','AP','AC','RR'])[1 + (k - 1) % 27] AS uf,
       -33.0 + random() * 35.0 AS lat, -73.0 + random() * 38.0 AS lng
FROM generate_series(1, 500) k;
CREATE TEMP TABLE bench_specs AS
SELECT row_number() OVER () AS k, s FROM unnest(ARRAY['cardiology','dermatology','pediatrics','psychiatry','orthopedics',
  'gynecology','neurology','ophthalmology','endocrinology','gastroenterology','urology','otorhinolaryngology','pulmonology',
  'rheumatology','nephrology','oncology','geriatrics','infectology','family_medicine','clinical_nutrition','sports_nutrition',
  'cognitive_behavioral','psychoanalysis','child_psychology','orthodontics','endodontics','periodontics','implantology',
  'physiotherapy_sports','physiotherapy_respiratory','neuro_rehabilitation','speech_language','audiology','personal_training',
  'pilates','clinical_pharmacy','wound_care','obstetric_nursing','sleep_medicine','allergy']) s;
CREATE TEMP TABLE bench_pros AS
SELECT g,
       '01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0') AS id,
       least(500, 1 + floor(exp(random() * ln(500.0)) - 1)::int) AS city,
       (ARRAY['physician','physician','physician','physician','physician','psychologist','nutritionist','physiotherapist','dentist','nurse'])[1 + floor(random() * 10)::int] AS profession,
       1 + floor(random() * 40)::int AS s1, 1 + floor(random() * 40)::int AS s2, random() < 0.5 AS two,
       floor(random() * 3)::int AS modes,
       random() AS jlat, random() AS jlng
FROM generate_series(1, :n) g;
INSERT INTO identity_accounts (id, kind, email, name, phone, password_hash, role, disabled, failed_logins, created_at, updated_at)
SELECT id, 'professional', 'pro' || g || '@bench.example', 'Profissional ' || g || ' da Silva', '+5511999990000',
       '$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA', '', false, 0,
       now() - interval '1 day' * g / 100, now() - interval '1 day' * g / 100
FROM bench_pros;
INSERT INTO identity_professionals (id, cpf, profession, council_type, council_number, council_uf, specialties, bio,
  price_amount, price_currency, modes, cep, street, number, district, city, uf, lat, lng, status, created_at, updated_at)
SELECT p.id, lpad(g::text, 11, '0'), p.profession, 'CRM', g::text, c.uf,
       CASE WHEN p.two AND p.s2 <> p.s1 THEN '["' || s1.s || '","' || s2.s || '"]' ELSE '["' || s1.s || '"]' END,
       'Atendimento humanizado.', 15000 + (g % 30) * 1000, 'BRL',
       (ARRAY['["in_person"]','["telemedicine"]','["in_person","telemedicine"]'])[1 + p.modes],
       '01310-100', 'Avenida Principal', (g % 2000)::text, 'Centro', c.name, c.uf,
       c.lat + (p.jlat - 0.5) * 0.2, c.lng + (p.jlng - 0.5) * 0.2, 'verified',
       now() - interval '1 day' * g / 100, now() - interval '1 day' * g / 100
FROM bench_pros p JOIN bench_cities c ON c.k = p.city JOIN bench_specs s1 ON s1.k = p.s1 JOIN bench_specs s2 ON s2.k = p.s2;
INSERT INTO scheduling_availability (owner_id, time_zone, slot_minutes, buffer_minutes, min_notice_hours, horizon_days,
  cancel_until_hours, weekly, exceptions, version, updated_at)
SELECT id, 'America/Sao_Paulo', 30, 0, 2, 90, 24,
       '[{"w":1,"s":480,"e":720,"m":"in_person"},{"w":2,"s":480,"e":720,"m":"telemedicine"},{"w":3,"s":780,"e":1080,"m":"in_person"},{"w":4,"s":480,"e":720,"m":"telemedicine"},{"w":5,"s":480,"e":1080,"m":"in_person"}]',
       '[]', 1, now()
FROM bench_pros;
COMMIT;
ANALYZE identity_accounts;
ANALYZE identity_professionals;
ANALYZE scheduling_availability;
