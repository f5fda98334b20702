-- 0015_futility.sql — a project may stop buying votes that would not change
-- a task's label.
--
-- A task runs until the posterior of its leading label reaches the
-- project's confidence, or to max_votes.  On a crowd that rarely agrees
-- enough to reach the target (calibrated weights are small), every such
-- task took all of max_votes, though after a few votes the rest had little
-- chance of changing the answer (issue 10: 78-98% of the votes spent on
-- dog and face with 10% gold).  futility is that chance, per project: once
-- a task has min_votes, it is final, flagged low_confidence like a task at
-- max_votes, when the votes still to come would change its leading label
-- with a probability below futility (reputation/finalize.h,
-- rep_flip_probability()).  0 turns it off.
--
-- Projects made before this keep 0, so their tasks decide as they did;
-- labeling/project.c gives new projects its documented default.
ALTER TABLE projects ADD COLUMN futility double precision NOT NULL DEFAULT 0
	CHECK (futility >= 0 AND futility <= 0.5);
