DROP INDEX scheduling_appointments_professional;
--bun:split
CREATE INDEX scheduling_appointments_professional ON scheduling_appointments (professional_id, start_at, id);
--bun:split
DROP INDEX scheduling_appointments_company;
--bun:split
CREATE INDEX scheduling_appointments_company ON scheduling_appointments (company_id, start_at, id);
