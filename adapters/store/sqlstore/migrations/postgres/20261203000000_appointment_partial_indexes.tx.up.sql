-- A booking writes every index of scheduling_appointments. The professional's and
-- the company's agenda indexes hold only the rows that have one (a professional's
-- consultation has no exam service, most have no company, an exam no professional):
-- a read by professional_id = ? or company_id = ? implies IS NOT NULL, so it still
-- uses them, and a booking without a company writes one index entry fewer.
DROP INDEX scheduling_appointments_professional;
--bun:split
CREATE INDEX scheduling_appointments_professional ON scheduling_appointments (professional_id, start_at, id) WHERE professional_id IS NOT NULL;
--bun:split
DROP INDEX scheduling_appointments_company;
--bun:split
CREATE INDEX scheduling_appointments_company ON scheduling_appointments (company_id, start_at, id) WHERE company_id IS NOT NULL;
