-- sql/0007_calibration.sql — a project's temperature (reputation/params.h):
-- every vote's weight is divided by it, so that the confidence a final
-- label claims is what the crowd has shown on the project's gold tasks.
-- Set by the batch re-estimation (labeling/reestimate.c) from the gold
-- tasks' votes; 1 — the model as it is — while the project has none.
ALTER TABLE projects ADD COLUMN temperature double precision NOT NULL
	DEFAULT 1 CHECK (temperature >= 1 AND temperature <= 20);
ALTER TABLE projects ADD COLUMN calibration_samples int NOT NULL DEFAULT 0
	CHECK (calibration_samples >= 0);
