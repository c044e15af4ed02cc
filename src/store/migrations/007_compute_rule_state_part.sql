-- A scale-out task saves its alert state per repartition partition: each instance evaluates the
-- keys its partitions bring, and hands a partition's alerts to its next owner through this row.
-- part is the repartition partition; -1 for a task without scaleOut (every row written before).

ALTER TABLE `${prefix}compute_rule_state`
  ADD COLUMN part INT NOT NULL DEFAULT -1 AFTER rule_id,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (task_id, rule_id, part);
