DROP TABLE clinical_documents;
--bun:split
DROP TABLE clinical_prescriptions;
--bun:split
DROP TABLE clinical_plan_progress;
--bun:split
DROP TABLE clinical_plans;
--bun:split
DROP TABLE clinical_evaluations;
--bun:split
DROP TABLE clinical_access_log;
--bun:split
DROP TABLE clinical_shares;
