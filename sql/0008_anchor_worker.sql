-- sql/0008_anchor_worker.sql — a reverted anchor's tree size is anchored
-- again (issue 11).
--
-- 0002 made tree_size UNIQUE, so a `failed` (reverted) anchor kept its size
-- for good and that size was only covered again once the log grew.  Only
-- anchors that can still succeed are unique per size; failed ones stay as
-- history next to the anchor that replaced them.

ALTER TABLE anchors DROP CONSTRAINT anchors_tree_size_key;
CREATE UNIQUE INDEX anchors_tree_size_live ON anchors (tree_size)
	WHERE status <> 'failed';
