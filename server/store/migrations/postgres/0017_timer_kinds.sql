-- Two more kinds of timer (as SQLite's 0017): the end of a closed conversation's
-- wait for the visitor's rating, and the deadline of an offer to agents.
ALTER TABLE timers DROP CONSTRAINT timers_kind_check;
ALTER TABLE timers ADD CONSTRAINT timers_kind_check
    CHECK (kind IN ('unanswered', 'auto_close', 'rating_wait', 'pass_offer'));
