-- The consensus safety state lives in fsynced files under the node's --data-dir (sq-node::store),
-- never in this database; the table was never written.
DROP TABLE safety;
